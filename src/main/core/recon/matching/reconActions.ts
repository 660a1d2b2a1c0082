/**
 * What people do with the engine's work, each change audited in the transaction that makes it:
 * confirm suggestions (in bulk), reject one (it is not proposed again), match by hand, unmatch
 * (never inside a closed period), and the adjustments a variance or a bank charge needs —
 * proposed when a match is confirmed, posted to the ledger only when a second person approves.
 */
import { randomUUID } from 'node:crypto'
import { CsError } from '../../../../shared/errors'
import { formatAmount, parseAmount } from '../../../../shared/money'
import type { ReconAdjustment, ReconMatch } from '../../../../shared/reconMatchApi'
import { appendAudit } from '../../audit/appendAudit'
import type { Actor, CoreContext } from '../../context'
import type { ReconMatchesTable } from '../../db/schema'
import { getAccount } from '../../ledger'
import { ensureAccount } from '../../ledger/ensureAccount'
import { postEntries } from '../../ledger/postEntries'
import { dayNumber, dayText } from '../match/matchKeys'
import { loadAccountItems } from './loadReconItems'
import { bankFeesAccountId, reconGainsAccountId, setLineStates } from './runRecon'
import { accountFacts, adjustmentView, matchViews } from './reconViews'

export const RECON_ADJUSTMENT_ENTRY_KIND = 'recon.adjustment'

async function requireMatch(ctx: CoreContext, id: string): Promise<ReconMatchesTable> {
  const m = await ctx.db.first(ctx.db.k.selectFrom('recon_matches').selectAll().where('id', '=', id))
  if (!m) throw new CsError('RECON_MATCH_NOT_FOUND', `There is no match "${id}" — recon list shows the current ones.`)
  return m
}

function periodOf(day: string): string {
  return day.slice(0, 7)
}

async function requireOpenPeriod(ctx: CoreContext, accountId: string, day: string, what: string): Promise<void> {
  const closed = await ctx.db.first(
    ctx.db.k
      .selectFrom('recon_periods')
      .select(['closed_by', 'closed_at'])
      .where('account_id', '=', accountId)
      .where('period', '=', periodOf(day)),
  )
  if (closed)
    throw new CsError(
      'RECON_PERIOD_CLOSED',
      `${periodOf(day)} of ${accountId} was closed by ${closed.closed_by} on ${closed.closed_at.slice(0, 10)}: ${what} is locked — correct it in the current period instead.`,
    )
}

async function one(ctx: CoreContext, id: string): Promise<ReconMatch> {
  return (await matchViews(ctx, [await requireMatch(ctx, id)]))[0]!
}

export async function confirmMatches(ctx: CoreContext, actor: Actor, ids: readonly string[]): Promise<ReconMatch[]> {
  const { db } = ctx
  const now = ctx.clock.now().toISOString()
  await db.tx(async () => {
    const confirmed: string[] = []
    for (const id of ids) {
      const m = await requireMatch(ctx, id)
      if (m.state === 'confirmed') continue // confirming twice changes nothing
      if (m.state !== 'suggested')
        throw new CsError('RECON_MATCH_STATE', `Match ${id} is ${m.state}, not a suggestion — only suggestions can be confirmed.`)
      await requireOpenPeriod(ctx, m.account_id, m.day, `confirming match ${id}`)
      await db.run(db.k.updateTable('recon_matches').set({ state: 'confirmed', decided_at: now, decided_by: actor }).where('id', '=', id))
      const lines = await db.all(
        db.k.selectFrom('recon_match_items').select('item_id').where('match_id', '=', id).where('side', '=', 'statement'),
      )
      await setLineStates(
        ctx,
        lines.map((l) => l.item_id),
        'matched',
      )
      const variance = BigInt(m.variance)
      if (variance !== 0n) await proposeAdjustment(ctx, actor, m, variance, now)
      confirmed.push(id)
    }
    if (confirmed.length > 0)
      await appendAudit(ctx, {
        actor,
        action: 'recon.confirm',
        subject: `recon-matches:${confirmed.length}`,
        change: { matches: confirmed },
      })
  })
  ctx.events.emit('recon.changed', { fileId: null })
  return await matchViews(
    ctx,
    await db.all(
      db.k
        .selectFrom('recon_matches')
        .selectAll()
        .where('id', 'in', [...ids]),
    ),
  )
}

/** The adjustment that books `variance` (statement − ledger) on the linked ledger account. */
async function proposeAdjustment(
  ctx: CoreContext,
  actor: Actor,
  m: ReconMatchesTable,
  variance: bigint,
  now: string,
  counter?: string,
  description?: string,
): Promise<void> {
  const facts = await accountFacts(ctx, m.account_id)
  if (facts.ledgerAccountId === null)
    throw new CsError(
      'RECON_ACCOUNT_NOT_FOUND',
      `The statement account ${m.account_id} is not linked to a ledger account — link it before booking adjustments.`,
    )
  const ledger = await getAccount(ctx, facts.ledgerAccountId)
  const reason = JSON.parse(m.reason) as { adjustmentAccount?: string | null; summary: string; ruleName: string }
  let counterAccount = counter ?? reason.adjustmentAccount ?? bankFeesAccountId(ledger.assetId)
  // The default fees account takes charges; money the bank shows beyond the ledger is a gain.
  if (counterAccount === bankFeesAccountId(ledger.assetId) && variance > 0n) counterAccount = reconGainsAccountId(ledger.assetId)
  await ctx.db.run(
    ctx.db.k.insertInto('recon_adjustments').values({
      id: `ra_${randomUUID()}`,
      match_id: m.id,
      account_id: m.account_id,
      ledger_account_id: ledger.id,
      counter_account_id: counterAccount,
      amount: variance.toString(),
      currency: m.currency,
      day: m.day,
      description: (
        description ??
        (m.kind === 'fee' ? `Bank charge of ${m.day} (rule "${reason.ruleName}")` : `Reconciliation difference: ${reason.summary}`)
      ).slice(0, 480),
      state: 'proposed',
      proposed_by: actor,
      proposed_at: now,
      decided_by: null,
      decided_at: null,
      entry_id: null,
    }),
  )
}

async function retire(
  ctx: CoreContext,
  m: ReconMatchesTable,
  state: 'rejected' | 'undone',
  actor: Actor,
  why: string,
  now: string,
): Promise<void> {
  const items = await ctx.db.all(ctx.db.k.selectFrom('recon_match_items').select(['side', 'item_id']).where('match_id', '=', m.id))
  const reason = JSON.parse(m.reason) as Record<string, unknown>
  reason['statement'] = items.filter((i) => i.side === 'statement').map((i) => i.item_id)
  reason['ledger'] = items.filter((i) => i.side === 'ledger').map((i) => i.item_id)
  reason['retired'] = { state, by: actor, at: now, why }
  await ctx.db.run(
    ctx.db.k
      .updateTable('recon_matches')
      .set({ state, reason: JSON.stringify(reason), decided_at: now, decided_by: actor })
      .where('id', '=', m.id),
  )
  await ctx.db.run(ctx.db.k.deleteFrom('recon_match_items').where('match_id', '=', m.id))
  await setLineStates(ctx, reason['statement'] as string[], 'unmatched')
  await ctx.db.run(
    ctx.db.k
      .updateTable('recon_adjustments')
      .set({ state: 'rejected', decided_by: actor, decided_at: now })
      .where('match_id', '=', m.id)
      .where('state', '=', 'proposed'),
  )
}

export async function rejectMatch(ctx: CoreContext, actor: Actor, id: string, why: string): Promise<ReconMatch> {
  const now = ctx.clock.now().toISOString()
  await ctx.db.tx(async () => {
    const m = await requireMatch(ctx, id)
    if (m.state !== 'suggested')
      throw new CsError('RECON_MATCH_STATE', `Match ${id} is ${m.state} — only a suggestion can be rejected (unmatch a confirmed one).`)
    await retire(ctx, m, 'rejected', actor, why, now)
    await appendAudit(ctx, { actor, action: 'recon.reject', subject: `recon-match:${id}`, change: { reason: why } })
  })
  ctx.events.emit('recon.changed', { fileId: null })
  return await one(ctx, id)
}

export async function unmatch(ctx: CoreContext, actor: Actor, id: string, why: string): Promise<ReconMatch> {
  const now = ctx.clock.now().toISOString()
  await ctx.db.tx(async () => {
    const m = await requireMatch(ctx, id)
    if (m.state !== 'confirmed' && m.state !== 'suggested') throw new CsError('RECON_MATCH_STATE', `Match ${id} is already ${m.state}.`)
    if (m.period !== null) await requireOpenPeriod(ctx, m.account_id, `${m.period}-01`, `match ${id}`)
    await requireOpenPeriod(ctx, m.account_id, m.day, `match ${id}`)
    const posted = await ctx.db.first(
      ctx.db.k.selectFrom('recon_adjustments').select('entry_id').where('match_id', '=', id).where('state', '=', 'posted'),
    )
    if (posted)
      throw new CsError(
        'RECON_MATCH_STATE',
        `Match ${id} has a posted adjustment (entry ${posted.entry_id}) — reverse that entry in the ledger first, then unmatch.`,
      )
    await retire(ctx, m, 'undone', actor, why, now)
    await appendAudit(ctx, { actor, action: 'recon.unmatch', subject: `recon-match:${id}`, change: { reason: why, was: m.state } })
  })
  ctx.events.emit('recon.changed', { fileId: null })
  return await one(ctx, id)
}

export interface ManualMatchParameters {
  statement: readonly string[]
  ledger: readonly string[]
  note: string
  adjustmentAccount?: string | undefined
}

export async function manualMatch(ctx: CoreContext, actor: Actor, p: ManualMatchParameters): Promise<ReconMatch> {
  const { db: d } = ctx
  if (p.statement.length === 0)
    throw new CsError('INVALID_INPUT', 'A match needs at least one statement line — choose the lines the ledger postings belong to.')
  const first = await d.first(d.k.selectFrom('statement_lines').select('account_id').where('id', '=', p.statement[0]!))
  if (!first) throw new CsError('RECON_ITEM_NOT_FOUND', `There is no statement line "${p.statement[0]}".`)
  const account = await d.first(
    d.k.selectFrom('recon_accounts').select(['id', 'currency', 'ledger_account_id']).where('id', '=', first.account_id),
  )
  if (!account) throw new CsError('RECON_ACCOUNT_NOT_FOUND', `There is no statement account "${first.account_id}".`)
  const facts = await accountFacts(ctx, account.id)
  const items = await loadAccountItems(ctx, account, facts.scale)
  const open = new Map([...items.statement, ...items.ledger].map((i) => [`${i.side}:${i.id}`, i]))
  const now = ctx.clock.now().toISOString()
  const id = `rm_${randomUUID()}`
  await d.tx(async () => {
    let statement = 0n
    let ledger = 0n
    let day = 0
    for (const [side, ids] of [
      ['statement', p.statement],
      ['ledger', p.ledger],
    ] as const) {
      for (const itemId of ids) {
        const item = open.get(`${side}:${itemId}`)
        if (!item) {
          const taken = await d.first(
            d.k.selectFrom('recon_match_items').select('match_id').where('side', '=', side).where('item_id', '=', itemId),
          )
          if (taken)
            throw new CsError('RECON_ITEM_TAKEN', `${itemId} is already in match ${taken.match_id} — unmatch that first.`, {
              details: { item: itemId, matchId: taken.match_id },
            })
          throw new CsError(
            'RECON_ITEM_NOT_FOUND',
            `${itemId} is not an open ${side} item of ${account.id} — items of one statement account only.`,
          )
        }
        if (side === 'statement') statement += item.amount
        else ledger += item.amount
        day = Math.max(day, item.day)
      }
    }
    const variance = statement - ledger
    if (variance !== 0n && p.adjustmentAccount === undefined)
      throw new CsError(
        'RECON_MATCH_UNBALANCED',
        `The statement lines total ${formatAmount(statement, facts.scale)} and the ledger postings ${formatAmount(ledger, facts.scale)} ${account.currency} — add the missing items, or name an account to book the ${formatAmount(variance, facts.scale)} difference to.`,
      )
    if (p.adjustmentAccount !== undefined) await getAccount(ctx, p.adjustmentAccount)
    await requireOpenPeriod(ctx, account.id, dayText(day), 'a new match')
    await d.run(
      d.k.insertInto('recon_matches').values({
        id,
        account_id: account.id,
        kind: 'manual',
        rule_id: 'manual',
        state: 'confirmed',
        reason: JSON.stringify({
          rule: 'manual',
          ruleName: 'By hand',
          keys: [],
          amountDifference: variance.toString(),
          dayDifference: 0,
          summary: p.note,
          adjustmentAccount: p.adjustmentAccount ?? null,
        }),
        statement_total: statement.toString(),
        ledger_total: ledger.toString(),
        variance: variance.toString(),
        currency: account.currency,
        day: dayText(day),
        run_id: null,
        created_at: now,
        created_by: actor,
        decided_at: now,
        decided_by: actor,
        period: null,
      }),
    )
    const rows = [
      ...p.statement.map((s) => ['statement', s, id, open.get(`statement:${s}`)!.amount.toString()]),
      ...p.ledger.map((l) => ['ledger', l, id, open.get(`ledger:${l}`)!.amount.toString()]),
    ]
    await d.insertRows('recon_match_items', ['side', 'item_id', 'match_id', 'amount'], rows)
    await setLineStates(ctx, p.statement, 'matched')
    for (const [side, ids] of [
      ['statement', p.statement],
      ['ledger', p.ledger],
    ] as const)
      if (ids.length > 0)
        await d.run(
          d.k
            .updateTable('recon_exceptions')
            .set({ state: 'resolved', resolution: `matched: by hand in ${id}`, resolved_by: actor, updated_at: now })
            .where('side', '=', side)
            .where('item_id', 'in', [...ids])
            .where('state', '=', 'open'),
        )
    if (variance !== 0n)
      await proposeAdjustment(
        ctx,
        actor,
        (await requireMatch(ctx, id))!,
        variance,
        now,
        p.adjustmentAccount,
        `Reconciliation difference: ${p.note}`,
      )
    await appendAudit(ctx, {
      actor,
      action: 'recon.match',
      subject: `recon-match:${id}`,
      change: { statement: p.statement, ledger: p.ledger, variance: variance.toString(), note: p.note },
    })
  })
  ctx.events.emit('recon.changed', { fileId: null })
  return await one(ctx, id)
}

/**
 * Books a statement line nobody's ledger has (an incoming payment, a charge no rule knew) against
 * `counterAccount`: a confirmed one-sided match whose adjustment waits for approval.
 */
export async function bookStatementLine(
  ctx: CoreContext,
  actor: Actor,
  lineId: string,
  counterAccount: string,
  note: string,
): Promise<string> {
  const { db: d } = ctx
  const line = await d.first(
    d.k
      .selectFrom('statement_lines')
      .select(['id', 'account_id', 'amount', 'currency', 'booking_date', 'value_date'])
      .where('id', '=', lineId),
  )
  if (!line) throw new CsError('RECON_ITEM_NOT_FOUND', `There is no statement line "${lineId}".`)
  await getAccount(ctx, counterAccount)
  const taken = await d.first(
    d.k.selectFrom('recon_match_items').select('match_id').where('side', '=', 'statement').where('item_id', '=', lineId),
  )
  if (taken)
    throw new CsError('RECON_ITEM_TAKEN', `${lineId} is already in match ${taken.match_id} — unmatch that first.`, {
      details: { item: lineId, matchId: taken.match_id },
    })
  const now = ctx.clock.now().toISOString()
  const day = dayText(dayNumber(line.booking_date ?? line.value_date) ?? dayNumber(now)!)
  await requireOpenPeriod(ctx, line.account_id, day, 'a new match')
  const id = `rm_${randomUUID()}`
  await d.run(
    d.k.insertInto('recon_matches').values({
      id,
      account_id: line.account_id,
      kind: 'manual',
      rule_id: 'manual',
      state: 'confirmed',
      reason: JSON.stringify({
        rule: 'manual',
        ruleName: 'Booked by hand',
        keys: [],
        amountDifference: line.amount,
        dayDifference: 0,
        summary: note,
        adjustmentAccount: counterAccount,
      }),
      statement_total: line.amount,
      ledger_total: '0',
      variance: line.amount,
      currency: line.currency,
      day,
      run_id: null,
      created_at: now,
      created_by: actor,
      decided_at: now,
      decided_by: actor,
      period: null,
    }),
  )
  await d.insertRows('recon_match_items', ['side', 'item_id', 'match_id', 'amount'], [['statement', lineId, id, line.amount]])
  await setLineStates(ctx, [lineId], 'matched')
  await proposeAdjustment(
    ctx,
    actor,
    (await requireMatch(ctx, id))!,
    BigInt(line.amount),
    now,
    counterAccount,
    `Booked from the statement: ${note}`,
  )
  return id
}

export async function decideAdjustment(
  ctx: CoreContext,
  actor: Actor,
  id: string,
  decision: 'approve' | 'reject',
  comment?: string,
): Promise<ReconAdjustment> {
  const { db: d } = ctx
  const now = ctx.clock.now().toISOString()
  const touched: string[] = []
  await d.tx(async () => {
    const a = await d.first(d.k.selectFrom('recon_adjustments').selectAll().where('id', '=', id))
    if (!a) throw new CsError('RECON_ADJUSTMENT_NOT_FOUND', `There is no adjustment "${id}" — recon adjustments lists them.`)
    if (a.state !== 'proposed') throw new CsError('RECON_MATCH_STATE', `Adjustment ${id} is already ${a.state}.`)
    if (a.proposed_by === actor)
      throw new CsError(
        'RECON_ADJUSTMENT_SELF_APPROVAL',
        `You proposed adjustment ${id}; a second person must ${decision} it — ask an approver.`,
      )
    let entryId: string | null = null
    if (decision === 'approve') {
      const ledger = await getAccount(ctx, a.ledger_account_id)
      const counter = a.counter_account_id
      const scale = (await accountFacts(ctx, a.account_id)).scale
      if (counter === bankFeesAccountId(ledger.assetId))
        await ensureAccount(ctx, {
          id: counter,
          kind: 'fees',
          assetId: ledger.assetId,
          name: `Bank charges and differences (${ledger.assetId})`.slice(0, 120),
        })
      if (counter === reconGainsAccountId(ledger.assetId))
        await ensureAccount(ctx, {
          id: counter,
          kind: 'external',
          assetId: ledger.assetId,
          name: `Reconciliation gains (${ledger.assetId})`.slice(0, 120),
        })
      const amount = BigInt(a.amount)
      const text = formatAmount(amount < 0n ? -amount : amount, scale)
      parseAmount(text, scale) // the ledger's own check of the figure
      entryId = `recon:${a.id}`
      await postEntries(
        ctx,
        actor,
        [
          {
            id: entryId,
            date: a.day,
            description: a.description,
            postings:
              amount > 0n
                ? [
                    { account: ledger.id, debit: text },
                    { account: counter, credit: text },
                  ]
                : [
                    { account: counter, debit: text },
                    { account: ledger.id, credit: text },
                  ],
            metadata: { reconAdjustment: a.id, reconMatch: a.match_id, proposedBy: a.proposed_by },
          },
        ],
        { kind: RECON_ADJUSTMENT_ENTRY_KIND },
      )
      // The posting on the reconciled account belongs to the match it explains.
      await d.insertRows(
        'recon_match_items',
        ['side', 'item_id', 'match_id', 'amount'],
        [['ledger', `${entryId}/${amount > 0n ? 0 : 1}`, a.match_id, amount.toString()]],
      )
      touched.push(ledger.id)
    }
    await d.run(
      d.k
        .updateTable('recon_adjustments')
        .set({ state: decision === 'approve' ? 'posted' : 'rejected', decided_by: actor, decided_at: now, entry_id: entryId })
        .where('id', '=', id),
    )
    await appendAudit(ctx, {
      actor,
      action: `recon.adjustment.${decision}`,
      subject: `recon-adjustment:${id}`,
      change: { entry: entryId, amount: a.amount, counter: a.counter_account_id, comment: comment ?? null },
    })
  })
  ctx.events.emit('recon.changed', { fileId: null })
  const row = await d.first(d.k.selectFrom('recon_adjustments').selectAll().where('id', '=', id))
  return await adjustmentView(ctx, row!)
}

export async function listAdjustments(
  ctx: CoreContext,
  p: { state?: string | undefined; accountId?: string | undefined; offset?: number | undefined; limit?: number | undefined },
): Promise<{ adjustments: ReconAdjustment[]; total: number }> {
  const { db: d } = ctx
  let q = d.k.selectFrom('recon_adjustments')
  if (p.state !== undefined) q = q.where('state', '=', p.state)
  if (p.accountId !== undefined) q = q.where('account_id', '=', p.accountId)
  const total = Number((await d.first(q.select((eb) => eb.fn.countAll<string>().as('n'))))?.n ?? 0)
  const rows = await d.all(
    q
      .selectAll()
      .orderBy('proposed_at', 'desc')
      .orderBy('id')
      .offset(p.offset ?? 0)
      .limit(p.limit ?? 100),
  )
  const out: ReconAdjustment[] = []
  for (const r of rows) out.push(await adjustmentView(ctx, r))
  return { adjustments: out, total }
}
