/**
 * JSON-RPC quantities: bigint in, hex text out, and back — checked, because a node's answer is
 * data from outside (a malformed quantity is a bug of the node or of us, never a payout problem).
 */
import type { Hex } from 'viem'
import { invariant } from '../../util/invariant'

/** A bigint as a JSON-RPC quantity (0x-prefixed, no leading zeros). */
export function hexQuantity(n: bigint): Hex {
  return `0x${n.toString(16)}`
}

/** A JSON-RPC quantity as a bigint; anything else is an invariant failure. */
export function bigFromHex(h: unknown): bigint {
  invariant(typeof h === 'string' && /^0x[0-9a-fA-F]+$/.test(h), () => `expected a hex quantity, got ${String(h).slice(0, 40)}`)
  return BigInt(h)
}
