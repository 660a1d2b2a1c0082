/**
 * What Stripe knows about our open escrow transactions, gathered for `classify`. Each request of
 * a transaction is looked for first by listing (transfers of the escrow's transfer_group, refunds
 * of the charge — each read once per sweep) and matched by our metadata (action_id, milestone,
 * op); only when none exists is the SAME committed body POSTed again with the SAME key — inside
 * 24 h Stripe replays its stored answer, after 24 h the listing proved nothing landed. A request
 * after a refused one is never sent. A funding check reads the charge. Two objects for one
 * request is an invariant broken, never silently accepted.
 */
import type Stripe from 'stripe'
import { invariant } from '../../../util/invariant'
import type { EscrowRailTx } from '../../EscrowRail'
import { safeStripeMessage, type StripeErrorLike, type StripeRetryPolicy } from '../postStripeWithRetry'
import { stripeEscrowPayloadOf, type StripeEscrowMetadata, type StripeEscrowRequest } from './buildStripeEscrowTx'
import { sendStripeEscrowRequest, stripeEscrowRefusal, type StripeEscrowObject } from './sendStripeEscrowRequest'

/** Pages of 100 read per transfer_group or charge: an escrow has a handful of objects, this is a bound. */
export const ESCROW_LIST_PAGES_MAX = 10
const LIST_PAGE_SIZE = 100

export type StripeEscrowPartSeen =
  | { kind: 'done'; part: StripeEscrowRequest['part']; milestone: number; id: string; created: number }
  | { kind: 'rejected'; code: string; reason: string }
  | { kind: 'unknown'; message: string }
  /** Not sent: an earlier request of the same transaction was refused. */
  | { kind: 'skipped' }

/** The facts of a funding charge that classify checks. */
export interface StripeChargeFacts {
  id: string
  amount: bigint
  amountRefunded: bigint
  currency: string
  status: string
  transferGroup: string | null
  created: number
}

export type StripeEscrowObservation =
  | { kind: 'parts'; parts: StripeEscrowPartSeen[] }
  | { kind: 'charge'; charge: StripeChargeFacts | null }
  | { kind: 'unknown'; message: string }

type Listed = { id: string; created: number; metadata?: Stripe.Metadata | null }

export async function lookupStripeEscrowTxs(
  stripe: Stripe,
  txs: readonly EscrowRailTx[],
  retry: StripeRetryPolicy,
): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>()
  const lists = new Map<string, Promise<Listed[]>>()
  const listOnce = (key: string, read: () => Promise<Listed[]>): Promise<Listed[]> => {
    const known = lists.get(key) ?? read()
    lists.set(key, known)
    return known
  }
  for (const tx of txs.filter((t) => t.state === 'signed' || t.state === 'broadcast')) {
    const payload = stripeEscrowPayloadOf(tx)
    try {
      if (payload.verify !== null) out.set(tx.id, { kind: 'charge', charge: await readCharge(stripe, payload.verify.charge) })
      else out.set(tx.id, { kind: 'parts', parts: await lookupParts(stripe, payload.requests, listOnce, retry) })
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('invariant:')) throw err
      out.set(tx.id, { kind: 'unknown', message: safeStripeMessage(err as StripeErrorLike) } satisfies StripeEscrowObservation)
    }
  }
  return out
}

async function lookupParts(
  stripe: Stripe,
  requests: readonly StripeEscrowRequest[],
  listOnce: (key: string, read: () => Promise<Listed[]>) => Promise<Listed[]>,
  retry: StripeRetryPolicy,
): Promise<StripeEscrowPartSeen[]> {
  const seen: StripeEscrowPartSeen[] = []
  for (const request of requests) {
    if (seen.some((s) => s.kind === 'rejected' || s.kind === 'skipped')) {
      seen.push({ kind: 'skipped' })
      continue
    }
    const listed =
      request.part === 'transfer'
        ? await listOnce(`tg:${request.body.transfer_group}`, () => listTransfers(stripe, request.body.transfer_group))
        : await listOnce(`ch:${request.body.charge}`, () => listRefunds(stripe, request.body.charge))
    const mine = listed.filter((o) => sameRequest(o.metadata, request.body.metadata))
    invariant(mine.length <= 1, () => `${mine.length} Stripe ${request.part}s for request ${request.idempotencyKey}`)
    if (mine.length === 1) {
      seen.push({ kind: 'done', part: request.part, milestone: request.milestone, id: mine[0]!.id, created: mine[0]!.created })
      continue
    }
    seen.push(await sendAgain(stripe, request, retry))
  }
  return seen
}

async function sendAgain(stripe: Stripe, request: StripeEscrowRequest, retry: StripeRetryPolicy): Promise<StripeEscrowPartSeen> {
  const again = await sendStripeEscrowRequest(stripe, request, retry)
  if (again.kind === 'ok') return done(request, again.value)
  if (again.kind === 'rejected') return { kind: 'rejected', ...stripeEscrowRefusal(request, again.error) }
  return { kind: 'unknown', message: again.message }
}

const done = (request: StripeEscrowRequest, o: StripeEscrowObject): StripeEscrowPartSeen => ({
  kind: 'done',
  part: request.part,
  milestone: request.milestone,
  id: o.id,
  created: o.created,
})

export function sameRequest(metadata: Stripe.Metadata | null | undefined, ours: StripeEscrowMetadata): boolean {
  return (
    metadata?.['action_id'] === ours.action_id &&
    metadata['milestone'] === ours.milestone &&
    metadata['escrow_id'] === ours.escrow_id &&
    metadata['op'] === ours.op
  )
}

/** Every transfer of a transfer_group (newest first), bounded. */
export async function listTransfers(stripe: Stripe, transferGroup: string): Promise<Stripe.Transfer[]> {
  return listAll((after) => stripe.transfers.list({ transfer_group: transferGroup, limit: LIST_PAGE_SIZE, starting_after: after }))
}

/** Every refund of a charge (newest first), bounded. */
export async function listRefunds(stripe: Stripe, charge: string): Promise<Stripe.Refund[]> {
  return listAll((after) => stripe.refunds.list({ charge, limit: LIST_PAGE_SIZE, starting_after: after }))
}

async function listAll<T extends { id: string }>(page: (after: string | undefined) => Promise<Stripe.ApiList<T>>): Promise<T[]> {
  const all: T[] = []
  let after: string | undefined
  for (let i = 0; i < ESCROW_LIST_PAGES_MAX; i++) {
    const p = await page(after)
    all.push(...p.data)
    if (!p.has_more || p.data.length === 0) return all
    after = p.data.at(-1)!.id
  }
  invariant(false, () => `more than ${ESCROW_LIST_PAGES_MAX * LIST_PAGE_SIZE} Stripe objects in one escrow listing`)
}

/** The funding charge's facts, or null when Stripe has no such charge. */
export async function readCharge(stripe: Stripe, chargeId: string): Promise<StripeChargeFacts | null> {
  try {
    const c = await stripe.charges.retrieve(chargeId)
    return {
      id: c.id,
      amount: BigInt(c.amount),
      amountRefunded: BigInt(c.amount_refunded),
      currency: c.currency,
      status: c.status,
      transferGroup: c.transfer_group ?? null,
      created: c.created,
    }
  } catch (err) {
    const e = err as StripeErrorLike
    if (e.statusCode === 404 || e.code === 'resource_missing') return null
    throw err
  }
}
