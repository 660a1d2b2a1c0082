/**
 * SANDBOX / TEST ONLY. The Ethereum app's APDU protocol, answered from software keys.
 *
 * INS 02 get address (P1 01 = show and confirm, P2 01 = with chain code, optional 8-byte chain id),
 * INS 04 sign transaction (255-byte frames, P1 00 first / 80 more; complete when the RLP is),
 * INS 06 app configuration, INS 08 personal message (P1 00 first / 80 more), INS 0A ERC-20
 * descriptor, INS 0C EIP-712 hashed message (P2 00) and full message (P2 01, after INS 1A struct
 * definitions, 1C struct values and 1E filters: emulatedEip712.ts). Status words as the real app
 * answers them.
 */
import { keccak_256 } from '@noble/hashes/sha3.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { rlpItemLength } from '../rlp'
import {
  concatBytes as concat,
  decodeUnsignedEvmTransaction,
  evmPersonalMessageHash,
  evmSigningHash,
  evmTypedDataHash,
  toChecksumAddress,
  type Hex,
  type UnsignedEvmTransaction,
} from '../evmCrypto'
import type { DeviceDisplayLine } from '../eip712Device'
import { bytesToHexString, readPath, reply, status, sw, type Apdu, type EmulatedApp, type EmulatedDeviceServices } from './emulatedApp'
import { createEmulatedEip712 } from './emulatedEip712'

export interface EmulatedEthereumSettings {
  /** The app's "Blind signing" setting (contract data without a clear-signing descriptor). */
  blindSigning: boolean
  /** The app's "Raw messages" setting: EIP-712 messages without filters show every field. */
  rawMessages: boolean
  /** The key EIP-712 filters must be signed with (Ledger's CAL key; by default app-ethereum's test key). */
  calPublicKey: Hex
}

export interface EmulatedEthereumApp extends EmulatedApp {
  /** What the device showed for the last full EIP-712 message (null before the first one). */
  lastTypedDataDisplay(): readonly DeviceDisplayLine[] | null
}

const ins = {
  getAddress: 0x02,
  signTransaction: 0x04,
  getConfiguration: 0x06,
  signPersonalMessage: 0x08,
  provideErc20: 0x0a,
  signEip712: 0x0c,
  eip712StructDefinition: 0x1a,
  eip712StructImplementation: 0x1c,
  eip712Filtering: 0x1e,
} as const
/** INS 0C P2: 00 = the host sends the two hashes, 01 = sign the message streamed with INS 1A/1C/1E. */
const eip712FullP2 = 0x01
const p1First = 0x00
const p1More = 0x80
/** The Ethereum app keeps this many ERC-20 descriptors for the next transaction. */
const erc20SlotsMax = 5
/** Bytes of the chain id the app appends after the path when asked to show the network. */
const getAddressChainIdBytes = 8
const hashBytes = 32
const erc20Selectors = new Set(['a9059cbb', '095ea7b3']) // transfer(address,uint256), approve(address,uint256)
/** selector (4) + address word (32) + amount word (32) */
const erc20CallBytes = 4 + 32 + 32

interface Erc20Descriptor {
  ticker: string
  address: string
  decimals: number
  chainId: bigint
}

export function createEmulatedEthereumApp(
  services: EmulatedDeviceServices,
  settings: EmulatedEthereumSettings,
  version: readonly [number, number, number],
): EmulatedEthereumApp {
  const eip712 = createEmulatedEip712(services, settings)
  let tx: { path: number[]; bytes: Uint8Array } | null = null
  let message: { path: number[]; length: number; bytes: Uint8Array } | null = null
  let erc20: Erc20Descriptor[] = []

  function reset(): void {
    tx = null
    message = null
    erc20 = []
    eip712.reset()
  }

  async function getAddress(apdu: Apdu): Promise<Uint8Array> {
    if (apdu.p1 > 1 || apdu.p2 > 1) return status(sw.wrongP1P2)
    const parsed = readPath(apdu.data)
    if (!parsed || (parsed.rest.length !== 0 && parsed.rest.length !== getAddressChainIdBytes)) return status(sw.incorrectData)
    const publicKey = services.keys.secp256k1PublicKey(parsed.path)
    const address = toChecksumAddress(bytesToHex(evmAddressBytes(publicKey)))
    if (apdu.p1 === 1) {
      const fields: Record<string, string> = { address }
      if (parsed.rest.length === getAddressChainIdBytes) fields.chainId = bigintFromBytes(parsed.rest).toString()
      if (!(await services.confirm({ app: 'Ethereum', kind: 'verify-address', fields }))) return status(sw.rejected)
    }
    const ascii = new TextEncoder().encode(address.slice(2))
    const chainCode = apdu.p2 === 1 ? services.keys.secp256k1ChainCode(parsed.path) : new Uint8Array(0)
    return reply(concat(new Uint8Array([publicKey.length]), publicKey, new Uint8Array([ascii.length]), ascii, chainCode), sw.ok)
  }

  async function signTransaction(apdu: Apdu): Promise<Uint8Array> {
    if (apdu.p2 !== 0) return status(sw.wrongP1P2)
    if (apdu.p1 === p1First) {
      const parsed = readPath(apdu.data)
      if (!parsed) return status(sw.incorrectData)
      tx = { path: parsed.path, bytes: parsed.rest.slice() }
    } else if (apdu.p1 === p1More && tx) {
      tx = { path: tx.path, bytes: concat(tx.bytes, apdu.data) }
    } else {
      reset()
      return status(sw.incorrectData)
    }
    const expected = expectedTransactionBytes(tx.bytes)
    if (expected === null || tx.bytes.length < expected) return status(sw.ok) // wait for the next frame
    const { path, bytes } = tx
    const tokens = erc20
    reset()
    if (bytes.length > expected) return status(sw.incorrectData)
    let decoded: UnsignedEvmTransaction
    try {
      decoded = decodeUnsignedEvmTransaction(bytes)
    } catch {
      return status(sw.incorrectData)
    }
    const token = clearSignedToken(decoded, tokens)
    // Like the real app: contract data it cannot show needs the Blind signing setting, and
    // without it the app refuses before any prompt.
    if (decoded.data.length > 0 && token === null && !settings.blindSigning) return status(sw.incorrectData)
    const fields = transactionFields(decoded, token)
    if (!(await services.confirm({ app: 'Ethereum', kind: 'sign-transaction', fields }))) return status(sw.rejected)
    const sig = services.keys.secp256k1Sign(evmSigningHash(bytes), path)
    services.signatureProduced()
    return reply(concat(new Uint8Array([transactionV(decoded, sig.yParity)]), sig.r, sig.s), sw.ok)
  }

  async function signPersonalMessage(apdu: Apdu): Promise<Uint8Array> {
    if (apdu.p2 !== 0) return status(sw.wrongP1P2)
    if (apdu.p1 === p1First) {
      const parsed = readPath(apdu.data)
      if (!parsed || parsed.rest.length < 4) return status(sw.incorrectData)
      const length = new DataView(parsed.rest.buffer, parsed.rest.byteOffset).getUint32(0)
      message = { path: parsed.path, length, bytes: parsed.rest.slice(4) }
    } else if (apdu.p1 === p1More && message) {
      message = { ...message, bytes: concat(message.bytes, apdu.data) }
    } else {
      reset()
      return status(sw.incorrectData)
    }
    if (message.bytes.length < message.length) return status(sw.ok)
    const { path, length, bytes } = message
    reset()
    if (bytes.length > length) return status(sw.incorrectData)
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes)
    if (!(await services.confirm({ app: 'Ethereum', kind: 'sign-message', fields: { message: text } }))) return status(sw.rejected)
    return signedMessage(evmPersonalMessageHash(bytes), path)
  }

  async function signEip712Hashed(apdu: Apdu): Promise<Uint8Array> {
    // P2 00 = "v0": the host sends the two hashes (P2 01, the full message, is emulatedEip712.ts).
    if (apdu.p1 !== 0 || apdu.p2 !== 0) return status(sw.wrongP1P2)
    if (!settings.blindSigning) return status(sw.incorrectData)
    const parsed = readPath(apdu.data)
    if (!parsed || parsed.rest.length !== hashBytes * 2) return status(sw.incorrectData)
    const domain = parsed.rest.subarray(0, hashBytes)
    const messageHash = parsed.rest.subarray(hashBytes)
    const fields = { domainHash: `0x${bytesToHex(domain)}`, messageHash: `0x${bytesToHex(messageHash)}` }
    if (!(await services.confirm({ app: 'Ethereum', kind: 'sign-typed-data', fields }))) return status(sw.rejected)
    return signedMessage(evmTypedDataHash(domain, messageHash), parsed.path)
  }

  function signedMessage(hash: Uint8Array, path: number[]): Uint8Array {
    const sig = services.keys.secp256k1Sign(hash, path)
    services.signatureProduced()
    return reply(concat(new Uint8Array([27 + sig.yParity]), sig.r, sig.s), sw.ok)
  }

  function provideErc20(apdu: Apdu): Uint8Array {
    if (apdu.p1 !== 0 || apdu.p2 !== 0) return status(sw.wrongP1P2)
    // ticker length ‖ ticker ‖ address (20) ‖ decimals (u32) ‖ chain id (u32) ‖ Ledger's signature.
    // A real device checks that signature against Ledger's key; the emulator cannot, and trusts it.
    const d = apdu.data
    const tickerBytes = d[0] ?? 0
    const fixedEnd = 1 + tickerBytes + 20 + 4 + 4
    if (d.length <= fixedEnd) return status(sw.incorrectData)
    const view = new DataView(d.buffer, d.byteOffset, d.byteLength)
    const descriptor: Erc20Descriptor = {
      ticker: new TextDecoder('ascii').decode(d.subarray(1, 1 + tickerBytes)),
      address: bytesToHex(d.subarray(1 + tickerBytes, 1 + tickerBytes + 20)),
      decimals: view.getUint32(1 + tickerBytes + 20),
      chainId: BigInt(view.getUint32(1 + tickerBytes + 24)),
    }
    if (erc20.length >= erc20SlotsMax) erc20 = erc20.slice(1)
    erc20.push(descriptor)
    return reply(new Uint8Array([erc20.length - 1]), sw.ok)
  }

  return {
    name: 'Ethereum',
    version: version.join('.'),
    reset,
    lastTypedDataDisplay: () => eip712.lastDisplay(),
    async handle(apdu) {
      if (apdu.cla !== 0xe0) return status(sw.claNotSupported)
      switch (apdu.ins) {
        case ins.getAddress:
          return getAddress(apdu)
        case ins.signTransaction:
          return signTransaction(apdu)
        case ins.getConfiguration:
          return reply(new Uint8Array([settings.blindSigning ? 0x01 : 0x00, ...version]), sw.ok)
        case ins.signPersonalMessage:
          return signPersonalMessage(apdu)
        case ins.provideErc20:
          return provideErc20(apdu)
        case ins.signEip712:
          return apdu.p1 === 0 && apdu.p2 === eip712FullP2 ? eip712.sign(apdu) : signEip712Hashed(apdu)
        case ins.eip712StructDefinition:
          return eip712.structDefinition(apdu)
        case ins.eip712StructImplementation:
          return eip712.structImplementation(apdu)
        case ins.eip712Filtering:
          return eip712.filtering(apdu)
        default:
          return status(sw.insNotSupported)
      }
    },
  }
}

/** Length of the whole transaction once its RLP header has arrived; null while it has not. */
function expectedTransactionBytes(bytes: Uint8Array): number | null {
  const first = bytes[0]
  if (first === undefined) return null
  try {
    if (first >= 0xc0) return rlpItemLength(bytes, 0)
    const payload = rlpItemLength(bytes, 1)
    return payload === null ? null : 1 + payload
  } catch {
    return null
  }
}

/**
 * The v byte the app returns. Typed transactions: the parity. Legacy with a chain id: EIP-155
 * over the chain id's *highest* 4 bytes, truncated to one byte (hw-app-eth undoes exactly this).
 * Legacy without: 27 + parity.
 */
function transactionV(tx: UnsignedEvmTransaction, yParity: 0 | 1): number {
  if (tx.type !== 'legacy') return yParity
  if (tx.chainId === null) return 27 + yParity
  const chainIdBytes = bigintToMinimalBytes(tx.chainId)
  const chainIdU32 = Number(bigintFromBytes(chainIdBytes.subarray(0, 4)))
  return (chainIdU32 * 2 + 35 + yParity) & 0xff
}

function clearSignedToken(tx: UnsignedEvmTransaction, tokens: readonly Erc20Descriptor[]): Erc20Descriptor | null {
  if (tx.data.length !== erc20CallBytes || !erc20Selectors.has(bytesToHex(tx.data.subarray(0, 4)))) return null
  const to = bytesToHex(tx.to)
  return tokens.find((t) => t.address === to && (tx.chainId === null || t.chainId === tx.chainId)) ?? null
}

function transactionFields(tx: UnsignedEvmTransaction, token: Erc20Descriptor | null): Record<string, string> {
  const fields: Record<string, string> = {
    to: tx.to.length === 0 ? 'contract creation' : toChecksumAddress(bytesToHex(tx.to)),
    valueWei: tx.value.toString(),
    chainId: tx.chainId === null ? 'none' : tx.chainId.toString(),
  }
  if (token) {
    fields.token = token.ticker
    fields.recipient = toChecksumAddress(bytesToHex(tx.data.subarray(4 + 12, 4 + 32)))
    fields.tokenAmountMinor = bigintFromBytes(tx.data.subarray(4 + 32)).toString()
  } else if (tx.data.length > 0) {
    fields.blindData = `0x${bytesToHexString(tx.data.subarray(0, 4))}…`
  }
  return fields
}

/** keccak256(x ‖ y)[12..32] of an uncompressed key. */
function evmAddressBytes(uncompressedPublicKey: Uint8Array): Uint8Array {
  return keccak_256(uncompressedPublicKey.subarray(1)).subarray(12)
}

function bigintFromBytes(bytes: Uint8Array): bigint {
  let v = 0n
  for (const b of bytes) v = (v << 8n) | BigInt(b)
  return v
}

function bigintToMinimalBytes(value: bigint): Uint8Array {
  const hex = value.toString(16)
  const padded = hex.length % 2 === 0 ? hex : `0${hex}`
  return Uint8Array.from(padded.match(/../g) ?? [], (h) => parseInt(h, 16))
}
