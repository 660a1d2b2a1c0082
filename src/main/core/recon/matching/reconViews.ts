/**
 * What the reconciliation views and the CLI show: items of either side with their match or
 * exception, matches with their items and why, exceptions with their age, adjustments.
 * Amounts leave the core here as signed decimals at the account's scale.
 */
import { formatAmount } from '../../../../shared/money'
import type { ReconAdjustment, ReconException, ReconItem, ReconMatch } from '../../../../shared/reconMatchApi'
import type { CoreContext } from '../../context'
import type { ReconAdjustmentsTable, ReconExceptionsTable, ReconMatchesTable } from '../../db/schema'
import { dayNumber } from '../match/matchKeys'
import { ledgerReference, parseMetadata } from './loadReconItems'
import type { MatchReason } from '../match/matchTypes'

const IN_CHUNK = 500

/** The scale of a statement account: its statements' scale, else its ledger account's asset's. */
export async function accountScale(ctx: CoreContext, accountId: string): Promise<number> {
  const { db } = ctx
  const s = await db.first(db.k.selectFrom('statements').select('scale').where('account_id', '=', accountId))
  if (s) return Number(s.scale)
  const a = await db.first(
    db.k
      .selectFrom('recon_accounts as r')
      .innerJoin('accounts as a', 'a.id', 'r.ledger_account_id')
      .innerJoin('assets as x', 'x.id', 'a.asset_id')
      .select('x.scale')
      .where('r.id', '=', accountId),
  )
  return a ? Number(a.scale) : 2
}

export function ageDays(ctx: CoreContext, date: string | null): number | null {
  const d = dayNumber(date)
  if (d === null) return null
  return Math.max(0, (dayNumber(ctx.clock.now().toISOString()) ?? d) - d)
}

/** "<entry id>/<posting index>" → its parts (entry ids may contain "/"). */
export function splitLedgerItemId(id: string): { entryId: string; idx: number } | null {
  const at = id.lastIndexOf('/')
  if (at <= 0) return null
  const idx = Number(id.slice(at + 1))
  return Number.isInteger(idx) && idx >= 0 ? { entryId: id.slice(0, at), idx } : null
}

interface ItemState {
  matchId: string | null
  matchState: string | null
  exceptionId: string | null
  exceptionState: string | null
}

async function itemStates(ctx: CoreContext, side: 'statement' | 'ledger', ids: readonly string[]): Promise<Map<string, ItemState>> {
  const { db } = ctx
  const out = new Map<string, ItemState>()
  const get = (id: string) => {
    let s = out.get(id)
    if (!s) out.set(id, (s = { matchId: null, matchState: null, exceptionId: null, exceptionState: null }))
    return s
  }
  for (let i = 0; i < ids.length; i += IN_CHUNK) {
    const chunk = ids.slice(i, i + IN_CHUNK)
    const matches = await db.all(
      db.k
        .selectFrom('recon_match_items as i')
        .innerJoin('recon_matches as m', 'm.id', 'i.match_id')
        .select(['i.item_id', 'm.id', 'm.state'])
        .where('i.side', '=', side)
        .where('i.item_id', 'in', chunk),
    )
    for (const m of matches) Object.assign(get(m.item_id), { matchId: m.id, matchState: m.state })
    const exceptions = await db.all(
      db.k.selectFrom('recon_exceptions').select(['item_id', 'id', 'state']).where('side', '=', side).where('item_id', 'in', chunk),
    )
    for (const e of exceptions) Object.assign(get(e.item_id), { exceptionId: e.id, exceptionState: e.state })
  }
  return out
}

function stateOf(s: ItemState | undefined): ReconItem['state'] {
  if (s?.matchId) return s.matchState === 'confirmed' ? 'matched' : 'suggested'
  if (s?.exceptionId && s.exceptionState === 'open') return 'exception'
  if (s?.exceptionId) return 'matched' // resolved by a person: settled
  return 'unmatched'
}

export async function statementItems(ctx: CoreContext, ids: readonly string[]): Promise<Map<string, ReconItem>> {
  const { db } = ctx
  const out = new Map<string, ReconItem>()
  const states = await itemStates(ctx, 'statement', ids)
  for (let i = 0; i < ids.length; i += IN_CHUNK) {
    const rows = await db.all(
      db.k
        .selectFrom('statement_lines as l')
        .innerJoin('statements as s', 's.id', 'l.statement_id')
        .select([
          'l.id',
          'l.account_id',
          'l.booking_date',
          'l.value_date',
          'l.amount',
          'l.currency',
          'l.remittance',
          'l.counterparty_name',
          'l.counterparty_account',
          'l.type_code',
          'l.end_to_end_id',
          'l.customer_ref',
          'l.bank_ref',
          's.scale',
        ])
        .where('l.id', 'in', ids.slice(i, i + IN_CHUNK)),
    )
    for (const r of rows) {
      const s = states.get(r.id)
      const date = r.booking_date ?? r.value_date
      out.set(r.id, {
        side: 'statement',
        id: r.id,
        accountId: r.account_id,
        date,
        amount: formatAmount(BigInt(r.amount), Number(r.scale)),
        currency: r.currency,
        text: r.remittance ?? r.counterparty_name ?? r.type_code ?? '',
        reference: r.end_to_end_id ?? r.customer_ref ?? r.bank_ref,
        counterparty: r.counterparty_name ?? r.counterparty_account,
        ageDays: ageDays(ctx, date),
        state: stateOf(s),
        matchId: s?.matchId ?? null,
        exceptionId: s?.exceptionId ?? null,
      })
    }
  }
  return out
}

export async function ledgerItemsById(
  ctx: CoreContext,
  accountId: string,
  currency: string,
  scale: number,
  ids: readonly string[],
): Promise<Map<string, ReconItem>> {
  const { db } = ctx
  const out = new Map<string, ReconItem>()
  const states = await itemStates(ctx, 'ledger', ids)
  const byEntry = new Map<string, number[]>()
  for (const id of ids) {
    const p = splitLedgerItemId(id)
    if (p) byEntry.set(p.entryId, [...(byEntry.get(p.entryId) ?? []), p.idx])
  }
  const entryIds = [...byEntry.keys()]
  for (let i = 0; i < entryIds.length; i += IN_CHUNK) {
    const rows = await db.all(
      db.k
        .selectFrom('postings as p')
        .innerJoin('entries as e', 'e.seq', 'p.entry_seq')
        .select(['e.id as entry_id', 'e.date', 'e.description', 'e.metadata', 'p.idx', 'p.amount'])
        .where('e.id', 'in', entryIds.slice(i, i + IN_CHUNK)),
    )
    for (const r of rows) {
      const id = `${r.entry_id}/${Number(r.idx)}`
      if (!byEntry.get(r.entry_id)?.includes(Number(r.idx))) continue
      const s = states.get(id)
      out.set(id, {
        side: 'ledger',
        id,
        accountId,
        date: r.date,
        amount: formatAmount(BigInt(r.amount), scale),
        currency,
        text: r.description,
        reference: ledgerReference(parseMetadata(r.metadata), r.entry_id),
        counterparty: null,
        ageDays: ageDays(ctx, r.date),
        state: stateOf(s),
        matchId: s?.matchId ?? null,
        exceptionId: s?.exceptionId ?? null,
      })
    }
  }
  return out
}

export async function accountFacts(
  ctx: CoreContext,
  accountId: string,
): Promise<{ currency: string; scale: number; ledgerAccountId: string | null }> {
  const row = await ctx.db.first(
    ctx.db.k.selectFrom('recon_accounts').select(['currency', 'ledger_account_id']).where('id', '=', accountId),
  )
  return { currency: row?.currency ?? '', scale: await accountScale(ctx, accountId), ledgerAccountId: row?.ledger_account_id ?? null }
}

interface StoredReason extends MatchReason {
  /** Items of an undone or rejected match (its item rows are gone). */
  statement?: string[]
  ledger?: string[]
}

export async function matchViews(ctx: CoreContext, rows: readonly ReconMatchesTable[]): Promise<ReconMatch[]> {
  const { db } = ctx
  if (rows.length === 0) return []
  const ids = rows.map((m) => m.id)
  // One read per kind for the whole page: items, adjustments, then the items' views per account.
  const items = new Map<string, { side: string; item_id: string }[]>()
  const adjustments = new Map<string, string>()
  for (let i = 0; i < ids.length; i += IN_CHUNK) {
    const chunk = ids.slice(i, i + IN_CHUNK)
    for (const r of await db.all(
      db.k.selectFrom('recon_match_items').select(['match_id', 'side', 'item_id']).where('match_id', 'in', chunk),
    ))
      items.set(r.match_id, [...(items.get(r.match_id) ?? []), r])
    for (const a of await db.all(
      db.k.selectFrom('recon_adjustments').select(['id', 'match_id']).where('match_id', 'in', chunk).where('state', '!=', 'rejected'),
    ))
      adjustments.set(a.match_id, a.id)
  }
  const sides = rows.map((m) => {
    const reason = JSON.parse(m.reason) as StoredReason
    const own = items.get(m.id) ?? []
    // An undone or rejected match has no item rows left: its items are kept in its reason.
    const statement = own.length > 0 ? own.filter((i) => i.side === 'statement').map((i) => i.item_id) : (reason.statement ?? [])
    const ledger = own.length > 0 ? own.filter((i) => i.side === 'ledger').map((i) => i.item_id) : (reason.ledger ?? [])
    return { m, reason, statement, ledger }
  })
  const sItems = await statementItems(
    ctx,
    sides.flatMap((x) => x.statement),
  )
  const facts = new Map<string, Awaited<ReturnType<typeof accountFacts>>>()
  const lItems = new Map<string, ReconItem>()
  for (const accountId of new Set(rows.map((m) => m.account_id))) {
    const f = await accountFacts(ctx, accountId)
    facts.set(accountId, f)
    const ledgerIds = sides.filter((x) => x.m.account_id === accountId).flatMap((x) => x.ledger)
    for (const [id, item] of await ledgerItemsById(ctx, accountId, f.currency, f.scale, ledgerIds)) lItems.set(id, item)
  }
  return sides.map(({ m, reason, statement, ledger }) => {
    const f = facts.get(m.account_id)!
    return {
      id: m.id,
      accountId: m.account_id,
      kind: m.kind as ReconMatch['kind'],
      state: m.state as ReconMatch['state'],
      ruleId: m.rule_id,
      ruleName: reason.ruleName,
      summary: reason.summary,
      keys: [...reason.keys],
      dayDifference: reason.dayDifference,
      statementTotal: formatAmount(BigInt(m.statement_total), f.scale),
      ledgerTotal: formatAmount(BigInt(m.ledger_total), f.scale),
      variance: formatAmount(BigInt(m.variance), f.scale),
      currency: m.currency,
      date: m.day,
      statement: statement.map((id) => sItems.get(id)).filter((x): x is ReconItem => x !== undefined),
      ledger: ledger.map((id) => lItems.get(id)).filter((x): x is ReconItem => x !== undefined),
      adjustmentId: adjustments.get(m.id) ?? null,
      createdAt: m.created_at,
      createdBy: m.created_by,
      decidedAt: m.decided_at,
      decidedBy: m.decided_by,
      period: m.period,
    }
  })
}

export async function exceptionViews(ctx: CoreContext, rows: readonly ReconExceptionsTable[]): Promise<ReconException[]> {
  const views = new Map<string, ReconItem>()
  for (const [id, item] of await statementItems(
    ctx,
    rows.filter((e) => e.side === 'statement').map((e) => e.item_id),
  ))
    views.set(`statement:${id}`, item)
  for (const accountId of new Set(rows.filter((e) => e.side === 'ledger').map((e) => e.account_id))) {
    const f = await accountFacts(ctx, accountId)
    const ids = rows.filter((e) => e.side === 'ledger' && e.account_id === accountId).map((e) => e.item_id)
    for (const [id, item] of await ledgerItemsById(ctx, accountId, f.currency, f.scale, ids)) views.set(`ledger:${id}`, item)
  }
  const out: ReconException[] = []
  for (const e of rows) {
    const item = views.get(`${e.side}:${e.item_id}`)
    if (!item) continue
    out.push({
      id: e.id,
      side: e.side as ReconException['side'],
      item,
      reason: e.reason as ReconException['reason'],
      detail: e.detail,
      related: JSON.parse(e.related) as string[],
      state: e.state as ReconException['state'],
      assignee: e.assignee,
      notes: JSON.parse(e.notes) as ReconException['notes'],
      resolution: e.resolution,
      createdAt: e.created_at,
      updatedAt: e.updated_at,
    })
  }
  return out
}

export async function adjustmentView(ctx: CoreContext, a: ReconAdjustmentsTable): Promise<ReconAdjustment> {
  const f = await accountFacts(ctx, a.account_id)
  return {
    id: a.id,
    matchId: a.match_id,
    accountId: a.account_id,
    ledgerAccountId: a.ledger_account_id,
    counterAccountId: a.counter_account_id,
    amount: formatAmount(BigInt(a.amount), f.scale),
    currency: a.currency,
    date: a.day,
    description: a.description,
    state: a.state as ReconAdjustment['state'],
    proposedBy: a.proposed_by,
    proposedAt: a.proposed_at,
    decidedBy: a.decided_by,
    decidedAt: a.decided_at,
    entryId: a.entry_id,
  }
}
