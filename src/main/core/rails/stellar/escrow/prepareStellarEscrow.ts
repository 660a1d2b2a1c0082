/**
 * What building an escrow transaction needs from Stellar, read before the engine's database
 * transaction (`prepare` never writes): the fee bid under the cap and, for a refund, which of the
 * listed milestones' balances are still there (the payee may have claimed some in its window).
 */
import { CsError } from '../../../../../shared/errors'
import type { EscrowOpInput, EscrowTerms } from '../../EscrowRail'
import { readFeeBidStroops } from '../stellarFees'
import type { StellarRailEnv } from '../stellarRailEnv'
import { milestoneOf, refundClaims, type StellarEscrowPrepared } from './buildStellarEscrowTx'

export async function prepareStellarEscrow(env: StellarRailEnv, input: EscrowOpInput): Promise<StellarEscrowPrepared> {
  await env.checkNetwork()
  const fee = await readFeeBidStroops(env.horizon)
  if (fee > env.config.maxFeePerOpStroops) {
    throw new CsError(
      'FEE_CAP_EXCEEDED',
      `Stellar ${env.network} fees are ${fee} stroops per operation now, above your cap of ${env.config.maxFeePerOpStroops} — nothing was signed; wait for fees to fall or raise the cap.`,
    )
  }
  const { op, terms } = input
  if (op.kind !== 'refund') return { feePerOp: fee.toString(), onRail: null }
  const onRail = await milestonesOnRail(env, terms, refundClaims(terms, op.milestones))
  if (onRail.length === 0) {
    throw new CsError(
      'PREFLIGHT_FAILED',
      `None of the milestones to refund of escrow ${terms.escrowId} is still held on Stellar ${env.network} — nothing was signed; refresh the escrow to see who claimed them.`,
    )
  }
  return { feePerOp: fee.toString(), onRail }
}

/** Of `indexes`, the milestones whose claimable balance still exists. */
export async function milestonesOnRail(env: StellarRailEnv, terms: EscrowTerms, indexes: readonly number[]): Promise<number[]> {
  const out: number[] = []
  for (const i of indexes) {
    const ref = milestoneOf(terms, i).railRef
    if (ref !== null && (await env.horizon.claimableBalance(ref)) !== null) out.push(i)
  }
  return out
}
