/**
 * Sending on the EVM rail: only bytes the engine has already committed. A broadcast says whether
 * the bytes may be out there — anything but a refused connection counts as "maybe sent", and
 * only lookup decides what happened. A rebroadcast re-sends many in one batch request.
 */
import type { Hex } from 'viem'
import type { BroadcastOutcome, RailSubmission } from '../Rail'
import { invariant } from '../../util/invariant'
import type { EvmRailSetup } from './evmRailSetup'
import { rpcBatch, rpcCall, RpcTransportError, type JsonRpcCall } from './jsonRpc'

export async function broadcastEvmSubmission(setup: EvmRailSetup, submission: RailSubmission): Promise<BroadcastOutcome> {
  invariant(submission.signed_payload !== null, () => `broadcast of unsigned submission ${submission.id}`)
  try {
    await rpcCall<Hex>(setup.url, 'eth_sendRawTransaction', [submission.signed_payload])
    return { kind: 'sent' }
  } catch (error) {
    if (error instanceof RpcTransportError && error.delivered === 'no') return { kind: 'unreachable', message: error.message }
    // "already known", "nonce too low", a timeout: the bytes may be out there.
    return { kind: 'maybe-sent', message: error instanceof Error ? error.message : String(error) }
  }
}

export async function rebroadcastEvmSubmissions(setup: EvmRailSetup, submissions: readonly RailSubmission[]): Promise<void> {
  const calls = submissions
    .filter((s) => s.signed_payload !== null)
    .map((s): JsonRpcCall => ({ method: 'eth_sendRawTransaction', params: [s.signed_payload] }))
  // Per-call errors ("already known", "nonce too low") are expected; lookup decides.
  await rpcBatch(setup.url, calls)
}
