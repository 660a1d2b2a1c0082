// Gas used (from receipts) by the two ways of paying N recipients: CountersignBatch chunks, or one
// transaction per payout. Shared by bench/gas.bench.ts (the table) and test/contracts (loose bounds).
// Gas is deterministic on a fresh Anvil, unlike time, so these numbers are stable run to run.
import { erc20Abi, parseGwei, type Address, type Hash, type TransactionReceipt } from 'viem'
import { countersignBatchAbi } from '../../../src/main/core/rails/evm/abi'
import type { EvmHarness } from './deployHarness'
import type { BatchKind } from './gasCap'
import { testBatchRef } from './recipients'

/** Generous fixed fees for single sends, so each send is one RPC (no fee lookup). Local test ETH only. */
const feeCapPerGasWei = parseGwei('100')
const priorityFeePerGasWei = parseGwei('1')
/** Gas limits for single sends: a plain ETH transfer costs exactly 21 000; an ERC-20 transfer well under 100 000. */
const nativeSendGasLimit = 21_000n
const tokenTransferGasLimit = 100_000n

export interface GasMeasurement {
  recipientCount: number
  txCount: number
  gasUsed: bigint
}

/** Splits count items into the fewest chunks of at most chunkSizeMax, as evenly as possible. */
export function evenChunks<T>(items: readonly T[], chunkSizeMax: number): T[][] {
  if (!Number.isInteger(chunkSizeMax) || chunkSizeMax < 1) throw new RangeError(`chunkSizeMax ${chunkSizeMax} must be >= 1`)
  const chunkCount = Math.ceil(items.length / chunkSizeMax)
  const chunks: T[][] = []
  let start = 0
  for (let c = 0; c < chunkCount; c++) {
    const size = Math.ceil((items.length - start) / (chunkCount - c))
    chunks.push(items.slice(start, start + size))
    start += size
  }
  return chunks
}

async function successReceipt(h: EvmHarness, hash: Hash, what: string): Promise<TransactionReceipt> {
  const receipt = await h.clients.publicClient.waitForTransactionReceipt({ hash })
  if (receipt.status !== 'success') throw new Error(`${what} reverted (tx ${hash})`)
  return receipt
}

/**
 * Pays recipients through CountersignBatch from the treasury, in chunks of at most chunkSizeMax
 * (the caller finds it under the gas cap). For tokens, the treasury must have approved the batch.
 */
export async function measureBatchGas(
  h: EvmHarness,
  kind: BatchKind,
  recipients: readonly Address[],
  amounts: readonly bigint[],
  chunkSizeMax: number,
  refLabel: string,
): Promise<GasMeasurement> {
  if (recipients.length !== amounts.length) throw new Error('recipients and amounts differ in length')
  const indexes = evenChunks(
    recipients.map((_, i) => i),
    chunkSizeMax,
  )
  const wallet = h.clients.walletFor(h.treasury)
  let gasUsed = 0n
  for (const [c, chunk] of indexes.entries()) {
    const to = chunk.map((i) => recipients[i] as Address)
    const value = chunk.map((i) => amounts[i] as bigint)
    const batchRef = testBatchRef(`${refLabel}:${c}`)
    const hash =
      kind === 'token'
        ? await wallet.writeContract({
            address: h.batch,
            abi: countersignBatchAbi,
            functionName: 'payToken',
            args: [h.testUsd, to, value, batchRef],
          })
        : await wallet.writeContract({
            address: h.batch,
            abi: countersignBatchAbi,
            functionName: 'payNative',
            args: [to, value, batchRef],
            value: value.reduce((a, b) => a + b, 0n),
          })
    gasUsed += (await successReceipt(h, hash, `batch chunk ${c}`)).gasUsed
  }
  return { recipientCount: recipients.length, txCount: indexes.length, gasUsed }
}

/** Pays each recipient with its own transaction from the treasury: ERC-20 transfer or plain ETH send. */
export async function measureSingleGas(
  h: EvmHarness,
  kind: BatchKind,
  recipients: readonly Address[],
  amounts: readonly bigint[],
): Promise<GasMeasurement> {
  if (recipients.length !== amounts.length) throw new Error('recipients and amounts differ in length')
  const wallet = h.clients.walletFor(h.treasury)
  let nonce = await h.clients.publicClient.getTransactionCount({ address: h.treasury.address, blockTag: 'pending' })
  const fees = { maxFeePerGas: feeCapPerGasWei, maxPriorityFeePerGas: priorityFeePerGasWei }
  const hashes: Hash[] = []
  for (const [i, to] of recipients.entries()) {
    const amount = amounts[i] as bigint
    hashes.push(
      kind === 'token'
        ? await wallet.writeContract({
            address: h.testUsd,
            abi: erc20Abi,
            functionName: 'transfer',
            args: [to, amount],
            nonce: nonce++,
            gas: tokenTransferGasLimit,
            ...fees,
          })
        : await wallet.sendTransaction({ to, value: amount, nonce: nonce++, gas: nativeSendGasLimit, ...fees }),
    )
  }
  let gasUsed = 0n
  for (const [i, hash] of hashes.entries()) gasUsed += (await successReceipt(h, hash, `single payout ${i}`)).gasUsed
  return { recipientCount: recipients.length, txCount: hashes.length, gasUsed }
}
