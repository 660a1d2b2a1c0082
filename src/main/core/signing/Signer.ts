/**
 * The Signer: what the core asks of a hardware wallet. Countersign never holds a private key;
 * a Signer is a Ledger (or, in the sandbox and tests only, the device emulator behind the same
 * Ledger code). Payouts and rails depend on this interface, never on a device library.
 *
 * Every signing request names the account it expects (`expectedAddress` / `expectedPublicKey`):
 * the signer checks the signature against it before returning, so a different Ledger (another
 * recovery phrase) or a wrong path cannot produce a signature from an account nobody approved.
 * `null` skips that check and exists for replaying recorded vectors whose signer is unknown.
 */
import type { TypedDataDefinition } from 'viem'
import type { DeviceOperation } from './deviceErrors'
import type { Hex } from './evmCrypto'

export type { Hex } from './evmCrypto'
export type { LedgerAppName } from './deviceErrors'

export type SignerChain = 'evm' | 'stellar'

export interface SignerAccount {
  chain: SignerChain
  /** Canonical BIP32 path, e.g. "44'/60'/0'/0/3" or "44'/148'/3'". */
  path: string
  /** EIP-55 address (0x…) or Stellar account (G…). */
  address: string
  /** Uncompressed secp256k1 key (65 bytes) or raw ed25519 key (32 bytes). */
  publicKey: Hex
}

export interface DeviceStatus {
  /** The app open on the device: "Ethereum", "Stellar", another app, or "BOLOS" for the dashboard. */
  openApp: { name: string; version: string }
  ethereum?: { version: string; blindSigningEnabled: boolean }
  /** maxDataSizeBytes is null for Stellar apps too old to report it. */
  stellar?: { version: string; hashSigningEnabled: boolean; maxDataSizeBytes: number | null }
}

export interface EvmTransactionRequest {
  path: string
  expectedAddress: Hex | null
  /** The unsigned transaction exactly as serialised for signing (viem `serializeTransaction` without a signature). */
  unsignedTransaction: Hex
  /**
   * Ledger-signed ERC-20 descriptors (from Ledger's token list) sent before the transaction so the
   * device can show the token and amount instead of asking for blind signing.
   */
  erc20TokenDescriptors?: readonly Hex[]
  /** Pre-EIP-155 legacy transactions are valid on every chain; refused unless this is true. */
  allowPreEip155?: boolean
}

export interface EvmSignature {
  r: Hex
  s: Hex
  yParity: 0 | 1
  /** Legacy: the transaction's v (EIP-155 when it has a chain id, else 27/28). Typed and messages: 27 + yParity. */
  v: bigint
}

export interface EvmPersonalMessageRequest {
  path: string
  expectedAddress: Hex | null
  message: Uint8Array
}

export interface EvmTypedDataHashRequest {
  path: string
  expectedAddress: Hex | null
  domainSeparator: Hex
  messageHash: Hex
}

/**
 * EIP-712 typed data signed in full on the device (the Ethereum app receives every struct and
 * value and shows them as fields), not as two hashes. `typedData` is viem's shape; its
 * EIP712Domain type may be left out (viem derives it from `domain`).
 */
export interface EvmTypedDataRequest {
  path: string
  expectedAddress: Hex | null
  typedData: TypedDataDefinition
}

export interface StellarTransactionRequest {
  path: string
  /** G… account expected to sign. */
  expectedPublicKey: string | null
  /** Network id ‖ envelope type ‖ transaction XDR (stellar-base `Transaction.signatureBase()`). */
  signatureBase: Uint8Array
}

export interface StellarHashRequest {
  path: string
  expectedPublicKey: string | null
  hash: Uint8Array
}

export interface StellarSignature {
  /** 64-byte ed25519 signature. */
  signature: Uint8Array
  /** The G… key the signature was verified against (null when no key was expected). */
  publicKey: string | null
}

export interface VerifyAddressRequest {
  chain: SignerChain
  path: string
  /** What Countersign believes the address is; the device shows its own and the user compares. */
  expectedAddress: string
  /** Optional: lets recent Ethereum app versions name the network on screen. */
  evmChainId?: bigint
}

export type ConfirmationSubject = 'address' | 'transaction' | 'message' | 'hash'

export type SignerProgress =
  | { kind: 'opening-device' }
  | { kind: 'awaiting-confirmation'; subject: ConfirmationSubject; position: number; total: number }
  | { kind: 'signed'; signed: number; total: number }

export interface SignerOptions {
  /** Called synchronously; a throwing listener is ignored (it must not break a signature). */
  onProgress?: (progress: SignerProgress) => void
}

export interface BatchSignerOptions<S> extends SignerOptions {
  /**
   * Called with each signature as soon as it exists, before the next prompt, so the caller can
   * commit it (exactly-once: signed bytes are stored before anything is broadcast). A throw stops
   * the batch and is passed through as is.
   */
  onSigned?: (index: number, signature: S) => void | Promise<void>
}

export interface Signer {
  readonly kind: 'ledger'
  readonly deviceId: string
  getStatus(options?: SignerOptions): Promise<DeviceStatus>
  /** Derives one account on the device (no prompt). */
  getAccount(chain: SignerChain, path: string, options?: SignerOptions): Promise<SignerAccount>
  /** Accounts at the standard paths for indexes start … start + count - 1 (no prompt). */
  listAccounts(chain: SignerChain, range: { start: number; count: number }, options?: SignerOptions): Promise<SignerAccount[]>
  /** Shows the address on the device; resolves once the user confirms it there. */
  verifyAddress(request: VerifyAddressRequest, options?: SignerOptions): Promise<SignerAccount>
  /** One device prompt per transaction, in order; stops at the first failure. */
  signEvmTransactions(requests: readonly EvmTransactionRequest[], options?: BatchSignerOptions<EvmSignature>): Promise<EvmSignature[]>
  signEvmPersonalMessage(request: EvmPersonalMessageRequest, options?: SignerOptions): Promise<EvmSignature>
  signEvmTypedDataHash(request: EvmTypedDataHashRequest, options?: SignerOptions): Promise<EvmSignature>
  /** One prompt: the device shows the message's fields, then signs its EIP-712 digest. */
  signEvmTypedData(request: EvmTypedDataRequest, options?: SignerOptions): Promise<EvmSignature>
  signStellarTransactions(
    requests: readonly StellarTransactionRequest[],
    options?: BatchSignerOptions<StellarSignature>,
  ): Promise<StellarSignature[]>
  signStellarHash(request: StellarHashRequest, options?: SignerOptions): Promise<StellarSignature>
  /** Releases the device (the next call opens it again). */
  close(): Promise<void>
}

/** The sentence a UI or the CLI shows for a progress event. */
export function describeSignerProgress(progress: SignerProgress): string {
  switch (progress.kind) {
    case 'opening-device':
      return 'Connecting to the Ledger…'
    case 'awaiting-confirmation': {
      const which = progress.total > 1 ? ` (${progress.subject} ${progress.position} of ${progress.total})` : ''
      return progress.subject === 'address'
        ? 'Compare the address on the device with the one shown here, then confirm it on the device.'
        : `Waiting for confirmation on the device${which}.`
    }
    case 'signed':
      return `${progress.signed} of ${progress.total} signed.`
  }
}

/** Limits shared by every Signer implementation. */
export const signerLimits = {
  /** Transactions in one signing batch (one device prompt each). */
  transactionsPerBatchMax: 1_000,
  /** Accounts derived in one listAccounts call (each costs one APDU). */
  accountsPerListMax: 50,
  /** Personal-message payload (the device shows it; longer ones are unreadable anyway). */
  evmMessageBytesMax: 16 * 1024,
  /** One string or bytes value of EIP-712 typed data (the device shows at most 379 characters of it). */
  evmTypedDataValueBytesMax: 1024,
} as const

export type { DeviceOperation }
