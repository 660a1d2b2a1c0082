/**
 * The Stellar rail for one network, assembled from its operations: payouts go out as payment (or
 * create_account) operations, up to 100 per transaction, one asset and one memo per transaction
 * (the memo belongs to the transaction), signed on the Ledger's Stellar app, final once in a
 * closed ledger. A pure adapter: it is handed payouts, assets and submissions, reads Horizon and
 * never the database.
 *
 * Exactly once, Stellar's way:
 * - The sequence number is the engine's (max(highest live stored + 1, nonceFloor = Horizon's
 *   sequence + 1)); `build` fixes it and the time bound (the engine's now + 5 min) in the
 *   unsigned envelope, which the engine commits with the reservation. The signed envelope is
 *   committed before it is submitted; its hash names it forever.
 * - An unknown result (timeout, dropped answer, 504) is answered by submitting the SAME envelope
 *   again: Stellar applies a transaction once (its sequence number is then used).
 * - A transaction is declared dead only when it provably can never land (lookupStellarTxs.ts).
 *   Only then may the engine build a new one (a retry, with a new sequence number); a dead
 *   submission never used its sequence, so the engine may reserve it again.
 * - A transaction that landed and failed (tx_failed: op_no_trust, op_underfunded, …) used its
 *   sequence and its fee and applied no operation: the verdict is 'failed', the fee is booked.
 *
 * No `head` probe: a sweep's lookup is what resubmits an envelope missing from the ledger, and
 * skipping it while no ledger closed would stall exactly those (in the sandbox harness a ledger
 * closes when a transaction arrives); real ledgers close every ~5 s, so it would save little.
 * No `reorgWatch`: a closed ledger is final.
 */
import type { DeviceRail, RailCapabilities } from '../Rail'
import { broadcastStellarTx, rebroadcastStellarTxs } from './broadcastStellarTx'
import { buildStellarTx, renumberStellarTx } from './buildStellarTx'
import { classifyStellarTx } from './classifyStellarTx'
import type { HorizonClient } from './horizon'
import { lookupStellarTxs, stellarNonceConsumed } from './lookupStellarTxs'
import { groupStellarChunks, prepareStellarChunks } from './planStellarChunks'
import { readStellarBalances } from './readStellarBalances'
import { signStellarTx } from './signStellarTx'
import { stellarPreflight } from './stellarPreflight'
import type { StellarNetworkConfig } from './stellarRailConfig'
import { createStellarRailEnv, loadStellarSource } from './stellarRailEnv'

export const STELLAR_CAPABILITIES = {
  signer: 'stellar',
  verifiesSourceAddress: true,
  externalSigning: true,
  unit: { one: 'transaction', other: 'transactions' },
  nonceName: 'sequence',
} as const satisfies RailCapabilities

export function createStellarRail(config: StellarNetworkConfig, options: { horizon?: HorizonClient } = {}): DeviceRail {
  const env = createStellarRailEnv(config, options.horizon)
  return {
    rail: 'stellar',
    network: env.network,
    source: env.source,
    feeAssetId: env.feeAssetId,
    networkPassphrase: config.networkPassphrase,
    capabilities: STELLAR_CAPABILITIES,

    plan: ({ payouts, assets, chunkIndexStart }) =>
      prepareStellarChunks(
        env,
        groupStellarChunks(payouts, env.opsPerTx).map((list, i) => ({ chunkIndex: chunkIndexStart + i, payouts: list })),
        assets,
      ),
    prepare: ({ chunks, assets }) => prepareStellarChunks(env, chunks, assets),
    async nonceFloor(source) {
      return BigInt((await loadStellarSource(env, source)).sequence) + 1n
    },
    build: (input) => buildStellarTx(env, input),
    renumber: (submission, nonce, now) => renumberStellarTx(env, submission, nonce, now),
    nonceConsumed: (submission) => stellarNonceConsumed(env, submission),
    sign: (submission, signer, opts) => signStellarTx(env, submission, signer, opts),
    broadcast: (submission) => broadcastStellarTx(env, submission),
    rebroadcast: (submissions) => rebroadcastStellarTxs(env, submissions),
    lookup: (submissions) => lookupStellarTxs(env, submissions),
    classify: (submission, observation) => classifyStellarTx(env, submission, observation),
    preflight: (input) => stellarPreflight(env, input),
    readBalances: (address, assets) => readStellarBalances(env, address, assets),
  }
}

export { HorizonError } from './horizon'
export { stroopsText } from './stellarAmounts'
export { decodeResultCodes, describeOperationFailure } from './stellarResultCodes'
export type { StellarObservation } from './lookupStellarTxs'
