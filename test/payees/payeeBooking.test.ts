/**
 * Issue 17, finding 3: payouts booked to duplicate accounts. On the sandbox (Anvil, the Horizon
 * harness, the Stripe harness), real batches are paid and confirmed; then:
 *  - a payee in the address book receives the booking in its own account (EVM, Stellar, Stripe —
 *    a mixed-case acct_ id stays exact; an EVM address in another case is the same payee);
 *  - gas and Stellar fees land in the workspace's fees account for the asset ("Fees ETH (Anvil)");
 *  - a payee not in the address book gets exactly one account per asset, however often it is
 *    paid, found again by its address; old lower-cased accounts keep their postings, untouched;
 *  - a booking re-run after a crash posts nothing twice even when the resolution changed between
 *    runs (an address-book entry added meanwhile), and a reorg reversal undoes into the accounts
 *    the money went to.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAnvilService } from '../../src/main/sandbox/anvilService'
import { createStellarService } from '../../src/main/sandbox/stellarService'
import { createStripeService } from '../../src/main/sandbox/stripeService'
import {
  ANVIL_ACCOUNTS,
  SANDBOX_STELLAR_NETWORK,
  SANDBOX_STELLAR_PAYEES,
  SANDBOX_STRIPE_ACCOUNTS,
} from '../../src/main/sandbox/sandboxPlan'
import type { Sandbox } from '../../src/main/sandbox/sandboxUp'
import { formatAmount, parseAmount } from '../../src/shared/money'
import { checkLedgerInvariants } from '../../src/main/core/ledger'
import { bookConfirmed, reverseBookings } from '../../src/main/core/payouts/execute/bookSubmission'
import { payoutsOfSubmission } from '../../src/main/core/payouts/execute/executionStore'
import { paySandboxBatch, startQuietSandbox, type QuietSandbox, type SandboxOperators } from '../recon/sandboxBatchKit'

const USDC_EVM = 'USDC@evm:31337'
const ETH_EVM = 'ETH@evm:31337'
const XLM = `XLM@stellar:${SANDBOX_STELLAR_NETWORK}`
const USD = 'USD@stripe'
/** Not in the sandbox's address book: Anvil's account 0 (the deployer). */
const STRANGER_EVM = ANVIL_ACCOUNTS[0]
const STUDIO = SANDBOX_STRIPE_ACCOUNTS.studio

let quiet: QuietSandbox | undefined
let sb: Sandbox
let as: SandboxOperators

beforeAll(async () => {
  quiet = await startQuietSandbox('payees', {
    services: [createAnvilService({ persist: false }), createStellarService(), createStripeService()],
  })
  ;({ sb, as } = quiet)
}, 120_000)

afterAll(async () => {
  await quiet?.stop()
})

async function balanceOf(accountId: string): Promise<string> {
  const b = (await sb.core.api.call('ledger.balances', {})).find((x) => x.accountId === accountId)
  expect(b, `account ${accountId}`).toBeDefined()
  return b!.balance
}

async function payeeAccounts(assetId: string) {
  return await sb.core.api.call('ledger.accounts.list', { kind: 'payee', assetId })
}

async function entryCount(): Promise<number> {
  const ctx = sb.core.ctx
  const row = await ctx.db.first(ctx.db.k.selectFrom('entries').select((eb) => eb.fn.countAll<number>().as('n')))
  return Number(row!.n)
}

async function submissionsOf(batchId: string, rail: string) {
  const ctx = sb.core.ctx
  return await ctx.db.all(ctx.db.k.selectFrom('submissions').selectAll().where('batch_id', '=', batchId).where('rail', '=', rail))
}

async function expectBooksSound(): Promise<void> {
  expect(await checkLedgerInvariants(sb.core.ctx)).toEqual([])
  expect((await sb.core.api.call('audit.verify', {})).ok).toBe(true)
}

describe('payouts book to the payee’s one account and fees to the workspace’s fees account', () => {
  let first = ''

  it('books address-book payees in their own accounts and fees in the configured fees accounts', async () => {
    // A workspace from before: the engine had opened a lower-cased account for the freelancer
    // (and booked to it). It keeps what it holds; new bookings go to the address book's account.
    await sb.core.api.call(
      'ledger.accounts.add',
      {
        id: `payee:${USD}:${SANDBOX_STRIPE_ACCOUNTS.freelancer.toLowerCase()}`,
        name: 'Payee Freelancer (USD@stripe)',
        kind: 'payee',
        assetId: USD,
        address: SANDBOX_STRIPE_ACCOUNTS.freelancer.toLowerCase(),
      },
      as.dana,
    )
    first = await paySandboxBatch(
      sb,
      as,
      [
        // The address book has Acme in its checksum spelling; the CSV writes it in lower case.
        ['pb-acme', 'evm', '31337', 'USDC', ANVIL_ACCOUNTS[1].toLowerCase(), '1.250000'],
        ['pb-partners', 'stellar', SANDBOX_STELLAR_NETWORK, 'USDC', SANDBOX_STELLAR_PAYEES['payee-1'], '2.5000000'],
        ['pb-freelancer', 'stripe', 'stripe', 'USD', SANDBOX_STRIPE_ACCOUNTS.freelancer, '3.75'],
        ['pb-stranger-1', 'evm', '31337', 'USDC', STRANGER_EVM, '4.000000'],
        ['pb-xlm-1', 'stellar', SANDBOX_STELLAR_NETWORK, 'XLM', SANDBOX_STELLAR_PAYEES['payee-2'], '5'],
        ['pb-studio-1', 'stripe', 'stripe', 'USD', STUDIO, '6.00'],
      ],
      'Payees first',
    )

    expect(await balanceOf('payee.acme.usdc-evm31337')).toBe('1.250000')
    expect(await balanceOf('payee.stellar-partners.usdc-stellar-local')).toBe('2.5000000')
    expect(await balanceOf('payee.freelancer.usd-stripe')).toBe('3.75')
    expect(await balanceOf(`payee:${USD}:${SANDBOX_STRIPE_ACCOUNTS.freelancer.toLowerCase()}`)).toBe('0.00')

    // Gas (ETH) and the Stellar fee (XLM) in the sandbox's own fees accounts; none opened beside them.
    expect(parseAmount(await balanceOf('fees.eth-evm31337'), 18)).toBeGreaterThan(0n)
    expect(parseAmount(await balanceOf('fees.xlm-stellar-local'), 7)).toBeGreaterThan(0n)
    const fees = await sb.core.api.call('ledger.accounts.list', { kind: 'fees' })
    expect(fees.filter((a) => a.id.startsWith('fees:') || a.name.startsWith('Network fees'))).toEqual([])

    // Payees the address book does not know: one account each, exact where the rail is case-sensitive.
    const studio = (await payeeAccounts(USD)).filter((a) => a.address === STUDIO)
    expect(studio.map((a) => a.id)).toEqual([`payee:${USD}:${STUDIO}`])
    expect(await balanceOf(studio[0]!.id)).toBe('6.00')
    const stranger = (await payeeAccounts(USDC_EVM)).filter((a) => a.address?.toLowerCase() === STRANGER_EVM.toLowerCase())
    expect(stranger.map((a) => [a.id, a.address])).toEqual([[`payee:${USDC_EVM}:${STRANGER_EVM.toLowerCase()}`, STRANGER_EVM]])
    const xlm = (await payeeAccounts(XLM)).filter((a) => a.address === SANDBOX_STELLAR_PAYEES['payee-2'])
    expect(xlm.map((a) => a.id)).toEqual([`payee:${XLM}:${SANDBOX_STELLAR_PAYEES['payee-2']}`])
    // No account id anywhere carries a lower-cased acct_ id or G… key, except the old one above.
    const all = await sb.core.api.call('ledger.accounts.list', {})
    expect(
      all.filter((a) => /acct_[0-9a-z]*[a-z]{4}/.test(a.id) && a.id !== `payee:${USD}:${SANDBOX_STRIPE_ACCOUNTS.freelancer.toLowerCase()}`),
    ).toEqual([])
    expect(all.filter((a) => /:g[a-z2-7]{55}$/.test(a.id))).toEqual([])
    await expectBooksSound()
  }, 120_000)

  it('pays a payee outside the address book again into the same one account, found by its address in any case', async () => {
    await paySandboxBatch(
      sb,
      as,
      [
        ['pb-stranger-2', 'evm', '31337', 'USDC', STRANGER_EVM.toLowerCase(), '0.500000'],
        ['pb-stranger-3', 'evm', '31337', 'USDC', STRANGER_EVM, '0.250000'],
        ['pb-xlm-2', 'stellar', SANDBOX_STELLAR_NETWORK, 'XLM', SANDBOX_STELLAR_PAYEES['payee-2'], '1'],
        ['pb-studio-2', 'stripe', 'stripe', 'USD', STUDIO, '1.00'],
        ['pb-acme-2', 'evm', '31337', 'USDC', ANVIL_ACCOUNTS[1], '0.750000'],
      ],
      'Payees again',
    )
    const stranger = (await payeeAccounts(USDC_EVM)).filter((a) => a.address?.toLowerCase() === STRANGER_EVM.toLowerCase())
    expect(stranger).toHaveLength(1)
    expect(await balanceOf(stranger[0]!.id)).toBe('4.750000')
    expect((await payeeAccounts(XLM)).filter((a) => a.address === SANDBOX_STELLAR_PAYEES['payee-2'])).toHaveLength(1)
    expect(await balanceOf(`payee:${XLM}:${SANDBOX_STELLAR_PAYEES['payee-2']}`)).toBe('6.0000000')
    expect((await payeeAccounts(USD)).filter((a) => a.address === STUDIO)).toHaveLength(1)
    expect(await balanceOf(`payee:${USD}:${STUDIO}`)).toBe('7.00')
    expect(await balanceOf('payee.acme.usdc-evm31337')).toBe('2.000000')
    // Acme's address book account is the only USDC payee account at its address.
    expect((await payeeAccounts(USDC_EVM)).filter((a) => a.address?.toLowerCase() === ANVIL_ACCOUNTS[1].toLowerCase())).toHaveLength(1)
    await expectBooksSound()
  }, 120_000)

  it('never posts twice when a booking is re-run after the resolution changed, and reverses into the accounts it booked', async () => {
    const ctx = sb.core.ctx
    // An admin adds the studio and the stranger to the address book after they were paid: from
    // now on new bookings resolve to these accounts.
    await sb.core.api.call(
      'ledger.accounts.add',
      { id: 'payee.studio.usd-stripe', name: 'Design Studio USD', kind: 'payee', assetId: USD, address: STUDIO },
      as.dana,
    )
    await sb.core.api.call(
      'ledger.accounts.add',
      { id: 'payee.stranger.usdc-evm31337', name: 'Anvil Deployer USDC', kind: 'payee', assetId: USDC_EVM, address: STRANGER_EVM },
      as.dana,
    )
    // An ETH fees account opened after the sandbox's: the workspace's fees account stays the first one.
    await sb.core.api.call('ledger.accounts.add', { id: 'fees.eth-later', name: 'Fees ETH later', kind: 'fees', assetId: ETH_EVM }, as.dana)
    const before = await entryCount()
    const studioAuto = await balanceOf(`payee:${USD}:${STUDIO}`)

    // Re-run the Stripe booking of the first batch as a crashed run would: its payout rows read
    // before the booking (entry_id null).
    const [stripeSub] = await submissionsOf(first, 'stripe')
    const stale = (await payoutsOfSubmission(ctx, stripeSub!.id)).map((p) => ({ ...p, entry_id: null }))
    await ctx.db.tx(async () => {
      await bookConfirmed(ctx, {
        submission: stripeSub!,
        payouts: stale,
        confirmed: stale.map((p, i) => ({ payoutId: p.id, logIndex: i })),
        feePaid: 0n,
        feeAssetId: USD,
        blockNumber: stripeSub!.block_number ?? '',
        blockHash: stripeSub!.block_hash ?? '',
      })
    })
    // The same for the EVM submission, fee included (its fee entry exists).
    const [evmSub] = await submissionsOf(first, 'evm')
    const evmStale = (await payoutsOfSubmission(ctx, evmSub!.id)).map((p) => ({ ...p, entry_id: null }))
    const feesEth = await balanceOf('fees.eth-evm31337')
    await ctx.db.tx(async () => {
      await bookConfirmed(ctx, {
        submission: evmSub!,
        payouts: evmStale,
        confirmed: evmStale.map((p, i) => ({ payoutId: p.id, logIndex: i })),
        feePaid: BigInt(evmSub!.fee_paid!),
        feeAssetId: ETH_EVM,
        blockNumber: evmSub!.block_number!,
        blockHash: evmSub!.block_hash!,
      })
    })
    expect(await entryCount()).toBe(before)
    expect(await balanceOf(`payee:${USD}:${STUDIO}`)).toBe(studioAuto)
    expect(await balanceOf('payee.studio.usd-stripe')).toBe('0.00')
    expect(await balanceOf('payee.stranger.usdc-evm31337')).toBe('0.000000')
    expect(await balanceOf('fees.eth-evm31337')).toBe(feesEth)

    // A reorg of the first EVM submission: the reversal takes the money back from the account
    // it went to (the engine-opened one), not from the address-book account added since.
    const strangerAuto = `payee:${USDC_EVM}:${STRANGER_EVM.toLowerCase()}`
    expect(await balanceOf(strangerAuto)).toBe('4.750000')
    const live = await payoutsOfSubmission(ctx, evmSub!.id)
    await ctx.db.tx(async () => await reverseBookings(ctx, evmSub!, live, ETH_EVM))
    expect(await balanceOf(strangerAuto)).toBe('0.750000')
    expect(await balanceOf('payee.stranger.usdc-evm31337')).toBe('0.000000')
    expect(await balanceOf('payee.acme.usdc-evm31337')).toBe('0.750000')
    expect(await balanceOf('fees.eth-evm31337')).toBe(formatAmount(parseAmount(feesEth, 18) - BigInt(evmSub!.fee_paid!), 18))
    // Confirmed again (generation 1): booked once more, now to the address-book accounts.
    const reversed = await payoutsOfSubmission(ctx, evmSub!.id)
    await ctx.db.tx(async () => {
      await bookConfirmed(ctx, {
        submission: evmSub!,
        payouts: reversed,
        confirmed: reversed.map((p, i) => ({ payoutId: p.id, logIndex: i })),
        feePaid: BigInt(evmSub!.fee_paid!),
        feeAssetId: ETH_EVM,
        blockNumber: evmSub!.block_number!,
        blockHash: evmSub!.block_hash!,
      })
    })
    expect(await balanceOf('payee.stranger.usdc-evm31337')).toBe('4.000000')
    expect(await balanceOf('payee.acme.usdc-evm31337')).toBe('2.000000')
    expect(await balanceOf('fees.eth-evm31337')).toBe(feesEth)
    expect(await balanceOf('fees.eth-later')).toBe('0.000000000000000000')
    await expectBooksSound()
  }, 120_000)

  it('pays the address book’s new entries from now on (found by address, exact acct_ id)', async () => {
    await paySandboxBatch(sb, as, [['pb-studio-3', 'stripe', 'stripe', 'USD', STUDIO, '2.00']], 'Payees after the address book')
    expect(await balanceOf('payee.studio.usd-stripe')).toBe('2.00')
    expect(await balanceOf(`payee:${USD}:${STUDIO}`)).toBe('7.00')
    await expectBooksSound()
  }, 120_000)

  it('lists payees one line each — addresses per rail, totals per asset, payouts — and one payee in full', async () => {
    const api = sb.core.api
    const payees = await api.call('payees.list', {})
    const byName = new Map(payees.map((p) => [p.name, p]))
    // The freelancer: the address book's account and the old lower-cased one are one payee.
    const freelancer = byName.get('Freelancer (Stripe)')!
    expect(freelancer.inAddressBook).toBe(true)
    expect(freelancer.key).toBe('payee.freelancer.usd-stripe')
    expect(freelancer.accountIds.sort()).toEqual([
      'payee.freelancer.usd-stripe',
      `payee:${USD}:${SANDBOX_STRIPE_ACCOUNTS.freelancer.toLowerCase()}`,
    ])
    expect(freelancer.totals).toEqual([expect.objectContaining({ assetId: USD, paidOut: '3.75', pending: '0.00' })])
    expect(freelancer.payouts).toBe(1)
    // The studio: its engine account and its address-book entry share the acct_ id: one payee.
    const studio = byName.get('Design Studio')!
    expect(studio.addresses).toEqual([{ rail: 'stripe', network: 'stripe', address: STUDIO }])
    expect(studio.totals).toEqual([expect.objectContaining({ assetId: USD, paidOut: '9.00' })])
    expect(studio.payouts).toBe(3)
    // Acme, paid in two spellings of its address: one payee, one address in checksum form.
    const acme = byName.get('Acme Supplies')!
    expect(acme.addresses).toEqual([{ rail: 'evm', network: '31337', address: ANVIL_ACCOUNTS[1] }])
    expect(acme.payouts).toBe(2)
    // Address-book payees first; each payee exactly once.
    expect(new Set(payees.map((p) => p.key)).size).toBe(payees.length)
    expect(payees.findIndex((p) => !p.inAddressBook)).toBeGreaterThan(payees.findLastIndex((p) => p.inAddressBook))

    const one = await api.call('payees.get', { key: acme.key })
    expect(one.accounts.map((a) => [a.id, a.balance])).toEqual([['payee.acme.usdc-evm31337', '2.000000']])
    expect(one.payouts.map((p) => [p.payoutId, p.amount, p.state]).sort()).toEqual([
      ['pb-acme', '1.250000', 'confirmed'],
      ['pb-acme-2', '0.750000', 'confirmed'],
    ])
    expect(one.payouts.every((p) => p.batchName !== null)).toBe(true)
    await expect(api.call('payees.get', { key: 'nobody' })).rejects.toMatchObject({ code: 'ACCOUNT_NOT_FOUND' })
  }, 120_000)
})
