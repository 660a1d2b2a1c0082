/**
 * The escrow property on Stellar (escrowPropertyKit.ts drives it), USDC@stellar:standalone on the
 * sandbox's Horizon-compatible harness: each held milestone is a claimable balance the treasury
 * sponsors; a dispute claims it back (the money is earmarked in the treasury until a resolve or a
 * refund). The rail's own automatic release is the PAYEE claiming its balance with its own key
 * after the window (no Countersign process involved), booked by the next `poll --once`. The three
 * sandbox payees with a USDC trustline take turns. After every step, besides the kit's checks of
 * the books against the model:
 *   the treasury-sponsored live USDC claimable balances + what was clawed back for open disputes
 *   = the model's open milestones (= the open escrow holds = the ledger's escrow account =
 *   inEscrow); every live balance is a held or expired milestone's, by its recorded id, of its
 *   amount; and each payee's USDC on the network = its ledger account = what the model paid it.
 * A failure prints the seed and the steps so far; ESCROW_PROPERTY_SEED=<n> replays another seed.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SANDBOX_STELLAR_PAYEES } from '../../src/main/sandbox/sandboxPlan'
import { sandboxUp, type Sandbox } from '../../src/main/sandbox/sandboxUp'
import { createStellarService } from '../../src/main/sandbox/stellarService'
import { HARNESS_CLOCK_ROUTE } from '../../src/main/sandbox/harness/stellar/stellarHarness'
import { tempDir } from '../cli/cliHarness'
import { cliOf } from './escrowCrashKit'
import { propertySeed, runEscrowProperty, type PropertyRail } from './escrowPropertyKit'
import {
  claimAsPayee as claimAsPayeeWith,
  getJson,
  horizonOf,
  sandboxPayeeKey,
  STELLAR_SCALE,
  treasuryBalances as treasuryBalancesOf,
  usdcOnNetwork,
} from './stellarEscrowKit'

const USDC = 'USDC@stellar:standalone'
const SCALE = STELLAR_SCALE
const ESCROW_PROPERTY_STEPS = 50
const DEFAULT_SEED = 11
const SEED = propertySeed(DEFAULT_SEED)
/** Milestone amounts: 0.0000001 to 5,000 USDC. */
const AMOUNT_MINOR_MAX = 50_000_000_000
/** The sandbox payees with a USDC trustline; their keys come from public phrases (sandboxPlan.ts), TEST ONLY. */
const PAYEE_NAMES = ['payee-1', 'payee-2', 'payee-3'] as const
const payeeKeys = new Map(PAYEE_NAMES.map((name) => [SANDBOX_STELLAR_PAYEES[name] as string, sandboxPayeeKey(name)]))

let root: string
let dir: string
let sb: Sandbox
let horizon: string
let passphrase: string
let k: ReturnType<typeof cliOf>

/** An account's USDC on the network, in stroops. */
const usdcOf = (account: string) => usdcOnNetwork(horizon, account)
/** The live USDC claimable balances the treasury sponsors, by id. */
const treasuryBalances = () => treasuryBalancesOf(horizon, { expectFitsPage: true })
/** The harness clock (what claim predicates are judged against; the sandbox clock moves it with ours). */
async function harnessNowMs(): Promise<number> {
  return Date.parse((await getJson<{ now: string }>(horizon, HARNESS_CLOCK_ROUTE)).now)
}

/** The payee's own claim_claimable_balance, signed with its key and sent to Horizon (no Countersign). */
const claimAsPayee = (payee: string, balanceId: string) => claimAsPayeeWith(horizon, passphrase, payeeKeys.get(payee)!, balanceId)

const stellar: PropertyRail = {
  name: 'Stellar',
  rail: 'stellar',
  network: 'standalone',
  assetId: USDC,
  scale: SCALE,
  amountMinorMax: AMOUNT_MINOR_MAX,
  nowMs: harnessNowMs,
  pollerReleases: false,
  pollAfterClockMove: true,
  async prepareCreate(n) {
    return { payee: SANDBOX_STELLAR_PAYEES[PAYEE_NAMES[n % PAYEE_NAMES.length]!], args: [], autoRelease: false }
  },
  autoRelease: {
    name: (label) => `the payee claims ${label}`,
    possible: () => true,
    async run(e, m, kit) {
      expect(m.railRef, `${e.id} #${m.index} has a claimable balance`).not.toBeNull()
      expect(await claimAsPayee(e.payee, m.railRef!)).toMatchObject({ status: 200 })
      kit.released(m)
      await kit.poll()
    },
  },
  payeeOnRail: usdcOf,
  async expectRail(models, open) {
    const live = await treasuryBalances()
    const clawedBack = models.reduce(
      (s, e) => s + e.milestones.filter((m) => m.state === 'disputed').reduce((t, m) => t + m.amount, 0n),
      0n,
    )
    const onRail = [...live.values()].reduce((s, v) => s + v, 0n)
    expect(onRail + clawedBack, 'live balances + clawed back for open disputes = the open milestones').toBe(open)
    // Every live balance is a held (or expired) milestone's, by its recorded id, holding its amount.
    const expected = models.flatMap((e) =>
      e.milestones.filter((m) => m.state === 'held' || m.state === 'expired').map((m) => [m.railRef, m.amount] as const),
    )
    expect([...live].sort(), 'the live claimable balances').toEqual([...expected].sort())
  },
}

beforeAll(async () => {
  root = tempDir('countersign-escrow-property-stellar-')
  dir = path.join(root, 'sandbox')
  k = cliOf(dir)
  sb = await sandboxUp({ dataDir: dir, services: [createStellarService()], pollIntervalMs: 3_600_000 })
  await sb.core.poller.stop()
  ;({ horizon, passphrase } = horizonOf(sb))
  for (const [payee, key] of payeeKeys) expect(key.publicKey()).toBe(payee)
}, 120_000)

afterAll(async () => {
  await sb?.stop()
  fs.rmSync(root, { recursive: true, force: true })
})

describe('escrow on Stellar: random steps keep the claimable balances and the books equal', () => {
  it(`${ESCROW_PROPERTY_STEPS} random steps (seed ${SEED})`, async () => {
    await runEscrowProperty({ sb, k, rail: stellar, seed: SEED, steps: ESCROW_PROPERTY_STEPS, everyKind: SEED === DEFAULT_SEED })
  }, 170_000)
})
