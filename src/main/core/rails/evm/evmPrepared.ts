/**
 * What planning decided for one chunk and `build` needs: JSON-able (bigints as decimal text),
 * because it travels through the engine as PlannedChunk.prepared. The nonce is not here: the
 * engine reserves it and hands it to `build`.
 */
import { invariant } from '../../util/invariant'
import type { EvmChunkKind } from './evmCallData'

type Address = `0x${string}`

export interface EvmPrepared {
  kind: EvmChunkKind
  token: Address | null
  gasLimit: string
  maxFeePerGas: string
  maxPriorityFeePerGas: string
}

/** The prepared facts of a chunk planned by this rail; anything else is an engine bug. */
export function readEvmPrepared(value: unknown): EvmPrepared {
  const p = value as EvmPrepared | null
  invariant(p !== null && typeof p === 'object' && (p.kind === 'token' || p.kind === 'native'), 'not an EVM chunk plan')
  return p
}
