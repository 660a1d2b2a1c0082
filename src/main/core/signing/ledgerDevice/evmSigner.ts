/**
 * The EVM part of the Ledger signer: accounts, transactions (with ERC-20 descriptors), personal
 * messages, EIP-712 typed data (in full, so the device shows its fields) and EIP-712 hashes
 * through the Ethereum app. Inputs are checked before the device
 * job; every answer is checked after it — two 32-byte scalars, low-S (EIP-2), a possible v, and
 * the signature recovers to the expected address — so nothing the device got wrong is used.
 */
import { CsError } from '../../../../shared/errors'
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
import { deviceError, type DeviceOperation } from '../deviceErrors'
import { prepareTypedDataForLedger } from '../prepareTypedDataForLedger'
import {
  signerLimits,
  type BatchSignerOptions,
  type EvmPersonalMessageRequest,
  type EvmSignature,
  type EvmTransactionRequest,
  type EvmTypedDataHashRequest,
  type EvmTypedDataRequest,
  type Signer,
  type SignerAccount,
  type SignerOptions,
} from '../Signer'
import { confirmation, emit, safeHex, signBatch, unexpectedAnswer, type DeviceJobSession, type LedgerDeviceSession } from './deviceSession'
import {
  getEthAddress,
  signEthPersonalMessage,
  signEthTransaction,
  signEthTypedData,
  signEthTypedDataHash,
  type RawEthSignature,
} from './ethAppOps'
import { checkBatchSize, validatePath } from './signerInput'

export const EVM_LEDGER_LIMITS = {
  /** ERC-20 descriptors sent before one transaction (the Ethereum app keeps only a few). */
  erc20DescriptorsPerTransactionMax: 4,
  /** A descriptor is ticker + address + decimals + chain id + a DER signature: well under one APDU. */
  erc20DescriptorBytesMax: 255,
} as const

const SECP256K1_SCALAR_BYTES = 32
/** 0x04 ‖ x ‖ y: the form the Ethereum app returns. */
const UNCOMPRESSED_PUBLIC_KEY_BYTES = 65
/** EIP-712 domain separators and message hashes are keccak-256 hashes. */
const EIP712_HASH_BYTES = 32

export type LedgerEvmSigning = Pick<Signer, 'signEvmTransactions' | 'signEvmPersonalMessage' | 'signEvmTypedDataHash' | 'signEvmTypedData'>

export function createLedgerEvmSigning(device: LedgerDeviceSession): LedgerEvmSigning {
  return {
    async signEvmTransactions(requests, opts: BatchSignerOptions<EvmSignature> = {}) {
      const prepared = checkBatchSize(requests).map(prepareEvmTransaction)
      return signBatch(device, 'Ethereum', 'sign-evm-transaction', prepared, opts, async ({ transport: t, job }, tx) => {
        const raw = await job.withDeadline(signEthTransaction(t, tx.path, tx.bytes, tx.erc20TokenDescriptors), device.confirmationTimeoutMs)
        return checkEvmTransactionSignature(raw, tx)
      })
    },

    async signEvmPersonalMessage(request: EvmPersonalMessageRequest, opts: SignerOptions = {}) {
      const path = validatePath('evm', request.path)
      const expected = request.expectedAddress === null ? null : toChecksumAddress(request.expectedAddress)
      if (request.message.length === 0 || request.message.length > signerLimits.evmMessageBytesMax) {
        throw new CsError(
          'INVALID_INPUT',
          `A message to sign has 1 to ${signerLimits.evmMessageBytesMax} bytes, not ${request.message.length}.`,
        )
      }
      const message = request.message.slice()
      return device.withDevice('Ethereum', 'sign-evm-message', opts.onProgress, async ({ transport: t, job }) => {
        emit(opts.onProgress, confirmation('message', 0, 1))
        const raw = await job.withDeadline(signEthPersonalMessage(t, path, message), device.confirmationTimeoutMs)
        return checkEvmMessageSignature(raw, evmPersonalMessageHash(message), expected, 'sign-evm-message')
      })
    },

    async signEvmTypedDataHash(request: EvmTypedDataHashRequest, opts: SignerOptions = {}) {
      const path = validatePath('evm', request.path)
      const expected = request.expectedAddress === null ? null : toChecksumAddress(request.expectedAddress)
      const domainSeparator = hexToBytesStrict(request.domainSeparator, 'The EIP-712 domain separator', EIP712_HASH_BYTES)
      const messageHash = hexToBytesStrict(request.messageHash, 'The EIP-712 message hash', EIP712_HASH_BYTES)
      return device.withDevice('Ethereum', 'sign-evm-typed-data-hash', opts.onProgress, async ({ transport: t, job }) => {
        emit(opts.onProgress, confirmation('message', 0, 1))
        const raw = await job.withDeadline(signEthTypedDataHash(t, path, domainSeparator, messageHash), device.confirmationTimeoutMs)
        return checkEvmMessageSignature(raw, evmTypedDataHash(domainSeparator, messageHash), expected, 'sign-evm-typed-data-hash')
      })
    },

    async signEvmTypedData(request: EvmTypedDataRequest, opts: SignerOptions = {}) {
      const path = validatePath('evm', request.path)
      const expected = request.expectedAddress === null ? null : toChecksumAddress(request.expectedAddress)
      // Checked and hashed (viem) before the job: the signature must recover over this digest.
      const prepared = prepareTypedDataForLedger(request.typedData)
      return device.withDevice('Ethereum', 'sign-evm-typed-data', opts.onProgress, async ({ transport: t, job }) => {
        emit(opts.onProgress, confirmation('message', 0, 1))
        const raw = await job.withDeadline(signEthTypedData(t, path, prepared.message), device.confirmationTimeoutMs)
        return checkEvmMessageSignature(raw, prepared.digest, expected, 'sign-evm-typed-data')
      })
    },
  }
}

/** Derives (and, with `display`, shows) the account at `path`; its address must match its key. */
export async function readEvmAccount(
  session: DeviceJobSession,
  path: string,
  display: boolean,
  timeoutMs: number,
  chainId?: bigint,
): Promise<SignerAccount> {
  const raw = await session.job.withDeadline(getEthAddress(session.transport, path, { display, chainId }), timeoutMs)
  const publicKey = safeHex(raw.publicKey)
  if (publicKey === null || publicKey.length !== UNCOMPRESSED_PUBLIC_KEY_BYTES) throw unexpectedAnswer('its public key is malformed')
  const address = evmAddressFromPublicKey(publicKey)
  // Assert on read: the address the device computed must be the one its key gives.
  if (address.toLowerCase() !== raw.address.toLowerCase()) throw unexpectedAnswer('its address does not match its public key')
  return { chain: 'evm', path, address, publicKey: toHex(publicKey) }
}

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
  if (descriptors.length > EVM_LEDGER_LIMITS.erc20DescriptorsPerTransactionMax) {
    throw new CsError(
      'INVALID_INPUT',
      `Transaction ${index + 1} has ${descriptors.length} token descriptors; at most ${EVM_LEDGER_LIMITS.erc20DescriptorsPerTransactionMax} are sent to the Ledger.`,
    )
  }
  const erc20TokenDescriptors = descriptors.map(parseErc20Descriptor)
  const expectedAddress = request.expectedAddress === null ? null : toChecksumAddress(request.expectedAddress)
  return { path, bytes: bytes.slice(), tx, expectedAddress, erc20TokenDescriptors }
}

function parseErc20Descriptor(hex: string): Uint8Array {
  const b = hexToBytesStrict(hex, 'An ERC-20 token descriptor')
  if (b.length === 0 || b.length > EVM_LEDGER_LIMITS.erc20DescriptorBytesMax) {
    throw new CsError(
      'INVALID_INPUT',
      `An ERC-20 token descriptor has 1 to ${EVM_LEDGER_LIMITS.erc20DescriptorBytesMax} bytes, not ${b.length}.`,
    )
  }
  return b
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

function checkEvmMessageSignature(
  raw: { v: number; r: string; s: string },
  hash: Uint8Array,
  expected: Hex | null,
  operation: DeviceOperation,
): EvmSignature {
  const { r, s } = checkScalars(raw.r, raw.s)
  if (raw.v !== 27 && raw.v !== 28) throw unexpectedAnswer(`its message signature has v = ${raw.v}`)
  const parity = raw.v === 27 ? 0 : 1
  if (expected !== null) {
    const signer = recoverEvmAddress(hash, r, s, parity)
    if (signer !== expected) throw deviceError('DEVICE_ADDRESS_MISMATCH', { operation }, { expected, signer })
  }
  return { r: toHex(r), s: toHex(s), yParity: parity, v: BigInt(raw.v) }
}

function checkScalars(rHex: string, sHex: string): { r: Uint8Array; s: Uint8Array } {
  const r = safeHex(rHex)
  const s = safeHex(sHex)
  if (r === null || s === null || r.length !== SECP256K1_SCALAR_BYTES || s.length !== SECP256K1_SCALAR_BYTES) {
    throw unexpectedAnswer('its signature is not two 32-byte numbers')
  }
  // EIP-2: a high-s signature is rejected by every EVM node; the Ledger never produces one.
  if (!isLowS(s)) throw unexpectedAnswer('its signature has a high s value')
  return { r, s }
}

function parseHexBigint(hex: string): bigint {
  if (!/^[0-9a-fA-F]{1,64}$/.test(hex)) throw unexpectedAnswer(`its signature has v = "${hex.slice(0, 20)}"`)
  return BigInt(`0x${hex}`)
}
