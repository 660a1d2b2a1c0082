/**
 * Reading a Stripe list from a saved cursor: Stripe lists newest first, so with a cursor
 * `ending_before=<cursor>` gives the page just newer than it (newest first, has_more = more
 * newer ones); without one (first sync), pages go back with `starting_after` up to
 * FIRST_SYNC_ITEMS_MAX items. Items come back oldest first; the cursor is saved by the caller
 * in the same transaction as what it applied.
 */
import type { CoreContext } from '../context'
import { log } from '../log'

export const STRIPE_PAGE_LIMIT = 100
/** Items read in one sync per stream; a longer backlog is caught up over the next syncs. */
const ITEMS_PER_SYNC_MAX = 2_000
/** The first sync of a workspace reads back at most this many (Stripe keeps events 30 days). */
const FIRST_SYNC_ITEMS_MAX = 2_000

export interface StripeListPage<T> {
  data: T[]
  has_more: boolean
}

export type StripeLister<T> = (params: { limit: number; ending_before?: string; starting_after?: string }) => Promise<StripeListPage<T>>

export async function cursorOf(ctx: CoreContext, stream: string): Promise<string | null> {
  return (await ctx.db.first(ctx.db.k.selectFrom('stripe_cursors').select('cursor').where('stream', '=', stream)))?.cursor ?? null
}

export async function saveCursor(ctx: CoreContext, stream: string, cursor: string): Promise<void> {
  const now = ctx.clock.now().toISOString()
  await ctx.db.run(
    ctx.db.k
      .insertInto('stripe_cursors')
      .values({ stream, cursor, updated_at: now })
      .onConflict((oc) => oc.column('stream').doUpdateSet({ cursor, updated_at: now })),
  )
}

/** Items newer than `cursor`, oldest first. */
export async function newerThan<T extends { id: string }>(cursor: string | null, list: StripeLister<T>): Promise<T[]> {
  if (cursor === null) return newestBack(list)
  const out: T[] = []
  let before = cursor
  for (;;) {
    let page: StripeListPage<T>
    try {
      page = await list({ limit: STRIPE_PAGE_LIMIT, ending_before: before })
    } catch (error) {
      // The cursor's object is gone (Stripe keeps events 30 days): read back as on a first sync.
      if ((error as { code?: string }).code === 'resource_missing') {
        log('warn', 'Stripe no longer knows the sync cursor; reading back from the newest', { cursor: before })
        return newestBack(list)
      }
      throw error
    }
    if (page.data.length === 0) break
    out.push(...[...page.data].reverse())
    before = page.data[0]!.id
    if (!page.has_more || out.length >= ITEMS_PER_SYNC_MAX) break
  }
  return out
}

/** A first sync: the newest items, back to FIRST_SYNC_ITEMS_MAX, oldest first. */
async function newestBack<T extends { id: string }>(list: StripeLister<T>): Promise<T[]> {
  const newestFirst: T[] = []
  let after: string | undefined
  for (;;) {
    const page = await list({ limit: STRIPE_PAGE_LIMIT, ...(after ? { starting_after: after } : {}) })
    newestFirst.push(...page.data)
    if (!page.has_more || page.data.length === 0 || newestFirst.length >= FIRST_SYNC_ITEMS_MAX) break
    after = page.data.at(-1)!.id
  }
  return newestFirst.reverse()
}
