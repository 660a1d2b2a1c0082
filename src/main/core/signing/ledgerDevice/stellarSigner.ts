/**
 * The Stellar part of the Ledger signer: accounts, transactions and (when the app allows it)
 * hashes through the Stellar app. Every transaction of a batch is sized against the app's buffer
 * before the first prompt, and every signature is verified against the expected public key
 * before it is used.
 */
import { CsError } from '../../../../shared/errors'
import { deviceError, type DeviceOperation } from '../deviceErrors'
import { toHex } from '../evmCrypto'
import type {
  BatchSignerOptions,
  Signer,
  SignerAccount,
  SignerOptions,
  StellarHashRequest,
  StellarSignature,
  StellarTransactionRequest,
} from '../Signer'
import {
  ed25519SignatureBytes,
  stellarAddressFromPublicKey,
  stellarHashBytes,
  stellarPublicKeyFromAddress,
  stellarSignatureBaseBytesMax,
  stellarSignatureBasePrefixBytes,
  stellarTransactionHash,
  verifyEd25519,
} from '../stellarCrypto'
import { confirmation, emit, signBatch, unexpectedAnswer, type DeviceJobSession, type LedgerDeviceSession } from './deviceSession'
import { checkBatchSize, normaliseAddress, validatePath } from './signerInput'
import { getStellarAppConfiguration, getStellarPublicKey, signStellarHash, signStellarTransaction } from './stellarAppOps'

export type LedgerStellarSigning = Pick<Signer, 'signStellarTransactions' | 'signStellarHash'>

export function createLedgerStellarSigning(device: LedgerDeviceSession): LedgerStellarSigning {
  return {
    async signStellarTransactions(requests, opts: BatchSignerOptions<StellarSignature> = {}) {
      const prepared = checkBatchSize(requests).map(prepareStellarTransaction)
      return signBatch(
        device,
        'Stellar',
        'sign-stellar-transaction',
        prepared,
        opts,
        async ({ transport: t, job }, tx) => {
          const signature = await job.withDeadline(signStellarTransaction(t, tx.path, tx.signatureBase), device.confirmationTimeoutMs)
          return checkStellarSignature(
            signature,
            stellarTransactionHash(tx.signatureBase),
            tx.expectedPublicKey,
            'sign-stellar-transaction',
          )
        },
        async ({ transport: t, job }) => {
          // Size every transaction against the app's buffer before the first prompt, so a batch
          // does not stop half-way for a limit known from the start.
          const config = await job.withDeadline(getStellarAppConfiguration(t), device.exchangeTimeoutMs)
          const maxBytes = config.maxDataSizeBytes
          const tooLarge = maxBytes === null ? -1 : prepared.findIndex((tx) => tx.signatureBase.length > maxBytes)
          if (tooLarge >= 0 && maxBytes !== null)
            throw stellarTooLarge(prepared[tooLarge]?.signatureBase.length ?? 0, maxBytes, tooLarge, prepared.length)
        },
      )
    },

    async signStellarHash(request: StellarHashRequest, opts: SignerOptions = {}) {
      const path = validatePath('stellar', request.path)
      const expected = request.expectedPublicKey === null ? null : normaliseAddress('stellar', request.expectedPublicKey)
      if (request.hash.length !== stellarHashBytes) {
        throw new CsError('INVALID_INPUT', `A Stellar hash to sign has ${stellarHashBytes} bytes, not ${request.hash.length}.`)
      }
      const hash = request.hash.slice()
      return device.withDevice('Stellar', 'sign-stellar-hash', opts.onProgress, async ({ transport: t, job }) => {
        const config = await job.withDeadline(getStellarAppConfiguration(t), device.exchangeTimeoutMs)
        if (!config.hashSigningEnabled) throw deviceError('DEVICE_HASH_SIGNING_OFF', { operation: 'sign-stellar-hash', app: 'Stellar' })
        emit(opts.onProgress, confirmation('hash', 0, 1))
        const signature = await job.withDeadline(signStellarHash(t, path, hash), device.confirmationTimeoutMs)
        return checkStellarSignature(signature, hash, expected, 'sign-stellar-hash')
      })
    },
  }
}

/** Derives (and, with `display`, shows) the account at `path`. */
export async function readStellarAccount(
  session: DeviceJobSession,
  path: string,
  display: boolean,
  timeoutMs: number,
): Promise<SignerAccount> {
  const publicKey = await session.job.withDeadline(getStellarPublicKey(session.transport, path, display), timeoutMs)
  return { chain: 'stellar', path, address: stellarAddressFromPublicKey(publicKey), publicKey: toHex(publicKey) }
}

interface PreparedStellarTransaction {
  path: string
  signatureBase: Uint8Array
  expectedPublicKey: string | null
}

function prepareStellarTransaction(request: StellarTransactionRequest, index: number): PreparedStellarTransaction {
  const path = validatePath('stellar', request.path)
  const length = request.signatureBase.length
  if (length < stellarSignatureBasePrefixBytes || length > stellarSignatureBaseBytesMax) {
    throw new CsError(
      'INVALID_INPUT',
      `Stellar transaction ${index + 1} has a ${length}-byte signature base; expected ${stellarSignatureBasePrefixBytes} to ${stellarSignatureBaseBytesMax}.`,
    )
  }
  const expectedPublicKey = request.expectedPublicKey === null ? null : normaliseAddress('stellar', request.expectedPublicKey)
  return { path, signatureBase: request.signatureBase.slice(), expectedPublicKey }
}

function checkStellarSignature(
  signature: Uint8Array,
  message: Uint8Array,
  expected: string | null,
  operation: DeviceOperation,
): StellarSignature {
  if (signature.length !== ed25519SignatureBytes)
    throw unexpectedAnswer(`its signature has ${signature.length} bytes instead of ${ed25519SignatureBytes}`)
  if (expected !== null && !verifyEd25519(signature, message, stellarPublicKeyFromAddress(expected))) {
    throw deviceError('DEVICE_ADDRESS_MISMATCH', { operation }, { expected })
  }
  return { signature, publicKey: expected }
}

function stellarTooLarge(bytes: number, maxBytes: number, index: number, total: number): CsError {
  const which = total > 1 ? `Transaction ${index + 1} of ${total}` : 'This transaction'
  return new CsError(
    'DEVICE_DATA_TOO_LARGE',
    `${which} is too large for the Ledger's Stellar app (${bytes} bytes; it accepts ${maxBytes}) — split it into smaller transactions and sign again.`,
    { details: { operation: 'sign-stellar-transaction', bytes, maxBytes } },
  )
}
