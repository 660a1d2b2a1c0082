/**
 * Sends a committed, signed Stellar envelope to Horizon and says how it ended. Only ever bytes
 * already stored: a resend is the SAME envelope, which Stellar applies at most once (its
 * sequence number is then used), so resending an unknown outcome is harmless.
 */
import { assertNever, invariant } from '../../util/invariant'
import type { BroadcastOutcome, RailSubmission } from '../Rail'
import type { StellarRailEnv } from './stellarRailEnv'

export async function broadcastStellarTx(env: StellarRailEnv, submission: RailSubmission): Promise<BroadcastOutcome> {
  invariant(submission.signed_payload !== null, () => `broadcast of unsigned submission ${submission.id}`)
  const result = await env.horizon.submit(submission.signed_payload)
  switch (result.kind) {
    case 'ok':
      return { kind: 'sent' }
    case 'unreachable':
      return { kind: 'unreachable', message: result.message }
    case 'unknown':
      return { kind: 'maybe-sent', message: result.message }
    case 'refused': {
      // tx_failed landed (fee and sequence used); tx_bad_seq may be our own earlier copy;
      // tx_too_late, tx_insufficient_fee never land. The lookup decides from the ledger.
      const failed = result.operationCodes.filter((c) => c !== 'op_success')
      return {
        kind: 'maybe-sent',
        message: `Horizon answered ${result.transactionCode ?? result.status}${result.operationCodes.length > 0 ? ` (${failed.join(', ')})` : ''}`,
      }
    }
    default:
      return assertNever(result, 'Horizon submit result')
  }
}

/** The same committed envelopes again (lookup found them missing from the ledger). */
export async function rebroadcastStellarTxs(env: StellarRailEnv, submissions: readonly RailSubmission[]): Promise<void> {
  for (const s of submissions) if (s.signed_payload !== null) await env.horizon.submit(s.signed_payload)
}
