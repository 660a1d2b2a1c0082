/**
 * Loads the Ledger client packages through their CommonJS builds.
 *
 * Why: their ESM builds (`lib-es`, picked by the "import" condition) use extension-less relative
 * imports (`./errors`) that Node's ESM loader rejects with ERR_MODULE_NOT_FOUND — under tsx, the
 * Electron main process and Vitest alike. The CommonJS builds (`lib`) load everywhere.
 * The app packages are loaded on first use: they pull in ethers and axios, which the CLI should
 * not pay for unless it talks to a device.
 */
import { createRequire } from 'node:module'
import type EthClass from '@ledgerhq/hw-app-eth'
import type StrClass from '@ledgerhq/hw-app-str'
import type TransportClass from '@ledgerhq/hw-transport'

const requireCjs = createRequire(import.meta.url)

export type LedgerTransport = TransportClass
export type EthApp = EthClass
export type StrApp = StrClass

/** hw-transport's Transport class: the emulator extends it, like every real transport. */
export const TransportBase: typeof TransportClass = (requireCjs('@ledgerhq/hw-transport') as { default: typeof TransportClass }).default

let ethClass: typeof EthClass | undefined
let strClass: typeof StrClass | undefined

/**
 * hw-app-eth's service URLs, all off: by default it fetches EIP-712 filters from Ledger's CAL
 * service, ERC-20 signatures, plugins and NFT metadata over the network in the middle of a
 * signing. Countersign works offline and decides itself what the device is sent, so every lookup
 * is disabled and there are no static tables (our own typed data has no Ledger-signed filters).
 */
export const OFFLINE_ETH_LOAD_CONFIG = Object.freeze({
  nftExplorerBaseURL: null,
  pluginBaseURL: null,
  extraPlugins: null,
  cryptoassetsBaseURL: null,
  calServiceURL: null,
  staticERC20Signatures: null,
  staticEIP712SignaturesV1: null,
  staticEIP712SignaturesV2: null,
})

/** The scramble key every Ethereum app client passes (ignored by current transports). */
const ETH_SCRAMBLE_KEY = 'w0w'

export function newEthApp(transport: LedgerTransport): EthApp {
  ethClass ??= (requireCjs('@ledgerhq/hw-app-eth') as { default: typeof EthClass }).default
  return new ethClass(transport, ETH_SCRAMBLE_KEY, { ...OFFLINE_ETH_LOAD_CONFIG })
}

export function newStrApp(transport: LedgerTransport): StrApp {
  strClass ??= (requireCjs('@ledgerhq/hw-app-str') as { default: typeof StrClass }).default
  return new strClass(transport)
}

/** Error classes of @ledgerhq/errors, for the emulator to fail the way a real transport does. */
export interface LedgerErrorClasses {
  DisconnectedDevice: new (message?: string) => Error
  DisconnectedDeviceDuringOperation: new (message?: string) => Error
  TransportRaceCondition: new (message?: string) => Error
  CantOpenDevice: new (message?: string) => Error
}

/** hw-transport's TransportError(message, id): how transports report "no device" and the like. */
export function transportErrorClass(): new (message: string, id: string) => Error {
  return (requireCjs('@ledgerhq/hw-transport') as { TransportError: new (message: string, id: string) => Error }).TransportError
}

let errorClasses: LedgerErrorClasses | undefined

export function ledgerErrorClasses(): LedgerErrorClasses {
  errorClasses ??= requireCjs('@ledgerhq/errors') as LedgerErrorClasses
  return errorClasses
}
