/**
 * The signer a workspace executes with, for the CLI, browser mode and the app: in a sandbox
 * workspace the device emulator ("Sandbox device emulator"); otherwise the Ledger over USB HID,
 * whose native module is imported only when a signature is first asked for.
 */
import type { LedgerDevices } from '../../core/signing/ledgerDevice/createLedgerSigner'
import type { Signer } from '../../core/signing/Signer'
import { createSandboxSignerSource, signerUnavailable, type SignerSource, type SignerWorkspace } from '../../core/signing/signerSource'

export const USB_LEDGER_LABEL = 'Ledger (USB)'

export function workspaceSignerSource(workspace: SignerWorkspace): SignerSource {
  return workspace.sandbox ? createSandboxSignerSource() : createUsbLedgerSignerSource()
}

export function createUsbLedgerSignerSource(): SignerSource {
  let devices: LedgerDevices | null = null
  const opened = new Set<Signer>()
  return {
    label: USB_LEDGER_LABEL,
    async get() {
      if (!devices) {
        const [{ createNodeHidTransportFactory }, { createLedgerDevices }] = await Promise.all([
          import('./createNodeHidTransportFactory'),
          import('../../core/signing/ledgerDevice/createLedgerSigner'),
        ])
        devices = createLedgerDevices({ factory: createNodeHidTransportFactory() })
      }
      const found = await devices.list()
      // One Ledger at a time: with several plugged in, the first is used (its address is checked
      // against the treasury before anything is planned).
      const first = found[0]
      if (!first) throw signerUnavailable()
      const signer = devices.signer(first.id)
      opened.add(signer)
      return signer
    },
    async close() {
      for (const s of opened) await s.close()
      opened.clear()
    },
  }
}
