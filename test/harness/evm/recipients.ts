// Deterministic throwaway recipient addresses for tests and benches: the same seed always gives
// the same addresses, so gas figures (which depend on calldata bytes and on whether an account is
// new) are reproducible. Nobody holds keys for them; anything sent there is test money, gone.
import { getAddress, keccak256, slice, toHex, type Address } from 'viem'

/** Far more than one transaction can hold under the gas cap; a larger ask is a bug. */
export const recipientsPerCallMax = 10_000

export function recipientAddresses(seed: string, count: number): Address[] {
  if (!Number.isInteger(count) || count < 0 || count > recipientsPerCallMax) {
    throw new RangeError(`count ${count} must be 0..${recipientsPerCallMax}`)
  }
  return Array.from({ length: count }, (_, i) => getAddress(slice(keccak256(toHex(`countersign-test-recipient:${seed}:${i}`)), 12)))
}

/** A batch reference for tests: keccak256 of a label, never zero. */
export function testBatchRef(label: string): `0x${string}` {
  return keccak256(toHex(`countersign-test-batch:${label}`))
}
