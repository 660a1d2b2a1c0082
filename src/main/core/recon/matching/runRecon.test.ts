/**
 * Matching, in process on a real SQLite file (PostgreSQL under COUNTERSIGN_TEST_DB=postgres): a
 * November bank statement of a EUR account against its ledger postings. Every item ends in a
 * match (with why) or in the exceptions queue with the right reason; people confirm, reject,
 * match by hand, book a line; adjustments wait for a second person; the drift is explained to
 * the cent; closing November locks its matches.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sqlAll } from '../../../../../test/dbSql'
import { CAMT_TEST_IBAN, camtText } from '../../../../../test/recon/camtText'
import { ALICE, BOB, DANA, failure, openDesk, type Desk } from '../../payouts/batches/testKit'

let desk: Desk
const ACCOUNT = `${CAMT_TEST_IBAN}:EUR`

/** The ledger's November on the bank account (+ = money in), with the keys our systems wrote. */
const LEDGER: { id: string; date: string; amount: string; metadata?: Record<string, string> }[] = [
  { id: 'in-1', date: '2026-11-02', amount: '5000.00', metadata: { reference: 'INV-2026-0001' } },
  { id: 'pay-1', date: '2026-11-03', amount: '-250.00', metadata: { payoutId: 'p_0001' } },
  { id: 'pay-2', date: '2026-11-04', amount: '-99.95' },
  { id: 'pay-3', date: '2026-11-05', amount: '-40.00' },
  { id: 'pay-4', date: '2026-11-05', amount: '-60.00' },
  { id: 'pay-5', date: '2026-11-09', amount: '-500.00' },
  { id: 'pay-6', date: '2026-11-10', amount: '-75.00' },
  { id: 'pay-7', date: '2026-11-12', amount: '-10.00' },
  { id: 'pay-8', date: '2026-11-12', amount: '-10.00' },
]

/** What the bank wrote (opening 0, closing = the sum: 3821.55). */
const STATEMENT = camtText({
  id: 'STMT-2026-11',
  seq: 11,
  opening: '0.00',
  closing: '3821.55',
  lines: [
    { amount: '5000.00', dir: 'CRDT', e2e: 'INV-2026-0001', date: '2026-11-02', text: 'Customer payment' },
    { amount: '250.00', dir: 'DBIT', e2e: 'p_0001', date: '2026-11-03', text: 'Payout' },
    { amount: '99.95', dir: 'DBIT', date: '2026-11-04', text: 'Supplier' },
    { amount: '100.00', dir: 'DBIT', date: '2026-11-06', text: 'Two payouts' },
    { amount: '499.00', dir: 'DBIT', date: '2026-11-10', text: 'Payout less bank deduction' },
    { amount: '2.50', dir: 'DBIT', date: '2026-11-27', text: 'BANK CHARGES NOVEMBER' },
    { amount: '33.00', dir: 'CRDT', date: '2026-11-20', text: 'Unknown remitter' },
    { amount: '250.00', dir: 'DBIT', e2e: 'p_0001', date: '2026-11-21', text: 'Payout' },
    { amount: '10.00', dir: 'DBIT', date: '2026-11-12', text: 'Small payout' },
  ],
})

async function count(table: string, where = ''): Promise<number> {
  const [row] = await sqlAll<{ n: number | string }>(desk.core.ctx.db, `SELECT COUNT(*) AS n FROM ${table} ${where}`)
  return Number(row!.n)
}

/** The statement line at 1-based position `index` of the file. */
function lineIdOf(index: number): Promise<string> {
  return sqlAll<{ id: string }>(desk.core.ctx.db, `SELECT id FROM statement_lines WHERE idx = ${index}`).then((r) => r[0]!.id)
}

beforeEach(async () => {
  desk = await openDesk({ start: '2026-12-02T09:00:00.000Z' })
  await desk.as(DANA, 'ledger.accounts.add', { id: 'bank-eur', name: 'Bank EUR (main)', kind: 'treasury', assetId: 'EUR@stripe' })
  await desk.as(DANA, 'ledger.accounts.add', {
    id: 'world-eur',
    name: 'Customers and suppliers EUR',
    kind: 'external',
    assetId: 'EUR@stripe',
  })
  await desk.as(DANA, 'ledger.accounts.add', { id: 'income-eur', name: 'Other income EUR', kind: 'external', assetId: 'EUR@stripe' })
  await desk.as(DANA, 'ledger.entries.post', {
    entries: LEDGER.map((e) => {
      const out = e.amount.startsWith('-')
      const a = out ? e.amount.slice(1) : e.amount
      return {
        id: e.id,
        date: e.date,
        description: `Test ${e.id}`,
        postings: out
          ? [
              { account: 'world-eur', debit: a },
              { account: 'bank-eur', credit: a },
            ]
          : [
              { account: 'bank-eur', debit: a },
              { account: 'world-eur', credit: a },
            ],
        ...(e.metadata ? { metadata: e.metadata } : {}),
      }
    }),
  })
  await desk.as(ALICE, 'recon.import', { content: STATEMENT, fileName: 'nov.xml', ledgerAccountId: 'bank-eur' })
})
afterEach(async () => {
  await desk.close()
})

describe('a reconciliation run', () => {
  it('a dry run reports and stores nothing', async () => {
    const before = [await count('recon_matches'), await count('recon_exceptions'), await count('audit_log')]
    const r = await desk.as(ALICE, 'recon.run', { dryRun: true })
    expect(r.dryRun).toBe(true)
    expect(r.runId).toBeNull()
    expect(r.stats.statementItems).toBe(9)
    expect(r.stats.ledgerItems).toBe(9)
    expect(r.matches.length).toBeGreaterThan(0)
    // The rules were written on first use (one audit row), nothing else.
    expect([await count('recon_matches'), await count('recon_exceptions')]).toEqual(before.slice(0, 2))
  })

  it('puts every item in a match with its reason, or in the queue with the right reason', async () => {
    const r = await desk.as(ALICE, 'recon.run', {})
    expect(r.runId).toMatch(/^rr_/)
    const byLedger = new Map(r.matches.flatMap((m) => m.ledger.map((l) => [l.id.split('/')[0]!, m])))
    // Exact keys: confirmed at once.
    expect(byLedger.get('in-1')).toMatchObject({ kind: 'key', state: 'confirmed', keys: ['INV-2026-0001'], variance: '0.00' })
    expect(byLedger.get('pay-1')).toMatchObject({ kind: 'key', state: 'confirmed', keys: ['P_0001'] })
    // Same amount, unique, in the window: suggested.
    expect(byLedger.get('pay-2')).toMatchObject({ kind: '1:1', state: 'suggested', ruleId: 'same-amount', variance: '0.00' })
    // Two postings summing to one line: one 1:N suggestion.
    const group = byLedger.get('pay-3')!
    expect(group).toMatchObject({ kind: '1:N', state: 'suggested', statementTotal: '-100.00', ledgerTotal: '-100.00' })
    expect(group.ledger.map((l) => l.id).sort()).toEqual(['pay-3/1', 'pay-4/1'])
    // Inside the 0.5 % tolerance: suggested with its variance.
    expect(byLedger.get('pay-5')).toMatchObject({ kind: '1:1', state: 'suggested', ruleId: 'near-amount', variance: '1.00' })
    // The bank charge: an adjustment to propose.
    const fee = r.matches.find((m) => m.kind === 'fee')!
    expect(fee).toMatchObject({ state: 'suggested', ruleId: 'bank-charges', statementTotal: '-2.50', variance: '-2.50' })
    expect(fee.ledger).toEqual([])
    expect(r.matches).toHaveLength(6)

    const q = await desk.as(ALICE, 'recon.exceptions', { limit: 100 })
    const reasons = q.exceptions.map((e) => `${e.side}:${e.reason}:${e.item.amount}`).sort()
    expect(reasons).toEqual([
      'ledger:unmatched:-10.00',
      'ledger:unmatched:-10.00',
      'ledger:unmatched:-75.00',
      'statement:ambiguous:-10.00',
      'statement:duplicate:-250.00',
      'statement:unmatched:33.00',
    ])
    const ambiguous = q.exceptions.find((e) => e.reason === 'ambiguous')!
    expect(ambiguous.related.sort()).toEqual(['pay-7/1', 'pay-8/1'])
    // Expected items have an age (the clock is on 2 December).
    expect(q.exceptions.find((e) => e.item.amount === '-75.00')!.item.ageDays).toBe(22)
    // One audit row for the run.
    expect(await count('audit_log', "WHERE action = 'recon.run'")).toBe(1)

    // Running again finds nothing new and keeps one exception per item.
    const again = await desk.as(ALICE, 'recon.run', {})
    expect(again.matches).toHaveLength(0)
    expect(await count('recon_exceptions')).toBe(6)
  })

  it('confirm, reject, match by hand, book a line, approve adjustments, explain the drift, close the month', async () => {
    const r = await desk.as(ALICE, 'recon.run', {})
    const suggested = r.matches.filter((m) => m.state === 'suggested')
    const plain = suggested.find((m) => m.ruleId === 'same-amount')!
    // A person rejects one suggestion; the next run does not propose it again.
    await desk.as(ALICE, 'recon.reject', { matchId: plain.id, reason: 'that was a different supplier' })
    const rerun = await desk.as(ALICE, 'recon.run', {})
    expect(rerun.stats.rejectedBefore).toBe(1)
    expect(rerun.matches).toHaveLength(0)
    const back = await desk.as(ALICE, 'recon.exceptions', { reason: 'unmatched', side: 'statement' })
    expect(back.exceptions.some((e) => e.item.amount === '-99.95' && e.detail.includes('rejected'))).toBe(true)

    // The rest are confirmed in bulk; variances become proposed adjustments.
    const rest = suggested.filter((m) => m.id !== plain.id).map((m) => m.id)
    const confirmed = await desk.as(ALICE, 'recon.confirm', { matchIds: rest })
    expect(confirmed.matches.every((m) => m.state === 'confirmed')).toBe(true)
    const proposed = await desk.as(ALICE, 'recon.adjustments', { state: 'proposed' })
    expect(proposed.adjustments.map((a) => a.amount).sort()).toEqual(['-2.50', '1.00'])
    // Not by the person who proposed them.
    expect((await failure(desk.as(ALICE, 'recon.decideAdjustment', { id: proposed.adjustments[0]!.id, decision: 'approve' }))).code).toBe(
      'ROLE_REQUIRED',
    )
    for (const a of proposed.adjustments) await desk.as(BOB, 'recon.decideAdjustment', { id: a.id, decision: 'approve' })
    const [bank] = await sqlAll<{ debits_posted: string; credits_posted: string }>(
      desk.core.ctx.db,
      "SELECT * FROM balances WHERE account_id = 'bank-eur'",
    )

    // The rejected pair, matched by hand after all (with a note), and a hand match that does not add up is refused.
    const supplierLine = await lineIdOf(3)
    expect((await failure(desk.as(ALICE, 'recon.match', { statement: [supplierLine], ledger: ['pay-6/1'], note: 'wrong' }))).code).toBe(
      'RECON_MATCH_UNBALANCED',
    )
    const hand = await desk.as(ALICE, 'recon.match', {
      statement: [supplierLine],
      ledger: ['pay-2/1'],
      note: 'Checked the invoice: it is this one',
    })
    expect(hand).toMatchObject({ kind: 'manual', state: 'confirmed', variance: '0.00' })

    // The unknown credit is booked to other income: a second person approves.
    const extra = (await desk.as(ALICE, 'recon.exceptions', { reason: 'unmatched', side: 'statement' })).exceptions.find(
      (e) => e.item.amount === '33.00',
    )!
    await desk.as(ALICE, 'recon.updateException', { id: extra.id, assignee: 'Alice Preparer', note: 'Asked the bank for the remitter' })
    const resolved = await desk.as(ALICE, 'recon.resolveException', {
      id: extra.id,
      action: 'book',
      note: 'Refund from a supplier',
      counterAccount: 'income-eur',
    })
    expect(resolved).toMatchObject({ state: 'resolved', assignee: 'Alice Preparer' })
    expect(resolved.notes.map((n) => n.text)).toEqual(['Asked the bank for the remitter', 'Refund from a supplier'])
    const booked = (await desk.as(ALICE, 'recon.adjustments', { state: 'proposed' })).adjustments
    expect(booked.map((a) => [a.amount, a.counterAccountId])).toEqual([['33.00', 'income-eur']])
    await desk.as(BOB, 'recon.decideAdjustment', { id: booked[0]!.id, decision: 'approve' })

    // The ambiguous small payout: matched by hand with one of the two postings.
    const small = await lineIdOf(9)
    await desk.as(ALICE, 'recon.match', { statement: [small], ledger: ['pay-7/1'], note: 'Bank reference names pay-7' })

    // Drift: ledger − statement at 30 November, explained by what is still open:
    // ledger not on the statement: pay-6 −75.00 and pay-8 −10.00; statement not in the ledger:
    // the duplicate −250.00. Ledger 5000 −250 −99.95 −100 −500 −75 −20 +1.00 −2.50 +33 = 3986.55;
    // statement 3821.55; difference 165.00 = −85.00 − (−250.00); nothing unexplained.
    expect(BigInt(bank!.debits_posted) - BigInt(bank!.credits_posted)).toBe(395_355n) // before the booked 33.00
    const drift = await desk.as(ALICE, 'recon.drift', { accountId: ACCOUNT })
    expect(drift.points).toEqual([
      { date: '2026-11-28', statementId: expect.any(String), statement: '3821.55', ledger: '3986.55', difference: '165.00' },
    ])
    expect(drift.latest).toMatchObject({
      difference: '165.00',
      ledgerNotOnStatement: '-85.00',
      statementNotInLedger: '-250.00',
      proposedAdjustments: '0.00',
      unexplained: '0.00',
    })

    // Close November: its matches are locked.
    const closed = await desk.as(BOB, 'recon.close', { accountId: ACCOUNT, period: '2026-11' })
    expect(closed).toMatchObject({ period: '2026-11', openExceptions: 3, drift: '165.00' })
    expect(closed.matches).toBe(8)
    expect((await failure(desk.as(ALICE, 'recon.unmatch', { matchId: hand.id, reason: 'oops' }))).code).toBe('RECON_PERIOD_CLOSED')
    expect((await failure(desk.as(BOB, 'recon.close', { accountId: ACCOUNT, period: '2026-11' }))).code).toBe('RECON_PERIOD_CLOSED')
    for (const action of [
      'recon.reject',
      'recon.confirm',
      'recon.match',
      'recon.adjustment.approve',
      'recon.exception.resolve',
      'recon.close',
    ])
      expect(await count('audit_log', `WHERE action = '${action}'`)).toBeGreaterThan(0)
  })

  it('refuses to close a month while suggestions wait', async () => {
    await desk.as(ALICE, 'recon.run', {})
    const e = await failure(desk.as(BOB, 'recon.close', { accountId: ACCOUNT, period: '2026-11' }))
    expect(e.code).toBe('RECON_PERIOD_OPEN_ITEMS')
    expect(e.details).toEqual({ suggested: 4, proposedAdjustments: 0 })
    expect(await count('recon_periods')).toBe(0)
  })
})
