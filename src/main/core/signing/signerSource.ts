/**
 * Where the execution engine gets its Signer from, asked at the moment it is needed (a Ledger is
 * plugged in and out while the app runs). The app and the CLI give a source that finds the Ledger
 * over USB; a sandbox workspace gets the device emulator, labelled as such wherever it shows.
 */
import { CsError } from '../../../shared/errors'
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
 * SANDBOX ONLY: the device emulator holding the public Speculos test seed and a user who approves
 * every prompt and opens whichever app is asked for: Ethereum (blind signing on — CountersignBatch
 * calldata has no clear-signing descriptor; "Raw messages" on, so EIP-712 approvals show their
 * fields instead of a hash) for EVM requests, Stellar (hash signing on, for
 * 100-operation transactions larger than the app's buffer) for Stellar ones. Its
 * m/44'/60'/0'/0/0 and m/44'/148'/0' accounts are the sandbox treasuries.
 */
export function createSandboxSignerSource(): SignerSource {
  // The emulators (and the chains' libraries they use) are imported when a signature is first asked for.
  let signer: Promise<Signer> | null = null
  return {
    label: SANDBOX_SIGNER_LABEL,
    get() {
      signer ??= import('./sandboxSigner').then(({ createSandboxSigner }) => createSandboxSigner())
      // A failed import is tried again at the next get().
      const asked = signer
      asked.catch(() => {
        if (signer === asked) signer = null
      })
      return asked
    },
    async close() {
      const s = signer
      signer = null
      await (await s?.catch(() => null))?.close()
    },
  }
}
