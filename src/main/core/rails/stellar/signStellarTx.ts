/**
 * Signs one committed Stellar envelope on the device's Stellar app. The app parses (and shows)
 * what fits its buffer; a larger transaction is signed by hash, which the app allows only when
 * "hash signing" is on in its settings. The signature is checked against the treasury's key
 * before the signed envelope is handed back for the engine to commit.
 */
import { Keypair } from '@stellar/stellar-base'
import { CsError } from '../../../../shared/errors'
import type { Signer } from '../../signing/Signer'
import { invariant } from '../../util/invariant'
import type { RailSignOptions, RailSubmission, SignedSubmission } from '../Rail'
import { readStellarTx } from './buildStellarTx'
import type { StellarRailEnv } from './stellarRailEnv'

export async function signStellarTx(
  env: StellarRailEnv,
  submission: RailSubmission,
  signer: Signer,
  opts: RailSignOptions = {},
): Promise<SignedSubmission> {
  const tx = readStellarTx(env, submission.id, submission.unsigned_payload)
  const source = env.source
  invariant(tx.source === source.address, () => `submission ${submission.id} is not from the configured source`)
  const perOp = BigInt(tx.fee) / BigInt(tx.operations.length)
  if (perOp > env.config.maxFeePerOpStroops) {
    throw new CsError(
      'FEE_CAP_EXCEEDED',
      `This transaction bids ${perOp} stroops per operation, above your cap of ${env.config.maxFeePerOpStroops} — nothing was signed.`,
    )
  }
  const base = tx.signatureBase()
  const status = await signer.getStatus()
  const maxBytes = status.stellar?.maxDataSizeBytes ?? null
  const progress = opts.onProgress ? { onProgress: opts.onProgress } : {}
  const signature =
    maxBytes !== null && base.length > maxBytes && status.stellar?.hashSigningEnabled
      ? await signer.signStellarHash({ path: source.path, expectedPublicKey: source.address, hash: tx.hash() }, progress)
      : (await signer.signStellarTransactions([{ path: source.path, expectedPublicKey: source.address, signatureBase: base }], progress))[0]
  invariant(signature, 'the signer returned no signature')
  tx.addSignature(source.address, Buffer.from(signature.signature).toString('base64'))
  invariant(
    Keypair.fromPublicKey(source.address).verify(tx.hash(), Buffer.from(signature.signature)),
    'the device signature does not verify against the source',
  )
  return { signedPayload: tx.toEnvelope().toXDR('base64'), txHash: tx.hash().toString('hex') }
}
