/**
 * SANDBOX ONLY: the sandbox signer's two emulated devices (see createSandboxSignerSource in
 * ./signerSource.ts, which imports this module when a signature is first asked for: the emulators
 * load the chains' libraries, which a command that signs nothing never needs).
 */
import { createSandboxLedgerEmulator, type SandboxLedgerEmulator } from './emulator/createSandboxLedgerEmulator'
import { SPECULOS_TEST_MNEMONIC } from './emulator/sandboxSoftwareKeys'
import { createLedgerSigner } from './ledgerDevice/createLedgerSigner'
import type { Signer } from './Signer'

/** The two emulated devices of the sandbox signer; tests pass their own to script faults. */
export interface SandboxEmulators {
  ethereum: SandboxLedgerEmulator
  stellar: SandboxLedgerEmulator
}

export function createSandboxEmulators(): SandboxEmulators {
  return {
    ethereum: createSandboxLedgerEmulator({
      mnemonic: SPECULOS_TEST_MNEMONIC,
      openApp: 'Ethereum',
      user: 'approve',
      ethereum: { blindSigning: true, rawMessages: true },
    }),
    stellar: createSandboxLedgerEmulator({
      mnemonic: SPECULOS_TEST_MNEMONIC,
      openApp: 'Stellar',
      user: 'approve',
      stellar: { hashSigning: true },
      deviceId: 'sandbox-ledger-emulator-stellar',
    }),
  }
}

/** Two emulated devices on one seed, one per app, behind one Signer (see createSandboxSignerSource). */
export function createSandboxSigner(emulators: SandboxEmulators = createSandboxEmulators()): Signer {
  const ethEmulator = emulators.ethereum
  const xlmEmulator = emulators.stellar
  const eth = createLedgerSigner({ factory: ethEmulator.transportFactory, deviceId: ethEmulator.deviceId })
  const xlm = createLedgerSigner({ factory: xlmEmulator.transportFactory, deviceId: xlmEmulator.deviceId })
  const on = (chain: 'evm' | 'stellar'): Signer => (chain === 'evm' ? eth : xlm)
  return {
    kind: 'ledger',
    deviceId: eth.deviceId,
    async getStatus(options) {
      const [e, x] = [await eth.getStatus(options), await xlm.getStatus(options)]
      return { ...e, ...(x.stellar ? { stellar: x.stellar } : {}) }
    },
    getAccount: (chain, path, options) => on(chain).getAccount(chain, path, options),
    listAccounts: (chain, range, options) => on(chain).listAccounts(chain, range, options),
    verifyAddress: (request, options) => on(request.chain).verifyAddress(request, options),
    signEvmTransactions: (requests, options) => eth.signEvmTransactions(requests, options),
    signEvmPersonalMessage: (request, options) => eth.signEvmPersonalMessage(request, options),
    signEvmTypedDataHash: (request, options) => eth.signEvmTypedDataHash(request, options),
    signEvmTypedData: (request, options) => eth.signEvmTypedData(request, options),
    signStellarTransactions: (requests, options) => xlm.signStellarTransactions(requests, options),
    signStellarHash: (request, options) => xlm.signStellarHash(request, options),
    async close() {
      await eth.close()
      await xlm.close()
    },
  }
}
