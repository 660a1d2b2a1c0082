/**
 * Helpers of the escrow tests on EVM (Anvil + CountersignEscrow): where the sandbox deployed the
 * token and the escrow contract, token balances, a milestone's on-chain state, and a stranger's
 * claim() after a review window (no Countersign process involved).
 */
import { expect } from 'vitest'
import { createWalletClient, erc20Abi, getAddress, http, keccak256, stringToBytes, type Address } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { countersignEscrowAbi } from '../../src/main/core/rails/evm/abi'
import { SPECULOS_TEST_MNEMONIC } from '../../src/main/core/signing/emulator/sandboxSoftwareKeys'
import type { Sandbox } from '../../src/main/sandbox/sandboxUp'
import { createHarnessClients, type HarnessClients } from '../harness/evm/clients'
import { json, type CliResult } from '../cli/cliHarness'

/** A milestone's state in CountersignEscrow. */
export const ON_CHAIN = { open: 1, locked: 2, released: 3, resolved: 4, refunded: 5 }

/** Whoever calls claim() on a payee's behalf (a test account, TEST ONLY). */
export const STRANGER = mnemonicToAccount(SPECULOS_TEST_MNEMONIC, { addressIndex: 7 })

export interface EvmEscrowChain {
  chain: HarnessClients
  rpcUrl: string
  token: Address
  escrowContract: Address
  treasury: Address
}

/** The escrow's id on chain. */
export function railId(escrowId: string): `0x${string}` {
  return keccak256(stringToBytes(escrowId))
}

/** The sandbox chain, its escrow contract and treasury (from the settings) and `assetId`'s token (from the assets). */
export async function evmEscrowChainOf(
  sb: Sandbox,
  ok: (...args: string[]) => Promise<CliResult>,
  assetId: string,
): Promise<EvmEscrowChain> {
  const rpcUrl = String(sb.description.services.anvil!.rpcUrl)
  const chain = createHarnessClients({ rpcUrl, chainId: 31337 })
  const rails = json(await ok('settings', 'rails', 'show', '--json')) as {
    rails: { evm: { chains: { escrowContract: Address; source: { address: Address } }[] } }
  }
  const escrowContract = rails.rails.evm.chains[0]!.escrowContract
  const treasury = getAddress(rails.rails.evm.chains[0]!.source.address)
  const assets = json(await ok('assets', 'list', '--json')) as { id: string; issuer: string | null }[]
  const token = getAddress(assets.find((a) => a.id === assetId)!.issuer!)
  return { chain, rpcUrl, token, escrowContract, treasury }
}

/** `of`'s balance of the token, in minor units. */
export async function tokenBalance(e: EvmEscrowChain, of: Address): Promise<bigint> {
  return await e.chain.publicClient.readContract({ address: e.token, abi: erc20Abi, functionName: 'balanceOf', args: [of] })
}

/** Milestone `index` (1-based) of an escrow: its state on chain (ON_CHAIN). */
export async function milestoneOnChain(e: EvmEscrowChain, escrowId: string, index: number): Promise<number> {
  const m = await e.chain.publicClient.readContract({
    address: e.escrowContract,
    abi: countersignEscrowAbi,
    functionName: 'milestoneOf',
    args: [railId(escrowId), BigInt(index - 1)],
  })
  return Number(m[2])
}

/** Gives the stranger gas money. */
export async function fundStranger(e: EvmEscrowChain): Promise<void> {
  await e.chain.testClient.setBalance({ address: STRANGER.address, value: 10n ** 18n })
}

/** The stranger calls claim() for milestone `index` (1-based) of an escrow; it must succeed. */
export async function claimAsStranger(e: EvmEscrowChain, escrowId: string, index: number): Promise<void> {
  const hash = await createWalletClient({ chain: e.chain.chain, transport: http(e.rpcUrl), account: STRANGER }).writeContract({
    address: e.escrowContract,
    abi: countersignEscrowAbi,
    functionName: 'claim',
    args: [railId(escrowId), BigInt(index - 1)],
  })
  expect((await e.chain.publicClient.waitForTransactionReceipt({ hash })).status).toBe('success')
}
