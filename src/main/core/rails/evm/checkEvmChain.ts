/**
 * The rail's first question to a node before it plans anything: is this the configured chain, and
 * is the configured batch contract the audited CountersignBatch (its runtime code hash)? A wrong
 * RPC URL or address must stop a batch before anything is signed, not after.
 *
 * Asked once per rail object: code at an address does not change under us, and a changed
 * configuration builds a new rail (createLiveRails), which asks again.
 */
import { keccak256, type Hex } from 'viem'
import { CsError } from '../../../../shared/errors'
import { countersignBatchRuntimeCodeHash } from './abi'
import type { EvmRailSetup } from './evmRailSetup'
import { bigFromHex } from './evmHex'
import { rpcCall } from './jsonRpc'

/** Returns the check, remembering a pass (a failure is asked again next time). */
export function createEvmChainCheck(setup: EvmRailSetup): () => Promise<void> {
  let passed = false
  return async () => {
    if (passed) return
    await checkEvmChain(setup)
    passed = true
  }
}

export async function checkEvmChain(setup: EvmRailSetup): Promise<void> {
  const remoteChainId = bigFromHex(await rpcCall<Hex>(setup.url, 'eth_chainId', []))
  if (remoteChainId !== BigInt(setup.chainId)) {
    throw new CsError(
      'CHAIN_MISMATCH',
      `The node at the configured RPC URL is on chain ${remoteChainId}, not ${setup.chainId} — fix the RPC URL for chain ${setup.chainId}.`,
    )
  }
  await checkEvmContractCode(setup, setup.batchContract, countersignBatchRuntimeCodeHash, 'batch contract', 'CountersignBatch')
}

/** The code at `address` must be exactly the audited contract (its runtime code hash). */
export async function checkEvmContractCode(
  setup: EvmRailSetup,
  address: `0x${string}`,
  codeHash: Hex,
  what: string,
  contractName: string,
): Promise<void> {
  const code = await rpcCall<Hex>(setup.url, 'eth_getCode', [address, 'latest'])
  if (code === '0x' || keccak256(code) !== codeHash) {
    throw new CsError(
      'CONTRACT_MISMATCH',
      `The ${what} ${address} on chain ${setup.chainId} is not the audited ${contractName} — check the configured address; nothing was signed.`,
    )
  }
}
