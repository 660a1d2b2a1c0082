/**
 * SANDBOX / TEST ONLY. The Stellar app's APDU protocol, answered from software keys.
 *
 * INS 02 get public key (P2 01 = show and confirm), INS 04 sign transaction (255-byte frames;
 * P1 00 first / 80 more, P2 80 more / 00 last; signs SHA-256 of the signature base), INS 06 app
 * configuration (hash signing flag, version, buffer size), INS 08 sign a 32-byte hash (only with
 * hash signing on). Status words as the app answers them: 6985 rejected, 6C66 hash signing off,
 * B001 key derivation failed, B004 data too large, B005 parse failure.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { xdr } from '@stellar/stellar-base'
import { concatBytes as concat } from '../evmCrypto'
import { stellarAddressFromPublicKey } from '../stellarCrypto'
import { readPath, reply, status, sw, type Apdu, type EmulatedApp, type EmulatedDeviceServices } from './emulatedApp'

export interface EmulatedStellarSettings {
  /** The app's hash signing ("blind signing" in newer versions) setting. */
  hashSigning: boolean
  /** Size of the app's transaction buffer in bytes, reported by INS 06 and enforced by INS 04. */
  maxDataSizeBytes: number
}

const ins = { getPublicKey: 0x02, signTransaction: 0x04, getConfiguration: 0x06, signHash: 0x08 } as const
export const stellarStatusWords = {
  keyDerivationFailed: 0xb001,
  dataTooLarge: 0xb004,
  parseFailed: 0xb005,
  hashSigningOff: 0x6c66,
  wrongApduLength: 0x6a87,
} as const
const p1First = 0x00
const p1More = 0x80
const p2Last = 0x00
const p2More = 0x80
const hashBytes = 32
/** SHA-256("Public Global Stellar Network ; September 2015"): shown as "Public" on the device. */
const pubnetNetworkIdHex = '7ac33997544e3175d266bd022439b22cdb16508c01163f26e5cb2a3e1045a979'

export function createEmulatedStellarApp(
  services: EmulatedDeviceServices,
  settings: EmulatedStellarSettings,
  version: readonly [number, number, number],
): EmulatedApp {
  let tx: { path: number[]; bytes: Uint8Array } | null = null

  function reset(): void {
    tx = null
  }

  async function getPublicKey(apdu: Apdu): Promise<Uint8Array> {
    // P1 01 was the obsolete "return a signature too" API; current apps refuse it.
    if (apdu.p1 !== 0 || apdu.p2 > 1) return status(sw.wrongP1P2)
    const parsed = readPath(apdu.data)
    if (!parsed || parsed.rest.length !== 0) return status(stellarStatusWords.wrongApduLength)
    const publicKey = services.keys.ed25519PublicKey(parsed.path)
    if (publicKey === null) return status(stellarStatusWords.keyDerivationFailed)
    if (apdu.p2 === 1) {
      const fields = { address: stellarAddressFromPublicKey(publicKey) }
      if (!(await services.confirm({ app: 'Stellar', kind: 'verify-address', fields }))) return status(sw.rejected)
    }
    return reply(publicKey, sw.ok)
  }

  async function signTransaction(apdu: Apdu): Promise<Uint8Array> {
    if ((apdu.p1 !== p1First && apdu.p1 !== p1More) || (apdu.p2 !== p2Last && apdu.p2 !== p2More)) return status(sw.wrongP1P2)
    if (apdu.p1 === p1First) {
      const parsed = readPath(apdu.data)
      if (!parsed) return status(stellarStatusWords.wrongApduLength)
      tx = { path: parsed.path, bytes: parsed.rest.slice() }
    } else if (tx) {
      tx = { path: tx.path, bytes: concat(tx.bytes, apdu.data) }
    } else {
      // A continuation without a first frame would sign whatever the buffer holds: refused.
      return status(stellarStatusWords.parseFailed)
    }
    if (tx.bytes.length > settings.maxDataSizeBytes) {
      reset()
      return status(stellarStatusWords.dataTooLarge)
    }
    if (apdu.p2 === p2More) return status(sw.ok)
    const { path, bytes } = tx
    reset()
    const fields = describeSignatureBase(bytes)
    if (fields === null) return status(stellarStatusWords.parseFailed)
    const publicKey = services.keys.ed25519PublicKey(path)
    if (publicKey === null) return status(stellarStatusWords.keyDerivationFailed)
    if (!(await services.confirm({ app: 'Stellar', kind: 'sign-transaction', fields }))) return status(sw.rejected)
    return signed(sha256(bytes), path)
  }

  async function signHash(apdu: Apdu): Promise<Uint8Array> {
    if (apdu.p1 !== 0 || apdu.p2 !== 0) return status(sw.wrongP1P2)
    if (!settings.hashSigning) return status(stellarStatusWords.hashSigningOff)
    const parsed = readPath(apdu.data)
    if (!parsed || parsed.rest.length !== hashBytes) return status(stellarStatusWords.wrongApduLength)
    if (services.keys.ed25519PublicKey(parsed.path) === null) return status(stellarStatusWords.keyDerivationFailed)
    const hash = parsed.rest.slice()
    if (!(await services.confirm({ app: 'Stellar', kind: 'sign-hash', fields: { hash: bytesToHex(hash) } }))) return status(sw.rejected)
    return signed(hash, parsed.path)
  }

  function signed(message: Uint8Array, path: number[]): Uint8Array {
    const signature = services.keys.ed25519Sign(message, path)
    if (signature === null) return status(stellarStatusWords.keyDerivationFailed)
    services.signatureProduced()
    return reply(signature, sw.ok)
  }

  function configuration(): Uint8Array {
    const max = settings.maxDataSizeBytes
    return reply(new Uint8Array([settings.hashSigning ? 1 : 0, ...version, max >> 8, max & 0xff]), sw.ok)
  }

  return {
    name: 'Stellar',
    version: version.join('.'),
    reset,
    async handle(apdu) {
      if (apdu.cla !== 0xe0) return status(sw.claNotSupported)
      switch (apdu.ins) {
        case ins.getPublicKey:
          return getPublicKey(apdu)
        case ins.signTransaction:
          return signTransaction(apdu)
        case ins.getConfiguration:
          return configuration()
        case ins.signHash:
          return signHash(apdu)
        default:
          return status(sw.insNotSupported)
      }
    },
  }
}

/**
 * Parses the signature base (network id ‖ envelope type ‖ transaction) the way the app must before
 * it can show anything; null when it is not valid XDR, which the app answers with B005.
 */
function describeSignatureBase(bytes: Uint8Array): Record<string, string> | null {
  let payload: xdr.TransactionSignaturePayload
  try {
    payload = xdr.TransactionSignaturePayload.fromXDR(Buffer.from(bytes))
  } catch {
    return null
  }
  const networkIdHex = payload.networkId().toString('hex')
  const tagged = payload.taggedTransaction()
  const fields: Record<string, string> = {
    network: networkIdHex === pubnetNetworkIdHex ? 'Public' : `0x${networkIdHex}`,
    hash: bytesToHex(sha256(bytes)),
    envelope: tagged.switch().name,
  }
  if (tagged.switch().name === 'envelopeTypeTx') fields.operations = String(tagged.tx().operations().length)
  return fields
}
