/**
 * Whether a payment due a receipt is FINAL (a receipt attests a final payment, and a receipt is
 * never changed): an EVM payout, or an EVM escrow outcome (release, refund, resolve), only once
 * the block of its transaction is past the reorg window the engine watches it for
 * (evmBlockWatched — the one rule both ask), read from its chain through the payout rail's own
 * lookup (RailReorgWatch.finality: an escrow transaction is a transaction on the same chain from
 * the same source) before any issuing transaction holds the books. Until then the payment waits,
 * with why (ReceiptWait). A chain that cannot be asked (offline, not configured)
 * holds its receipts: finality unknown is not final. Stellar (final when the ledger closes) and
 * Stripe have no reorg window: final as confirmed.
 */
import type { ReceiptWait } from '../../../shared/receiptsApi'
import type { CoreContext } from '../context'
import { railTxOf } from '../escrow/escrowTxRows'
import { inChunks } from '../payouts/inChunks'
import type { RailRegistry, RailSubmission } from '../rails/Rail'
import type { DueReceipt } from './findDueReceipts'

/** Where the issuer reaches the rails (loaded only when an EVM payment is due). */
export type ReceiptRails = () => Promise<RailRegistry>

/** An EVM payment found final: the transaction and block checked, how deep it was. The draft must name this very block. */
export interface ChainFinal {
  /** The rail transaction checked: the payout's submission, or the escrow action's escrow_txs row. */
  txId: string
  blockNumber: string
  blockHash: string
  confirmations: bigint
  windowBlocks: bigint
}

/** Keyed by the receipt's subject (DueReceipt.subjectKey). */
export interface ReceiptFinality {
  final: Map<string, ChainFinal>
  waiting: Map<string, ReceiptWait>
}

/**
 * `due`: subjects due a receipt. An EVM payout is checked through the submission that confirmed
 * it, an EVM escrow outcome through its action's confirmed escrow transaction (same chain, same
 * source, same lookup). Those on rails without reorgs are in neither map (final as confirmed).
 */
export async function readReceiptFinality(ctx: CoreContext, rails: ReceiptRails, due: readonly DueReceipt[]): Promise<ReceiptFinality> {
  const out: ReceiptFinality = { final: new Map(), waiting: new Map() }
  // Each subject's rail transaction (a transaction carries many payouts, an action up to two parts: each read once).
  const links: { subjectKey: string; tx: RailSubmission }[] = []
  const payoutSubjects = new Map(due.flatMap((d) => (d.kind === 'payout' ? [[d.payoutId, d.subjectKey] as const] : [])))
  const subOf = new Map<string, string>()
  for (const chunk of inChunks([...payoutSubjects.keys()]))
    for (const p of await ctx.db.all(
      ctx.db.k.selectFrom('payouts').select(['id', 'submission_id']).where('id', 'in', chunk).where('rail', '=', 'evm'),
    ))
      if (p.submission_id !== null) subOf.set(p.id, p.submission_id)
  const subs = new Map<string, RailSubmission>()
  for (const chunk of inChunks([...new Set(subOf.values())]))
    for (const s of await ctx.db.all(ctx.db.k.selectFrom('submissions').selectAll().where('id', 'in', chunk)))
      subs.set(s.id, { ...s, payoutIds: [] })
  for (const [payoutId, submissionId] of subOf) {
    const tx = subs.get(submissionId)
    if (tx) links.push({ subjectKey: payoutSubjects.get(payoutId)!, tx })
  }
  // An escrow outcome's evidence is its action's confirmed transaction (the latest attempt, as the draft reads it).
  const escrowSubjects = due.flatMap((d) => (d.kind === 'escrow' ? [d] : []))
  const escrowTx = new Map<string, RailSubmission>()
  for (const chunk of inChunks([...new Set(escrowSubjects.map((d) => d.escrow.actionId))]))
    for (const t of await ctx.db.all(
      ctx.db.k
        .selectFrom('escrow_txs')
        .selectAll()
        .where('action_id', 'in', chunk)
        .where('state', '=', 'confirmed')
        .where('rail', '=', 'evm')
        .orderBy('attempt'),
    ))
      escrowTx.set(t.action_id, railTxOf(t))
  for (const d of escrowSubjects) {
    const tx = escrowTx.get(d.escrow.actionId)
    if (tx) links.push({ subjectKey: d.subjectKey, tx })
  }
  if (links.length === 0) return out
  const byNetwork = new Map<string, typeof links>()
  for (const l of links) {
    const list = byNetwork.get(l.tx.network) ?? []
    list.push(l)
    byNetwork.set(l.tx.network, list)
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
      for (const l of list) out.waiting.set(l.subjectKey, { kind: 'chain-unreadable', network, detail })
    }
    // The payout rail's lookup: an escrow transaction is a transaction on the same chain, watched by the same window.
    const watch = registry?.get('evm', network)?.reorgWatch
    if (!watch) {
      hold(registry === null ? `the rails could not be loaded: ${loadProblem}` : `chain ${network} is not configured in Settings → Rails`)
      continue
    }
    let seen: Awaited<ReturnType<typeof watch.finality>>
    try {
      seen = await watch.finality([...new Map(list.map((l) => [l.tx.id, l.tx])).values()])
    } catch (error) {
      hold(messageOf(error))
      continue
    }
    for (const { subjectKey, tx } of list) {
      const f = seen.get(tx.id)
      const block = tx.block_number ?? '?'
      if (tx.state !== 'confirmed' || !f || !f.onChain) out.waiting.set(subjectKey, { kind: 'reorged', network, block })
      else if (f.blocksLeft > 0n)
        out.waiting.set(subjectKey, {
          kind: 'finality',
          network,
          block,
          blocksLeft: Number(f.blocksLeft),
          windowBlocks: Number(f.windowBlocks),
        })
      else
        out.final.set(subjectKey, {
          txId: tx.id,
          blockNumber: block,
          blockHash: tx.block_hash ?? '',
          confirmations: f.confirmations,
          windowBlocks: f.windowBlocks,
        })
    }
  }
  return out
}

/** The EVM payment was found final in the very block its rail transaction names now (else its draft waits). */
export function finalAsChecked(
  final: ChainFinal | undefined,
  tx: { id: string; block_number: string | null; block_hash: string | null },
): final is ChainFinal {
  return final !== undefined && final.txId === tx.id && final.blockNumber === tx.block_number && final.blockHash === tx.block_hash
}

/** What the timeline's last event says of an EVM payment receipted final. */
export function finalityDetail(f: ChainFinal): string {
  return `block ${f.blockNumber}; ${f.confirmations} confirmations when receipted, past the ${f.windowBlocks}-block reorg window`
}

/** A short clause (no secrets: the node's URL is not in rail errors' messages), no full stop. */
function messageOf(error: unknown): string {
  const text = (error instanceof Error ? error.message : String(error)).split(' — ')[0]!
  return text.replace(/[.\s]+$/, '').slice(0, 200) || 'no answer'
}
