// How many payouts fit in one transaction under the per-transaction gas cap (EIP-7825, 2^24).
// The payout engine chunks by estimated gas; these helpers measure the limit on a real Anvil so
// tests can pin it and the bench can report it.
import { erc20Abi, type Address, type Hex } from 'viem'
import { countersignBatchAbi } from '../../../src/main/core/rails/evm/abi'
import { gasPerTxMax } from './anvil'
import type { EvmHarness } from './deployHarness'
import { recipientAddresses, testBatchRef } from './recipients'

export type BatchKind = 'native' | 'token'

/** The search never looks past this many recipients: at ~30k gas each, 2^24 holds ~560. */
export const batchCountSearchMax = 4_096

/**
 * Deterministic, non-round sample amounts (calldata gas depends on the bytes): 123.456789 tUSD
 * plus i minor units for tokens, 0.001 ETH plus i wei for native.
 */
export function sampleAmounts(kind: BatchKind, count: number): bigint[] {
  const base = kind === 'token' ? 123_456_789n : 10n ** 15n
  return Array.from({ length: count }, (_, i) => base + BigInt(i))
}

/** eth_estimateGas for one batch call from the treasury. For tokens, the allowance must already cover the total. */
export async function estimateBatchGas(
  h: EvmHarness,
  kind: BatchKind,
  recipients: Address[],
  amounts: bigint[],
  batchRef: Hex,
): Promise<bigint> {
  const common = { account: h.treasury.address, address: h.batch, abi: countersignBatchAbi } as const
  if (kind === 'native') {
    const value = amounts.reduce((sum, a) => sum + a, 0n)
    return h.clients.publicClient.estimateContractGas({
      ...common,
      functionName: 'payNative',
      args: [recipients, amounts, batchRef],
      value,
    })
  }
  return h.clients.publicClient.estimateContractGas({
    ...common,
    functionName: 'payToken',
    args: [h.testUsd, recipients, amounts, batchRef],
  })
}

export interface GasCapResult {
  /** Largest recipient count whose estimated gas is <= gasCap. */
  countMax: number
  /** Estimated gas at countMax. */
  gasAtCountMax: bigint
  /** Estimated gas at countMax + 1 (> gasCap). */
  gasAtNext: bigint
  gasCap: bigint
}

/** Steps allowed to widen the bracket around the linear prediction before giving up. */
const bracketStepsMax = 8
/** Bracket half-width around the prediction: 10 %. */
const bracketWidenNumerator = 11n
const bracketWidenDenominator = 10n
/** Second probe size for the linear fit (the first is 1). */
const probeCount = 32

/**
 * Largest batch of fresh recipients (accounts that do not exist yet: the most expensive case, as
 * creating an account or a token balance costs the most) whose estimate fits under gasCap.
 *
 * Gas is close to linear in the count (a fixed part plus the same cost per fresh recipient), so:
 * predict the limit from two probes, bracket it within ~10 %, then bisect on real estimates. The
 * bracket keeps every probe well under the block gas limit (Anvil: 30M), where an estimate would
 * fail for a reason that has nothing to do with the per-transaction cap.
 */
export async function findLargestBatchUnderGasCap(
  h: EvmHarness,
  kind: BatchKind,
  options: { seed?: string; gasCap?: bigint } = {},
): Promise<GasCapResult> {
  const gasCap = options.gasCap ?? gasPerTxMax
  const seed = options.seed ?? `gas-cap-${kind}`
  const recipients = recipientAddresses(seed, batchCountSearchMax)
  const amounts = sampleAmounts(kind, batchCountSearchMax)
  if (kind === 'token') {
    const total = amounts.reduce((sum, a) => sum + a, 0n)
    const allowance = await h.clients.publicClient.readContract({
      address: h.testUsd,
      abi: erc20Abi,
      functionName: 'allowance',
      args: [h.treasury.address, h.batch],
    })
    if (allowance < total) throw new Error(`the treasury must approve the batch contract for at least ${total} before estimating`)
  }
  const estimate = (count: number) =>
    estimateBatchGas(h, kind, recipients.slice(0, count), amounts.slice(0, count), testBatchRef(`${seed}:${count}`))

  const gasAtOne = await estimate(1)
  if (gasAtOne > gasCap) throw new Error(`not even one ${kind} payout fits under ${gasCap} gas`)
  const gasAtProbe = await estimate(probeCount)
  const perRecipient = (gasAtProbe - gasAtOne) / BigInt(probeCount - 1)
  if (perRecipient <= 0n) throw new Error(`${kind} batch gas does not grow with the recipient count`)
  const predicted = Number((gasCap - gasAtOne) / perRecipient) + 1
  const clamp = (n: number) => Math.min(Math.max(n, 1), batchCountSearchMax)

  // Bracket: estimate(fits) <= gasCap < estimate(tooBig).
  let fits = clamp(Number((BigInt(predicted) * bracketWidenDenominator) / bracketWidenNumerator))
  let gasAtFits = await estimate(fits)
  for (let step = 0; gasAtFits > gasCap; step++) {
    if (step >= bracketStepsMax || fits === 1) throw new Error(`could not bracket the ${kind} gas limit from below`)
    fits = clamp(Number((BigInt(fits) * bracketWidenDenominator) / bracketWidenNumerator))
    gasAtFits = await estimate(fits)
  }
  let tooBig = clamp(Math.max(fits + 1, Number((BigInt(predicted) * bracketWidenNumerator) / bracketWidenDenominator) + 1))
  let gasAtTooBig = await estimate(tooBig)
  for (let step = 0; gasAtTooBig <= gasCap; step++) {
    if (step >= bracketStepsMax || tooBig === batchCountSearchMax) throw new Error(`could not bracket the ${kind} gas limit from above`)
    fits = tooBig
    gasAtFits = gasAtTooBig
    tooBig = clamp(Number((BigInt(tooBig) * bracketWidenNumerator) / bracketWidenDenominator) + 1)
    gasAtTooBig = await estimate(tooBig)
  }
  while (tooBig - fits > 1) {
    const mid = Math.floor((fits + tooBig) / 2)
    const gas = await estimate(mid)
    if (gas <= gasCap) {
      fits = mid
      gasAtFits = gas
    } else {
      tooBig = mid
      gasAtTooBig = gas
    }
  }
  return { countMax: fits, gasAtCountMax: gasAtFits, gasAtNext: gasAtTooBig, gasCap }
}
