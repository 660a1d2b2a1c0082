/**
 * The Ledger Signer: the Ethereum and Stellar apps over an injected transport factory (USB HID in
 * the app, the sandbox emulator in demos and tests, recorded APDUs in replay tests).
 *
 * Per operation: one job on the device's queue → open the transport if needed → ask the device
 * which app is open (`b0 01`) → refuse early if it is not the app needed → the app's APDUs →
 * check the answer (signature shape, low-S, recovers/verifies to the expected account).
 * Inputs are validated before the job starts: bad input never reaches the device.
 */
import { CsError } from '../../../../shared/errors'
import { canonicalBip32Path, evmAccountPath, isHardened, parseBip32Path, stellarAccountPath } from '../bip32Path'
import { createDeviceQueue, type DeviceJob } from '../deviceQueue'
import { deviceError, toDeviceError, type DeviceOperation, type LedgerAppName } from '../deviceErrors'
import {
  decodeUnsignedEvmTransaction,
  evmAddressFromPublicKey,
  evmPersonalMessageHash,
  evmSigningHash,
  evmTypedDataHash,
  hexToBytesStrict,
  isLowS,
  recoverEvmAddress,
  toChecksumAddress,
  toHex,
  type Hex,
  type UnsignedEvmTransaction,
} from '../evmCrypto'
import {
  signerLimits,
  type BatchSignerOptions,
  type ConfirmationSubject,
  type DeviceStatus,
  type EvmPersonalMessageRequest,
  type EvmSignature,
  type EvmTransactionRequest,
  type EvmTypedDataHashRequest,
  type Signer,
  type SignerAccount,
  type SignerChain,
  type SignerOptions,
  type SignerProgress,
  type StellarHashRequest,
  type StellarSignature,
  type StellarTransactionRequest,
  type VerifyAddressRequest,
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
import { systemTimer, type Timer } from '../timer'
import {
  getEthAddress,
  getEthAppConfiguration,
  signEthPersonalMessage,
  signEthTransaction,
  signEthTypedDataHash,
  type RawEthSignature,
} from './ethAppOps'
import { getOpenApp, type OpenApp } from './getOpenApp'
import type { LedgerDeviceDescriptor, LedgerTransportFactory } from './LedgerTransportFactory'
import type { LedgerTransport } from './ledgerPackages'
import { getStellarAppConfiguration, getStellarPublicKey, signStellarHash, signStellarTransaction } from './stellarAppOps'

export interface LedgerSignerOptions {
  factory: LedgerTransportFactory
  deviceId: string
  timer?: Timer
  /** Deadline for an exchange the user does not have to confirm (app check, key derivation). */
  exchangeTimeoutMs?: number
  /** Deadline for the user to read and confirm one prompt on the device. */
  confirmationTimeoutMs?: number
  /** Operations allowed to wait for the device before callers get DEVICE_BUSY. */
  waitingJobsMax?: number
}

export const ledgerSignerDefaults = {
  exchangeTimeoutMs: 20_000,
  /** Long Stellar transactions take minutes to page through on a Nano S. */
  confirmationTimeoutMs: 10 * 60_000,
  waitingJobsMax: 16,
  /** ERC-20 descriptors sent before one transaction (the Ethereum app keeps only a few). */
  erc20DescriptorsPerTransactionMax: 4,
  /** A descriptor is ticker + address + decimals + chain id + a DER signature: well under one APDU. */
  erc20DescriptorBytesMax: 255,
} as const

/** App names the device reports for the apps we speak to (`b0 01`). */
const appNamesOnDevice: Readonly<Record<LedgerAppName, readonly string[]>> = {
  Ethereum: ['Ethereum'],
  Stellar: ['Stellar'],
}

const secp256k1ScalarBytes = 32
/** 0x04 ‖ x ‖ y: the form the Ethereum app returns. */
const uncompressedPublicKeyBytes = 65

/** Marks a caller's own error (from onSigned) so it is passed through instead of mapped as a device error. */
class CallerError {
  constructor(readonly error: unknown) {}
}

export function createLedgerSigner(options: LedgerSignerOptions): Signer {
  const { factory, deviceId } = options
  const timer = options.timer ?? systemTimer
  const exchangeTimeoutMs = options.exchangeTimeoutMs ?? ledgerSignerDefaults.exchangeTimeoutMs
  const confirmationTimeoutMs = options.confirmationTimeoutMs ?? ledgerSignerDefaults.confirmationTimeoutMs
  const queue = createDeviceQueue({ timer, waitingJobsMax: options.waitingJobsMax ?? ledgerSignerDefaults.waitingJobsMax })
  let transport: LedgerTransport | null = null
  /** The last discarded transport's close: the next open waits for it (USB HID is exclusive on macOS and Windows). */
  let closing: Promise<void> = Promise.resolve()

  function discardTransport(): void {
    const current = transport
    transport = null
    // Best effort: a HID transport waits for its pending exchange before closing.
    if (current) closing = current.close().catch(() => undefined)
  }

  async function openTransport(job: DeviceJob, onProgress: SignerOptions['onProgress']): Promise<LedgerTransport> {
    if (transport) return transport
    emit(onProgress, { kind: 'opening-device' })
    await job.withDeadline(closing, exchangeTimeoutMs)
    const opened = await job.withDeadline(
      Promise.resolve().then(() => factory.open(deviceId)),
      exchangeTimeoutMs,
    )
    opened.on('disconnect', () => {
      if (transport === opened) transport = null
    })
    transport = opened
    return opened
  }

  interface Session {
    transport: LedgerTransport
    job: DeviceJob
    openApp: OpenApp
  }

  /** Runs `work` as one job on the device queue, with the right app open. Errors leave as CsErrors. */
  async function withDevice<T>(
    app: LedgerAppName | null,
    operation: DeviceOperation,
    onProgress: SignerOptions['onProgress'],
    work: (session: Session) => Promise<T>,
  ): Promise<T> {
    let openAppName: string | undefined
    try {
      return await queue.run(async (job) => {
        const t = await openTransport(job, onProgress)
        const openApp = await job.withDeadline(getOpenApp(t), exchangeTimeoutMs)
        openAppName = openApp.name
        if (app !== null && !appNamesOnDevice[app].includes(openApp.name)) {
          throw deviceError('DEVICE_WRONG_APP', { operation, app, openApp: openApp.name }, { openApp: openApp.name })
        }
        return await work({ transport: t, job, openApp })
      })
    } catch (error) {
      if (error instanceof CallerError) throw error.error
      const mapped = toDeviceError(error, { operation, app: app ?? undefined, openApp: openAppName })
      if (mapped.code === 'DEVICE_DISCONNECTED' || mapped.code === 'DEVICE_TIMEOUT' || mapped.code === 'DEVICE_NOT_FOUND')
        discardTransport()
      throw mapped
    }
  }

  async function readAccount(
    session: Session,
    chain: SignerChain,
    path: string,
    display: boolean,
    evmChainId?: bigint,
  ): Promise<SignerAccount> {
    const timeoutMs = display ? confirmationTimeoutMs : exchangeTimeoutMs
    if (chain === 'evm') {
      const raw = await session.job.withDeadline(getEthAddress(session.transport, path, { display, chainId: evmChainId }), timeoutMs)
      const publicKey = safeHex(raw.publicKey)
      if (publicKey === null || publicKey.length !== uncompressedPublicKeyBytes) throw unexpectedAnswer('its public key is malformed')
      const address = evmAddressFromPublicKey(publicKey)
      // Assert on read: the address the device computed must be the one its key gives.
      if (address.toLowerCase() !== raw.address.toLowerCase()) throw unexpectedAnswer('its address does not match its public key')
      return { chain, path, address, publicKey: toHex(publicKey) }
    }
    const publicKey = await session.job.withDeadline(getStellarPublicKey(session.transport, path, display), timeoutMs)
    return { chain, path, address: stellarAddressFromPublicKey(publicKey), publicKey: toHex(publicKey) }
  }

  return {
    kind: 'ledger',
    deviceId,

    async getStatus(opts = {}) {
      return withDevice(null, 'read-status', opts.onProgress, async ({ transport: t, job, openApp }) => {
        const status: DeviceStatus = { openApp: { name: openApp.name, version: openApp.version } }
        if (appNamesOnDevice.Ethereum.includes(openApp.name)) {
          status.ethereum = await job.withDeadline(getEthAppConfiguration(t), exchangeTimeoutMs)
        } else if (appNamesOnDevice.Stellar.includes(openApp.name)) {
          status.stellar = await job.withDeadline(getStellarAppConfiguration(t), exchangeTimeoutMs)
        }
        return status
      })
    },

    async getAccount(chain, path, opts = {}) {
      const canonical = validatePath(chain, path)
      return withDevice(appFor(chain), 'get-address', opts.onProgress, (session) => readAccount(session, chain, canonical, false))
    },

    async listAccounts(chain, range, opts = {}) {
      const { start, count } = range
      if (!Number.isSafeInteger(count) || count < 1 || count > signerLimits.accountsPerListMax) {
        throw new CsError('INVALID_INPUT', `List 1 to ${signerLimits.accountsPerListMax} accounts at a time, not ${count}.`)
      }
      const paths = Array.from({ length: count }, (_, i) => (chain === 'evm' ? evmAccountPath(start + i) : stellarAccountPath(start + i)))
      return withDevice(appFor(chain), 'get-address', opts.onProgress, async (session) => {
        const accounts: SignerAccount[] = []
        for (const path of paths) accounts.push(await readAccount(session, chain, path, false))
        return accounts
      })
    },

    async verifyAddress(request: VerifyAddressRequest, opts = {}) {
      const path = validatePath(request.chain, request.path)
      const expected = normaliseAddress(request.chain, request.expectedAddress)
      const chainId = request.evmChainId
      // The Ethereum app takes the chain id as 8 bytes.
      if (chainId !== undefined && (request.chain !== 'evm' || chainId < 1n || chainId >= 2n ** 64n)) {
        throw new CsError('INVALID_INPUT', `Chain id ${chainId} cannot be shown on the Ledger: use an EVM chain id from 1 to 2^64 - 1.`)
      }
      return withDevice(appFor(request.chain), 'verify-address', opts.onProgress, async (session) => {
        emit(opts.onProgress, confirmation('address', 0, 1))
        const account = await readAccount(session, request.chain, path, true, request.evmChainId)
        if (account.address !== expected) {
          throw deviceError('DEVICE_ADDRESS_MISMATCH', { operation: 'verify-address' }, { expected, shown: account.address })
        }
        return account
      })
    },

    async signEvmTransactions(requests, opts: BatchSignerOptions<EvmSignature> = {}) {
      const prepared = checkBatchSize(requests).map(prepareEvmTransaction)
      let signedCount = 0
      try {
        return await withDevice('Ethereum', 'sign-evm-transaction', opts.onProgress, async ({ transport: t, job }) => {
          const signatures: EvmSignature[] = []
          for (const [index, tx] of prepared.entries()) {
            emit(opts.onProgress, confirmation('transaction', index, prepared.length))
            const raw = await job.withDeadline(signEthTransaction(t, tx.path, tx.bytes, tx.erc20TokenDescriptors), confirmationTimeoutMs)
            const signature = checkEvmTransactionSignature(raw, tx)
            signatures.push(signature)
            signedCount++
            emit(opts.onProgress, { kind: 'signed', signed: signedCount, total: prepared.length })
            await deliver(opts.onSigned, index, signature)
          }
          return signatures
        })
      } catch (error) {
        throw withBatchContext(error, signedCount, prepared.length)
      }
    },

    async signEvmPersonalMessage(request: EvmPersonalMessageRequest, opts = {}) {
      const path = validatePath('evm', request.path)
      const expected = request.expectedAddress === null ? null : toChecksumAddress(request.expectedAddress)
      if (request.message.length === 0 || request.message.length > signerLimits.evmMessageBytesMax) {
        throw new CsError(
          'INVALID_INPUT',
          `A message to sign has 1 to ${signerLimits.evmMessageBytesMax} bytes, not ${request.message.length}.`,
        )
      }
      const message = request.message.slice()
      return withDevice('Ethereum', 'sign-evm-message', opts.onProgress, async ({ transport: t, job }) => {
        emit(opts.onProgress, confirmation('message', 0, 1))
        const raw = await job.withDeadline(signEthPersonalMessage(t, path, message), confirmationTimeoutMs)
        return checkEvmMessageSignature(raw, evmPersonalMessageHash(message), expected)
      })
    },

    async signEvmTypedDataHash(request: EvmTypedDataHashRequest, opts = {}) {
      const path = validatePath('evm', request.path)
      const expected = request.expectedAddress === null ? null : toChecksumAddress(request.expectedAddress)
      const domainSeparator = hexToBytesStrict(request.domainSeparator, 'The EIP-712 domain separator', 32)
      const messageHash = hexToBytesStrict(request.messageHash, 'The EIP-712 message hash', 32)
      return withDevice('Ethereum', 'sign-evm-typed-data-hash', opts.onProgress, async ({ transport: t, job }) => {
        emit(opts.onProgress, confirmation('message', 0, 1))
        const raw = await job.withDeadline(signEthTypedDataHash(t, path, domainSeparator, messageHash), confirmationTimeoutMs)
        return checkEvmMessageSignature(raw, evmTypedDataHash(domainSeparator, messageHash), expected)
      })
    },

    async signStellarTransactions(requests, opts: BatchSignerOptions<StellarSignature> = {}) {
      const prepared = checkBatchSize(requests).map(prepareStellarTransaction)
      let signedCount = 0
      try {
        return await withDevice('Stellar', 'sign-stellar-transaction', opts.onProgress, async ({ transport: t, job }) => {
          const config = await job.withDeadline(getStellarAppConfiguration(t), exchangeTimeoutMs)
          // Size every transaction against the app's buffer before the first prompt, so a batch
          // does not stop half-way for a limit known from the start.
          const maxBytes = config.maxDataSizeBytes
          const tooLarge = maxBytes === null ? -1 : prepared.findIndex((tx) => tx.signatureBase.length > maxBytes)
          if (tooLarge >= 0 && maxBytes !== null)
            throw stellarTooLarge(prepared[tooLarge]?.signatureBase.length ?? 0, maxBytes, tooLarge, prepared.length)
          const signatures: StellarSignature[] = []
          for (const [index, tx] of prepared.entries()) {
            emit(opts.onProgress, confirmation('transaction', index, prepared.length))
            const signature = await job.withDeadline(signStellarTransaction(t, tx.path, tx.signatureBase), confirmationTimeoutMs)
            const checked = checkStellarSignature(
              signature,
              stellarTransactionHash(tx.signatureBase),
              tx.expectedPublicKey,
              'sign-stellar-transaction',
            )
            signatures.push(checked)
            signedCount++
            emit(opts.onProgress, { kind: 'signed', signed: signedCount, total: prepared.length })
            await deliver(opts.onSigned, index, checked)
          }
          return signatures
        })
      } catch (error) {
        throw withBatchContext(error, signedCount, prepared.length)
      }
    },

    async signStellarHash(request: StellarHashRequest, opts = {}) {
      const path = validatePath('stellar', request.path)
      const expected = request.expectedPublicKey === null ? null : normaliseAddress('stellar', request.expectedPublicKey)
      if (request.hash.length !== stellarHashBytes) {
        throw new CsError('INVALID_INPUT', `A Stellar hash to sign has ${stellarHashBytes} bytes, not ${request.hash.length}.`)
      }
      const hash = request.hash.slice()
      return withDevice('Stellar', 'sign-stellar-hash', opts.onProgress, async ({ transport: t, job }) => {
        const config = await job.withDeadline(getStellarAppConfiguration(t), exchangeTimeoutMs)
        if (!config.hashSigningEnabled) throw deviceError('DEVICE_HASH_SIGNING_OFF', { operation: 'sign-stellar-hash', app: 'Stellar' })
        emit(opts.onProgress, confirmation('hash', 0, 1))
        const signature = await job.withDeadline(signStellarHash(t, path, hash), confirmationTimeoutMs)
        return checkStellarSignature(signature, hash, expected, 'sign-stellar-hash')
      })
    },

    async close() {
      if (queue.isStuck) {
        discardTransport()
        return
      }
      await queue.run(async () => discardTransport())
    },
  }
}

/**
 * One Signer per device id, so every caller shares the device's queue: two signers over one
 * device would put two exchanges in flight.
 */
export interface LedgerDevices {
  list(): Promise<LedgerDeviceDescriptor[]>
  signer(deviceId: string): Signer
}

export function createLedgerDevices(options: Omit<LedgerSignerOptions, 'deviceId'>): LedgerDevices {
  const signers = new Map<string, Signer>()
  return {
    async list() {
      try {
        return await options.factory.list()
      } catch (error) {
        throw toDeviceError(error, { operation: 'open-device' })
      }
    },
    signer(deviceId) {
      let signer = signers.get(deviceId)
      if (!signer) {
        signer = createLedgerSigner({ ...options, deviceId })
        signers.set(deviceId, signer)
      }
      return signer
    },
  }
}

// ---------------------------------------------------------------------------------------------
// Input validation (before the device) and answer checks (after it).

interface PreparedEvmTransaction {
  path: string
  bytes: Uint8Array
  tx: UnsignedEvmTransaction
  expectedAddress: Hex | null
  erc20TokenDescriptors: Uint8Array[]
}

function prepareEvmTransaction(request: EvmTransactionRequest, index: number): PreparedEvmTransaction {
  const path = validatePath('evm', request.path)
  const bytes = hexToBytesStrict(request.unsignedTransaction, `Transaction ${index + 1}`)
  const tx = decodeUnsignedEvmTransaction(bytes)
  if (tx.chainId === null && request.allowPreEip155 !== true) {
    throw new CsError(
      'INVALID_INPUT',
      `Transaction ${index + 1} has no chain id, so it would be valid on every EVM chain — build it with a chain id (EIP-155).`,
    )
  }
  const descriptors = request.erc20TokenDescriptors ?? []
  if (descriptors.length > ledgerSignerDefaults.erc20DescriptorsPerTransactionMax) {
    throw new CsError(
      'INVALID_INPUT',
      `Transaction ${index + 1} has ${descriptors.length} token descriptors; at most ${ledgerSignerDefaults.erc20DescriptorsPerTransactionMax} are sent to the Ledger.`,
    )
  }
  const erc20TokenDescriptors = descriptors.map((d) => {
    const b = hexToBytesStrict(d, 'An ERC-20 token descriptor')
    if (b.length === 0 || b.length > ledgerSignerDefaults.erc20DescriptorBytesMax) {
      throw new CsError(
        'INVALID_INPUT',
        `An ERC-20 token descriptor has 1 to ${ledgerSignerDefaults.erc20DescriptorBytesMax} bytes, not ${b.length}.`,
      )
    }
    return b
  })
  const expectedAddress = request.expectedAddress === null ? null : toChecksumAddress(request.expectedAddress)
  return { path, bytes: bytes.slice(), tx, expectedAddress, erc20TokenDescriptors }
}

function checkEvmTransactionSignature(raw: RawEthSignature, prepared: PreparedEvmTransaction): EvmSignature {
  const { r, s } = checkScalars(raw.r, raw.s)
  const v = parseHexBigint(raw.v)
  const { tx } = prepared
  let yParity: bigint
  if (tx.type !== 'legacy') yParity = v
  else if (tx.chainId === null) yParity = v - 27n
  else yParity = v - (tx.chainId * 2n + 35n)
  if (yParity !== 0n && yParity !== 1n) throw unexpectedAnswer(`its signature has v = 0x${raw.v}, impossible for this transaction`)
  const parity = yParity === 0n ? 0 : 1
  if (prepared.expectedAddress !== null) {
    const signer = recoverEvmAddress(evmSigningHash(prepared.bytes), r, s, parity)
    if (signer !== prepared.expectedAddress) {
      throw deviceError('DEVICE_ADDRESS_MISMATCH', { operation: 'sign-evm-transaction' }, { expected: prepared.expectedAddress, signer })
    }
  }
  return { r: toHex(r), s: toHex(s), yParity: parity, v: tx.type === 'legacy' ? v : 27n + yParity }
}

function checkEvmMessageSignature(raw: { v: number; r: string; s: string }, hash: Uint8Array, expected: Hex | null): EvmSignature {
  const { r, s } = checkScalars(raw.r, raw.s)
  if (raw.v !== 27 && raw.v !== 28) throw unexpectedAnswer(`its message signature has v = ${raw.v}`)
  const parity = raw.v === 27 ? 0 : 1
  if (expected !== null) {
    const signer = recoverEvmAddress(hash, r, s, parity)
    if (signer !== expected) throw deviceError('DEVICE_ADDRESS_MISMATCH', { operation: 'sign-evm-message' }, { expected, signer })
  }
  return { r: toHex(r), s: toHex(s), yParity: parity, v: BigInt(raw.v) }
}

function checkScalars(rHex: string, sHex: string): { r: Uint8Array; s: Uint8Array } {
  const r = safeHex(rHex)
  const s = safeHex(sHex)
  if (r === null || s === null || r.length !== secp256k1ScalarBytes || s.length !== secp256k1ScalarBytes) {
    throw unexpectedAnswer('its signature is not two 32-byte numbers')
  }
  // EIP-2: a high-s signature is rejected by every EVM node; the Ledger never produces one.
  if (!isLowS(s)) throw unexpectedAnswer('its signature has a high s value')
  return { r, s }
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

function validatePath(chain: SignerChain, path: string): string {
  const components = parseBip32Path(path)
  // SLIP-10 ed25519 has no public derivation: every Stellar step must be hardened.
  if (chain === 'stellar' && !components.every(isHardened)) {
    throw new CsError('INVALID_INPUT', `Stellar derivation path "${path}" must have only hardened steps (like 44'/148'/0').`)
  }
  return canonicalBip32Path(path)
}

function normaliseAddress(chain: SignerChain, address: string): string {
  if (chain === 'evm') return toChecksumAddress(address)
  stellarPublicKeyFromAddress(address)
  return address
}

function appFor(chain: SignerChain): LedgerAppName {
  return chain === 'evm' ? 'Ethereum' : 'Stellar'
}

function checkBatchSize<T>(requests: readonly T[]): readonly T[] {
  if (requests.length === 0 || requests.length > signerLimits.transactionsPerBatchMax) {
    throw new CsError(
      'INVALID_INPUT',
      `A signing batch has 1 to ${signerLimits.transactionsPerBatchMax} transactions, not ${requests.length}.`,
    )
  }
  return requests
}

async function deliver<S>(onSigned: BatchSignerOptions<S>['onSigned'], index: number, signature: S): Promise<void> {
  if (!onSigned) return
  try {
    await onSigned(index, signature)
  } catch (error) {
    throw new CallerError(error)
  }
}

/** A batch that stops part-way says how far it got; the signatures so far went to onSigned. */
function withBatchContext(error: unknown, signedCount: number, total: number): unknown {
  if (total <= 1 || !(error instanceof CsError) || !error.code.startsWith('DEVICE_')) return error
  const progress =
    signedCount === 0 ? 'None of the transactions was signed.' : `${signedCount} of ${total} were signed before this and are kept.`
  return new CsError(error.code, `${error.message} ${progress}`, {
    cause: error.cause,
    details: { ...error.details, signedCount, total },
  })
}

function confirmation(subject: ConfirmationSubject, index: number, total: number): SignerProgress {
  return { kind: 'awaiting-confirmation', subject, position: index + 1, total }
}

function emit(onProgress: SignerOptions['onProgress'], progress: SignerProgress): void {
  if (!onProgress) return
  try {
    onProgress(progress)
  } catch {
    // A broken progress listener (a closed window) must not break a signature.
  }
}

function parseHexBigint(hex: string): bigint {
  if (!/^[0-9a-fA-F]{1,64}$/.test(hex)) throw unexpectedAnswer(`its signature has v = "${hex.slice(0, 20)}"`)
  return BigInt(`0x${hex}`)
}

function safeHex(hex: string): Uint8Array | null {
  try {
    return hexToBytesStrict(hex, 'signature')
  } catch {
    return null
  }
}

function unexpectedAnswer(why: string): CsError {
  return new CsError(
    'DEVICE_UNEXPECTED',
    `The Ledger's answer cannot be used (${why}), so it was discarded — reconnect the Ledger and try again.`,
    {
      details: { why },
    },
  )
}
