/**
 * Lookup on the EVM rail: everything `classify` needs about many submissions, read in ONE JSON-RPC
 * batch request per sweep — the head, each source's mined nonce, each open transaction's receipt
 * and whether the node knows it, the canonical block hash at each watched confirmed submission's
 * height, and the receipt of each watched dead one (a deep reorg can let it land after all) —
 * plus a second request only when a dead transaction must be proven.
 *
 * "Dead" is proven, never guessed: a candidate (no receipt, the source's nonce moved past ours) is
 * dead only when a SECOND request, made after the first answered, shows the nonce counted at a
 * block confirmationsMin deep already past ours and our receipt still absent. Asking in that
 * order closes the race where our own transaction is mined between two calls of one batch.
 */
import { parseMinor } from '../../../../shared/money'
import { CsError } from '../../../../shared/errors'
import type { RailSubmission } from '../Rail'
import type { EvmRailSetup } from './evmRailSetup'
import { bigFromHex, hexQuantity } from './evmHex'
import { rpcBatch, type JsonRpcCall } from './jsonRpc'

type Address = `0x${string}`
type Hex = `0x${string}`

export interface EvmReceipt {
  status: Hex
  blockNumber: Hex
  blockHash: Hex
  gasUsed: Hex
  effectiveGasPrice: Hex
  logs: { address: Address; topics: Hex[]; data: Hex; logIndex: Hex }[]
}

/** Everything classify() needs about one submission, gathered by lookup(). */
export interface EvmObservation {
  head: bigint
  receipt: EvmReceipt | null
  /** The node knows the transaction (pending in its pool or mined). */
  known: boolean
  /** The source's mined nonce ('latest'). */
  latestNonce: bigint
  /** No receipt, and a nonce at least confirmationsMin deep already passed ours. */
  provablyDead: boolean
  /** For confirmed submissions: the canonical hash at their block height now (null: no block). */
  canonicalHash: string | null
}

/** The highest head a lookup has seen: the reorg window is counted from it (0 after a restart: watch all recent). */
export interface EvmHeadSeen {
  value: bigint
}

interface TxSeen {
  receipt: EvmReceipt | null
  known: boolean
}

interface FirstRound {
  head: bigint
  latestNonce: Map<string, bigint>
  receipts: Map<string, TxSeen>
  canonical: Map<string, string | null>
}

export async function lookupEvmSubmissions(
  setup: EvmRailSetup,
  headSeen: EvmHeadSeen,
  submissions: readonly RailSubmission[],
): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>()
  if (submissions.length === 0) return out
  const open = submissions.filter((s) => (s.state === 'signed' || s.state === 'broadcast') && s.tx_hash !== null)
  const confirmed = submissions.filter((s) => s.state === 'confirmed' && s.block_number !== null)
  const dead = submissions.filter((s) => s.state === 'dead' && s.tx_hash !== null)
  const first = await readFirstRound(setup, open, confirmed, dead)
  if (first.head > headSeen.value) headSeen.value = first.head
  const deadProven = await proveDead(setup, first, open)
  for (const s of submissions) {
    const seen = first.receipts.get(s.id)
    out.set(s.id, {
      head: first.head,
      receipt: seen?.receipt ?? null,
      known: seen?.known ?? false,
      latestNonce: first.latestNonce.get(s.source) ?? 0n,
      provablyDead: deadProven.has(s.id),
      canonicalHash: s.block_number !== null && s.state === 'confirmed' ? (first.canonical.get(s.block_number) ?? null) : null,
    } satisfies EvmObservation)
  }
  return out
}

async function readFirstRound(
  setup: EvmRailSetup,
  open: readonly RailSubmission[],
  confirmed: readonly RailSubmission[],
  dead: readonly RailSubmission[],
): Promise<FirstRound> {
  const sources = [...new Set(open.map((s) => s.source))]
  const heights = [...new Set(confirmed.map((s) => s.block_number!))]
  const calls: JsonRpcCall[] = [{ method: 'eth_blockNumber', params: [] }]
  for (const s of sources) calls.push({ method: 'eth_getTransactionCount', params: [s, 'latest'] })
  for (const s of open) {
    calls.push({ method: 'eth_getTransactionReceipt', params: [s.tx_hash] })
    calls.push({ method: 'eth_getTransactionByHash', params: [s.tx_hash] })
  }
  for (const h of heights) calls.push({ method: 'eth_getBlockByNumber', params: [hexQuantity(parseMinor(h)), false] })
  for (const s of dead) calls.push({ method: 'eth_getTransactionReceipt', params: [s.tx_hash] })
  const results = await rpcBatch(setup.url, calls)
  let i = 0
  const next = (): unknown => {
    const r = results[i]!
    const method = calls[i++]!.method
    if (!r.ok) {
      throw new CsError(
        'RAIL_UNAVAILABLE',
        `The EVM node refused ${method} (${r.message.slice(0, 120)}) — Countersign retries on the next sweep.`,
      )
    }
    return r.result
  }
  const head = bigFromHex(next())
  const latestNonce = new Map<string, bigint>()
  for (const s of sources) latestNonce.set(s, bigFromHex(next()))
  const receipts = new Map<string, TxSeen>()
  for (const s of open) {
    const receipt = next() as EvmReceipt | null
    const known = next() !== null
    receipts.set(s.id, { receipt, known: known || receipt !== null })
  }
  const canonical = new Map<string, string | null>()
  for (const h of heights) canonical.set(h, (next() as { hash?: string } | null)?.hash ?? null)
  for (const s of dead) {
    const receipt = next() as EvmReceipt | null
    receipts.set(s.id, { receipt, known: receipt !== null })
  }
  return { head, latestNonce, receipts, canonical }
}

/** The second request (see the file comment); a receipt found now replaces the missing one in `first`. */
async function proveDead(setup: EvmRailSetup, first: FirstRound, open: readonly RailSubmission[]): Promise<Set<string>> {
  const deadProven = new Set<string>()
  const candidates = open.filter((s) => first.receipts.get(s.id)!.receipt === null && first.latestNonce.get(s.source)! > nonceOf(s))
  if (candidates.length === 0) return deadProven
  const depthBlock = first.head - setup.confirmationsMin + 1n
  const sources = [...new Set(candidates.map((s) => s.source))]
  const calls: JsonRpcCall[] = [
    ...sources.map((s): JsonRpcCall => ({
      method: 'eth_getTransactionCount',
      params: [s, hexQuantity(depthBlock < 0n ? 0n : depthBlock)],
    })),
    ...candidates.map((s): JsonRpcCall => ({ method: 'eth_getTransactionReceipt', params: [s.tx_hash] })),
  ]
  const results = await rpcBatch(setup.url, calls)
  const nonceAtDepth = new Map<string, bigint>()
  sources.forEach((s, k) => {
    const r = results[k]!
    if (r.ok) nonceAtDepth.set(s, bigFromHex(r.result))
  })
  candidates.forEach((s, k) => {
    const r = results[sources.length + k]!
    if (!r.ok) return
    if (r.result !== null) {
      first.receipts.set(s.id, { receipt: r.result as EvmReceipt, known: true })
      return
    }
    const deep = nonceAtDepth.get(s.source)
    if (deep !== undefined && deep > nonceOf(s)) deadProven.add(s.id)
  })
  return deadProven
}

function nonceOf(s: RailSubmission): bigint {
  return parseMinor(s.nonce ?? '0')
}
