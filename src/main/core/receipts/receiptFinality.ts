/**
 * Whether a payment due a receipt is FINAL (a receipt attests a final payment, and a receipt is
 * never changed): an EVM payout only once its block is past the reorg window the engine watches
 * it for (evmBlockWatched — the one rule both ask), read from its chain through the rail's own
 * lookup (RailReorgWatch.finality) before any issuing transaction holds the books. Until then the
 * payout waits, with why (ReceiptWait). A chain that cannot be asked (offline, not configured)
 * holds its receipts: finality unknown is not final. Stellar (final when the ledger closes) and
 * Stripe have no reorg window: final as confirmed.
 */
import type { ReceiptWait } from '../../../shared/receiptsApi'
import type { CoreContext } from '../context'
import type { SubmissionRow } from '../db/schema'
import { inChunks } from '../payouts/inChunks'
import type { RailRegistry, RailSubmission } from '../rails/Rail'

/** Where the issuer reaches the rails (loaded only when an EVM payout is due). */
export type ReceiptRails = () => Promise<RailRegistry>

/** An EVM payout found final: the block checked, how deep it was. The draft must name this very block. */
export interface PayoutFinal {
  submissionId: string
  blockNumber: string
  blockHash: string
  confirmations: bigint
  windowBlocks: bigint
}

export interface PayoutFinality {
  final: Map<string, PayoutFinal>
  waiting: Map<string, ReceiptWait>
}

/** `payoutIds`: payouts due a receipt. Those on rails without reorgs are in neither map (final as confirmed). */
export async function readPayoutFinality(ctx: CoreContext, rails: ReceiptRails, payoutIds: readonly string[]): Promise<PayoutFinality> {
  const out: PayoutFinality = { final: new Map(), waiting: new Map() }
  // The EVM payouts and the submissions that confirmed them (a transaction carries many payouts: each read once).
  const links: { payoutId: string; submissionId: string }[] = []
  for (const chunk of inChunks([...payoutIds]))
    for (const p of await ctx.db.all(
      ctx.db.k.selectFrom('payouts').select(['id', 'submission_id']).where('id', 'in', chunk).where('rail', '=', 'evm'),
    ))
      if (p.submission_id !== null) links.push({ payoutId: p.id, submissionId: p.submission_id })
  if (links.length === 0) return out
  const subs = new Map<string, SubmissionRow>()
  for (const chunk of inChunks([...new Set(links.map((l) => l.submissionId))]))
    for (const s of await ctx.db.all(ctx.db.k.selectFrom('submissions').selectAll().where('id', 'in', chunk))) subs.set(s.id, s)
  const byNetwork = new Map<string, { payoutId: string; sub: SubmissionRow }[]>()
  for (const l of links) {
    const sub = subs.get(l.submissionId)
    if (!sub) continue
    const list = byNetwork.get(sub.network) ?? []
    list.push({ payoutId: l.payoutId, sub })
    byNetwork.set(sub.network, list)
  }
  let registry: RailRegistry | null = null
  let loadProblem = ''
  try {
    registry = await rails()
  } catch (error) {
    loadProblem = messageOf(error)
  }
  for (const [network, list] of byNetwork) {
    const hold = (detail: string) => {
      for (const r of list) out.waiting.set(r.payoutId, { kind: 'chain-unreadable', network, detail })
    }
    const watch = registry?.get('evm', network)?.reorgWatch
    if (!watch) {
      hold(registry === null ? `the rails could not be loaded: ${loadProblem}` : `chain ${network} is not configured in Settings → Rails`)
      continue
    }
    const asked = new Map(list.map((r) => [r.sub.id, { ...r.sub, payoutIds: [] } satisfies RailSubmission]))
    let seen: Awaited<ReturnType<typeof watch.finality>>
    try {
      seen = await watch.finality([...asked.values()])
    } catch (error) {
      hold(messageOf(error))
      continue
    }
    for (const { payoutId, sub } of list) {
      const f = seen.get(sub.id)
      const block = sub.block_number ?? '?'
      if (sub.state !== 'confirmed' || !f || !f.onChain) out.waiting.set(payoutId, { kind: 'reorged', network, block })
      else if (f.blocksLeft > 0n)
        out.waiting.set(payoutId, {
          kind: 'finality',
          network,
          block,
          blocksLeft: Number(f.blocksLeft),
          windowBlocks: Number(f.windowBlocks),
        })
      else
        out.final.set(payoutId, {
          submissionId: sub.id,
          blockNumber: block,
          blockHash: sub.block_hash ?? '',
          confirmations: f.confirmations,
          windowBlocks: f.windowBlocks,
        })
    }
  }
  return out
}

/** A short clause (no secrets: the node's URL is not in rail errors' messages), no full stop. */
function messageOf(error: unknown): string {
  const text = (error instanceof Error ? error.message : String(error)).split(' — ')[0]!
  return text.replace(/[.\s]+$/, '').slice(0, 200) || 'no answer'
}
