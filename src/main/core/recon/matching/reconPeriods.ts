/**
 * Drift and periods. Drift is the ledger's balance minus the statement's at each statement's
 * closing date: what a controller explains line by line before closing the month. The newest
 * point is explained by what is still open — ledger postings the statement does not show yet
 * (in transit), statement lines the ledger does not have, and variances waiting for their
 * adjustment; what remains is `unexplained`.
 *
 * Closing a month locks its matches (no unmatch, no confirm), refused while suggestions or
 * proposed adjustments of that month wait for a person.
 */
import { CsError } from '../../../../shared/errors'
import { formatAmount } from '../../../../shared/money'
import type { DriftPoint, ReconDrift, ReconPeriod } from '../../../../shared/reconMatchApi'
import { appendAudit } from '../../audit/appendAudit'
import type { Actor, CoreContext } from '../../context'
import { accountFacts } from './reconViews'

interface RawPoint {
  date: string
  statementId: string
  statement: bigint
  ledger: bigint
}

async function rawDrift(ctx: CoreContext, accountId: string, ledgerAccountId: string | null): Promise<RawPoint[]> {
  const { db } = ctx
  const statements = await db.all(
    db.k
      .selectFrom('statements')
      .select(['id', 'closing', 'closing_date', 'to_date'])
      .where('account_id', '=', accountId)
      .where('closing', 'is not', null)
      .orderBy('closing_date')
      .orderBy('to_date')
      .orderBy('id'),
  )
  if (statements.length === 0) return []
  const postings =
    ledgerAccountId === null
      ? []
      : await db.all(
          db.k
            .selectFrom('postings as p')
            .innerJoin('entries as e', 'e.seq', 'p.entry_seq')
            .select(['e.date', 'p.amount'])
            .where('p.account_id', '=', ledgerAccountId)
            .orderBy('e.date'),
        )
  // Both sides in date order: one sweep keeps the ledger's running balance up to each point.
  const points = statements
    .map((s) => ({ date: s.closing_date ?? s.to_date, statementId: s.id, statement: BigInt(s.closing!) }))
    .filter((p): p is { date: string; statementId: string; statement: bigint } => p.date !== null)
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0))
  const out: RawPoint[] = []
  let ledger = 0n
  let next = 0
  for (const p of points) {
    while (next < postings.length && postings[next]!.date <= p.date) ledger += BigInt(postings[next++]!.amount)
    out.push({ ...p, ledger })
  }
  return out
}

export async function reconDrift(ctx: CoreContext, accountId: string): Promise<ReconDrift> {
  const { db } = ctx
  const facts = await accountFacts(ctx, accountId)
  if (facts.currency === '')
    throw new CsError('RECON_ACCOUNT_NOT_FOUND', `There is no statement account "${accountId}" — recon accounts lists them.`)
  const raw = await rawDrift(ctx, accountId, facts.ledgerAccountId)
  const f = (v: bigint) => formatAmount(v, facts.scale)
  const points: DriftPoint[] = raw.map((p) => ({
    date: p.date,
    statementId: p.statementId,
    statement: f(p.statement),
    ledger: f(p.ledger),
    difference: f(p.ledger - p.statement),
  }))
  const last = raw.at(-1)
  if (!last) return { accountId, ledgerAccountId: facts.ledgerAccountId, currency: facts.currency, points, latest: null }
  // Open items dated up to the point.
  const open = await db.all(
    db.k
      .selectFrom('recon_exceptions')
      .select(['side', 'amount'])
      .where('account_id', '=', accountId)
      .where('state', '=', 'open')
      .where('day', '<=', last.date),
  )
  let ledgerOpen = 0n
  let statementOpen = 0n
  for (const e of open) {
    if (e.side === 'ledger') ledgerOpen += BigInt(e.amount)
    else statementOpen += BigInt(e.amount)
  }
  // Variances of live matches whose adjustment is not posted yet.
  const pending = await db.all(
    db.k
      .selectFrom('recon_matches as m')
      .leftJoin('recon_adjustments as a', (j) => j.onRef('a.match_id', '=', 'm.id').on('a.state', '=', 'posted'))
      .select(['m.variance'])
      .where('m.account_id', '=', accountId)
      .where('m.state', 'in', ['suggested', 'confirmed'])
      .where('m.day', '<=', last.date)
      .where('a.id', 'is', null),
  )
  const proposed = pending.reduce((n, m) => n + BigInt(m.variance), 0n)
  const difference = last.ledger - last.statement
  const unexplained = difference - ledgerOpen + statementOpen + proposed
  return {
    accountId,
    ledgerAccountId: facts.ledgerAccountId,
    currency: facts.currency,
    points,
    latest: {
      date: last.date,
      difference: f(difference),
      ledgerNotOnStatement: f(ledgerOpen),
      statementNotInLedger: f(statementOpen),
      proposedAdjustments: f(proposed),
      unexplained: f(unexplained),
    },
  }
}

function monthBounds(period: string): { from: string; to: string } {
  const [y, m] = period.split('-').map(Number) as [number, number]
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate()
  return { from: `${period}-01`, to: `${period}-${String(last).padStart(2, '0')}` }
}

export async function closePeriod(ctx: CoreContext, actor: Actor, accountId: string, period: string): Promise<ReconPeriod> {
  const { db } = ctx
  const facts = await accountFacts(ctx, accountId)
  if (facts.currency === '')
    throw new CsError('RECON_ACCOUNT_NOT_FOUND', `There is no statement account "${accountId}" — recon accounts lists them.`)
  const { from, to } = monthBounds(period)
  const now = ctx.clock.now().toISOString()
  const drift = (await rawDrift(ctx, accountId, facts.ledgerAccountId)).filter((p) => p.date >= from && p.date <= to).at(-1)
  await db.tx(async () => {
    const closed = await db.first(
      db.k.selectFrom('recon_periods').select('closed_by').where('account_id', '=', accountId).where('period', '=', period),
    )
    if (closed) throw new CsError('RECON_PERIOD_CLOSED', `${period} of ${accountId} is already closed (by ${closed.closed_by}).`)
    const suggested = Number(
      (
        await db.first(
          db.k
            .selectFrom('recon_matches')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('account_id', '=', accountId)
            .where('state', '=', 'suggested')
            .where('day', '>=', from)
            .where('day', '<=', to),
        )
      )?.n ?? 0,
    )
    const proposedAdjustments = Number(
      (
        await db.first(
          db.k
            .selectFrom('recon_adjustments')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('account_id', '=', accountId)
            .where('state', '=', 'proposed')
            .where('day', '>=', from)
            .where('day', '<=', to),
        )
      )?.n ?? 0,
    )
    if (suggested > 0 || proposedAdjustments > 0) {
      const waiting = [
        ...(suggested > 0 ? [`${suggested} suggested match${suggested === 1 ? '' : 'es'} to confirm or reject`] : []),
        ...(proposedAdjustments > 0
          ? [`${proposedAdjustments} proposed adjustment${proposedAdjustments === 1 ? '' : 's'} waiting for a second person's approval`]
          : []),
      ]
      throw new CsError(
        'RECON_PERIOD_OPEN_ITEMS',
        `${period} of ${accountId} still has ${waiting.join(' and ')} — decide ${suggested + proposedAdjustments === 1 ? 'it' : 'them'} before closing.`,
        {
          details: { suggested, proposedAdjustments },
        },
      )
    }
    await db.run(
      db.k
        .updateTable('recon_matches')
        .set({ period })
        .where('account_id', '=', accountId)
        .where('state', '=', 'confirmed')
        .where('day', '>=', from)
        .where('day', '<=', to),
    )
    const matches = Number(
      (
        await db.first(
          db.k
            .selectFrom('recon_matches')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('account_id', '=', accountId)
            .where('period', '=', period),
        )
      )?.n ?? 0,
    )
    const openExceptions = Number(
      (
        await db.first(
          db.k
            .selectFrom('recon_exceptions')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('account_id', '=', accountId)
            .where('state', '=', 'open')
            .where('day', '>=', from)
            .where('day', '<=', to),
        )
      )?.n ?? 0,
    )
    const summary = { matches, openExceptions, drift: drift ? (drift.ledger - drift.statement).toString() : null }
    await db.run(
      db.k
        .insertInto('recon_periods')
        .values({ account_id: accountId, period, closed_at: now, closed_by: actor, summary: JSON.stringify(summary) }),
    )
    await appendAudit(ctx, { actor, action: 'recon.close', subject: `recon-period:${accountId}:${period}`, change: summary })
  })
  ctx.events.emit('recon.changed', { fileId: null })
  return (await listPeriods(ctx, accountId)).find((p) => p.period === period)!
}

export async function listPeriods(ctx: CoreContext, accountId?: string): Promise<ReconPeriod[]> {
  const { db } = ctx
  let q = db.k.selectFrom('recon_periods').selectAll()
  if (accountId !== undefined) q = q.where('account_id', '=', accountId)
  const rows = await db.all(q.orderBy('period', 'desc').orderBy('account_id'))
  const out: ReconPeriod[] = []
  for (const r of rows) {
    const s = JSON.parse(r.summary) as { matches: number; openExceptions: number; drift: string | null }
    const scale = (await accountFacts(ctx, r.account_id)).scale
    out.push({
      accountId: r.account_id,
      period: r.period,
      closedAt: r.closed_at,
      closedBy: r.closed_by,
      matches: s.matches,
      openExceptions: s.openExceptions,
      drift: s.drift === null ? null : formatAmount(BigInt(s.drift), scale),
    })
  }
  return out
}
