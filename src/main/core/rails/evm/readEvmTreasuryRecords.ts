/**
 * The EVM rail's outside records of one treasury address, for reconciliation — a PURE ADAPTER
 * like the rest of the rail: plain data in (node URL, addresses, a block window, hashes), plain
 * data out; no database. Two reads, both over JSON-RPC batches (one HTTP request per step):
 *
 * 1. `readEvmPullWindow`: where the next pull starts and ends. From the stored cursor (the last
 *    block read, its hash and the chain's genesis hash): the next block after it; from block 0
 *    when the chain is a NEW chain (another genesis, or the head fell below the cursor — the
 *    sandbox's Anvil restarted without its state); a few blocks back when only the cursor's block
 *    changed (a reorg). It ends at most `blocksPerPullMax` blocks later and never above the last
 *    block with `confirmationsMin` blocks on top (the engine books at that depth too).
 * 2. `readEvmTreasuryRecords`: in that window, every ERC-20 `Transfer` of the given tokens from
 *    or to the treasury (eth_getLogs, both directions), and the receipt of every transaction that
 *    moved them or that the caller names (its own submissions, which may have moved nothing:
 *    a reverted payout still paid gas). From the receipts: the gas of each transaction the
 *    treasury sent, the CountersignBatch `Paid` event that goes with each outgoing transfer (the
 *    log index the payout's booking records), and native payouts (`payNative`: `Paid` events of
 *    a `BatchPaid` whose token is address(0) — the treasury's ETH, sent through the contract).
 *
 * Not seen here: native ETH sent to the treasury by others and native value moved by contracts
 * other than CountersignBatch (neither leaves a log; only tracing would show them).
 */
import { getAddress, toEventSelector, type Address, type Hex } from 'viem'
import { CsError } from '../../../../shared/errors'
import { invariant } from '../../util/invariant'
import { bigFromHex, hexQuantity } from './evmHex'
import { rpcBatch, type JsonRpcCall, type JsonRpcResult } from './jsonRpc'

const TRANSFER_TOPIC = toEventSelector('Transfer(address,address,uint256)')
const PAID_TOPIC = toEventSelector('Paid(bytes32,uint256,address,uint256)')
const BATCH_PAID_TOPIC = toEventSelector('BatchPaid(bytes32,address,address,uint256,uint256)')
const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000'

/** Calls in one batch request while reading receipts and blocks (far below rpcBatchCallsMax). */
export const EVM_RECORD_CALLS_PER_BATCH_MAX = 1_000
/** Transactions whose receipts one pull reads: a window with more ends earlier (the next pull goes on). */
export const EVM_RECEIPTS_PER_PULL_MAX = 2_000

/** Where the last pull stopped: its last block, that block's hash and the chain's genesis hash. */
export interface EvmPullCursor {
  block: bigint
  hash: string
  genesis: string
}

export interface ReadEvmPullWindowParameters {
  url: string
  cursor: EvmPullCursor | null
  /**
   * Without a cursor, on a chain longer than `youngChainBlocksMax`: the first block to read (the
   * caller's earliest transaction there); null: the last `blocksPerPullMax` blocks. A young chain
   * (a sandbox, a devnet) is read from its genesis, so its opening deposits are seen too.
   */
  startBlock: bigint | null
  youngChainBlocksMax: bigint
  confirmationsMin: bigint
  blocksPerPullMax: bigint
  /** After a reorg at the cursor, read again from this many blocks before it. */
  reorgStepBackBlocks: bigint
}

export interface EvmPullWindow {
  head: bigint
  genesis: string
  /** First and last block to read; `from > to` when there is nothing new deep enough. */
  from: bigint
  to: bigint
  /** Why the window does not simply follow the cursor. */
  restart: 'new-chain' | 'reorg' | null
}

export type ReadEvmPullWindowReturnType = EvmPullWindow

export async function readEvmPullWindow(p: ReadEvmPullWindowParameters): Promise<EvmPullWindow> {
  invariant(p.confirmationsMin >= 1n && p.blocksPerPullMax >= 1n, 'confirmationsMin and blocksPerPullMax must be at least 1')
  const calls: JsonRpcCall[] = [
    { method: 'eth_blockNumber', params: [] },
    { method: 'eth_getBlockByNumber', params: ['0x0', false] },
  ]
  if (p.cursor) calls.push({ method: 'eth_getBlockByNumber', params: [hexQuantity(p.cursor.block), false] })
  const results = await rpcBatch(p.url, calls)
  const head = bigFromHex(answer(results, 0, 'eth_blockNumber'))
  const genesis = blockHash(answer(results, 1, 'eth_getBlockByNumber'))
  invariant(genesis !== null, 'the node has no genesis block')
  const safeHead = head - p.confirmationsMin + 1n
  let from = head <= p.youngChainBlocksMax ? 0n : (p.startBlock ?? max(0n, safeHead - p.blocksPerPullMax + 1n))
  let restart: EvmPullWindow['restart'] = null
  if (p.cursor) {
    const atCursor = p.cursor.block <= head ? blockHash(answer(results, 2, 'eth_getBlockByNumber')) : null
    if (p.cursor.genesis !== genesis || p.cursor.block > head) {
      from = 0n
      restart = 'new-chain'
    } else if (atCursor !== p.cursor.hash) {
      from = max(0n, p.cursor.block - p.reorgStepBackBlocks)
      restart = 'reorg'
    } else from = p.cursor.block + 1n
  }
  const end = from + p.blocksPerPullMax - 1n
  return { head, genesis, from, to: end < safeHead ? end : safeHead, restart }
}

export interface EvmTokenTransfer {
  txHash: Hex
  logIndex: number
  blockNumber: bigint
  /** Unix seconds of the block. */
  timestamp: number
  token: Address
  from: Address
  to: Address
  amount: bigint
  /** Outgoing payouts through CountersignBatch: the `Paid` event of this transfer (its log index is the booking's). */
  paid: { logIndex: number; index: bigint } | null
}

/** One payout of a `payNative` call the treasury made (the ETH left with the call's value). */
export interface EvmNativePayout {
  txHash: Hex
  /** The `Paid` event's log index. */
  logIndex: number
  index: bigint
  blockNumber: bigint
  timestamp: number
  to: Address
  amount: bigint
}

/** The gas of one transaction the treasury sent (gasUsed × effectiveGasPrice, in wei). */
export interface EvmGasPaid {
  txHash: Hex
  blockNumber: bigint
  timestamp: number
  fee: bigint
  reverted: boolean
}

export interface ReadEvmTreasuryRecordsParameters {
  url: string
  treasury: Address
  batchContract: Address
  /** ERC-20 contracts whose transfers are wanted. */
  tokens: readonly Address[]
  from: bigint
  to: bigint
  /** Transactions of the treasury the caller knows (its submissions in this window), read even without a transfer. */
  ownTxHashes: readonly string[]
}

export interface EvmTreasuryRecords {
  /** The last block read and its hash: the next cursor. */
  to: bigint
  toHash: string
  transfers: EvmTokenTransfer[]
  nativePayouts: EvmNativePayout[]
  gas: EvmGasPaid[]
}

export type ReadEvmTreasuryRecordsReturnType = EvmTreasuryRecords

interface RpcLog {
  address: Address
  topics: Hex[]
  data: Hex
  logIndex: Hex
  blockNumber: Hex
  transactionHash: Hex
  removed?: boolean
}

interface RpcReceipt {
  transactionHash: Hex
  from: Address
  status: Hex
  blockNumber: Hex
  gasUsed: Hex
  effectiveGasPrice: Hex
  logs: RpcLog[]
}

export async function readEvmTreasuryRecords(p: ReadEvmTreasuryRecordsParameters): Promise<EvmTreasuryRecords> {
  invariant(p.from <= p.to, () => `an empty block window ${p.from}–${p.to}`)
  const treasury = getAddress(p.treasury)
  const treasuryTopic = `0x${treasury.slice(2).toLowerCase().padStart(64, '0')}` as Hex
  const range = { fromBlock: hexQuantity(p.from), toBlock: hexQuantity(p.to) }
  const calls: JsonRpcCall[] = [{ method: 'eth_getBlockByNumber', params: [hexQuantity(p.to), false] }]
  for (const token of p.tokens) {
    calls.push({ method: 'eth_getLogs', params: [{ ...range, address: token, topics: [TRANSFER_TOPIC, treasuryTopic] }] })
    calls.push({ method: 'eth_getLogs', params: [{ ...range, address: token, topics: [TRANSFER_TOPIC, null, treasuryTopic] }] })
  }
  const first = await rpcBatch(p.url, calls)
  let toHash = blockHash(answer(first, 0, 'eth_getBlockByNumber'))
  invariant(toHash !== null, () => `the node has no block ${p.to} below its head`)
  const found: RpcLog[] = []
  for (let i = 1; i < calls.length; i++) found.push(...(answer(first, i, 'eth_getLogs') as RpcLog[]).filter((l) => l.removed !== true))

  // A window with more transactions than one pull reads ends earlier; the next pull goes on from there.
  const to = windowEnd(found, p.from, p.to, p.ownTxHashes.length)
  if (to !== p.to) {
    toHash = blockHash(
      answer(await rpcBatch(p.url, [{ method: 'eth_getBlockByNumber', params: [hexQuantity(to), false] }]), 0, 'eth_getBlockByNumber'),
    )
    invariant(toHash !== null, () => `the node has no block ${to} below its head`)
  }
  const logs = found.filter((l) => bigFromHex(l.blockNumber) <= to)
  const hashes = [...new Set([...logs.map((l) => l.transactionHash.toLowerCase()), ...p.ownTxHashes.map((h) => h.toLowerCase())])]
  const receipts = (await batchedCalls(
    p.url,
    hashes.map((h) => ({ method: 'eth_getTransactionReceipt', params: [h] })),
  )) as (RpcReceipt | null)[]
  const byHash = new Map<string, RpcReceipt>()
  for (const r of receipts) {
    // Outside the window (an own transaction in a block a later pull reads): left for that pull.
    if (r === null) continue
    const n = bigFromHex(r.blockNumber)
    if (n >= p.from && n <= to) byHash.set(r.transactionHash.toLowerCase(), r)
  }
  const blocks = [...new Set([...byHash.values()].map((r) => r.blockNumber))]
  const stamps = await batchedCalls(
    p.url,
    blocks.map((b) => ({ method: 'eth_getBlockByNumber', params: [b, false] })),
  )
  const timeOf = new Map<string, number>()
  blocks.forEach((b, i) => timeOf.set(b, Number(bigFromHex((stamps[i] as { timestamp?: unknown } | null)?.timestamp))))

  const transfers: EvmTokenTransfer[] = []
  const claimedPaid = new Set<string>()
  for (const log of logs) {
    const receipt = byHash.get(log.transactionHash.toLowerCase())
    if (!receipt) continue
    const t = decodeTransfer(log, timeOf.get(receipt.blockNumber)!)
    // A registered token that logs a Transfer of another shape is not an ERC-20 movement we can read.
    if (t === null) continue
    const paid =
      t.from === treasury && getAddress(receipt.from) === treasury ? paidOf(receipt, t, p.batchContract, treasury, claimedPaid) : null
    transfers.push({ ...t, paid })
  }
  transfers.sort((a, b) => (a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1))

  const nativePayouts: EvmNativePayout[] = []
  const gas: EvmGasPaid[] = []
  for (const r of [...byHash.values()].sort((a, b) => compareReceipts(a, b))) {
    if (getAddress(r.from) !== treasury) continue
    const timestamp = timeOf.get(r.blockNumber)!
    const blockNumber = bigFromHex(r.blockNumber)
    gas.push({
      txHash: r.transactionHash,
      blockNumber,
      timestamp,
      fee: bigFromHex(r.gasUsed) * bigFromHex(r.effectiveGasPrice),
      reverted: bigFromHex(r.status) !== 1n,
    })
    for (const n of nativePaidOf(r, p.batchContract, treasury))
      nativePayouts.push({ ...n, txHash: r.transactionHash, blockNumber, timestamp })
  }
  return { to, toHash, transfers, nativePayouts, gas }
}

/**
 * The last block of the window whose transactions (those of its logs, plus the caller's own,
 * counted whole) stay within EVM_RECEIPTS_PER_PULL_MAX — at least the first block with logs, so a
 * pull always moves on.
 */
function windowEnd(logs: readonly RpcLog[], from: bigint, to: bigint, ownCount: number): bigint {
  const byBlock = new Map<bigint, Set<string>>()
  for (const l of logs) {
    const n = bigFromHex(l.blockNumber)
    const set = byBlock.get(n) ?? new Set<string>()
    set.add(l.transactionHash.toLowerCase())
    byBlock.set(n, set)
  }
  let count = ownCount
  for (const n of [...byBlock.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    count += byBlock.get(n)!.size
    if (count > EVM_RECEIPTS_PER_PULL_MAX) return n > from ? n - 1n : n
  }
  return to
}

function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b
}

function compareReceipts(a: RpcReceipt, b: RpcReceipt): number {
  const x = bigFromHex(a.blockNumber)
  const y = bigFromHex(b.blockNumber)
  return x === y ? a.transactionHash.localeCompare(b.transactionHash) : x < y ? -1 : 1
}

function decodeTransfer(log: RpcLog, timestamp: number): Omit<EvmTokenTransfer, 'paid'> | null {
  if (log.topics.length !== 3 || !/^0x[0-9a-fA-F]{64}$/.test(log.data)) return null
  return {
    txHash: log.transactionHash,
    logIndex: Number(bigFromHex(log.logIndex)),
    blockNumber: bigFromHex(log.blockNumber),
    timestamp,
    token: getAddress(log.address),
    from: topicAddress(log.topics[1]!),
    to: topicAddress(log.topics[2]!),
    amount: BigInt(log.data),
  }
}

/**
 * The `Paid` event that records this transfer: CountersignBatch emits it right after each
 * transferFrom, for the same recipient and amount, in a call whose `BatchPaid` names the treasury
 * as payer and this token. The first unclaimed one after the transfer's log is taken.
 */
function paidOf(
  receipt: RpcReceipt,
  t: Omit<EvmTokenTransfer, 'paid'>,
  batchContract: Address,
  treasury: Address,
  claimed: Set<string>,
): EvmTokenTransfer['paid'] {
  const batches = batchesOf(receipt, batchContract, treasury)
  for (const log of receipt.logs) {
    const index = Number(bigFromHex(log.logIndex))
    if (index <= t.logIndex || !isPaid(log, batchContract)) continue
    const key = `${receipt.transactionHash}:${index}`
    if (claimed.has(key) || batches.get(log.topics[1]!.toLowerCase()) !== t.token) continue
    if (topicAddress(log.topics[3]!) !== t.to || BigInt(log.data) !== t.amount) continue
    claimed.add(key)
    return { logIndex: index, index: BigInt(log.topics[2]!) }
  }
  return null
}

/** The `Paid` events of the treasury's native batches in one receipt. */
function nativePaidOf(
  receipt: RpcReceipt,
  batchContract: Address,
  treasury: Address,
): Omit<EvmNativePayout, 'txHash' | 'blockNumber' | 'timestamp'>[] {
  const batches = batchesOf(receipt, batchContract, treasury)
  const out: Omit<EvmNativePayout, 'txHash' | 'blockNumber' | 'timestamp'>[] = []
  for (const log of receipt.logs) {
    if (!isPaid(log, batchContract) || batches.get(log.topics[1]!.toLowerCase()) !== ZERO_ADDRESS) continue
    out.push({
      logIndex: Number(bigFromHex(log.logIndex)),
      index: BigInt(log.topics[2]!),
      to: topicAddress(log.topics[3]!),
      amount: BigInt(log.data),
    })
  }
  return out
}

/** batchRef → token of each `BatchPaid(batchRef, payer = treasury, token)` of our contract in the receipt. */
function batchesOf(receipt: RpcReceipt, batchContract: Address, treasury: Address): Map<string, Address> {
  const out = new Map<string, Address>()
  for (const log of receipt.logs) {
    if (getAddress(log.address) !== batchContract || log.topics[0] !== BATCH_PAID_TOPIC || log.topics.length !== 4) continue
    if (topicAddress(log.topics[2]!) === treasury) out.set(log.topics[1]!.toLowerCase(), topicAddress(log.topics[3]!))
  }
  return out
}

function isPaid(log: RpcLog, batchContract: Address): boolean {
  return (
    getAddress(log.address) === batchContract &&
    log.topics[0] === PAID_TOPIC &&
    log.topics.length === 4 &&
    /^0x[0-9a-fA-F]{64}$/.test(log.data)
  )
}

function topicAddress(topic: Hex): Address {
  return getAddress(`0x${topic.slice(26)}`)
}

function blockHash(block: unknown): string | null {
  const hash = (block as { hash?: unknown } | null)?.hash
  return typeof hash === 'string' ? hash : null
}

function answer(results: readonly JsonRpcResult[], i: number, method: string): unknown {
  const r = results[i]
  invariant(r !== undefined, () => `no answer ${i} in the batch`)
  if (!r.ok) {
    throw new CsError('RAIL_UNAVAILABLE', `The EVM node refused ${method} (${r.message.slice(0, 120)}) — the next pull tries again.`)
  }
  return r.result
}

/** Many calls in batches of EVM_RECORD_CALLS_PER_BATCH_MAX; every answer must be ok. */
async function batchedCalls(url: string, calls: readonly JsonRpcCall[]): Promise<unknown[]> {
  const out: unknown[] = []
  for (let start = 0; start < calls.length; start += EVM_RECORD_CALLS_PER_BATCH_MAX) {
    const chunk = calls.slice(start, start + EVM_RECORD_CALLS_PER_BATCH_MAX)
    const results = await rpcBatch(url, chunk)
    chunk.forEach((c, i) => out.push(answer(results, i, c.method)))
  }
  return out
}
