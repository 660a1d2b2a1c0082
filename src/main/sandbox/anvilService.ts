/**
 * The sandbox's local EVM chain: Anvil (chain 31337) with the 6-decimal USDC-like TestUSD, the
 * CountersignBatch and CountersignEscrow contracts, and the treasury — the device emulator's m/44'/60'/0'/0/0 account —
 * funded so that the chain holds exactly what the ledger says (opening balances, no more).
 *
 * - prepare (before the core exists): start Anvil, keeping its state in the workspace folder so
 *   a restart finds the same chain; deploy the contracts on a fresh chain (TestUSD first, from
 *   dev account 0 at nonce 0, so it lands at the issuer registered for USDC@evm:31337); return
 *   the rails configuration the core executes with.
 * - start (after the books are seeded): on a fresh chain, mint the treasury's USDC and set its
 *   ETH to the ledger's balances, and let the batch and escrow contracts spend its USDC; record the rails in
 *   the workspace (settings key 'rails'), so the CLI and browser mode execute on this chain too.
 *
 * Anvil's dev keys (public, TEST ONLY) deploy and mint; the treasury is never given a key here:
 * its approvals are sent by impersonation, and every payout is signed by the device emulator.
 */
import fs from 'node:fs'
import path from 'node:path'
import { createWalletClient, erc20Abi, getContractAddress, http, keccak256, maxUint256, type Address } from 'viem'
import { testUsd } from './harness/evm/contracts.generated'
import { createHarnessClients, type HarnessClients } from './harness/evm/clients'
import { startAnvil, type Anvil, type AnvilTestAccount } from './harness/evm/anvil'
import { deployHarness } from './harness/evm/deployHarness'
import { parseAmount } from '../../shared/money'
import { log } from '../core/log'
import type { EvmChainConfig } from '../core/rails/evm'
import { countersignBatchRuntimeCodeHash, countersignEscrowRuntimeCodeHash } from '../core/rails/evm/abi'
import { evmAccountPath } from '../core/signing/bip32Path'
import { SANDBOX_SIGNER_LABEL } from '../core/signing/signerSource'
import { ANVIL_CHAIN_ID, ANVIL_FIRST_CONTRACT, SANDBOX_ADMIN_NAME, SANDBOX_ASSETS, SANDBOX_EVM_TREASURY } from './sandboxPlan'
import type { SandboxService, SandboxServiceContext, SandboxServiceInfo } from './services'
import { unreachable } from '../core/util/invariant'

/** Anvil's chain, kept beside the workspace's database. */
export const ANVIL_STATE_FILE = 'anvil-state.json'
/** Dev accounts Anvil funds: 0 deploys and mints; the others are payees in the seed. */
const ANVIL_DEV_ACCOUNTS = 4
/** Blocks a payout needs: 1 = its own block; Anvil mines one per transaction (automine). */
export const SANDBOX_CONFIRMATIONS_MIN = 1
/** The most the sandbox ever signs as maxFeePerGas: 500 gwei. */
export const SANDBOX_FEE_CAP_WEI = 500n * 10n ** 9n
/** ETH lent to the treasury for its approvals; its balance is then set to the ledger's exactly. */
const APPROVAL_GAS_WEI = 10n ** 18n

export interface AnvilServiceOptions {
  /** Keep the chain in {dataDir}/anvil-state.json across restarts (default true). */
  persist?: boolean
}

export function createAnvilService(options: AnvilServiceOptions = {}): SandboxService {
  let anvil: Anvil | null = null
  let fresh = false
  let contracts: SandboxContracts | null = null
  let statePath: string | null = null
  let ready = false

  function chain(): EvmChainConfig {
    if (!anvil || !contracts) unreachable('the anvil service was started without prepare()')
    return {
      chainId: anvil.chainId,
      rpcUrl: anvil.rpcUrl,
      batchContract: contracts.batch,
      ...(contracts.escrow !== null ? { escrowContract: contracts.escrow } : {}),
      confirmationsMin: SANDBOX_CONFIRMATIONS_MIN,
      maxFeePerGasCap: SANDBOX_FEE_CAP_WEI,
      source: { address: SANDBOX_EVM_TREASURY, path: evmAccountPath(0) },
    }
  }

  return {
    name: 'anvil',

    async prepare({ dataDir }) {
      const persist = options.persist !== false && dataDir !== ':memory:'
      statePath = persist ? path.join(dataDir, ANVIL_STATE_FILE) : null
      anvil = await startAnvil({
        chainId: ANVIL_CHAIN_ID,
        accountCount: ANVIL_DEV_ACCOUNTS,
        ...(statePath !== null ? { statePath } : {}),
      })
      const clients = createHarnessClients(anvil)
      const [deployer, spare] = anvil.accounts
      if (!deployer || !spare) unreachable('Anvil started without dev accounts')
      const token = await clients.publicClient.getCode({ address: ANVIL_FIRST_CONTRACT })
      if (token === undefined || token === '0x') {
        // Fresh chain: deploy. The harness also mints test USD to a dev account (not the treasury).
        const h = await deployHarness({ ...anvil, accounts: [deployer, spare] })
        if (h.testUsd !== ANVIL_FIRST_CONTRACT) {
          unreachable(`TestUSD landed at ${h.testUsd}, not the registered USDC issuer ${ANVIL_FIRST_CONTRACT}`)
        }
        contracts = { token: h.testUsd, batch: h.batch, escrow: h.escrow }
        fresh = true
      } else {
        // The chain from the last run (its state file): the same deployer nonces, the same addresses.
        const batch = getContractAddress({ from: deployer.address, nonce: 1n })
        const code = await clients.publicClient.getCode({ address: batch })
        if (code === undefined || keccak256(code) !== countersignBatchRuntimeCodeHash) {
          throw new Error(
            `The saved sandbox chain has no CountersignBatch at ${batch} — delete ${ANVIL_STATE_FILE} in the sandbox folder and start again.`,
          )
        }
        contracts = { token: ANVIL_FIRST_CONTRACT, batch, escrow: await savedEscrow(clients, deployer.address) }
      }
      return { rails: { evm: { chains: [chain()] } } }
    },

    async start(context: SandboxServiceContext): Promise<SandboxServiceInfo> {
      if (!anvil || !contracts) unreachable('the anvil service was started without prepare()')
      const clients = createHarnessClients(anvil)
      if (fresh) await fundTreasury(context, clients, anvil.accounts[0]!, anvil.rpcUrl, contracts)
      const admin = context.seed.operators.find((o) => o.name === SANDBOX_ADMIN_NAME)
      if (!admin) unreachable('the sandbox seed has no admin')
      const { settingFromRailsConfig } = await import('../core/rails/getRailsSetting')
      const current = await context.core.api.call('settings.rails.get', {})
      await context.core.api.call(
        'settings.rails.set',
        { ...current.rails, ...settingFromRailsConfig({ evm: { chains: [chain()] } }) },
        { operatorId: admin.id },
      )
      ready = true
      return {
        rpcUrl: anvil.rpcUrl,
        chainId: anvil.chainId,
        token: contracts.token,
        batchContract: contracts.batch,
        escrowContract: contracts.escrow,
        treasury: SANDBOX_EVM_TREASURY,
        signer: SANDBOX_SIGNER_LABEL,
      }
    },

    async stop() {
      const a = anvil
      anvil = null
      // A clean stop lets Anvil write its state file (SIGTERM through the harness watchdog).
      await a?.stop()
      // A chain made for a start that failed (a refused folder) is not kept in that folder.
      if (fresh && !ready && statePath !== null) fs.rmSync(statePath, { force: true })
    },
  }
}

interface SandboxContracts {
  token: Address
  batch: Address
  /** null: a chain saved before the escrow contract was part of the sandbox (no escrow on it). */
  escrow: Address | null
}

/** CountersignEscrow on a saved chain: deployed third (deployer nonce 2) by deployHarness. */
async function savedEscrow(clients: HarnessClients, deployer: Address): Promise<Address | null> {
  const escrow = getContractAddress({ from: deployer, nonce: 2n })
  const code = await clients.publicClient.getCode({ address: escrow })
  if (code !== undefined && code !== '0x' && keccak256(code) === countersignEscrowRuntimeCodeHash) return escrow
  log('warn', `sandbox: the saved chain has no CountersignEscrow (made by an older version) — delete ${ANVIL_STATE_FILE} to get one`, {})
  return null
}

/**
 * Puts on the chain exactly what the ledger holds for the treasury wallet: USDC and ETH = the
 * treasury accounts (escrowed money sits in the escrow contract, not in the wallet).
 */
async function fundTreasury(
  context: SandboxServiceContext,
  clients: HarnessClients,
  deployer: AnvilTestAccount,
  rpcUrl: string,
  contracts: SandboxContracts,
): Promise<void> {
  const api = context.core.api
  const usdc = SANDBOX_ASSETS.find((a) => a.id === `USDC@evm:${ANVIL_CHAIN_ID}`)!
  const eth = SANDBOX_ASSETS.find((a) => a.id === `ETH@evm:${ANVIL_CHAIN_ID}`)!
  const sum = async (assetId: string, scale: number, kinds: readonly string[]): Promise<bigint> =>
    (await api.call('ledger.balances', { assetId }))
      .filter((b) => kinds.includes(b.kind))
      .reduce((s, b) => s + parseAmount(b.balance, scale, { allowZero: true }), 0n)
  const usdcMinor = await sum(usdc.id, usdc.scale, ['treasury'])
  const ethMinor = await sum(eth.id, eth.scale, ['treasury'])
  // Submissions hold the nonces (payouts/execute/reserveNonce.ts): any EVM one means transactions were sent.
  const sent =
    (await context.core.ctx.db.first(
      context.core.ctx.db.k.selectFrom('submissions').select('id').where('rail', '=', 'evm').where('network', '=', String(ANVIL_CHAIN_ID)),
    )) ??
    (await context.core.ctx.db.first(
      context.core.ctx.db.k.selectFrom('escrow_txs').select('id').where('rail', '=', 'evm').where('network', '=', String(ANVIL_CHAIN_ID)),
    ))
  if (sent) {
    log(
      'warn',
      'sandbox: a fresh Anvil chain for a workspace that already sent transactions (its chain state was lost); balances are re-funded from the ledger',
      {},
    )
  }

  const pc = clients.publicClient
  const mint = await clients.walletFor(deployer).writeContract({
    address: contracts.token,
    abi: testUsd.abi,
    functionName: 'mint',
    args: [SANDBOX_EVM_TREASURY, usdcMinor],
  })
  await pc.waitForTransactionReceipt({ hash: mint })

  const tc = clients.testClient
  await tc.setBalance({ address: SANDBOX_EVM_TREASURY, value: APPROVAL_GAS_WEI })
  await tc.impersonateAccount({ address: SANDBOX_EVM_TREASURY })
  try {
    const treasury = createWalletClient({ chain: clients.chain, transport: http(rpcUrl), account: SANDBOX_EVM_TREASURY })
    const spenders = [
      ['batch', contracts.batch],
      ['escrow', contracts.escrow],
    ] as const
    for (const [what, spender] of spenders) {
      if (spender === null) continue
      const approve = await treasury.writeContract({
        address: contracts.token,
        abi: erc20Abi,
        functionName: 'approve',
        args: [spender, maxUint256],
      })
      const receipt = await pc.waitForTransactionReceipt({ hash: approve })
      if (receipt.status !== 'success') throw new Error(`the treasury's approval of the ${what} contract reverted (tx ${approve})`)
    }
  } finally {
    await tc.stopImpersonatingAccount({ address: SANDBOX_EVM_TREASURY })
  }
  await tc.setBalance({ address: SANDBOX_EVM_TREASURY, value: ethMinor })
}
