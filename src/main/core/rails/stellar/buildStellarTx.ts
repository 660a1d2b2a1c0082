/**
 * PURE: the unsigned Stellar transaction of one chunk at the sequence number the engine reserved
 * (`build`), and the same transaction moved to another sequence (`renumber`). No network, no
 * database, no clock of its own: the time bound is `now` (the engine's clock) + timeBoundSeconds.
 *
 * The idempotency key names the chunk's first envelope (`stellar:<network>:<hash>`); a renumbered
 * transaction keeps it (the contract: same payouts, same calls, same key), so the key stays unique
 * while the envelope's own hash — what Horizon knows it by — is the signed one's tx_hash.
 */
import { Account, Asset, Memo, Operation, TransactionBuilder, type Transaction, type xdr } from '@stellar/stellar-base'
import { parseMinor } from '../../../../shared/money'
import type { AssetRow } from '../../db/schema'
import { invariant } from '../../util/invariant'
import type { BuiltSubmission, RailBuildInput, RailSubmission } from '../Rail'
import { stellarAssetRow, type StellarPrepared } from './planStellarChunks'
import { stroopsText } from './stellarAmounts'
import type { StellarRailEnv } from './stellarRailEnv'

/** What one envelope is made of, besides its sequence and time bound. */
export interface StellarTxParts {
  feePerOp: string
  memo: Memo | null
  operations: readonly xdr.Operation[]
}

export function buildStellarTx(env: StellarRailEnv, input: RailBuildInput): BuiltSubmission {
  const { chunk, payouts, nonce } = input
  invariant(nonce !== null && nonce > 0n, () => `a Stellar transaction needs a reserved sequence (chunk ${chunk.chunkIndex})`)
  const p = chunk.prepared as StellarPrepared
  const byId = new Map(payouts.map((x) => [x.id, x]))
  invariant(p.ops.length === chunk.payoutIds.length, () => `chunk ${chunk.chunkIndex}: one prepared operation per payout`)
  const asset = stellarAsset(stellarAssetRow(env, input.assets, chunk.assetId))
  const operations = chunk.payoutIds.map((id, i) => {
    const payout = byId.get(id)
    invariant(payout, () => `payout ${id} missing from build input`)
    invariant(payout.asset_id === chunk.assetId, () => `payout ${id} is not in the chunk's asset ${chunk.assetId}`)
    const amount = stroopsText(parseMinor(payout.amount))
    return p.ops[i] === 'create_account'
      ? Operation.createAccount({ destination: payout.recipient, startingBalance: amount })
      : Operation.payment({ destination: payout.recipient, asset, amount })
  })
  const tx = assembleStellarTx(env, { feePerOp: p.feePerOp, memo: p.memo ? Memo.text(p.memo) : null, operations }, nonce, input.now)
  return {
    source: env.source.address,
    idempotencyKey: `stellar:${env.network}:${tx.hash().toString('hex')}`,
    unsignedPayload: tx.toEnvelope().toXDR('base64'),
    feeCap: (BigInt(p.feePerOp) * BigInt(operations.length)).toString(),
  }
}

/**
 * The same operations, memo and fee at `sequence`, valid until `now` + the time bound. Only for a
 * PLANNED submission: nothing outside ever saw its bytes, so moving it cannot make two of it.
 */
export function renumberStellarTx(env: StellarRailEnv, submission: RailSubmission, sequence: bigint, now: Date): BuiltSubmission {
  invariant(submission.state === 'planned', () => `renumber of a ${submission.state} submission ${submission.id}`)
  invariant(sequence > 0n, () => `renumber of ${submission.id} to sequence ${sequence}`)
  const old = readStellarTx(env, submission.id, submission.unsigned_payload)
  invariant(old.source === env.source.address, () => `submission ${submission.id} is not from the configured source`)
  const operations = old.toEnvelope().v1().tx().operations()
  const feePerOp = (BigInt(old.fee) / BigInt(operations.length)).toString()
  const memo = old.memo.type === 'none' ? null : old.memo
  const tx = assembleStellarTx(env, { feePerOp, memo, operations }, sequence, now)
  return {
    source: env.source.address,
    idempotencyKey: submission.idempotency_key,
    unsignedPayload: tx.toEnvelope().toXDR('base64'),
    feeCap: submission.fee_cap,
  }
}

/** A stored envelope (unsigned or signed) as a Transaction under this rail's passphrase. */
export function readStellarTx(env: StellarRailEnv, submissionId: string, payload: string | null): Transaction {
  invariant(payload !== null, () => `submission ${submissionId} has no Stellar envelope`)
  return TransactionBuilder.fromXDR(payload, env.config.networkPassphrase) as Transaction
}

/**
 * The envelope from the rail's source at `sequence`, valid until `now` + the time bound, or until
 * `validUntil` (unix seconds) when that comes first — escrow builds with it too: a funding may not
 * land once the escrow has expired.
 */
export function assembleStellarTx(
  env: StellarRailEnv,
  parts: StellarTxParts,
  sequence: bigint,
  now: Date,
  validUntil?: number,
): Transaction {
  const nowSeconds = Math.floor(now.getTime() / 1000)
  const maxTime = Math.min(nowSeconds + env.timeBoundSeconds, validUntil ?? Number.POSITIVE_INFINITY)
  invariant(maxTime > nowSeconds, () => `a Stellar transaction valid only until ${maxTime} is built at ${nowSeconds}, too late to land`)
  // TransactionBuilder increments the account's sequence: give it the one before ours.
  const builder = new TransactionBuilder(new Account(env.source.address, (sequence - 1n).toString()), {
    fee: parts.feePerOp,
    networkPassphrase: env.config.networkPassphrase,
    timebounds: { minTime: 0, maxTime },
  })
  for (const op of parts.operations) builder.addOperation(op)
  if (parts.memo !== null) builder.addMemo(parts.memo)
  return builder.build()
}

export function stellarAsset(asset: AssetRow): Asset {
  return asset.issuer === null ? Asset.native() : new Asset(asset.code, asset.issuer)
}
