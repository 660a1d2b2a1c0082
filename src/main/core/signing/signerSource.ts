/**
 * Where the execution engine gets its Signer from, asked at the moment it is needed (a Ledger is
 * plugged in and out while the app runs). The app and the CLI give a source that finds the Ledger
 * over USB; a sandbox workspace gets the device emulator, labelled as such wherever it shows.
 */
import { CsError } from '../../../shared/errors'
import { createSandboxLedgerEmulator } from './emulator/createSandboxLedgerEmulator'
import { SPECULOS_TEST_MNEMONIC } from './emulator/sandboxSoftwareKeys'
import { createLedgerSigner } from './ledger/createLedgerSigner'
import type { Signer } from './Signer'

/** How the sandbox's signer is named on every screen and line that names the signer. */
export const SANDBOX_SIGNER_LABEL = 'Sandbox device emulator'

export interface SignerSource {
  /** For people: "Ledger (USB)", "Sandbox device emulator". */
  readonly label: string
  /** The signer to use now. Throws SIGNER_UNAVAILABLE (or a DEVICE_* error) when there is none. */
  get(): Promise<Signer>
  /** Releases whatever device was opened. */
  close(): Promise<void>
}

/** What the core knows about the workspace when it picks a signer source. */
export interface SignerWorkspace {
  sandbox: boolean
}

/** A Signer, a SignerSource, or a function choosing one for the workspace (null: none). */
export type SignerProvider = Signer | SignerSource | ((workspace: SignerWorkspace) => SignerSource | null)

export function signerUnavailable(cause?: unknown): CsError {
  return new CsError(
    'SIGNER_UNAVAILABLE',
    'No Ledger is connected — connect it, open the Ethereum app and try again.',
    cause === undefined ? {} : { cause },
  )
}

export function staticSignerSource(signer: Signer, label: string): SignerSource {
  return { label, get: () => Promise.resolve(signer), close: () => signer.close() }
}

function isSigner(p: Signer | SignerSource): p is Signer {
  return (p as Signer).kind === 'ledger'
}

export function resolveSignerProvider(provider: SignerProvider | undefined, workspace: SignerWorkspace): SignerSource | null {
  if (provider === undefined) return null
  if (typeof provider === 'function') return provider(workspace)
  return isSigner(provider) ? staticSignerSource(provider, `Ledger ${provider.deviceId}`) : provider
}

/**
 * SANDBOX ONLY: the device emulator holding the public Speculos test seed, the Ethereum app open,
 * blind signing on (CountersignBatch calldata has no clear-signing descriptor) and a user who
 * approves every prompt. Its m/44'/60'/0'/0/0 account is the sandbox treasury.
 */
export function createSandboxSignerSource(): SignerSource {
  let signer: Signer | null = null
  return {
    label: SANDBOX_SIGNER_LABEL,
    get() {
      if (!signer) {
        const emulator = createSandboxLedgerEmulator({
          mnemonic: SPECULOS_TEST_MNEMONIC,
          openApp: 'Ethereum',
          user: 'approve',
          ethereum: { blindSigning: true },
        })
        signer = createLedgerSigner({ factory: emulator.transportFactory, deviceId: emulator.deviceId })
      }
      return Promise.resolve(signer)
    },
    async close() {
      const s = signer
      signer = null
      await s?.close()
    },
  }
}
