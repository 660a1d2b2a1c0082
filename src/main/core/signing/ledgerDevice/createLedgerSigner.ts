/**
 * The Ledger Signer: the Ethereum and Stellar apps over an injected transport factory (USB HID in
 * the app, the sandbox emulator in demos and tests, recorded APDUs in replay tests).
 *
 * Assembled from three parts: the device session (deviceSession.ts: queue, transport, open-app
 * check, status, errors), the EVM part (evmSigner.ts) and the Stellar part (stellarSigner.ts).
 * What is left here is what spans both chains: deriving, listing and verifying accounts.
 * Inputs are validated before the job starts: bad input never reaches the device.
 */
import { CsError } from '../../../../shared/errors'
import { evmAccountPath, stellarAccountPath } from '../bip32Path'
import { deviceError, toDeviceError } from '../deviceErrors'
import { signerLimits, type Signer, type SignerAccount, type SignerChain, type VerifyAddressRequest } from '../Signer'
import {
  appFor,
  confirmation,
  createLedgerDeviceSession,
  emit,
  getDeviceStatus,
  LEDGER_SESSION_DEFAULTS,
  type DeviceJobSession,
  type LedgerSignerOptions,
} from './deviceSession'
import { createLedgerEvmSigning, EVM_LEDGER_LIMITS, readEvmAccount } from './evmSigner'
import type { LedgerDeviceDescriptor } from './LedgerTransportFactory'
import { normaliseAddress, validatePath } from './signerInput'
import { createLedgerStellarSigning, readStellarAccount } from './stellarSigner'

export type { LedgerSignerOptions } from './deviceSession'

export const LEDGER_SIGNER_DEFAULTS = { ...LEDGER_SESSION_DEFAULTS, ...EVM_LEDGER_LIMITS } as const

/** EVM chain ids the Ethereum app can show: it takes the chain id as 8 bytes. */
const EVM_CHAIN_ID_LIMIT = 2n ** 64n

export function createLedgerSigner(options: LedgerSignerOptions): Signer {
  const device = createLedgerDeviceSession(options)

  function readAccount(
    session: DeviceJobSession,
    chain: SignerChain,
    path: string,
    display: boolean,
    evmChainId?: bigint,
  ): Promise<SignerAccount> {
    const timeoutMs = display ? device.confirmationTimeoutMs : device.exchangeTimeoutMs
    return chain === 'evm'
      ? readEvmAccount(session, path, display, timeoutMs, evmChainId)
      : readStellarAccount(session, path, display, timeoutMs)
  }

  return {
    kind: 'ledger',
    deviceId: options.deviceId,

    async getStatus(opts = {}) {
      return getDeviceStatus(device, opts)
    },

    async getAccount(chain, path, opts = {}) {
      const canonical = validatePath(chain, path)
      return device.withDevice(appFor(chain), 'get-address', opts.onProgress, (session) => readAccount(session, chain, canonical, false))
    },

    async listAccounts(chain, range, opts = {}) {
      const { start, count } = range
      if (!Number.isSafeInteger(count) || count < 1 || count > signerLimits.accountsPerListMax) {
        throw new CsError('INVALID_INPUT', `List 1 to ${signerLimits.accountsPerListMax} accounts at a time, not ${count}.`)
      }
      const paths = Array.from({ length: count }, (_, i) => (chain === 'evm' ? evmAccountPath(start + i) : stellarAccountPath(start + i)))
      return device.withDevice(appFor(chain), 'get-address', opts.onProgress, async (session) => {
        const accounts: SignerAccount[] = []
        for (const path of paths) accounts.push(await readAccount(session, chain, path, false))
        return accounts
      })
    },

    async verifyAddress(request: VerifyAddressRequest, opts = {}) {
      const path = validatePath(request.chain, request.path)
      const expected = normaliseAddress(request.chain, request.expectedAddress)
      const chainId = request.evmChainId
      if (chainId !== undefined && (request.chain !== 'evm' || chainId < 1n || chainId >= EVM_CHAIN_ID_LIMIT)) {
        throw new CsError('INVALID_INPUT', `Chain id ${chainId} cannot be shown on the Ledger: use an EVM chain id from 1 to 2^64 - 1.`)
      }
      return device.withDevice(appFor(request.chain), 'verify-address', opts.onProgress, async (session) => {
        emit(opts.onProgress, confirmation('address', 0, 1))
        const account = await readAccount(session, request.chain, path, true, request.evmChainId)
        if (account.address !== expected) {
          throw deviceError('DEVICE_ADDRESS_MISMATCH', { operation: 'verify-address' }, { expected, shown: account.address })
        }
        return account
      })
    },

    ...createLedgerEvmSigning(device),
    ...createLedgerStellarSigning(device),

    async close() {
      await device.close()
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
