/**
 * Reconciliation end to end on the sandbox (issue 15, "What it must show"): a batch paid on all
 * three rails (Anvil, the Horizon harness, the Stripe harness), five Stripe payouts to the
 * platform's bank, and the bank's statement as the bank would write it — one payout named by its
 * po_ id, two payouts in one bank line (1:N), one paid short by the bank (inside the tolerance),
 * one bank charge, one credit nobody booked, and one payout missing. The chain and Stripe records
 * are pulled in; one run; then every item is matched, suggested with its reason, or in the
 * exceptions queue with the right reason — and the bank account's drift is the missing payout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Sandbox } from '../../src/main/sandbox/sandboxUp'
import { createAnvilService } from '../../src/main/sandbox/anvilService'
import { createStellarService } from '../../src/main/sandbox/stellarService'
import { createStripeService } from '../../src/main/sandbox/stripeService'
import {
  ANVIL_ACCOUNTS,
  SANDBOX_STELLAR_NETWORK,
  SANDBOX_STELLAR_PAYEES,
  SANDBOX_STELLAR_TREASURY,
  SANDBOX_STRIPE_ACCOUNTS,
} from '../../src/main/sandbox/sandboxPlan'
import { followPayments } from '../../src/main/core/poller/tasks/stellarPayments'
import type { StripeHarness } from '../harness/stripe'
import { camtText } from './camtText'
import { paySandboxBatch, startQuietSandbox, type QuietSandbox, type SandboxOperators } from './sandboxBatchKit'

const BANK_IBAN = 'US64SVBKUS6S3300958879'
const BANK_ACCOUNT = `${BANK_IBAN}:USD`
const BANK_LEDGER = 'external:stripe-bank:USD@stripe'

let quiet: QuietSandbox | undefined
let sb: Sandbox
let h: StripeHarness
let as: SandboxOperators

beforeAll(async () => {
  const stripe = createStripeService()
  quiet = await startQuietSandbox('recon-sandbox', { services: [createAnvilService({ persist: false }), createStellarService(), stripe] })
  ;({ sb, as } = quiet)
  h = stripe.harness()!
}, 120_000)

afterAll(async () => {
  await quiet?.stop()
})

const PAYOUTS = [
  ['rs-evm-1', 'evm', '31337', 'USDC', ANVIL_ACCOUNTS[1], '12.345678'],
  ['rs-evm-eth', 'evm', '31337', 'ETH', ANVIL_ACCOUNTS[3], '0.01'],
  ['rs-xlm-usdc', 'stellar', SANDBOX_STELLAR_NETWORK, 'USDC', SANDBOX_STELLAR_PAYEES['payee-1'], '3.1234567'],
  ['rs-xlm-xlm', 'stellar', SANDBOX_STELLAR_NETWORK, 'XLM', SANDBOX_STELLAR_PAYEES['payee-2'], '2'],
  ['rs-stripe-1', 'stripe', 'stripe', 'USD', SANDBOX_STRIPE_ACCOUNTS.freelancer, '10.00'],
  ['rs-stripe-2', 'stripe', 'stripe', 'USD', SANDBOX_STRIPE_ACCOUNTS.studio, '20.00'],
] as const

/** Five payouts from the Stripe balance to the platform's bank, all paid; their po_ ids. */
async function bankPayouts(): Promise<string[]> {
  const ids: string[] = []
  for (const amount of ['100.00', '200.00', '300.00', '400.00', '150.00']) {
    const p = await sb.core.api.call('stripe.bankPayouts.create', { assetId: 'USD@stripe', amount }, as.dana)
    h.advancePayout(p.stripeId!, 'paid')
    ids.push(p.stripeId!)
  }
  await sb.core.api.call('stripe.sync', {}, as.dana)
  return ids
}

describe('reconciliation on the sandbox', () => {
  it('matches the rails and the bank statement, explains the rest, and the drift is the missing payout', async () => {
    const api = sb.core.api
    await paySandboxBatch(sb, as, PAYOUTS, 'Recon end to end')
    const po = await bankPayouts()
    const ctx = sb.core.ctx
    await followPayments(ctx, SANDBOX_STELLAR_NETWORK, sb.core.rails.config.stellar!.networks[0]!.horizonUrl, SANDBOX_STELLAR_TREASURY)
    const paidOn = (await ctx.db.first(ctx.db.k.selectFrom('entries').select('date').where('id', '=', `stripe:payout:${po[0]}:paid`)))!.date

    // The bank's statement: po[4] (150.00) is missing.
    const statement = camtText({
      id: 'SVB-STMT-1',
      seq: 1,
      iban: BANK_IBAN,
      ccy: 'USD',
      month: paidOn.slice(0, 7),
      opening: '0.00',
      closing: '1039.00',
      lines: [
        { amount: '100.00', dir: 'CRDT', date: paidOn, text: `STRIPE PAYOUT ${po[0]}` },
        { amount: '500.00', dir: 'CRDT', date: paidOn, text: 'STRIPE TRANSFER' },
        { amount: '399.50', dir: 'CRDT', date: paidOn, text: 'STRIPE TRANSFER' },
        { amount: '2.50', dir: 'DBIT', date: paidOn, text: 'INCOMING WIRE FEE' },
        { amount: '42.00', dir: 'CRDT', date: paidOn, text: 'ACME REBATE 2026' },
      ],
    })
    const imported = await api.call('recon.import', { content: statement, fileName: 'svb.xml', ledgerAccountId: BANK_LEDGER }, as.alice)
    expect(imported.lines).toBe(5)

    // The rails' own records.
    const pulled = await api.call('recon.pull', {}, as.alice)
    expect(pulled.pulls.map((p) => [p.rail, p.problem])).toEqual([
      ['evm', null],
      ['stellar', null],
      ['stripe', null],
    ])

    const run = await api.call('recon.run', {}, as.alice)
    expect(run.runId).not.toBeNull()

    // Every item of every account — bank lines, rail records, ledger postings — is in exactly one match or one exception.
    const accounts = await ctx.db.all(ctx.db.k.selectFrom('recon_accounts').select(['id', 'ledger_account_id']))
    expect(accounts.length).toBeGreaterThanOrEqual(4) // the bank + at least one account per rail
    for (const a of accounts) {
      const lines = (
        await ctx.db.all(ctx.db.k.selectFrom('statement_lines').select('id').where('account_id', '=', a.id).where('status', '=', 'booked'))
      ).map((l) => `statement:${l.id}`)
      const postings = a.ledger_account_id
        ? (
            await ctx.db.all(
              ctx.db.k
                .selectFrom('postings as p')
                .innerJoin('entries as e', 'e.seq', 'p.entry_seq')
                .select(['e.id', 'p.idx'])
                .where('p.account_id', '=', a.ledger_account_id),
            )
          ).map((p) => `ledger:${p.id}/${Number(p.idx)}`)
        : []
      const matched = (
        await ctx.db.all(
          ctx.db.k
            .selectFrom('recon_match_items as i')
            .innerJoin('recon_matches as m', 'm.id', 'i.match_id')
            .select(['i.side', 'i.item_id'])
            .where('m.account_id', '=', a.id),
        )
      ).map((i) => `${i.side}:${i.item_id}`)
      const queued = (
        await ctx.db.all(
          ctx.db.k.selectFrom('recon_exceptions').select(['side', 'item_id']).where('account_id', '=', a.id).where('state', '=', 'open'),
        )
      ).map((i) => `${i.side}:${i.item_id}`)
      expect([...matched, ...queued].sort(), a.id).toEqual([...lines, ...postings].sort())
    }

    // Every payout of the batch is matched by an exact key on its rail, confirmed.
    for (const [payoutId] of PAYOUTS) {
      const payout = (await ctx.db.first(ctx.db.k.selectFrom('payouts').select('entry_id').where('id', '=', payoutId)))!
      const item = await ctx.db.first(
        ctx.db.k
          .selectFrom('recon_match_items as i')
          .innerJoin('recon_matches as m', 'm.id', 'i.match_id')
          .select(['m.kind', 'm.state', 'm.reason'])
          .where('i.side', '=', 'ledger')
          .where('i.item_id', 'like', `${payout.entry_id!}/%`),
      )
      expect(item, payoutId).toMatchObject({ kind: 'key', state: 'confirmed' })
    }
    // Rail records never differ in amount from the ledger, and never repeat.
    const railProblems = await api.call('recon.exceptions', { reason: 'amount_differs' }, as.alice)
    expect(railProblems.exceptions).toEqual([])
    expect((await api.call('recon.exceptions', { reason: 'duplicate' }, as.alice)).exceptions).toEqual([])

    // The bank account, item by item.
    const matches = (await api.call('recon.matches', { accountId: BANK_ACCOUNT }, as.alice)).matches
    const byKind = Object.fromEntries(matches.map((m) => [`${m.kind}:${m.statementTotal}`, m]))
    expect(byKind['key:100.00']).toMatchObject({ state: 'confirmed', keys: [po[0]!.toUpperCase()], variance: '0.00' })
    expect(byKind['1:N:500.00']).toMatchObject({ state: 'suggested', ledgerTotal: '500.00', ruleId: 'near-amount' })
    expect(byKind['1:N:500.00']!.ledger.map((l) => l.reference).sort()).toEqual([po[1], po[2]].sort())
    expect(byKind['1:1:399.50']).toMatchObject({ state: 'suggested', ledgerTotal: '400.00', variance: '-0.50' })
    expect(byKind['1:1:399.50']!.summary).toContain('0.50')
    expect(byKind['fee:-2.50']).toMatchObject({ state: 'suggested', ruleId: 'bank-charges', variance: '-2.50' })
    expect(matches).toHaveLength(4)
    const queue = (await api.call('recon.exceptions', { accountId: BANK_ACCOUNT }, as.alice)).exceptions
    expect(queue.map((e) => [e.side, e.reason, e.item.amount])).toEqual(
      expect.arrayContaining([
        ['ledger', 'unmatched', '150.00'],
        ['statement', 'unmatched', '42.00'],
      ]),
    )
    expect(queue).toHaveLength(2)

    // A controller confirms, books the rebate, a second person approves the adjustments.
    await api.call('recon.confirm', { matchIds: matches.filter((m) => m.state === 'suggested').map((m) => m.id) }, as.alice)
    const rebate = queue.find((e) => e.item.amount === '42.00')!
    await api.call(
      'ledger.accounts.add',
      { id: 'other-income:USD@stripe', name: 'Other income USD', kind: 'external', assetId: 'USD@stripe' },
      as.dana,
    )
    await api.call(
      'recon.resolveException',
      { id: rebate.id, action: 'book', note: 'ACME volume rebate', counterAccount: 'other-income:USD@stripe' },
      as.alice,
    )
    const proposed = (await api.call('recon.adjustments', { state: 'proposed', accountId: BANK_ACCOUNT }, as.alice)).adjustments
    expect(proposed.map((a) => a.amount).sort()).toEqual(['-0.50', '-2.50', '42.00'])
    for (const a of proposed) await api.call('recon.decideAdjustment', { id: a.id, decision: 'approve' }, as.bob)

    // Drift: ledger 1,150.00 − 0.50 − 2.50 + 42.00 = 1,189.00 against the bank's 1,039.00: the missing 150.00.
    const drift = await api.call('recon.drift', { accountId: BANK_ACCOUNT }, as.alice)
    expect(drift.latest).toMatchObject({
      difference: '150.00',
      ledgerNotOnStatement: '150.00',
      statementNotInLedger: '0.00',
      proposedAdjustments: '0.00',
      unexplained: '0.00',
    })
  }, 240_000)
})
