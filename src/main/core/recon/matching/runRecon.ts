/**
 * A reconciliation run: per statement account, load both sides' open items, let the engine pair
 * them (../match/matchEngine.ts, pure), and store what it found in ONE transaction with one audit
 * row — matches (confirmed when a rule may auto-confirm, else suggested, each with why), and the
 * exceptions queue (an item's existing exception keeps its assignee and notes). A dry run
 * computes the same and stores nothing.
 *
 * Everything a run reads is local — statement files, the rail records the poller stored, the
 * ledger — so it runs the same with the network off.
 *
 * A match a person rejected is never proposed again: a proposal with exactly the same items is
 * dropped and its items go to the queue as unmatched, saying so.
 */
import { randomUUID } from 'node:crypto'
import { CsError } from '../../../../shared/errors'
import type { ReconMatch, ReconRunStats } from '../../../../shared/reconMatchApi'
import { RECON_LIST_MAX } from '../../../../shared/limits'
import { formatAmount } from '../../../../shared/money'
import { appendAudit } from '../../audit/appendAudit'
import type { Actor, CoreContext } from '../../context'
import { dayText } from '../match/matchKeys'
import { matchItems } from '../match/matchEngine'
import type { ProposedException, ProposedMatch } from '../match/matchTypes'
import { loadAccountItems, type AccountItems, type LoadedItem } from './loadReconItems'
import { engineRules, listRules } from './reconRules'
import { accountScale, matchViews } from './reconViews'

export interface RunReconParameters {
  accountId?: string | undefined
  dryRun?: boolean | undefined
}

export interface RunReconResult {
  runId: string | null
  dryRun: boolean
  stats: ReconRunStats
  matches: ReconMatch[]
  more: number
}

interface AccountRun {
  items: AccountItems
  matches: ProposedMatch[]
  exceptions: ProposedException[]
  rejectedBefore: number
}

const IN_CHUNK = 500
const MATCH_COLUMNS = [
  'id',
  'account_id',
  'kind',
  'rule_id',
  'state',
  'reason',
  'statement_total',
  'ledger_total',
  'variance',
  'currency',
  'day',
  'run_id',
  'created_at',
  'created_by',
  'decided_at',
  'decided_by',
  'period',
] as const

/** The ledger account adjustments of an asset go to when a rule names none. */
export function bankFeesAccountId(assetId: string): string {
  return `bankfees:${assetId}`
}

/** Where a positive difference (the bank shows more than the ledger) goes by default. */
export function reconGainsAccountId(assetId: string): string {
  return `recongains:${assetId}`
}

export async function runRecon(ctx: CoreContext, actor: Actor, p: RunReconParameters): Promise<RunReconResult> {
  const { db } = ctx
  const accounts = await db.all(
    p.accountId === undefined
      ? db.k.selectFrom('recon_accounts').select(['id', 'currency', 'ledger_account_id']).orderBy('id')
      : db.k.selectFrom('recon_accounts').select(['id', 'currency', 'ledger_account_id']).where('id', '=', p.accountId),
  )
  if (p.accountId !== undefined && accounts.length === 0)
    throw new CsError('RECON_ACCOUNT_NOT_FOUND', `There is no statement account "${p.accountId}" — recon accounts lists them.`)
  const rules = await listRules(ctx)
  const runs: AccountRun[] = []
  for (const account of accounts) {
    const scale = await accountScale(ctx, account.id)
    const items = await loadAccountItems(ctx, account, scale)
    const assetId = await ledgerAssetId(ctx, account.ledger_account_id)
    const feeAccountOf = (r: (typeof rules)[number]) => r.config.feeAccount ?? (assetId ? bankFeesAccountId(assetId) : null)
    const result = matchItems({
      statement: items.statement,
      ledger: items.ledger,
      rules: engineRules(rules, account.id, scale, (r) => feeAccountOf(r) ?? ''),
      matchedLedgerKeys: items.matchedLedgerKeys,
      scales: new Map([[items.currency, scale]]),
      keyNumbers: items.keyNumbers,
    })
    runs.push({ items, ...(await dropRejected(ctx, account.id, result.matches, result.exceptions)) })
  }
  const stats = runStats(runs)
  const dryRun = p.dryRun === true
  if (dryRun) {
    const views = runs.flatMap((r) => r.matches.map((m, i) => dryView(r.items, m, i, actor, ctx.clock.now().toISOString())))
    return { runId: null, dryRun, stats, matches: views.slice(0, RECON_LIST_MAX), more: Math.max(0, views.length - RECON_LIST_MAX) }
  }

  const runId = `rr_${randomUUID()}`
  const now = ctx.clock.now().toISOString()
  const matchIds: string[] = []
  await db.tx(async () => {
    await db.run(
      db.k
        .insertInto('recon_runs')
        .values({ id: runId, at: now, by: actor, dry_run: 0, account_id: p.accountId ?? null, stats: JSON.stringify(stats) }),
    )
    for (const run of runs) {
      matchIds.push(...(await storeMatches(ctx, actor, runId, now, run)))
      await storeExceptions(ctx, now, run)
    }
    await appendAudit(ctx, {
      actor,
      action: 'recon.run',
      subject: `recon-run:${runId}`,
      change: { accounts: runs.map((r) => r.items.account), ...stats },
    })
  })
  ctx.events.emit('recon.changed', { fileId: null })
  const rows =
    matchIds.length === 0
      ? []
      : await db.all(db.k.selectFrom('recon_matches').selectAll().where('id', 'in', matchIds.slice(0, RECON_LIST_MAX)))
  return { runId, dryRun, stats, matches: await matchViews(ctx, rows), more: Math.max(0, matchIds.length - RECON_LIST_MAX) }
}

async function ledgerAssetId(ctx: CoreContext, ledgerAccountId: string | null): Promise<string | null> {
  if (ledgerAccountId === null) return null
  const a = await ctx.db.first(ctx.db.k.selectFrom('accounts').select('asset_id').where('id', '=', ledgerAccountId))
  return a?.asset_id ?? null
}

function signature(statement: readonly string[], ledger: readonly string[]): string {
  return JSON.stringify([[...statement].sort(), [...ledger].sort()])
}

async function dropRejected(
  ctx: CoreContext,
  accountId: string,
  matches: readonly ProposedMatch[],
  exceptions: readonly ProposedException[],
): Promise<Omit<AccountRun, 'items'>> {
  const rejected = await ctx.db.all(
    ctx.db.k
      .selectFrom('recon_matches')
      .select(['reason', 'decided_by'])
      .where('account_id', '=', accountId)
      .where('state', '=', 'rejected'),
  )
  if (rejected.length === 0) return { matches: [...matches], exceptions: [...exceptions], rejectedBefore: 0 }
  const bySignature = new Map<string, string>()
  for (const r of rejected) {
    const reason = JSON.parse(r.reason) as { statement?: string[]; ledger?: string[] }
    bySignature.set(signature(reason.statement ?? [], reason.ledger ?? []), r.decided_by ?? 'someone')
  }
  const kept: ProposedMatch[] = []
  const extra: ProposedException[] = []
  for (const m of matches) {
    const by = bySignature.get(signature(m.statement, m.ledger))
    if (by === undefined) {
      kept.push(m)
      continue
    }
    const detail = `${by} rejected the ${m.kind} match the rules propose for it (${m.reason.summary}) — match it by hand or leave it for the next statement.`
    for (const id of m.statement)
      extra.push({ side: 'statement', item: id, account: accountId, reason: 'unmatched', detail, related: m.ledger })
    for (const id of m.ledger)
      extra.push({ side: 'ledger', item: id, account: accountId, reason: 'unmatched', detail, related: m.statement })
  }
  return { matches: kept, exceptions: [...exceptions, ...extra], rejectedBefore: matches.length - kept.length }
}

function runStats(runs: readonly AccountRun[]): ReconRunStats {
  const byKind: Record<string, number> = {}
  const exceptions: Record<string, number> = {}
  let matched = 0
  let suggested = 0
  for (const r of runs) {
    for (const m of r.matches) {
      byKind[m.kind] = (byKind[m.kind] ?? 0) + 1
      if (m.confirm) matched++
      else suggested++
    }
    for (const e of r.exceptions) exceptions[e.reason] = (exceptions[e.reason] ?? 0) + 1
  }
  return {
    statementItems: runs.reduce((n, r) => n + r.items.statement.length, 0),
    ledgerItems: runs.reduce((n, r) => n + r.items.ledger.length, 0),
    matched,
    suggested,
    byKind,
    exceptions,
    rejectedBefore: runs.reduce((n, r) => n + r.rejectedBefore, 0),
  }
}

/** An account's items by id, built once per run (not per match: a run of 100,000 matches would be quadratic). */
const itemIndexes = new WeakMap<AccountItems, { s: Map<string, LoadedItem>; l: Map<string, LoadedItem> }>()
function itemIndex(items: AccountItems): { s: Map<string, LoadedItem>; l: Map<string, LoadedItem> } {
  let index = itemIndexes.get(items)
  if (index === undefined) {
    index = { s: new Map(items.statement.map((i) => [i.id, i])), l: new Map(items.ledger.map((i) => [i.id, i])) }
    itemIndexes.set(items, index)
  }
  return index
}

function totals(items: AccountItems, m: ProposedMatch): { statement: bigint; ledger: bigint; day: string } {
  const { s, l } = itemIndex(items)
  let statement = 0n
  let ledger = 0n
  let day = 0
  for (const id of m.statement) {
    const it = s.get(id)!
    statement += it.amount
    day = Math.max(day, it.day)
  }
  for (const id of m.ledger) {
    const it = l.get(id)!
    ledger += it.amount
    if (m.statement.length === 0) day = Math.max(day, it.day)
  }
  return { statement, ledger, day: dayText(day) }
}

async function storeMatches(ctx: CoreContext, actor: Actor, runId: string, now: string, run: AccountRun): Promise<string[]> {
  const { db } = ctx
  const ids: string[] = []
  const itemRows: unknown[][] = []
  const byState = { matched: [] as string[], suggested: [] as string[] }
  const { s: statementItem, l: ledgerItem } = itemIndex(run.items)
  const matchRows: unknown[][] = []
  for (const m of run.matches) {
    const id = `rm_${randomUUID()}`
    const t = totals(run.items, m)
    matchRows.push([
      id,
      run.items.account,
      m.kind,
      m.reason.rule,
      m.confirm ? 'confirmed' : 'suggested',
      JSON.stringify({ ...m.reason, adjustmentAccount: m.adjustmentAccount }),
      t.statement.toString(),
      t.ledger.toString(),
      m.variance.toString(),
      run.items.currency,
      t.day,
      runId,
      now,
      actor,
      m.confirm ? now : null,
      m.confirm ? actor : null,
      null,
    ])
    for (const s of m.statement) itemRows.push(['statement', s, id, statementItem.get(s)!.amount.toString()])
    for (const l of m.ledger) itemRows.push(['ledger', l, id, ledgerItem.get(l)!.amount.toString()])
    ;(m.confirm ? byState.matched : byState.suggested).push(...m.statement)
    ids.push(id)
  }
  for (let i = 0; i < matchRows.length; i += IN_CHUNK) await db.insertRows('recon_matches', MATCH_COLUMNS, matchRows.slice(i, i + IN_CHUNK))
  for (let i = 0; i < itemRows.length; i += IN_CHUNK)
    await db.insertRows('recon_match_items', ['side', 'item_id', 'match_id', 'amount'], itemRows.slice(i, i + IN_CHUNK))
  await setLineStates(ctx, byState.matched, 'matched')
  await setLineStates(ctx, byState.suggested, 'suggested')
  // Open exceptions of items that found a partner are resolved by the run.
  const paired = run.matches.flatMap((m) => [
    ...m.statement.map((s) => ['statement', s] as const),
    ...m.ledger.map((l) => ['ledger', l] as const),
  ])
  for (const side of ['statement', 'ledger'] as const) {
    const sideIds = paired.filter(([s]) => s === side).map(([, id]) => id)
    for (let i = 0; i < sideIds.length; i += IN_CHUNK) {
      await db.run(
        db.k
          .updateTable('recon_exceptions')
          .set({ state: 'resolved', resolution: `matched: by run ${runId}`, resolved_by: actor, updated_at: now })
          .where('side', '=', side)
          .where('item_id', 'in', sideIds.slice(i, i + IN_CHUNK))
          .where('state', '=', 'open'),
      )
    }
  }
  return ids
}

export async function setLineStates(
  ctx: CoreContext,
  ids: readonly string[],
  state: 'matched' | 'suggested' | 'exception' | 'unmatched',
): Promise<void> {
  for (let i = 0; i < ids.length; i += IN_CHUNK) {
    await ctx.db.run(
      ctx.db.k
        .updateTable('statement_lines')
        .set({ state })
        .where('id', 'in', ids.slice(i, i + IN_CHUNK)),
    )
  }
}

async function storeExceptions(ctx: CoreContext, now: string, run: AccountRun): Promise<void> {
  const { db } = ctx
  const existing = new Map<string, { id: string }>()
  for (const r of await db.all(
    db.k.selectFrom('recon_exceptions').select(['id', 'side', 'item_id']).where('account_id', '=', run.items.account),
  ))
    existing.set(`${r.side}:${r.item_id}`, r)
  const itemOf = new Map<string, LoadedItem>()
  for (const i of run.items.statement) itemOf.set(`statement:${i.id}`, i)
  for (const i of run.items.ledger) itemOf.set(`ledger:${i.id}`, i)
  const fresh: unknown[][] = []
  const lines: string[] = []
  for (const e of run.exceptions) {
    const key = `${e.side}:${e.item}`
    const item = itemOf.get(key)
    if (!item) continue
    if (e.side === 'statement') lines.push(e.item)
    const had = existing.get(key)
    if (had) {
      await db.run(
        db.k
          .updateTable('recon_exceptions')
          .set({
            reason: e.reason,
            detail: e.detail,
            related: JSON.stringify(e.related),
            state: 'open',
            resolution: null,
            resolved_by: null,
            updated_at: now,
          })
          .where('id', '=', had.id),
      )
    } else {
      fresh.push([
        `rx_${randomUUID()}`,
        e.side,
        e.item,
        e.account,
        e.reason,
        e.detail,
        JSON.stringify(e.related),
        item.amount.toString(),
        item.currency,
        item.date ?? dayText(item.day),
        'open',
        null,
        '[]',
        null,
        now,
        now,
        null,
      ])
    }
  }
  const columns = [
    'id',
    'side',
    'item_id',
    'account_id',
    'reason',
    'detail',
    'related',
    'amount',
    'currency',
    'day',
    'state',
    'assignee',
    'notes',
    'resolution',
    'created_at',
    'updated_at',
    'resolved_by',
  ]
  for (let i = 0; i < fresh.length; i += IN_CHUNK) await db.insertRows('recon_exceptions', columns, fresh.slice(i, i + IN_CHUNK))
  await setLineStates(ctx, lines, 'exception')
}

function dryView(items: AccountItems, m: ProposedMatch, i: number, actor: Actor, now: string): ReconMatch {
  const t = totals(items, m)
  const { s, l } = itemIndex(items)
  const view = (x: LoadedItem) => ({
    side: x.side,
    id: x.id,
    accountId: items.account,
    date: x.date,
    amount: formatAmount(x.amount, items.scale),
    currency: items.currency,
    text: x.display,
    reference: x.reference,
    counterparty: x.counterpartyText,
    ageDays: null,
    state: 'unmatched' as const,
    matchId: null,
    exceptionId: null,
  })
  return {
    id: `dry-${i + 1}`,
    accountId: items.account,
    kind: m.kind,
    state: m.confirm ? 'confirmed' : 'suggested',
    ruleId: m.reason.rule,
    ruleName: m.reason.ruleName,
    summary: m.reason.summary,
    keys: [...m.reason.keys],
    dayDifference: m.reason.dayDifference,
    statementTotal: formatAmount(t.statement, items.scale),
    ledgerTotal: formatAmount(t.ledger, items.scale),
    variance: formatAmount(m.variance, items.scale),
    currency: items.currency,
    date: t.day,
    statement: m.statement.map((id) => view(s.get(id)!)),
    ledger: m.ledger.map((id) => view(l.get(id)!)),
    adjustmentId: null,
    createdAt: now,
    createdBy: actor,
    decidedAt: null,
    decidedBy: null,
    period: null,
  }
}
