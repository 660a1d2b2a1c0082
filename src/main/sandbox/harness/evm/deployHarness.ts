// Deploys the sandbox's EVM contracts on a fresh Anvil: TestUSD (6 decimals), CountersignBatch and
// CountersignEscrow (deployer nonces 0, 1, 2), and mints test USD to the treasury account.
import { getAddress, keccak256, type Address, type Hash, type Hex } from 'viem'
import { countersignBatchRuntimeCodeHash, countersignEscrowRuntimeCodeHash } from '../../../core/rails/evm/abi'
import type { Anvil, AnvilTestAccount } from './anvil'
import { createHarnessClients, type HarnessClients } from './clients'
import { countersignBatch, countersignEscrow, testUsd } from './contracts.generated'

/** 1 000 000 000 tUSD in minor units (6 decimals): enough for any test or demo. */
export const treasuryMintMinor = 1_000_000_000n * 10n ** 6n

export interface EvmHarness {
  /** Deploys the contracts and mints (TestUSD's minter). accounts[0]. TEST KEY. */
  deployer: AnvilTestAccount
  /** Holds the minted tUSD and pays the payouts. accounts[1]. TEST KEY. */
  treasury: AnvilTestAccount
  testUsd: Address
  batch: Address
  /** CountersignEscrow, deployed third (deployer nonce 2). */
  escrow: Address
  clients: HarnessClients
}

async function waitForSuccess(clients: HarnessClients, hash: Hash, what: string) {
  const receipt = await clients.publicClient.waitForTransactionReceipt({ hash })
  if (receipt.status !== 'success') throw new Error(`${what} reverted (tx ${hash})`)
  return receipt
}

async function deploy(clients: HarnessClients, from: AnvilTestAccount, contract: { abi: readonly unknown[]; bytecode: Hex }, what: string) {
  const hash = await clients.walletFor(from).deployContract({ abi: contract.abi, bytecode: contract.bytecode })
  const receipt = await waitForSuccess(clients, hash, `deploying ${what}`)
  if (receipt.contractAddress == null) throw new Error(`deploying ${what} produced no contract address`)
  // Receipts carry lowercase addresses; checksummed ones compare equal to what events decode to.
  return getAddress(receipt.contractAddress)
}

export async function deployHarness(anvil: Pick<Anvil, 'rpcUrl' | 'chainId' | 'accounts'>): Promise<EvmHarness> {
  const [deployer, treasury] = anvil.accounts
  if (deployer === undefined || treasury === undefined) throw new Error('the harness needs at least 2 Anvil accounts')
  const clients = createHarnessClients(anvil)

  const testUsdAddress = await deploy(clients, deployer, testUsd, 'TestUSD')
  const batchAddress = await deploy(clients, deployer, countersignBatch, 'CountersignBatch')
  const escrowAddress = await deploy(clients, deployer, countersignEscrow, 'CountersignEscrow')

  // The deployed code must be exactly the audited artifact; the payout engine makes the same check.
  const checks = [
    ['CountersignBatch', batchAddress, countersignBatchRuntimeCodeHash],
    ['CountersignEscrow', escrowAddress, countersignEscrowRuntimeCodeHash],
  ] as const
  for (const [name, address, hash] of checks) {
    const code = await clients.publicClient.getCode({ address })
    if (code === undefined || keccak256(code) !== hash)
      throw new Error(`${name} at ${address} does not have the expected runtime code hash`)
  }

  const mintHash = await clients.walletFor(deployer).writeContract({
    address: testUsdAddress,
    abi: testUsd.abi,
    functionName: 'mint',
    args: [treasury.address, treasuryMintMinor],
  })
  await waitForSuccess(clients, mintHash, 'minting tUSD to the treasury')

  return { deployer, treasury, testUsd: testUsdAddress, batch: batchAddress, escrow: escrowAddress, clients }
}
