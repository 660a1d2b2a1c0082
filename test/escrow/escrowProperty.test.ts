/**
 * The escrow property on EVM (escrowPropertyKit.ts drives it): whatever people do, in any order,
 * the money the escrow contract holds is the money the books say is in escrow. The rail's own
 * automatic release is anyone's `claim` of a held milestone on chain after its window (here a
 * stranger's, with the app doing nothing), booked by the next `poll --once`. After every step,
 * besides the kit's checks of the books against the model:
 *   the escrow contract's token balance = the model's open milestones (= the open escrow holds =
 *   the ledger's escrow account = `escrow list`'s inEscrow), and each payee's token balance (a
 *   fresh address per escrow) = its ledger account = what the model says it was paid.
 * A failure prints the seed and the steps so far; ESCROW_PROPERTY_SEED=<n> replays another seed.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Address } from 'viem'
import { createAnvilService } from '../../src/main/sandbox/anvilService'
import { sandboxUp, type Sandbox } from '../../src/main/sandbox/sandboxUp'
import { recipientAddresses } from '../harness/evm/recipients'
import { tempDir } from '../cli/cliHarness'
import { cliOf } from './escrowCrashKit'
import { propertySeed, runEscrowProperty, type PropertyRail } from './escrowPropertyKit'
import { claimAsStranger, evmEscrowChainOf, fundStranger, tokenBalance as tokenBalanceOf, type EvmEscrowChain } from './evmEscrowKit'

const USDC = 'USDC@evm:31337'
const ESCROW_PROPERTY_STEPS = 40
const DEFAULT_SEED = 20_240_614
const SEED = propertySeed(DEFAULT_SEED)
/** Milestone amounts: 0.000001 to 5,000 USDC. */
const AMOUNT_MINOR_MAX = 5_000_000_000

let root: string
let dir: string
let sb: Sandbox
let evmChain: EvmEscrowChain
let k: ReturnType<typeof cliOf>

const tokenBalance = (of: Address) => tokenBalanceOf(evmChain, of)
async function chainNowMs(): Promise<number> {
  const block = await evmChain.chain.publicClient.getBlock({ blockTag: 'latest' })
  return Number(block.timestamp) * 1000
}

const evm: PropertyRail = {
  name: 'EVM',
  rail: 'evm',
  network: '31337',
  assetId: USDC,
  scale: 6,
  amountMinorMax: AMOUNT_MINOR_MAX,
  nowMs: chainNowMs,
  pollerReleases: false,
  pollAfterClockMove: true,
  afterPollRound: async () => {
    await evmChain.chain.testClient.mine({ blocks: 1 })
  },
  async prepareCreate(n) {
    const [payee] = recipientAddresses(`escrow-property-${SEED}-${n}`, 1) as [Address]
    return { payee, args: [], autoRelease: false }
  },
  autoRelease: {
    name: (label) => `claim ${label} on chain`,
    possible: () => true,
    async run(e, m, kit) {
      await claimAsStranger(evmChain, e.id, m.index)
      kit.released(m)
      await kit.poll()
    },
  },
  payeeOnRail: (payee) => tokenBalance(payee as Address),
  async expectRail(_models, open) {
    expect(await tokenBalance(evmChain.escrowContract), 'the escrow contract holds the open milestones').toBe(open)
  },
}

beforeAll(async () => {
  root = tempDir('countersign-escrow-property-')
  dir = path.join(root, 'sandbox')
  k = cliOf(dir)
  sb = await sandboxUp({ dataDir: dir, services: [createAnvilService({ persist: false })], pollIntervalMs: 3_600_000 })
  await sb.core.poller.stop()
  evmChain = await evmEscrowChainOf(sb, k.ok, USDC)
  await fundStranger(evmChain)
}, 120_000)

afterAll(async () => {
  await sb?.stop()
  fs.rmSync(root, { recursive: true, force: true })
})

describe('escrow on EVM: random steps keep the contract and the books equal', () => {
  it(`${ESCROW_PROPERTY_STEPS} random steps (seed ${SEED})`, async () => {
    await runEscrowProperty({ sb, k, rail: evm, seed: SEED, steps: ESCROW_PROPERTY_STEPS, everyKind: SEED === DEFAULT_SEED })
  }, 170_000)
})
