/**
 * Stellar app operations over any Ledger transport, through hw-app-str (255-byte frames, P1/P2
 * first/more flags). Raw results only: the Ledger signer validates and verifies around them.
 */
import { newStrApp, type LedgerTransport } from './ledgerPackages'

export interface StellarAppConfiguration {
  version: string
  /** The app's "hash signing" (newer versions: "blind signing") setting. */
  hashSigningEnabled: boolean
  /** Largest signature base the app buffers, in bytes; null for apps too old to say. */
  maxDataSizeBytes: number | null
}

export async function getStellarAppConfiguration(transport: LedgerTransport): Promise<StellarAppConfiguration> {
  const config = await newStrApp(transport).getAppConfiguration()
  return { version: config.version, hashSigningEnabled: config.hashSigningEnabled, maxDataSizeBytes: config.maxDataSize ?? null }
}

export async function getStellarPublicKey(transport: LedgerTransport, path: string, display: boolean): Promise<Uint8Array> {
  const { rawPublicKey } = await newStrApp(transport).getPublicKey(path, display)
  return new Uint8Array(rawPublicKey)
}

export async function signStellarTransaction(transport: LedgerTransport, path: string, signatureBase: Uint8Array): Promise<Uint8Array> {
  const { signature } = await newStrApp(transport).signTransaction(path, Buffer.from(signatureBase))
  return new Uint8Array(signature)
}

export async function signStellarHash(transport: LedgerTransport, path: string, hash: Uint8Array): Promise<Uint8Array> {
  const { signature } = await newStrApp(transport).signHash(path, Buffer.from(hash))
  return new Uint8Array(signature)
}
