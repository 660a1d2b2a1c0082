/**
 * The lists people work from: both sides of an account side by side (filter by state, search),
 * the matches, and the exceptions queue — with its assignee, notes and resolution.
 */
import { CsError } from '../../../../shared/errors'
import type { ReconException, ReconItem, ReconMatch } from '../../../../shared/reconMatchApi'
import { appendAudit } from '../../audit/appendAudit'
import type { Actor, CoreContext } from '../../context'
import { getAccount } from '../../ledger'
import { bookStatementLine } from './reconActions'
import { accountFacts, exceptionViews, ledgerItemsById, matchViews, statementItems } from './reconViews'

interface Paging {
  offset?: number | undefined
  limit?: number | undefined
}

interface Row {
  side: 'statement' | 'ledger'
  id: string
  date: string
  state: ReconItem['state']
  text: string
}

export async function listItems(
  ctx: CoreContext,
  p: Paging & {
    accountId: string
    side?: 'statement' | 'ledger' | undefined
    state?: ReconItem['state'] | undefined
    search?: string | undefined
  },
): Promise<{ items: ReconItem[]; total: number }> {
  const { db } = ctx
  const facts = await accountFacts(ctx, p.accountId)
  if (facts.currency === '')
    throw new CsError('RECON_ACCOUNT_NOT_FOUND', `There is no statement account "${p.accountId}" — recon accounts lists them.`)
  const rows: Row[] = []
  const live = await db.all(
    db.k
      .selectFrom('recon_match_items as i')
      .innerJoin('recon_matches as m', 'm.id', 'i.match_id')
      .select(['i.side', 'i.item_id', 'm.state'])
      .where('m.account_id', '=', p.accountId),
  )
  const matchState = new Map(
    live.map((r) => [`${r.side}:${r.item_id}`, r.state === 'confirmed' ? ('matched' as const) : ('suggested' as const)]),
  )
  const exceptions = await db.all(
    db.k.selectFrom('recon_exceptions').select(['side', 'item_id', 'state', 'resolution']).where('account_id', '=', p.accountId),
  )
  const exceptionState = new Map(
    exceptions.map((e) => [`${e.side}:${e.item_id}`, e.state === 'open' ? ('exception' as const) : ('matched' as const)]),
  )
  const stateOf = (key: string): ReconItem['state'] => matchState.get(key) ?? exceptionState.get(key) ?? 'unmatched'
  if (p.side !== 'ledger') {
    const lines = await db.all(
      db.k
        .selectFrom('statement_lines')
        .select([
          'id',
          'booking_date',
          'value_date',
          'remittance',
          'counterparty_name',
          'end_to_end_id',
          'bank_ref',
          'customer_ref',
          'amount',
        ])
        .where('account_id', '=', p.accountId)
        .where('status', '=', 'booked'),
    )
    for (const l of lines)
      rows.push({
        side: 'statement',
        id: l.id,
        date: l.booking_date ?? l.value_date ?? '',
        state: stateOf(`statement:${l.id}`),
        text: [l.remittance, l.counterparty_name, l.end_to_end_id, l.bank_ref, l.customer_ref, l.amount].join(' ').toUpperCase(),
      })
  }
  if (p.side !== 'statement' && facts.ledgerAccountId !== null) {
    const postings = await db.all(
      db.k
        .selectFrom('postings as p')
        .innerJoin('entries as e', 'e.seq', 'p.entry_seq')
        .select(['e.id', 'e.date', 'e.description', 'e.metadata', 'p.idx'])
        .where('p.account_id', '=', facts.ledgerAccountId),
    )
    for (const r of postings) {
      const id = `${r.id}/${Number(r.idx)}`
      rows.push({
        side: 'ledger',
        id,
        date: r.date,
        state: stateOf(`ledger:${id}`),
        text: `${r.id} ${r.description} ${r.metadata}`.toUpperCase(),
      })
    }
  }
  const search = p.search?.trim().toUpperCase()
  const kept = rows.filter((r) => (p.state === undefined || r.state === p.state) && (!search || r.text.includes(search)))
  kept.sort((a, b) =>
    a.date === b.date ? (a.side === b.side ? (a.id < b.id ? -1 : 1) : a.side === 'statement' ? -1 : 1) : a.date < b.date ? 1 : -1,
  )
  const page = kept.slice(p.offset ?? 0, (p.offset ?? 0) + (p.limit ?? 100))
  const s = await statementItems(
    ctx,
    page.filter((r) => r.side === 'statement').map((r) => r.id),
  )
  const l = await ledgerItemsById(
    ctx,
    p.accountId,
    facts.currency,
    facts.scale,
    page.filter((r) => r.side === 'ledger').map((r) => r.id),
  )
  const items = page.map((r) => (r.side === 'statement' ? s.get(r.id) : l.get(r.id))).filter((x): x is ReconItem => x !== undefined)
  return { items, total: kept.length }
}

export async function listMatches(
  ctx: CoreContext,
  p: Paging & { accountId?: string | undefined; state?: string | undefined },
): Promise<{ matches: ReconMatch[]; total: number }> {
  const { db } = ctx
  let q = db.k.selectFrom('recon_matches')
  if (p.accountId !== undefined) q = q.where('account_id', '=', p.accountId)
  if (p.state !== undefined) q = q.where('state', '=', p.state)
  const total = Number((await db.first(q.select((eb) => eb.fn.countAll<string>().as('n'))))?.n ?? 0)
  const rows = await db.all(
    q
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('day', 'desc')
      .orderBy('id')
      .offset(p.offset ?? 0)
      .limit(p.limit ?? 100),
  )
  return { matches: await matchViews(ctx, rows), total }
}

export async function listExceptions(
  ctx: CoreContext,
  p: Paging & {
    accountId?: string | undefined
    state?: string | undefined
    reason?: string | undefined
    side?: string | undefined
    assignee?: string | undefined
  },
): Promise<{ exceptions: ReconException[]; total: number }> {
  const { db } = ctx
  let q = db.k.selectFrom('recon_exceptions')
  if (p.accountId !== undefined) q = q.where('account_id', '=', p.accountId)
  q = q.where('state', '=', p.state ?? 'open')
  if (p.reason !== undefined) q = q.where('reason', '=', p.reason)
  if (p.side !== undefined) q = q.where('side', '=', p.side)
  if (p.assignee !== undefined) q = q.where('assignee', '=', p.assignee)
  const total = Number((await db.first(q.select((eb) => eb.fn.countAll<string>().as('n'))))?.n ?? 0)
  // Oldest first: what has waited longest is what a controller chases.
  const rows = await db.all(
    q
      .selectAll()
      .orderBy('day')
      .orderBy('id')
      .offset(p.offset ?? 0)
      .limit(p.limit ?? 100),
  )
  return { exceptions: await exceptionViews(ctx, rows), total }
}

async function requireException(ctx: CoreContext, id: string) {
  const e = await ctx.db.first(ctx.db.k.selectFrom('recon_exceptions').selectAll().where('id', '=', id))
  if (!e) throw new CsError('RECON_EXCEPTION_NOT_FOUND', `There is no exception "${id}" — recon exceptions lists the open ones.`)
  return e
}

async function oneException(ctx: CoreContext, id: string): Promise<ReconException> {
  return (await exceptionViews(ctx, [await requireException(ctx, id)]))[0]!
}

export async function updateException(
  ctx: CoreContext,
  actor: Actor,
  p: { id: string; assignee?: string | null | undefined; note?: string | undefined },
): Promise<ReconException> {
  const now = ctx.clock.now().toISOString()
  await ctx.db.tx(async () => {
    const e = await requireException(ctx, p.id)
    const notes = JSON.parse(e.notes) as { at: string; by: string; text: string }[]
    if (p.note !== undefined) notes.push({ at: now, by: actor, text: p.note })
    const assignee = p.assignee === undefined ? e.assignee : p.assignee
    await ctx.db.run(
      ctx.db.k
        .updateTable('recon_exceptions')
        .set({ assignee, notes: JSON.stringify(notes), updated_at: now })
        .where('id', '=', p.id),
    )
    await appendAudit(ctx, {
      actor,
      action: 'recon.exception.update',
      subject: `recon-exception:${p.id}`,
      change: { assignee: p.assignee === undefined ? undefined : { from: e.assignee, to: assignee }, note: p.note ?? null },
    })
  })
  ctx.events.emit('recon.changed', { fileId: null })
  return await oneException(ctx, p.id)
}

/**
 * 'accept': the item stays as it is (a timing difference that clears next month, a ledger posting
 * the bank never shows) and leaves the queue. 'book': a statement line is booked against
 * `counterAccount` by an adjustment a second person approves.
 */
export async function resolveException(
  ctx: CoreContext,
  actor: Actor,
  p: { id: string; action: 'book' | 'accept'; note: string; counterAccount?: string | undefined },
): Promise<ReconException> {
  const now = ctx.clock.now().toISOString()
  await ctx.db.tx(async () => {
    const e = await requireException(ctx, p.id)
    if (e.state !== 'open') throw new CsError('RECON_MATCH_STATE', `Exception ${p.id} is already resolved (${e.resolution ?? ''}).`)
    let resolution = `accepted: ${p.note}`
    if (p.action === 'book') {
      if (e.side !== 'statement')
        throw new CsError(
          'INVALID_INPUT',
          'Only a statement line can be booked from the queue — a ledger posting is already in the books; accept it or match it.',
        )
      if (p.counterAccount === undefined)
        throw new CsError('INVALID_INPUT', 'Name the ledger account to book the line against (income, fees, suspense).')
      await getAccount(ctx, p.counterAccount)
      const matchId = await bookStatementLine(ctx, actor, e.item_id, p.counterAccount, p.note)
      resolution = `booked: ${p.note} (match ${matchId}, to ${p.counterAccount})`
    }
    const notes = JSON.parse(e.notes) as { at: string; by: string; text: string }[]
    notes.push({ at: now, by: actor, text: p.note })
    await ctx.db.run(
      ctx.db.k
        .updateTable('recon_exceptions')
        .set({ state: 'resolved', resolution, resolved_by: actor, notes: JSON.stringify(notes), updated_at: now })
        .where('id', '=', p.id),
    )
    if (e.side === 'statement' && p.action === 'accept')
      await ctx.db.run(ctx.db.k.updateTable('statement_lines').set({ state: 'matched' }).where('id', '=', e.item_id))
    await appendAudit(ctx, {
      actor,
      action: 'recon.exception.resolve',
      subject: `recon-exception:${p.id}`,
      change: { action: p.action, resolution, item: e.item_id },
    })
  })
  ctx.events.emit('recon.changed', { fileId: null })
  return await oneException(ctx, p.id)
}
