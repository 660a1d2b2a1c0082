/**
 * The chain's own view of an escrow's milestones, for the poller: what the payee (or anyone) did
 * without us — a claim after the release time — and what our own operations left. Each
 * milestone's `milestoneOf` and the latest block's time (the contract's clock) come in one
 * request; only when some milestone is settled are the escrow's Released / Resolved / Refunded
 * logs read (one eth_getLogs by id), for the split's two parts and the transaction and time of each.
 */
import { decodeEventLog, toEventSelector, type Hex } from 'viem'
import { CsError } from '../../../../../shared/errors'
import { assertNever } from '../../../util/invariant'
import type { EscrowOnRail, EscrowTerms, MilestoneOnRail } from '../../EscrowRail'
import { countersignEscrowAbi } from '../abi'
import { bigFromHex } from '../evmHex'
import { rpcBatch, rpcCall, type JsonRpcCall } from '../jsonRpc'
import { contractIndex } from './evmEscrowCall'
import type { EvmEscrowSetup } from './evmEscrowSetup'
import { readEvmEscrowMilestones, type ContractMilestone } from './readEvmEscrow'

const MS_PER_SECOND = 1_000n
const SETTLED_TOPICS = [
  toEventSelector('Released(bytes32,uint256,address,uint256,address)'),
  toEventSelector('Resolved(bytes32,uint256,uint256,uint256)'),
  toEventSelector('Refunded(bytes32,uint256,uint256)'),
]

interface RawLog {
  topics: Hex[]
  data: Hex
  transactionHash: Hex
  blockHash: Hex
  removed?: boolean
}

/** The settling event of one milestone, with its transaction and block time. */
interface Settled {
  eventName: 'Released' | 'Resolved' | 'Refunded'
  args: { toPayee?: bigint; toPayer?: bigint }
  txHash: string
  at: Date | null
}

export async function observeEvmEscrow(setup: EvmEscrowSetup, terms: EscrowTerms): Promise<EscrowOnRail> {
  const id = terms.railEscrowId as Hex
  const indexes = terms.milestones.map((m) => contractIndex(terms, m.index))
  const view = await readEvmEscrowMilestones(setup, id, indexes)
  const settledAny = [...view.milestones.values()].some((m) => m.state === 'released' || m.state === 'resolved' || m.state === 'refunded')
  const settled = settledAny ? await readSettledLogs(setup, id) : new Map<bigint, Settled>()
  const milestones = new Map<number, MilestoneOnRail>()
  for (const m of terms.milestones) {
    const i = BigInt(m.index - 1)
    milestones.set(m.index, toMilestoneOnRail(terms, m.index, view.milestones.get(i)!, settled.get(i)))
  }
  return { milestones, railNow: new Date(Number(view.now * MS_PER_SECOND)) }
}

function toMilestoneOnRail(terms: EscrowTerms, index: number, m: ContractMilestone, settled: Settled | undefined): MilestoneOnRail {
  const where = { txHash: settled?.txHash ?? null, at: settled?.at ?? null }
  switch (m.state) {
    case 'none':
      return { state: 'absent' }
    case 'open':
      return { state: 'held', amount: m.amount }
    case 'locked':
      return { state: 'locked', amount: m.amount }
    case 'released':
      return { state: 'released', amount: m.amount, ...where }
    case 'refunded':
      return { state: 'refunded', amount: m.amount, ...where }
    case 'resolved':
      if (settled?.eventName !== 'Resolved' || settled.args.toPayee === undefined || settled.args.toPayer === undefined) {
        throw new CsError(
          'RAIL_UNAVAILABLE',
          `Milestone ${index} of escrow ${terms.escrowId} was resolved on chain, but the node returned no Resolved log for it — use a node that keeps logs; Countersign asks again on the next sweep.`,
        )
      }
      return { state: 'split', toPayee: settled.args.toPayee, toPayer: settled.args.toPayer, ...where }
    default:
      return assertNever(m.state, 'milestone state')
  }
}

/** The escrow's settling events by 0-based milestone (the last one of each wins; there is one per milestone). */
async function readSettledLogs(setup: EvmEscrowSetup, id: Hex): Promise<Map<bigint, Settled>> {
  const filter = { address: setup.escrowContract, topics: [SETTLED_TOPICS, id], fromBlock: 'earliest', toBlock: 'latest' }
  const logs = (await rpcCall<RawLog[]>(setup.url, 'eth_getLogs', [filter])).filter((l) => l.removed !== true)
  const blocks = [...new Set(logs.map((l) => l.blockHash))]
  const results = await rpcBatch(
    setup.url,
    blocks.map((hash): JsonRpcCall => ({ method: 'eth_getBlockByHash', params: [hash, false] })),
  )
  const times = new Map<string, Date>()
  blocks.forEach((hash, k) => {
    const r = results[k]!
    const block = r.ok ? (r.result as { timestamp?: Hex } | null) : null
    if (block?.timestamp !== undefined) times.set(hash, new Date(Number(bigFromHex(block.timestamp) * MS_PER_SECOND)))
  })
  const out = new Map<bigint, Settled>()
  for (const log of logs) {
    const decoded = decodeEventLog({ abi: countersignEscrowAbi, topics: log.topics as [Hex, ...Hex[]], data: log.data })
    if (decoded.eventName !== 'Released' && decoded.eventName !== 'Resolved' && decoded.eventName !== 'Refunded') continue
    out.set(decoded.args.i, {
      eventName: decoded.eventName,
      args: decoded.eventName === 'Resolved' ? { toPayee: decoded.args.toPayee, toPayer: decoded.args.toPayer } : {},
      txHash: log.transactionHash,
      at: times.get(log.blockHash) ?? null,
    })
  }
  return out
}
