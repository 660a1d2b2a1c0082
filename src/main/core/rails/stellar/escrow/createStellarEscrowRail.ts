/**
 * The Stellar side of escrow for one network (EscrowRail.ts): each milestone is a claimable
 * balance the treasury creates, which the payee may claim in its window (auto-release works with
 * the app switched off) and the treasury may claim back at any time (release through the
 * treasury, dispute, refund). Assembled from the payout rail's parts — the same environment,
 * envelope assembly, device signing, broadcasting, lookup and verdicts — so exactly-once works
 * the same way: the engine reserves the sequence, commits the envelope before sending it, and a
 * transaction missing from the ledger is resent as the same bytes until provably dead.
 */
import type { EscrowRail } from '../../EscrowRail'
import { broadcastStellarTx } from '../broadcastStellarTx'
import type { HorizonClient } from '../horizon'
import { lookupStellarTxs } from '../lookupStellarTxs'
import { signStellarTx } from '../signStellarTx'
import type { StellarNetworkConfig } from '../stellarRailConfig'
import { createStellarRailEnv, loadStellarSource } from '../stellarRailEnv'
import { buildStellarEscrowTx, refundClaims } from './buildStellarEscrowTx'
import { classifyStellarEscrowTx } from './classifyStellarEscrowTx'
import { observeStellarEscrow } from './observeStellarEscrow'
import { prepareStellarEscrow } from './prepareStellarEscrow'
import { stellarEscrowPreflight } from './stellarEscrowPreflight'

export function createStellarEscrowRail(config: StellarNetworkConfig, options: { horizon?: HorizonClient } = {}): EscrowRail {
  const env = createStellarRailEnv(config, options.horizon)
  return {
    rail: 'stellar',
    network: env.network,
    source: env.source,
    feeAssetId: env.feeAssetId,
    signer: 'stellar',
    // A resolve that gives the payee nothing, and a refund of disputed milestones only, leave the
    // claimed-back money where it is.
    needsTx: (terms, op) =>
      op.kind === 'resolve' ? op.toPayee > 0n : op.kind === 'refund' ? refundClaims(terms, op.milestones).length > 0 : true,
    preflight: (input) => stellarEscrowPreflight(env, input),
    prepare: (input) => prepareStellarEscrow(env, input),
    async nonceFloor(source) {
      return BigInt((await loadStellarSource(env, source)).sequence) + 1n
    },
    build: (input, prepared, nonce, now) => buildStellarEscrowTx(env, input, prepared, nonce, now),
    sign: (tx, signer, opts) => signStellarTx(env, tx, signer, opts),
    broadcast: (tx) => broadcastStellarTx(env, tx),
    lookup: (txs) => lookupStellarTxs(env, txs),
    classify: (tx, observation) => classifyStellarEscrowTx(env, tx, observation),
    observe: (terms) => observeStellarEscrow(env, terms),
  }
}
