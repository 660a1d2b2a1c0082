/**
 * The payouts path, parent side. Workload: 1–3 approved batches of 1–8 payouts, each payout on a
 * rail and asset drawn from the seed (batches mix rails and assets), amounts spread over every
 * magnitude up to what the asset allows (tUSD: up to 2^250 minor units — the token takes any
 * uint256), every payee fresh so what it received on the rail is what it was paid. Oracle, read
 * from the rails themselves: tUSD Transfer logs and native balances on Anvil, balances on the
 * Horizon harness, transfers by destination + amount + metadata on the Stripe harness; each
 * payee's account in the books equals what it received there, and each treasury its rail balance.
 */
import { Keypair } from '@stellar/stellar-base'
import { erc20Abi, getAddress, type Address } from 'viem'
import type { CoreContext } from '../../../src/main/core/context'
import { appendAudit } from '../../../src/main/core/audit/appendAudit'
import { openRowSeals } from '../../../src/main/core/audit/rowSeals'
import { verifyAudit } from '../../../src/main/core/audit/verifyAudit'
import { findPayeeAccount } from '../../../src/main/core/ledger/payeeAccounts'
import { insertApprovedBatchForTest, ledgerBalance, MAKER, type TestPayout } from '../../execute/executeKit'
import { NETWORK as STELLAR_NETWORK, XLM } from '../../execute/stellarKit'
import type { Rng } from '../prng'
import { STRIPE_CURRENCIES, type RailName, type RunWorld } from '../world'
import { treasuryDifferences } from './railBooks'
import type { ChaosPath, Findings } from './types'

export interface ChaosPayout extends TestPayout {
  batchId: string
  rail: RailName
  /** What the payee held on the rail before the run. */
  before: bigint
  followUp: boolean
}

export interface PayoutsWorkload {
  payouts: ChaosPayout[]
}

const STELLAR_PAYEE_XLM = 5n * XLM
const TUSD_MAX = (1n << 250n) - 1n

export function assetsOf(rail: RailName, run: RunWorld): string[] {
  if (rail === 'evm') return [run.evm.ethAssetId, run.evm.tokenAssetId]
  if (rail === 'stellar') return [`XLM@stellar:${STELLAR_NETWORK}`, `USDC@stellar:${STELLAR_NETWORK}`]
  return STRIPE_CURRENCIES.map((c) => `${c.toUpperCase()}@stripe`)
}

function maxOf(assetId: string): bigint {
  if (assetId.startsWith('ETH@')) return 10n ** 18n
  if (assetId.startsWith('TUSD@')) return TUSD_MAX
  if (assetId.startsWith('XLM@')) return 10_000n * XLM
  if (assetId.startsWith('USDC@')) return 10n ** 16n
  return 10n ** 9n
}

function newPayee(run: RunWorld, rail: RailName, rng: Rng): Address {
  if (rail === 'evm') return getAddress(`0x${rng.hex(20)}`)
  if (rail === 'stellar') {
    const id = Keypair.fromRawEd25519Seed(rng.bytes(32)).publicKey()
    run.stellar.createAccount(id, STELLAR_PAYEE_XLM)
    run.stellar.addTrustline(id, run.usdc)
    return id as Address
  }
  return run.stripe.addConnectedAccount({ id: `acct_chaos${rng.hex(8)}` }) as Address
}

async function insertBatch(ctx: CoreContext, run: RunWorld, rng: Rng, batchId: string, picks: [RailName, string][], followUp: boolean) {
  const payouts: ChaosPayout[] = picks.map(([rail, assetId], j) => {
    const recipient = newPayee(run, rail, rng)
    return {
      id: `${batchId}-p${j}`,
      batchId,
      rail,
      assetId,
      recipient,
      amount: followUp ? 1n + BigInt(j) : rng.amount(maxOf(assetId)),
      before: rail === 'stellar' && assetId.startsWith('XLM@') ? STELLAR_PAYEE_XLM : 0n,
      followUp,
    }
  })
  await insertApprovedBatchForTest(ctx, batchId, payouts)
  // The kit inserts rows directly; seal them as the import would, so `audit verify` holds the run to account.
  await ctx.db.tx(async () => {
    const rows = await ctx.db.all(ctx.db.k.selectFrom('payouts').selectAll().where('batch_id', '=', batchId))
    const seals = await openRowSeals(ctx)
    await seals.seal(ctx, 'payouts', rows)
    await appendAudit(ctx, {
      actor: MAKER,
      action: 'chaos.batch-inserted',
      subject: `batch:${batchId}`,
      change: { payouts: rows.length },
      seals,
    })
  })
  return payouts
}

/**
 * 1–3 approved batches (ids `${prefix}0`, `${prefix}1`, …) of 1–8 payouts drawn from rng. Other
 * paths that need paid payouts (receipts) call it with their own prefix.
 */
export async function insertPayoutBatches(ctx: CoreContext, run: RunWorld, rng: Rng, prefix: string): Promise<PayoutsWorkload> {
  const payouts: ChaosPayout[] = []
  const batches = rng.int(1, 3)
  for (let b = 0; b < batches; b++) {
    const size = rng.int(1, 8)
    const picks: [RailName, string][] = Array.from({ length: size }, () => {
      const rail = rng.pick(run.rails)
      return [rail, rng.pick(assetsOf(rail, run))]
    })
    payouts.push(...(await insertBatch(ctx, run, rng, `${prefix}${b}`, picks, false)))
  }
  return { payouts }
}

/** One more small payout per rail and asset after the run (batch `batchId`): nothing left behind blocks it. */
export async function insertFollowUpBatch(ctx: CoreContext, run: RunWorld, rng: Rng, w: PayoutsWorkload, batchId: string): Promise<void> {
  const picks = run.rails.flatMap((rail) => assetsOf(rail, run).map((a): [RailName, string] => [rail, a]))
  w.payouts.push(...(await insertBatch(ctx, run, rng, batchId, picks, true)))
}

export const payoutsPath: ChaosPath<PayoutsWorkload> & {
  followUp(ctx: CoreContext, run: RunWorld, rng: Rng, w: PayoutsWorkload): Promise<void>
} = {
  name: 'payouts',
  setup: (ctx, run, rng) => insertPayoutBatches(ctx, run, rng, 'b'),
  followUp: (ctx, run, rng, w) => insertFollowUpBatch(ctx, run, rng, w, 'zz-after'),

  async oracle(ctx, run, w) {
    const f: Findings = { duplicates: [], lost: [], stuck: [], other: [], checked: {} }
    for (const p of w.payouts) {
      f.checked[p.rail] = (f.checked[p.rail] ?? 0) + 1
      const paid = await paidOnRail(run, p, f)
      const row = (await ctx.db.first(
        ctx.db.k.selectFrom('payouts').select(['state', 'failure_code', 'failure_message']).where('id', '=', p.id),
      ))!
      const what = `payout ${p.id} (${p.assetId}, ${p.amount} to ${p.recipient})`
      if (paid > 1) f.duplicates.push(`${what} paid ${paid} times on the rail (state ${row.state})`)
      // The payee's own account in the books (found by address, as the engine finds it) holds what
      // the payee received on the rail: every payee is fresh, so nothing else is in it.
      // (A Stripe transfer taken back — the stripe-bank path reverses some — is not received.)
      const payee = await findPayeeAccount(ctx, p.assetId, p.recipient)
      const booked = payee ? await ledgerBalance(ctx, payee.id) : 0n
      const received = BigInt(paid) * p.amount - reversedOnStripe(run, p)
      if (booked !== received) f.other.push(`payee of ${what}: books ${booked}, received on the rail ${received}`)
      if (row.state === 'confirmed') {
        if (paid === 0) f.lost.push(`${what} is confirmed in the books but was never paid on the rail`)
      } else if (row.state === 'failed') {
        if (paid === 1)
          f.other.push(`${what} was paid on the rail but the books say failed (${row.failure_code}) — a retry would pay it twice`)
        if (!row.failure_code || !row.failure_message) f.stuck.push(`${what} failed without a reason`)
        if (p.followUp)
          f.other.push(
            `follow-up ${what} failed after the run (${row.failure_code}: ${row.failure_message}) — something left behind blocks later payouts`,
          )
      } else {
        f.stuck.push(`${what} left in state ${row.state}`)
      }
    }
    const openSubs = await ctx.db.all(
      ctx.db.k.selectFrom('submissions').select(['id', 'state', 'rail']).where('state', 'in', ['planned', 'signed', 'broadcast']),
    )
    for (const s of openSubs) f.stuck.push(`submission ${s.id} (${s.rail}) left ${s.state}`)
    const batches = await ctx.db.all(ctx.db.k.selectFrom('batches').select(['id', 'state']))
    for (const b of batches)
      if (!['completed', 'failed', 'partially_failed', 'cancelled'].includes(b.state)) f.stuck.push(`batch ${b.id} left ${b.state}`)
    f.other.push(...(await treasuryDifferences(ctx, run)))
    const audit = await verifyAudit(ctx)
    if (!audit.ok) f.other.push(`audit verify failed: ${JSON.stringify(audit.firstBroken)}`)
    return f
  },
}

/** How many times the rail paid `p` (read from the rail itself); a wrong amount is a finding. */
export async function paidOnRail(run: RunWorld, p: ChaosPayout, f: Findings): Promise<number> {
  let received: bigint
  if (p.rail === 'evm') {
    const pc = run.evm.h.clients.publicClient
    if (p.assetId === run.evm.tokenAssetId) {
      const logs = await pc.getContractEvents({
        address: run.evm.h.testUsd,
        abi: erc20Abi,
        eventName: 'Transfer',
        args: { to: p.recipient },
        fromBlock: 0n,
        toBlock: 'latest',
      })
      for (const l of logs) if (l.args.value !== p.amount) f.other.push(`payout ${p.id}: a tUSD transfer of ${l.args.value} ≠ ${p.amount}`)
      return logs.length
    }
    received = await pc.getBalance({ address: p.recipient })
  } else if (p.rail === 'stellar') {
    const asset = p.assetId.startsWith('XLM@') ? 'native' : run.usdc
    received = (run.stellar.balance(p.recipient, asset) ?? 0n) - p.before
  } else {
    const transfers = run.stripe.transfers() as {
      destination: string
      amount: bigint
      currency: string
      metadata: Record<string, string>
    }[]
    const mine = transfers.filter((t) => t.destination === p.recipient)
    for (const t of mine)
      if (t.amount !== p.amount || t.metadata.countersign_payout_id !== p.id || t.currency !== p.assetId.split('@')[0]!.toLowerCase())
        f.other.push(
          `payout ${p.id}: a Stripe transfer ${t.amount} ${t.currency} (${t.metadata.countersign_payout_id}) ≠ what was approved`,
        )
    return mine.length
  }
  if (received % p.amount !== 0n) f.other.push(`payout ${p.id}: payee received ${received}, not a multiple of ${p.amount}`)
  return Number(received / p.amount)
}

function reversedOnStripe(run: RunWorld, p: ChaosPayout): bigint {
  if (p.rail !== 'stripe') return 0n
  const transfers = run.stripe.transfers() as { amount_reversed: bigint; metadata: Record<string, string> }[]
  return transfers.filter((t) => t.metadata.countersign_payout_id === p.id).reduce((sum, t) => sum + t.amount_reversed, 0n)
}
