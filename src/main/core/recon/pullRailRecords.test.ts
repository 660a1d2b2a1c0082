/**
 * Rail records pulled into reconciliation (issue 15, part 2) on the whole sandbox world — Anvil
 * with the token and CountersignBatch, the Horizon and Stripe harnesses, the device emulator:
 * - one batch paid on all three rails (ERC-20 and native payouts on Anvil, USDC and XLM on
 *   Stellar, two Stripe transfers) appears after one `recon.pull` as exactly one statement line
 *   per payout, and each line shares an exact key with its ledger posting — read with the
 *   matcher's own key reading (loadReconItems.ts) — and with no other posting; each landed
 *   transaction's fee (gas, Stellar fee) is its own line sharing a key with the fee entry only; a
 *   Stripe balance transaction with a fee gives a gross line and a fee line;
 * - pulled again: nothing new, no new statement file;
 * - the EVM node unreachable: the EVM pull reports its problem, Stripe and Stellar are stored;
 * - a reorg at the cursor: the last blocks are read again, nothing stored twice;
 * - the chain restarted (anvil_reset: the head falls below the cursor): read again from block 0,
 *   nothing stored twice.
 * Runs on SQLite, and on PostgreSQL in the suite's second pass (openDb follows COUNTERSIGN_TEST_DB).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Sandbox } from '../../sandbox/sandboxUp'
import {
  ANVIL_ACCOUNTS,
  SANDBOX_STELLAR_NETWORK,
  SANDBOX_STELLAR_PAYEES,
  SANDBOX_STELLAR_TREASURY,
  SANDBOX_STRIPE_ACCOUNTS,
} from '../../sandbox/sandboxPlan'
import { followPayments } from '../poller/tasks/stellarPayments'
import type { RailsConfig } from '../rails/evm/evmRailConfig'
import { rpcCall } from '../rails/evm/jsonRpc'
import { loadAccountItems, type LoadedItem } from './matching/loadReconItems'
import { evmCursorKey, readEvmCursor } from './pull/pullEvmRecords'
import { paySandboxBatch, startQuietSandbox, type QuietSandbox, type SandboxOperators } from '../../../../test/recon/sandboxBatchKit'

let quiet: QuietSandbox | undefined
let sb: Sandbox
let config: RailsConfig
let as: SandboxOperators

beforeAll(async () => {
  // The test drives every sweep itself (the background poller would pull on its own).
  quiet = await startQuietSandbox('recon-pull')
  ;({ sb, as } = quiet)
  config = sb.core.rails.config
}, 120_000)

afterAll(async () => {
  await quiet?.stop()
})

const PAYOUTS = [
  ['rp-evm-1', 'evm', '31337', 'USDC', ANVIL_ACCOUNTS[1], '12.345678'],
  ['rp-evm-2', 'evm', '31337', 'USDC', ANVIL_ACCOUNTS[2], '7.5'],
  ['rp-evm-eth', 'evm', '31337', 'ETH', ANVIL_ACCOUNTS[3], '0.01'],
  ['rp-xlm-usdc', 'stellar', SANDBOX_STELLAR_NETWORK, 'USDC', SANDBOX_STELLAR_PAYEES['payee-1'], '3.1234567'],
  ['rp-xlm-xlm', 'stellar', SANDBOX_STELLAR_NETWORK, 'XLM', SANDBOX_STELLAR_PAYEES['payee-2'], '2'],
  ['rp-stripe-1', 'stripe', 'stripe', 'USD', SANDBOX_STRIPE_ACCOUNTS.freelancer, '10.00'],
  ['rp-stripe-2', 'stripe', 'stripe', 'USD', SANDBOX_STRIPE_ACCOUNTS.studio, '20.00'],
] as const

/** CSV -> submitted -> approved -> executed, then every rail swept (and Stellar payments, Stripe balance transactions read) until completed. */
async function payBatch(): Promise<string> {
  const id = await paySandboxBatch(sb, as, PAYOUTS, 'Recon pull')
  // What the poller's stellar.payments and stripe.sync tasks would have stored by now.
  await followPayments(sb.core.ctx, SANDBOX_STELLAR_NETWORK, config.stellar!.networks[0]!.horizonUrl, SANDBOX_STELLAR_TREASURY)
  await sb.core.api.call('stripe.sync', {}, as.dana)
  return id
}

/** Both sides of every linked statement account, as the matcher reads them. */
async function items(): Promise<{ statement: LoadedItem[]; ledger: LoadedItem[] }> {
  const ctx = sb.core.ctx
  const accounts = await ctx.db.all(ctx.db.k.selectFrom('recon_accounts').select(['id', 'currency', 'ledger_account_id']))
  const out = { statement: [] as LoadedItem[], ledger: [] as LoadedItem[] }
  for (const a of accounts) {
    const loaded = await loadAccountItems(ctx, a, 0)
    out.statement.push(...loaded.statement)
    out.ledger.push(...loaded.ledger)
  }
  return out
}

function sharing(item: LoadedItem, others: readonly LoadedItem[]): LoadedItem[] {
  return others.filter((o) => o.account === item.account && o.keys.some((k) => item.keys.includes(k)))
}

async function lineOf(id: string): Promise<{ external_key: string | null; amount: string; structured_ref: string | null }> {
  const ctx = sb.core.ctx
  return (await ctx.db.first(
    ctx.db.k.selectFrom('statement_lines').select(['external_key', 'amount', 'structured_ref']).where('id', '=', id),
  ))!
}

async function fileCount(): Promise<number> {
  const ctx = sb.core.ctx
  const row = await ctx.db.first(ctx.db.k.selectFrom('statement_files').select((eb) => eb.fn.countAll<string>().as('n')))
  return Number(row?.n ?? 0)
}

describe('recon.pull on the sandbox', () => {
  let batchId: string

  it('pays a batch on all three rails; one pull stores each payout once, beside the key its posting carries, and each fee on its own line', async () => {
    batchId = await payBatch()
    const ctx = sb.core.ctx
    // A Stripe charge with a fee, as the sync stores it (the harness makes no charges).
    await ctx.db.run(
      ctx.db.k.insertInto('stripe_balance_txns').values({
        id: 'txn_ReconPullCharge01',
        type: 'charge',
        currency: 'usd',
        amount: '10000',
        fee: '320',
        net: '9680',
        source: 'ch_ReconPullCharge01',
        created: 1_767_225_600,
        seen_at: new Date().toISOString(),
      }),
    )
    await expect(sb.core.api.call('recon.pull', {}, as.bob)).rejects.toMatchObject({ code: 'ROLE_REQUIRED' })
    const events: unknown[] = []
    const off = sb.core.events.subscribe((event, payload) => event === 'recon.changed' && events.push(payload))
    const { pulls } = await sb.core.api.call('recon.pull', {}, as.alice)
    off()
    expect(pulls.map((p) => [p.rail, p.network, p.problem])).toEqual([
      ['evm', '31337', null],
      ['stellar', SANDBOX_STELLAR_NETWORK, null],
      ['stripe', 'stripe', null],
    ])
    for (const p of pulls) expect(p.fileId).toMatch(/^stf_[0-9a-f]{20}$/)
    expect(events).toHaveLength(3)

    const { statement, ledger } = await items()
    const payouts = await ctx.db.all(ctx.db.k.selectFrom('payouts').select(['id', 'entry_id', 'rail']).where('batch_id', '=', batchId))
    expect(payouts).toHaveLength(PAYOUTS.length)
    for (const payout of payouts) {
      const posting = ledger.filter((l) => l.id.startsWith(`${payout.entry_id}/`))
      expect(posting, payout.id).toHaveLength(1)
      const lines = sharing(posting[0]!, statement)
      expect(lines, `${payout.id} has one line`).toHaveLength(1)
      expect(lines[0]!.amount).toBe(posting[0]!.amount)
      // …and that line names no other posting: not the fee entry of the same transaction.
      expect(sharing(lines[0]!, ledger).map((l) => l.id)).toEqual([posting[0]!.id])
      const line = await lineOf(lines[0]!.id)
      if (payout.rail !== 'stripe')
        expect(line.external_key).toMatch(payout.rail === 'evm' ? /^evm:31337:0x[0-9a-f]{64}:\d+$/ : /^stellar:standalone:\d+$/)
      else expect(line.external_key).toMatch(/^stripe:txn_/)
    }

    // Every landed EVM and Stellar transaction's fee: its own line, sharing a key with the fee entry only.
    const subs = await ctx.db.all(
      ctx.db.k
        .selectFrom('submissions')
        .select(['id', 'rail', 'tx_hash', 'fee_paid'])
        .where('batch_id', '=', batchId)
        .where('rail', '!=', 'stripe'),
    )
    expect(subs.length).toBeGreaterThanOrEqual(3)
    for (const s of subs) {
      const fee = ledger.filter((l) => l.id.startsWith(`fee:${s.id}/`))
      expect(fee, s.id).toHaveLength(1)
      const lines = sharing(fee[0]!, statement)
      expect(lines, `fee of ${s.id}`).toHaveLength(1)
      expect(sharing(lines[0]!, ledger).map((l) => l.id)).toEqual([fee[0]!.id])
      const line = await lineOf(lines[0]!.id)
      expect(line.external_key).toBe(s.rail === 'evm' ? `evm:31337:${s.tx_hash}:gas` : `stellar:standalone:${s.tx_hash}:fee`)
      expect(line.amount).toBe(`-${s.fee_paid}`)
    }

    // A Stripe fee is a line of its own, beside the gross amount.
    const charge = await ctx.db.all(
      ctx.db.k
        .selectFrom('statement_lines')
        .select(['external_key', 'amount', 'customer_ref', 'account_id'])
        .where('external_key', 'like', 'stripe:txn_ReconPullCharge01%')
        .orderBy('external_key'),
    )
    expect(charge).toEqual([
      {
        external_key: 'stripe:txn_ReconPullCharge01',
        amount: '10000',
        customer_ref: 'ch_ReconPullCharge01',
        account_id: 'STRIPE:PLATFORM:USD',
      },
      { external_key: 'stripe:txn_ReconPullCharge01:fee', amount: '-320', customer_ref: null, account_id: 'STRIPE:PLATFORM:USD' },
    ])

    // Statement accounts made and linked to the treasury accounts; one audited pull per file.
    const accounts = await ctx.db.all(ctx.db.k.selectFrom('recon_accounts').select(['id', 'ledger_account_id']).orderBy('id'))
    expect(accounts).toEqual([
      { id: 'EVM:31337:0XDAD77910DBDFDE764FC21FCD4E74D71BBACA6D8D:ETH', ledger_account_id: 'treasury.eth-evm31337' },
      { id: 'EVM:31337:0XDAD77910DBDFDE764FC21FCD4E74D71BBACA6D8D:USDC', ledger_account_id: 'treasury.usdc-evm31337' },
      { id: `STELLAR:STANDALONE:${SANDBOX_STELLAR_TREASURY}:USDC`, ledger_account_id: 'treasury.usdc-stellar-local' },
      { id: `STELLAR:STANDALONE:${SANDBOX_STELLAR_TREASURY}:XLM`, ledger_account_id: 'treasury.xlm-stellar-local' },
      { id: 'STRIPE:PLATFORM:USD', ledger_account_id: 'treasury.usd-stripe' },
    ])
    const audit = await ctx.db.all(ctx.db.k.selectFrom('audit_log').select(['actor', 'subject']).where('action', '=', 'recon.pull'))
    expect(audit.map((a) => a.subject).sort()).toEqual(pulls.map((p) => `statement-file:${p.fileId}`).sort())
    expect(new Set(audit.map((a) => a.actor))).toEqual(new Set([as.alice.operatorId]))
    // The statements read like any other, with their format.
    const statements = await sb.core.api.call('recon.statements', {})
    expect(new Set(statements.statements.map((s) => s.format))).toEqual(new Set(['evm', 'stellar', 'stripe']))
    // Each pulled line carries the rail's own id, as batches and receipts show it: the transaction
    // hash (EVM, Stellar), the Stripe transfer (tr_…) a balance transaction is about.
    const viewed = (
      await Promise.all(statements.statements.map((st) => sb.core.api.call('recon.lines', { statementId: st.id }, as.alice)))
    ).flatMap((p) => p.lines)
    expect(viewed.filter((l) => l.railRef === null)).toEqual([])
    for (const s of subs)
      expect(
        viewed.some((l) => l.railRef?.rail === s.rail && l.railRef.reference === s.tx_hash),
        s.id,
      ).toBe(true)
    expect(viewed.some((l) => l.railRef?.rail === 'stripe' && l.railRef.reference.startsWith('tr_'))).toBe(true)
  }, 180_000)

  it('pulled again: nothing new, no new statement file', async () => {
    const files = await fileCount()
    const { pulls } = await sb.core.api.call('recon.pull', {}, as.alice)
    expect(pulls.map((p) => [p.rail, p.lines, p.fileId, p.problem])).toEqual([
      ['evm', 0, null, null],
      ['stellar', 0, null, null],
      ['stripe', 0, null, null],
    ])
    expect(await fileCount()).toBe(files)
  })

  it('the EVM node unreachable: its problem is reported, Stripe and Stellar are still stored', async () => {
    const ctx = sb.core.ctx
    await ctx.db.run(
      ctx.db.k.insertInto('stripe_balance_txns').values({
        id: 'txn_ReconPullPayout02',
        type: 'payout',
        currency: 'usd',
        amount: '-5000',
        fee: '0',
        net: '-5000',
        source: 'po_ReconPullPayout02',
        created: 1_767_312_000,
        seen_at: new Date().toISOString(),
      }),
    )
    // Horizon's operation id (TOID): ledger 5, 7th transaction, operation 1 (1-based in the id).
    const operationId = String((5n << 32n) + 7n * 4096n + 1n)
    await ctx.db.run(
      ctx.db.k.insertInto('stellar_payments').values({
        network: SANDBOX_STELLAR_NETWORK,
        operation_id: operationId,
        account: SANDBOX_STELLAR_TREASURY,
        paging_token: operationId,
        tx_hash: 'ab'.repeat(32),
        type: 'payment',
        from_account: SANDBOX_STELLAR_PAYEES['payee-3'],
        to_account: SANDBOX_STELLAR_TREASURY,
        asset: 'native',
        amount: '15000000',
        successful: 1,
        created_at: '2026-01-02T10:00:00Z',
        seen_at: new Date().toISOString(),
      }),
    )
    const live = sb.core.rails.config
    sb.core.rails.replace({ ...live, evm: { chains: live.evm!.chains.map((c) => ({ ...c, rpcUrl: 'http://127.0.0.1:9' })) } })
    try {
      const { pulls } = await sb.core.api.call('recon.pull', {}, as.alice)
      const [evm, stellar, stripe] = pulls
      expect(evm).toMatchObject({ rail: 'evm', records: 0, lines: 0, fileId: null, problem: { code: 'RAIL_UNAVAILABLE' } })
      expect(evm!.problem!.message).toMatch(/could not be read/)
      expect(stellar).toMatchObject({ rail: 'stellar', records: 1, lines: 1, problem: null })
      expect(stripe).toMatchObject({ rail: 'stripe', records: 1, lines: 1, problem: null })
      expect(stellar!.fileId).not.toBeNull()
      expect(stripe!.fileId).not.toBeNull()
      const incoming = await ctx.db.first(
        ctx.db.k.selectFrom('statement_lines').selectAll().where('external_key', '=', `stellar:standalone:${operationId}`),
      )
      // Money in is positive; its operation index is the id's low 12 bits, 0-based: 0.
      expect(incoming).toMatchObject({
        amount: '15000000',
        counterparty_account: SANDBOX_STELLAR_PAYEES['payee-3'],
        structured_ref: `${'ab'.repeat(32)}:0`,
      })
    } finally {
      sb.core.rails.replace(live)
    }
  })

  it('a reorg at the cursor (its block has another hash now): the last blocks are read again, nothing stored twice', async () => {
    const ctx = sb.core.ctx
    const chain = sb.core.rails.config.evm!.chains[0]!
    const key = evmCursorKey(chain)
    const before = (await readEvmCursor(ctx, key))!
    await ctx.db.run(
      ctx.db.k
        .updateTable('meta')
        .set({ value: JSON.stringify({ block: before.block.toString(), hash: `0x${'0'.repeat(64)}`, genesis: before.genesis }) })
        .where('key', '=', key),
    )
    const files = await fileCount()
    const { pulls } = await sb.core.api.call('recon.pull', { rails: ['evm'] }, as.alice)
    expect(pulls).toEqual([{ rail: 'evm', network: '31337', records: expect.any(Number), lines: 0, fileId: null, problem: null }])
    expect(pulls[0]!.records).toBeGreaterThan(0)
    expect(await fileCount()).toBe(files)
    expect(await readEvmCursor(ctx, key)).toEqual(before)
  })

  it('the chain restarted (the head fell below the cursor): read again from block 0, nothing stored twice', async () => {
    const ctx = sb.core.ctx
    const chain = sb.core.rails.config.evm!.chains[0]!
    const before = (await readEvmCursor(ctx, evmCursorKey(chain)))!
    expect(before.block).toBeGreaterThan(2n)
    const lines = Number((await ctx.db.first(ctx.db.k.selectFrom('statement_lines').select((eb) => eb.fn.countAll<string>().as('n'))))!.n)
    await rpcCall(chain.rpcUrl, 'anvil_reset', [])
    await rpcCall(chain.rpcUrl, 'anvil_mine', ['0x2'])
    const { pulls } = await sb.core.api.call('recon.pull', { rails: ['evm'] }, as.alice)
    expect(pulls).toEqual([{ rail: 'evm', network: '31337', records: 0, lines: 0, fileId: null, problem: null }])
    const after = (await readEvmCursor(ctx, evmCursorKey(chain)))!
    expect(after.block).toBeLessThan(before.block)
    expect(Number((await ctx.db.first(ctx.db.k.selectFrom('statement_lines').select((eb) => eb.fn.countAll<string>().as('n'))))!.n)).toBe(
      lines,
    )
  })
})
