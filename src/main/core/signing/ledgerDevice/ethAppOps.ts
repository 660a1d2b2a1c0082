/**
 * Ethereum app operations over any Ledger transport, through hw-app-eth (the same code path for
 * a real device, the sandbox emulator and recorded APDU vectors). Raw results only: the Ledger
 * signer validates inputs before and checks the answers after.
 */
import { bytesToHex } from '@noble/hashes/utils.js'
import type { LedgerEip712Message } from '../prepareTypedDataForLedger'
import { newEthApp, type EthApp, type LedgerTransport } from './ledgerPackages'

export interface RawEthSignature {
  /** hw-app-eth's v: hex, EIP-155-expanded for legacy transactions, "00"/"01" for typed ones. */
  v: string
  r: string
  s: string
}

export interface RawEthAddress {
  publicKey: string
  address: string
}

export async function getEthAddress(
  transport: LedgerTransport,
  path: string,
  options: { display: boolean; chainId?: bigint },
): Promise<RawEthAddress> {
  const eth = newEthApp(transport)
  const { publicKey, address } = await eth.getAddress(path, options.display, false, options.chainId?.toString())
  return { publicKey, address }
}

export async function signEthTransaction(
  transport: LedgerTransport,
  path: string,
  unsignedTransaction: Uint8Array,
  erc20TokenDescriptors: readonly Uint8Array[],
): Promise<RawEthSignature> {
  const eth = newEthApp(transport)
  // Never pass `undefined` as the resolution: hw-app-eth would then call Ledger's servers to
  // resolve it. An explicit resolution (possibly empty) keeps signing offline and under our control.
  const resolution = {
    erc20Tokens: erc20TokenDescriptors.map((d) => bytesToHex(d)),
    nfts: [],
    externalPlugin: [],
    plugin: [],
    domains: [],
  }
  return eth.signTransaction(path, bytesToHex(unsignedTransaction), resolution)
}

export async function signEthPersonalMessage(
  transport: LedgerTransport,
  path: string,
  message: Uint8Array,
): Promise<{ v: number; r: string; s: string }> {
  return newEthApp(transport).signPersonalMessage(path, bytesToHex(message))
}

export async function signEthTypedDataHash(
  transport: LedgerTransport,
  path: string,
  domainSeparator: Uint8Array,
  messageHash: Uint8Array,
): Promise<{ v: number; r: string; s: string }> {
  return newEthApp(transport).signEIP712HashedMessage(path, bytesToHex(domainSeparator), bytesToHex(messageHash))
}

/**
 * EIP-712 in full (INS 1A struct definitions, 1C values, 0C P2 01 sign), so the device shows the
 * fields. The message must come from prepareTypedDataForLedger; the app instance is offline
 * (ledgerPackages.ts), so no filter or token lookup leaves the machine and none is sent.
 */
export async function signEthTypedData(
  transport: LedgerTransport,
  path: string,
  message: LedgerEip712Message,
): Promise<{ v: number; r: string; s: string }> {
  const eth = newEthApp(transport)
  return eth.signEIP712Message(path, message as unknown as Parameters<EthApp['signEIP712Message']>[1])
}

export interface EthAppConfiguration {
  version: string
  blindSigningEnabled: boolean
}

export async function getEthAppConfiguration(transport: LedgerTransport): Promise<EthAppConfiguration> {
  const config = await newEthApp(transport).getAppConfiguration()
  // Bit 0 is "arbitrary data" — what the app's settings call Blind signing.
  return { version: config.version, blindSigningEnabled: config.arbitraryDataEnabled !== 0 }
}

/** Sends one Ledger-signed ERC-20 descriptor (the device checks Ledger's signature on it). */
export async function provideErc20TokenDescriptor(transport: LedgerTransport, descriptor: Uint8Array): Promise<boolean> {
  return newEthApp(transport).provideERC20TokenInformation(bytesToHex(descriptor))
}
