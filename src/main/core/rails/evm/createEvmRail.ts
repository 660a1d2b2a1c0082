/**
 * The EVM rail for one chain: payouts go out through CountersignBatch (payToken / payNative),
 * one EIP-1559 transaction per chunk, signed on the Ledger, confirmed after `confirmationsMin`
 * blocks and watched for reorgs afterwards.
 *
 * Identity of a chunk: batchRef = keccak256("countersign:evm:<chainId>:<batchId>:<chunkIndex>").
 * A retry of a chunk (after it failed or died) keeps its payouts, their order and its batchRef,
 * and gets a new nonce. The contract accepts a (payer, batchRef) pair once, so whatever the
 * engine believes, at most one of the attempts of a chunk can ever pay: even a wrongly declared
 * "dead" transaction that lands later cannot pay twice — the second one reverts BatchRefUsed.
 */
import {
  decodeEventLog,
  encodeFunctionData,
  getAddress,
  keccak256,
  parseTransaction,
  serializeTransaction,
  toEventSelector,
  toHex,
  type Hex,
  type TransactionSerializableEIP1559,
} from 'viem'
import { CsError } from '../../../../shared/errors'
import { formatAmount, parseMinor } from '../../../../shared/money'
import type { CoreContext } from '../../context'
import { chunkPayoutIds } from '../../payouts/execute/executionStore'
import type { AssetRow, PayoutRow, SubmissionRow } from '../../db/schema'
import { assetIdFor } from '../../ledger'
import type { Signer } from '../../signing/Signer'
import type {
  BroadcastOutcome,
  BuiltSubmission,
  ConfirmedPayout,
  PlannedChunk,
  Rail,
  RailSignOptions,
  SignedSubmission,
  Verdict,
} from '../Rail'
import { countersignBatchAbi, countersignBatchRuntimeCodeHash } from './abi'
import { evmRailDefaults, gasPerTxMax, type EvmChainConfig } from './evmRailConfig'
import { rpcBatch, rpcCall, RpcError, RpcTransportError, type JsonRpcCall } from './jsonRpc'

type Address = `0x${string}`

/** What plan() decided for one chunk; JSON-able (bigints as decimal text). */
interface EvmPrepared {
  kind: 'token' | 'native'
  token: Address | null
  gasLimit: string
  maxFeePerGas: string
  maxPriorityFeePerGas: string
  /** The source's pending nonce on the node when planned; build() reserves max(this, stored). */
  chainNonce: string
}

interface RpcReceipt {
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
  receipt: RpcReceipt | null
  /** The node knows the transaction (pending in its pool or mined). */
  known: boolean
  /** The source's mined nonce ('latest'). */
  latestNonce: bigint
  /** No receipt, and a nonce at least confirmationsMin deep already passed ours. */
  provablyDead: boolean
  /** For confirmed submissions: the canonical hash at their block height now (null: no block). */
  canonicalHash: string | null
  batchRef: Hex
  payoutIds: readonly string[]
}

const paidTopic = toEventSelector('Paid(bytes32,uint256,address,uint256)')

export function evmBatchRef(chainId: number, batchId: string, chunkIndex: number): Hex {
  return keccak256(toHex(`countersign:evm:${chainId}:${batchId}:${chunkIndex}`))
}

const hexQ = (n: bigint): Hex => `0x${n.toString(16)}`
const big = (h: unknown): bigint => {
  if (typeof h !== 'string' || !/^0x[0-9a-fA-F]+$/.test(h))
    throw new Error(`invariant: expected a hex quantity, got ${String(h).slice(0, 40)}`)
  return BigInt(h)
}

export interface CreateEvmRailOptions {
  /** Override for tests and benches (a counting proxy): the URL requests go to. */
  rpcUrl?: string
}

export function createEvmRail(config: EvmChainConfig, options: CreateEvmRailOptions = {}): Rail {
  const chainId = config.chainId
  const network = String(chainId)
  const url = options.rpcUrl ?? config.rpcUrl
  const batchContract = getAddress(config.batchContract)
  const source = { address: getAddress(config.source.address), path: config.source.path }
  const feeAssetId = assetIdFor('ETH', 'evm', network)
  const reorgWatchBlocks = BigInt(config.reorgWatchBlocks ?? evmRailDefaults.reorgWatchBlocks)
  const confirmationsMin = BigInt(config.confirmationsMin)
  if (confirmationsMin < 1n) throw new Error('invariant: confirmationsMin must be at least 1')
  /** Highest head seen; the reorg window is counted from it. In memory: 0 after a restart = watch all recent. */
  let headSeen = 0n
  /** The contract check is made once per process: code at an address does not change under us. */
  let contractChecked = false

  const usableGas = (gasPerTxMax * evmRailDefaults.gasCapUsableNumerator) / evmRailDefaults.gasCapUsableDenominator

  async function call<T>(method: string, params: readonly unknown[]): Promise<T> {
    return rpcCall<T>(url, method, params)
  }

  async function checkChainAndContract(): Promise<void> {
    if (contractChecked) return
    const remoteChainId = big(await call<Hex>('eth_chainId', []))
    if (remoteChainId !== BigInt(chainId)) {
      throw new CsError(
        'CHAIN_MISMATCH',
        `The node at the configured RPC URL is on chain ${remoteChainId}, not ${chainId} — fix the RPC URL for chain ${chainId}.`,
      )
    }
    const code = await call<Hex>('eth_getCode', [batchContract, 'latest'])
    if (code === '0x' || keccak256(code) !== countersignBatchRuntimeCodeHash) {
      throw new CsError(
        'CONTRACT_MISMATCH',
        `The batch contract ${batchContract} on chain ${chainId} is not the audited CountersignBatch — check the configured address; nothing was signed.`,
      )
    }
    contractChecked = true
  }

  async function fees(): Promise<{ maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }> {
    const block = await call<{ baseFeePerGas?: Hex } | null>('eth_getBlockByNumber', ['latest', false])
    if (!block?.baseFeePerGas)
      throw new CsError('RAIL_UNAVAILABLE', `Chain ${chainId} reports no base fee — the EVM rail needs an EIP-1559 chain.`)
    let priority: bigint
    try {
      priority = big(await call<Hex>('eth_maxPriorityFeePerGas', []))
    } catch (error) {
      if (!(error instanceof RpcError)) throw error
      priority = evmRailDefaults.priorityFeeFallbackWei
    }
    const maxFeePerGas = big(block.baseFeePerGas) * evmRailDefaults.baseFeeMultiplier + priority
    if (maxFeePerGas > config.maxFeePerGasCap) {
      throw new CsError(
        'FEE_CAP_EXCEEDED',
        `Gas on chain ${chainId} costs up to ${formatAmount(maxFeePerGas, 9)} gwei now, above your cap of ${formatAmount(config.maxFeePerGasCap, 9)} gwei — nothing was signed; wait for fees to fall or raise the cap.`,
        { details: { maxFeePerGas: maxFeePerGas.toString(), cap: config.maxFeePerGasCap.toString() } },
      )
    }
    return { maxFeePerGas, maxPriorityFeePerGas: priority < maxFeePerGas ? priority : maxFeePerGas }
  }

  function assetOf(ctx: CoreContext, assetId: string): AssetRow {
    const asset = ctx.db.first(ctx.db.k.selectFrom('assets').selectAll().where('id', '=', assetId))
    if (!asset) throw new CsError('ASSET_NOT_FOUND', `There is no asset "${assetId}" — register it before executing payouts in it.`)
    if (asset.rail !== 'evm' || asset.network !== network) {
      throw new Error(`invariant: asset ${assetId} is not on evm:${network} but its payout was routed there`)
    }
    return asset
  }

  function callData(kind: 'token' | 'native', token: Address | null, recipients: Address[], amounts: bigint[], batchRef: Hex): Hex {
    return kind === 'token'
      ? encodeFunctionData({ abi: countersignBatchAbi, functionName: 'payToken', args: [token!, recipients, amounts, batchRef] })
      : encodeFunctionData({ abi: countersignBatchAbi, functionName: 'payNative', args: [recipients, amounts, batchRef] })
  }

  function chunkArgs(payouts: readonly PayoutRow[]): { recipients: Address[]; amounts: bigint[]; value: bigint } {
    const recipients = payouts.map((p) => getAddress(p.recipient))
    const amounts = payouts.map((p) => parseMinor(p.amount))
    return { recipients, amounts, value: amounts.reduce((s, a) => s + a, 0n) }
  }

  async function estimate(kind: 'token' | 'native', token: Address | null, payouts: readonly PayoutRow[], batchRef: Hex): Promise<bigint> {
    const { recipients, amounts, value } = chunkArgs(payouts)
    try {
      return big(
        await call<Hex>('eth_estimateGas', [
          {
            from: source.address,
            to: batchContract,
            data: callData(kind, token, recipients, amounts, batchRef),
            value: hexQ(kind === 'native' ? value : 0n),
          },
        ]),
      )
    } catch (error) {
      if (!(error instanceof RpcError)) throw error
      // The node says the call would revert (no allowance, not enough balance, a bad recipient):
      // refuse now, before anything is signed.
      throw new CsError(
        'PREFLIGHT_FAILED',
        `The batch contract would refuse this chunk on chain ${chainId} (${error.rpcMessage.slice(0, 160)}) — check the treasury's balance and allowance; nothing was signed.`,
        { cause: error },
      )
    }
  }

  async function prepareOne(
    ctx: CoreContext,
    batchId: string,
    chunkIndex: number,
    payouts: readonly PayoutRow[],
    fee: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint },
    chainNonce: bigint,
    allowSplit: boolean,
    depth = 0,
  ): Promise<{ payouts: readonly PayoutRow[]; prepared: EvmPrepared }[]> {
    const asset = assetOf(ctx, payouts[0]!.asset_id)
    const kind = asset.issuer === null ? 'native' : 'token'
    const token = asset.issuer === null ? null : getAddress(asset.issuer)
    const gas = await estimate(kind, token, payouts, evmBatchRef(chainId, batchId, chunkIndex))
    if (gas > usableGas) {
      if (!allowSplit || payouts.length < 2 || depth >= evmRailDefaults.chunkSplitDepthMax) {
        throw new CsError(
          'CHUNK_TOO_LARGE',
          `A chunk of ${payouts.length} payouts needs ${gas} gas, above the ${usableGas} a transaction may safely use on chain ${chainId} — split the batch.`,
        )
      }
      const half = Math.ceil(payouts.length / 2)
      // Indexes are assigned by the caller after splitting; estimate with a placeholder ref.
      const a = await prepareOne(ctx, batchId, chunkIndex, payouts.slice(0, half), fee, chainNonce, true, depth + 1)
      const b = await prepareOne(ctx, batchId, chunkIndex, payouts.slice(half), fee, chainNonce, true, depth + 1)
      return [...a, ...b]
    }
    const headroom = (gas * evmRailDefaults.gasLimitHeadroomNumerator) / evmRailDefaults.gasLimitHeadroomDenominator
    const gasLimit = headroom > gasPerTxMax ? gasPerTxMax : headroom
    return [
      {
        payouts,
        prepared: {
          kind,
          token,
          gasLimit: gasLimit.toString(),
          maxFeePerGas: fee.maxFeePerGas.toString(),
          maxPriorityFeePerGas: fee.maxPriorityFeePerGas.toString(),
          chainNonce: chainNonce.toString(),
        },
      },
    ]
  }

  /** Static cut by an upper bound per payout; the node's estimate then confirms (or halves) each. */
  function cut(payouts: readonly PayoutRow[], kind: 'token' | 'native'): PayoutRow[][] {
    const per = kind === 'token' ? evmRailDefaults.gasPerTokenPayoutBound : evmRailDefaults.gasPerNativePayoutBound
    const byGas = Number((usableGas - evmRailDefaults.gasPerChunkBase) / per)
    const size = Math.max(1, Math.min(byGas, config.payoutsPerChunkMax ?? byGas))
    const out: PayoutRow[][] = []
    for (let i = 0; i < payouts.length; i += size) out.push(payouts.slice(i, i + size))
    return out
  }

  function storedPrepared(value: unknown): EvmPrepared {
    const p = value as EvmPrepared
    if (p === null || typeof p !== 'object' || (p.kind !== 'token' && p.kind !== 'native'))
      throw new Error('invariant: not an EVM chunk plan')
    return p
  }

  function parseUnsigned(submission: SubmissionRow): TransactionSerializableEIP1559 {
    if (submission.unsigned_payload === null) throw new Error(`invariant: submission ${submission.id} has no unsigned payload`)
    const tx = parseTransaction(submission.unsigned_payload as Hex)
    if (tx.type !== 'eip1559') throw new Error(`invariant: submission ${submission.id} is not an EIP-1559 transaction`)
    return tx
  }

  return {
    rail: 'evm',
    network,
    source,
    feeAssetId,

    async plan(ctx, batchId, payouts, chunkIndexStart) {
      await checkChainAndContract()
      const fee = await fees()
      const chainNonce = big(await call<Hex>('eth_getTransactionCount', [source.address, 'pending']))
      // Group by asset in first-seen row order: one asset per transaction (payToken / payNative).
      const byAsset = new Map<string, PayoutRow[]>()
      for (const p of payouts) {
        const list = byAsset.get(p.asset_id) ?? []
        list.push(p)
        byAsset.set(p.asset_id, list)
      }
      const out: PlannedChunk[] = []
      let chunkIndex = chunkIndexStart
      for (const [assetId, list] of byAsset) {
        const kind = assetOf(ctx, assetId).issuer === null ? 'native' : 'token'
        for (const piece of cut(list, kind)) {
          for (const part of await prepareOne(ctx, batchId, chunkIndex, piece, fee, chainNonce, true)) {
            out.push({ chunkIndex, assetId, payoutIds: part.payouts.map((p) => p.id), prepared: part.prepared })
            chunkIndex++
          }
        }
      }
      return out
    },

    async prepare(ctx, batchId, chunks) {
      await checkChainAndContract()
      const fee = await fees()
      const chainNonce = big(await call<Hex>('eth_getTransactionCount', [source.address, 'pending']))
      const out: PlannedChunk[] = []
      for (const c of chunks) {
        // No splitting: a retried chunk keeps its payouts and batchRef (see the file comment).
        const [part] = await prepareOne(ctx, batchId, c.chunkIndex, c.payouts, fee, chainNonce, false)
        out.push({
          chunkIndex: c.chunkIndex,
          assetId: c.payouts[0]!.asset_id,
          payoutIds: c.payouts.map((p) => p.id),
          prepared: part!.prepared,
        })
      }
      return out
    },

    build(ctx, batchId, chunk, attempt, payouts): BuiltSubmission {
      if (!ctx.db.sqlite.inTransaction) throw new Error('invariant: build must run inside the transaction that records the submission')
      const p = storedPrepared(chunk.prepared)
      // Nonce reservation: the next free nonce is the larger of what we reserved before and what
      // the node had pending at planning time (another wallet may have used the key).
      const row = ctx.db.first(
        ctx.db.k
          .selectFrom('nonces')
          .selectAll()
          .where('rail', '=', 'evm')
          .where('network', '=', network)
          .where('source', '=', source.address),
      )
      const stored = row ? parseMinor(row.next) : 0n
      const chainNonce = parseMinor(p.chainNonce)
      const nonce = stored > chainNonce ? stored : chainNonce
      const next = (nonce + 1n).toString()
      if (row) {
        ctx.db.run(
          ctx.db.k
            .updateTable('nonces')
            .set({ next })
            .where('rail', '=', 'evm')
            .where('network', '=', network)
            .where('source', '=', source.address)
            .where('next', '=', row.next),
        )
      } else {
        ctx.db.run(ctx.db.k.insertInto('nonces').values({ rail: 'evm', network, source: source.address, next }))
      }
      const byId = new Map(payouts.map((x) => [x.id, x]))
      const ordered = chunk.payoutIds.map((id) => byId.get(id) ?? assertNever(`payout ${id} missing from build input`))
      const { recipients, amounts, value } = chunkArgs(ordered)
      const batchRef = evmBatchRef(chainId, batchId, chunk.chunkIndex)
      const gas = parseMinor(p.gasLimit)
      const maxFeePerGas = parseMinor(p.maxFeePerGas)
      const tx: TransactionSerializableEIP1559 = {
        type: 'eip1559',
        chainId,
        nonce: Number(nonce),
        to: batchContract,
        data: callData(p.kind, p.token, recipients, amounts, batchRef),
        value: p.kind === 'native' ? value : 0n,
        gas,
        maxFeePerGas,
        maxPriorityFeePerGas: parseMinor(p.maxPriorityFeePerGas),
      }
      return {
        source: source.address,
        nonce: nonce.toString(),
        idempotencyKey: `evm:${chainId}:${batchRef}:${attempt}`,
        unsignedPayload: serializeTransaction(tx),
        feeCap: (gas * maxFeePerGas).toString(),
      }
    },

    async nonceConsumed(_ctx, submission) {
      if (submission.nonce === null) throw new Error(`invariant: EVM submission ${submission.id} has no nonce`)
      const latest = big(await call<Hex>('eth_getTransactionCount', [submission.source, 'latest']))
      return latest > parseMinor(submission.nonce)
    },

    async sign(_ctx, submission, signer: Signer, options: RailSignOptions = {}): Promise<SignedSubmission> {
      const tx = parseUnsigned(submission)
      // Checked again at the last moment: the cap or the contract may have been reconfigured
      // since planning, and what the device signs is what will be sent.
      if (tx.chainId !== chainId || tx.to === undefined || tx.to === null || getAddress(tx.to) !== batchContract) {
        throw new CsError(
          'CONTRACT_MISMATCH',
          `Submission ${submission.id} is not a call to the configured batch contract on chain ${chainId} — nothing was signed.`,
        )
      }
      if ((tx.maxFeePerGas ?? 0n) > config.maxFeePerGasCap) {
        throw new CsError(
          'FEE_CAP_EXCEEDED',
          `This transaction allows up to ${formatAmount(tx.maxFeePerGas ?? 0n, 9)} gwei per gas, above your cap of ${formatAmount(config.maxFeePerGasCap, 9)} gwei — nothing was signed.`,
        )
      }
      const [signature] = await signer.signEvmTransactions(
        [{ path: source.path, expectedAddress: source.address, unsignedTransaction: submission.unsigned_payload as Hex }],
        options.onProgress ? { onProgress: options.onProgress } : {},
      )
      if (!signature) throw new Error('invariant: the signer returned no signature')
      const signed = serializeTransaction(tx, { r: signature.r, s: signature.s, yParity: signature.yParity })
      return { signedPayload: signed, txHash: keccak256(signed) }
    },

    async broadcast(_ctx, submission): Promise<BroadcastOutcome> {
      if (submission.signed_payload === null) throw new Error(`invariant: broadcast of unsigned submission ${submission.id}`)
      try {
        await call<Hex>('eth_sendRawTransaction', [submission.signed_payload])
        return { kind: 'sent' }
      } catch (error) {
        if (error instanceof RpcTransportError && error.delivered === 'no') return { kind: 'unreachable', message: error.message }
        // "already known", "nonce too low", a timeout: the bytes may be out there.
        return { kind: 'maybe-sent', message: error instanceof Error ? error.message : String(error) }
      }
    },

    async rebroadcast(_ctx, submissions) {
      const calls = submissions
        .filter((s) => s.signed_payload !== null)
        .map((s): JsonRpcCall => ({ method: 'eth_sendRawTransaction', params: [s.signed_payload] }))
      // Per-call errors ("already known", "nonce too low") are expected; lookup decides.
      await rpcBatch(url, calls)
    },

    watchedConfirmed(ctx) {
      const recent = ctx.db.sqlite
        .prepare(
          `SELECT * FROM submissions WHERE rail = 'evm' AND network = ? AND state = 'confirmed'
           ORDER BY CAST(block_number AS INTEGER) DESC LIMIT ?`,
        )
        .all(network, evmRailDefaults.watchedConfirmedMax) as SubmissionRow[]
      return recent.filter((s) => headSeen === 0n || parseMinor(s.block_number ?? '0') + reorgWatchBlocks >= headSeen)
    },

    async lookup(ctx, submissions) {
      const out = new Map<string, unknown>()
      if (submissions.length === 0) return out
      const open = submissions.filter((s) => (s.state === 'signed' || s.state === 'broadcast') && s.tx_hash !== null)
      const confirmed = submissions.filter((s) => s.state === 'confirmed' && s.block_number !== null)
      const sources = [...new Set(open.map((s) => s.source))]
      const heights = [...new Set(confirmed.map((s) => s.block_number!))]
      // ONE request: head, each source's mined nonce, each open tx's receipt and whether the node
      // knows it, and the canonical block at each confirmed submission's height.
      const calls: JsonRpcCall[] = [{ method: 'eth_blockNumber', params: [] }]
      for (const s of sources) calls.push({ method: 'eth_getTransactionCount', params: [s, 'latest'] })
      for (const s of open) {
        calls.push({ method: 'eth_getTransactionReceipt', params: [s.tx_hash] })
        calls.push({ method: 'eth_getTransactionByHash', params: [s.tx_hash] })
      }
      for (const h of heights) calls.push({ method: 'eth_getBlockByNumber', params: [hexQ(parseMinor(h)), false] })
      const results = await rpcBatch(url, calls)
      const value = (i: number): unknown => {
        const r = results[i]!
        if (!r.ok)
          throw new CsError(
            'RAIL_UNAVAILABLE',
            `The EVM node refused ${calls[i]!.method} (${r.message.slice(0, 120)}) — Countersign retries on the next sweep.`,
          )
        return r.result
      }
      let i = 0
      const head = big(value(i++))
      if (head > headSeen) headSeen = head
      const latestNonce = new Map<string, bigint>()
      for (const s of sources) latestNonce.set(s, big(value(i++)))
      const receipts = new Map<string, { receipt: RpcReceipt | null; known: boolean }>()
      for (const s of open) {
        const receipt = value(i++) as RpcReceipt | null
        const known = value(i++) !== null
        receipts.set(s.id, { receipt, known: known || receipt !== null })
      }
      const canonical = new Map<string, string | null>()
      for (const h of heights) canonical.set(h, (value(i++) as { hash?: string } | null)?.hash ?? null)

      // Dead candidates: no receipt while the source's nonce moved past ours. Proven by a SECOND
      // request, made after the first one answered: the nonce counted at a block confirmationsMin
      // deep is past ours, and our receipt is still absent. Asking in that order closes the race
      // where our own transaction is mined between two calls of one batch.
      const candidates = open.filter((s) => receipts.get(s.id)!.receipt === null && latestNonce.get(s.source)! > parseMinor(s.nonce ?? '0'))
      const deadProven = new Set<string>()
      if (candidates.length > 0) {
        const depthBlock = head - confirmationsMin + 1n
        const candSources = [...new Set(candidates.map((s) => s.source))]
        const calls2: JsonRpcCall[] = [
          ...candSources.map((s): JsonRpcCall => ({
            method: 'eth_getTransactionCount',
            params: [s, hexQ(depthBlock < 0n ? 0n : depthBlock)],
          })),
          ...candidates.map((s): JsonRpcCall => ({ method: 'eth_getTransactionReceipt', params: [s.tx_hash] })),
        ]
        const results2 = await rpcBatch(url, calls2)
        const nonceAtDepth = new Map<string, bigint>()
        candSources.forEach((s, k) => {
          const r = results2[k]!
          if (r.ok) nonceAtDepth.set(s, big(r.result))
        })
        candidates.forEach((s, k) => {
          const r = results2[candSources.length + k]!
          if (!r.ok) return
          if (r.result !== null) {
            receipts.set(s.id, { receipt: r.result as RpcReceipt, known: true })
            return
          }
          const deep = nonceAtDepth.get(s.source)
          if (deep !== undefined && deep > parseMinor(s.nonce ?? '0')) deadProven.add(s.id)
        })
      }

      const chunkPayouts = chunkPayoutIds(ctx, submissions)
      for (const s of submissions) {
        const r = receipts.get(s.id)
        out.set(s.id, {
          head,
          receipt: r?.receipt ?? null,
          known: r?.known ?? false,
          latestNonce: latestNonce.get(s.source) ?? 0n,
          provablyDead: deadProven.has(s.id),
          canonicalHash: s.block_number !== null && s.state === 'confirmed' ? (canonical.get(s.block_number) ?? null) : null,
          batchRef: evmBatchRef(chainId, s.batch_id, s.chunk_index),
          payoutIds: chunkPayouts.get(s.id) ?? [],
        } satisfies EvmObservation)
      }
      return out
    },

    classify(submission, observation): Verdict {
      const o = observation as EvmObservation
      if (submission.state === 'confirmed') {
        return o.canonicalHash !== null && o.canonicalHash === submission.block_hash
          ? { kind: 'unchanged' }
          : {
              kind: 'reorged',
              reason: `block ${submission.block_number} (${String(submission.block_hash).slice(0, 10)}…) is no longer on the canonical chain`,
            }
      }
      if (submission.state !== 'signed' && submission.state !== 'broadcast')
        throw new Error(`invariant: classify of a ${submission.state} submission`)
      const nonce = parseMinor(submission.nonce ?? '0')
      if (o.receipt === null) {
        if (o.provablyDead) {
          return {
            kind: 'dead',
            reason: `nonce ${nonce} was used by another transaction from ${submission.source}, and this one never landed`,
          }
        }
        // Re-send (the same bytes) only if the node lost it and our nonce is still free.
        return { kind: 'pending', rebroadcast: !o.known && o.latestNonce <= nonce, seenByNetwork: o.known }
      }
      const blockNumber = big(o.receipt.blockNumber)
      if (o.head - blockNumber + 1n < confirmationsMin) return { kind: 'pending', rebroadcast: false, seenByNetwork: true }
      const feePaid = big(o.receipt.gasUsed) * big(o.receipt.effectiveGasPrice)
      const base = { blockNumber: blockNumber.toString(), blockHash: o.receipt.blockHash, feePaid, feeAssetId }
      if (big(o.receipt.status) !== 1n) {
        return { kind: 'failed', ...base, reason: `the transaction reverted in block ${blockNumber}` }
      }
      return { kind: 'confirmed', ...base, payouts: paidEvents(submission, o) }
    },
  }

  /** Paid(batchRef, index, …) logs of our contract → payout ids; every payout exactly once. */
  function paidEvents(submission: SubmissionRow, o: EvmObservation): ConfirmedPayout[] {
    const found = new Map<number, number>()
    for (const log of o.receipt!.logs) {
      if (getAddress(log.address) !== batchContract || log.topics[0] !== paidTopic || log.topics[1] !== o.batchRef) continue
      const decoded = decodeEventLog({ abi: countersignBatchAbi, eventName: 'Paid', topics: log.topics as [Hex, ...Hex[]], data: log.data })
      const index = Number(decoded.args.index)
      if (found.has(index)) throw new Error(`invariant: two Paid events for index ${index} in ${submission.tx_hash}`)
      found.set(index, Number(big(log.logIndex)))
    }
    if (found.size !== o.payoutIds.length) {
      throw new Error(`invariant: ${submission.tx_hash} succeeded with ${found.size} Paid events for ${o.payoutIds.length} payouts`)
    }
    return o.payoutIds.map((payoutId, idx) => {
      const logIndex = found.get(idx)
      if (logIndex === undefined) throw new Error(`invariant: no Paid event for index ${idx} in ${submission.tx_hash}`)
      return { payoutId, logIndex }
    })
  }
}

function assertNever(what: string): never {
  throw new Error(`invariant: ${what}`)
}
