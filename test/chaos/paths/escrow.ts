/**
 * The escrow path, parent side. Workload: 2–4 escrows on the run's rails and assets, each of 1–3
 * milestones of amounts spread over every magnitude the asset allows, each planned one of four ways:
 *  - cancelled before it is funded (Stripe: treasury-funded, so no customer's money waits);
 *  - long windows: each milestone released, or disputed then resolved with a seeded split
 *    (0 and the whole amount included) or refunded;
 *  - automatic release: windows ending 20 s–10 min after the start, taken on the rail after
 *    them (EVM: anyone's claim(); Stellar: the payee's claim; Stripe: the poller's transfer);
 *  - a short expiry (2–15 min): milestones released or resolved if the person is in time, else
 *    refunded after the poller marks them expired.
 * Stripe escrows are funded by the customer's charge (paid at setup, transfer_group = escrow id).
 * The plan goes into the workspace folder for the child (escrowChild.ts). Clocks: the Horizon
 * harness's (which the child's workspace clock follows, and which Stripe's deadlines are judged by)
 * and Anvil's move 5 s per sweep round; after the run the follow-up moves both a day on, so every
 * window and expiry has passed, and adds one escrow per rail that must go through.
 *
 * Oracle, read from the rails: per escrow, the contract's milestones (EVM), the live claimable
 * balances (Stellar), the charge's refunds and the transfers of its group (Stripe) match each
 * milestone's final state; each payee received on the rail exactly what its milestones paid it,
 * the escrow holding on the rail (contract balance, claimable balances, charges less refunds and
 * transfers) equals the ledger's escrow account per asset; nothing is left non-final without a
 * reason; the audit chain verifies.
 */
import { Keypair } from '@stellar/stellar-base'
import { erc20Abi, getAddress, type Address } from 'viem'
import type { CoreContext } from '../../../src/main/core/context'
import { verifyAudit } from '../../../src/main/core/audit/verifyAudit'
import { createEscrow } from '../../../src/main/core/escrow/createEscrow'
import type { EscrowRail, EscrowRailRegistry } from '../../../src/main/core/rails/EscrowRail'
import { countersignEscrowAbi } from '../../../src/main/core/rails/evm/abi'
import { createEvmEscrowRail, evmEscrowId } from '../../../src/main/core/rails/evm/escrow/createEvmEscrowRail'
import { createStellarEscrowRail } from '../../../src/main/core/rails/stellar/escrow/createStellarEscrowRail'
import { createStripeEscrowRail } from '../../../src/main/core/rails/stripe/escrow/createStripeEscrowRail'
import { evmAccountPath, stellarAccountPath } from '../../../src/main/core/signing/bip32Path'
import { MAKER } from '../../execute/executeKit'
import { NETWORK as STELLAR_NETWORK, TREASURY as STELLAR_TREASURY, XLM } from '../../execute/stellarKit'
import { ensureTestApprover } from '../../support/signedApprovals'
import type { Rng } from '../prng'
import { decimal, rpc, type RailName, type RunWorld } from '../world'
import { ESCROW_APPROVER, writePlan, type EscrowPlan, type MilestoneIntent, type PlannedEscrow } from './escrowChild'
import { assetsOf } from './payouts'
import { disputedOnStellar, ledgerMinor, sponsoredBalances, treasuryDifferences } from './railBooks'
import type { ChaosPath, Findings } from './types'

export interface EscrowWorkload {
  plan: EscrowPlan
  /** Set by the follow-up: every deadline has passed, so whatever is not final is stuck. */
  late: boolean
}

const STELLAR_PAYEE_XLM = 5n * XLM
const DAY_S = 86_400
/** A milestone on the rail (CountersignEscrow's State). */
const ON_CHAIN = { none: 0, open: 1, locked: 2, released: 3, resolved: 4, refunded: 5 } as const

function maxOf(assetId: string): bigint {
  if (assetId.startsWith('ETH@')) return 10n ** 17n
  if (assetId.startsWith('TUSD@')) return 1n << 240n
  if (assetId.startsWith('XLM@')) return 1_000n * XLM
  if (assetId.startsWith('USDC@')) return 10n ** 14n
  return 1_000_000n // Stripe: within one card charge
}

function scaleOf(assetId: string): number {
  if (assetId.startsWith('ETH@')) return 18
  if (assetId.startsWith('TUSD@')) return 6
  if (assetId.startsWith('XLM@') || assetId.startsWith('USDC@')) return 7
  return assetId.startsWith('JPY@') ? 0 : 2
}

const NETWORK_OF = (run: RunWorld): Record<RailName, string> => ({
  evm: String(run.evm.anvil.chainId),
  stellar: STELLAR_NETWORK,
  stripe: 'stripe',
})

/** The escrow rails, for createEscrow (which only reads each rail's source; nothing is sent from the parent). */
function escrowRailsOf(run: RunWorld): EscrowRailRegistry {
  const list: EscrowRail[] = [
    createEvmEscrowRail({
      ...run.evm.chain(),
      escrowContract: run.evm.h.escrow,
      source: { address: run.evm.treasury, path: evmAccountPath(0) },
    }),
    createStellarEscrowRail({
      network: STELLAR_NETWORK,
      horizonUrl: run.stellar.url,
      networkPassphrase: run.stellar.networkPassphrase,
      source: { address: STELLAR_TREASURY, path: stellarAccountPath(0) },
      maxFeePerOpStroops: 1000n,
    }),
    createStripeEscrowRail({
      apiBase: { host: run.stripe.host, port: run.stripe.port, protocol: 'http' },
      secretKey: async () => run.stripe.secretKey,
    }),
  ]
  return { get: (rail, network) => list.find((r) => r.rail === rail && r.network === network) }
}

/** Each rail's clock now, in seconds: the chain's head, the Horizon harness's (Stripe's deadlines are judged by it too). */
async function clocksOf(run: RunWorld): Promise<Record<RailName, number>> {
  const head = await run.evm.h.clients.publicClient.getBlock({ blockTag: 'latest' })
  const res = await fetch(`${run.stellar.url}/_harness/clock`)
  const stellar = Math.floor(Date.parse(((await res.json()) as { now: string }).now) / 1000)
  return { evm: Number(head.timestamp), stellar, stripe: stellar }
}

type Kind = 'cancel' | 'long' | 'auto' | 'expire'

async function newEscrow(
  ctx: CoreContext,
  run: RunWorld,
  rng: Rng,
  id: string,
  kind: Kind,
  rail: RailName,
  assetId: string,
  now: number,
  count: number,
  followUp: boolean,
): Promise<PlannedEscrow> {
  const iso = (s: number) => new Date(s * 1000).toISOString()
  const expiresIn = kind === 'expire' ? rng.int(120, 900) : kind === 'auto' ? 40 * DAY_S : 20 * DAY_S
  const milestones = Array.from({ length: count }, () => {
    const amount = followUp ? 1n + BigInt(rng.int(0, 99)) : rng.amount(maxOf(assetId))
    const intent: MilestoneIntent =
      kind === 'auto'
        ? 'auto'
        : kind === 'expire'
          ? rng.pick(['expire', 'expire', 'release', 'resolve'] as const)
          : followUp
            ? 'release'
            : rng.pick(['release', 'resolve', 'refund-disputed'] as const)
    const endsIn = kind === 'auto' ? rng.int(20, 600) : kind === 'expire' ? rng.int(10, expiresIn - 10) : 10 * DAY_S
    // A split's share to the payee: none, all, or anything between.
    const r = rng.int(0, 5)
    const toPayee = r === 0 ? 0n : r === 1 ? amount : rng.big(0n, amount)
    return { amount: amount.toString(), reviewEndsAt: iso(now + endsIn), intent, toPayee: toPayee.toString() }
  })
  const total = milestones.reduce((s, m) => s + BigInt(m.amount), 0n)
  let payee: string
  let payeeSeed: string | null = null
  if (rail === 'evm') payee = getAddress(`0x${rng.hex(20)}`)
  else if (rail === 'stellar') {
    const key = Keypair.fromRawEd25519Seed(rng.bytes(32))
    payeeSeed = key.rawSecretKey().toString('hex')
    payee = key.publicKey()
    run.stellar.createAccount(payee, STELLAR_PAYEE_XLM)
    run.stellar.addTrustline(payee, run.usdc)
  } else payee = run.stripe.addConnectedAccount({ id: `acct_chaosesc${rng.hex(8)}` })
  const currency = assetId.split('@')[0]!.toLowerCase()
  // The customer pays at checkout (transfer_group = the escrow id); an escrow to be cancelled is the treasury's.
  const fundingCharge =
    rail === 'stripe' && kind !== 'cancel' ? run.stripe.customerPays({ amount: total, currency, transferGroup: id }).charge : null
  const planned: PlannedEscrow = {
    id,
    rail,
    assetId,
    payee,
    cancel: kind === 'cancel',
    followUp,
    autoRelease: kind === 'auto',
    fundingCharge,
    expiresAt: iso(now + expiresIn),
    milestones,
    payeeSeed,
  }
  const scale = scaleOf(assetId)
  await createEscrow(ctx, MAKER, escrowRailsOf(run), {
    id,
    name: `Chaos escrow ${id}`,
    rail,
    network: NETWORK_OF(run)[rail],
    assetId,
    payee,
    funding: fundingCharge ? 'charge' : 'treasury',
    ...(fundingCharge ? { fundingCharge } : {}),
    autoRelease: planned.autoRelease,
    expiresAt: planned.expiresAt,
    milestones: milestones.map((m, i) => ({
      title: `M${i + 1}`,
      amount: decimal(BigInt(m.amount), scale),
      reviewWindowHours: 1,
      reviewEndsAt: m.reviewEndsAt,
    })),
  })
  return planned
}

function planOf(run: RunWorld, escrows: PlannedEscrow[]): EscrowPlan {
  return {
    escrows,
    evm: run.rails.includes('evm')
      ? {
          rpcUrl: run.evm.anvil.rpcUrl,
          chainId: run.evm.anvil.chainId,
          escrowContract: run.evm.h.escrow,
          // A spare Anvil dev account (TEST KEY) plays "anyone" calling claim().
          claimerKey: run.evm.anvil.accounts[2]!.testOnlyPrivateKey,
        }
      : null,
    stellar: run.rails.includes('stellar') ? { horizonUrl: run.stellar.url, passphrase: run.stellar.networkPassphrase } : null,
  }
}

export const escrowPath: ChaosPath<EscrowWorkload> & {
  followUp(ctx: CoreContext, run: RunWorld, rng: Rng, w: EscrowWorkload): Promise<void>
} = {
  name: 'escrow',
  async setup(ctx, run, rng) {
    await ensureTestApprover(ctx, ESCROW_APPROVER)
    const clocks = await clocksOf(run)
    const escrows: PlannedEscrow[] = []
    const count = rng.int(2, 4)
    for (let i = 0; i < count; i++) {
      const rail = rng.pick(run.rails)
      const r = rng.int(0, 9)
      const kind: Kind = r === 0 ? 'cancel' : r <= 3 ? 'auto' : r <= 5 ? 'expire' : 'long'
      const asset = rail === 'stellar' && kind === 'auto' ? `USDC@stellar:${STELLAR_NETWORK}` : rng.pick(assetsOf(rail, run))
      escrows.push(await newEscrow(ctx, run, rng, `esc-${i}`, kind, rail, asset, clocks[rail], rng.int(1, 3), false))
    }
    const plan = planOf(run, escrows)
    writePlan(run.dir, plan)
    return { plan, late: false }
  },

  /** A day passes on every clock (every window and expiry with it); then one more escrow per rail must go through. */
  async followUp(ctx, run, rng, w) {
    await run.stellar.advanceClock(DAY_S)
    await rpc(run.evm.anvil.rpcUrl, 'evm_increaseTime', [DAY_S])
    await rpc(run.evm.anvil.rpcUrl, 'anvil_mine', ['0x1'])
    w.late = true
    const clocks = await clocksOf(run)
    for (const rail of run.rails) {
      const asset = rng.pick(assetsOf(rail, run))
      w.plan.escrows.push(await newEscrow(ctx, run, rng, `esc-after-${rail}`, 'long', rail, asset, clocks[rail], 1, true))
    }
    writePlan(run.dir, w.plan)
  },

  async busy(ctx, w) {
    const open = await ctx.db.first(
      ctx.db.k.selectFrom('escrow_actions').select('id').where('state', 'in', ['awaiting_approval', 'approved', 'executing']),
    )
    if (open) return true
    for (const e of w.plan.escrows) {
      const row = await ctx.db.first(ctx.db.k.selectFrom('escrows').select('state').where('id', '=', e.id))
      if (!row || ['cancelled', 'released', 'refunded', 'resolved', 'closed'].includes(row.state)) continue
      if (row.state === 'failed' || e.cancel) return !e.cancel ? false : row.state !== 'cancelled'
      const ms = await ctx.db.all(ctx.db.k.selectFrom('escrow_milestones').select(['idx', 'state']).where('escrow_id', '=', e.id))
      for (const m of ms) {
        if (['released', 'resolved', 'refunded'].includes(m.state)) continue
        const intent = e.milestones[m.idx - 1]!.intent
        // Before the day passes, a milestone left to its window or its expiry waits for the clock, not for anyone.
        if (m.state === 'held' && (intent === 'auto' || intent === 'expire') && !w.late) continue
        return true
      }
    }
    return false
  },

  async oracle(ctx, run, w) {
    const f: Findings = { duplicates: [], lost: [], stuck: [], other: [], checked: {} }
    const heldOnRail = new Map<string, bigint>()
    const add = (assetId: string, n: bigint) => heldOnRail.set(assetId, (heldOnRail.get(assetId) ?? 0n) + n)
    for (const e of w.plan.escrows) {
      f.checked[e.rail] = (f.checked[e.rail] ?? 0) + 1
      const row = await ctx.db.first(ctx.db.k.selectFrom('escrows').selectAll().where('id', '=', e.id))
      const what = `escrow ${e.id} (${e.rail}, ${e.assetId}, ${e.milestones.length} milestone(s))`
      if (!row) {
        f.lost.push(`${what} is not in the workspace`)
        continue
      }
      const ms = await ctx.db.all(ctx.db.k.selectFrom('escrow_milestones').selectAll().where('escrow_id', '=', e.id).orderBy('idx'))
      const actions = await ctx.db.all(ctx.db.k.selectFrom('escrow_actions').selectAll().where('escrow_id', '=', e.id).orderBy('id'))
      await checkStuck(f, what, e, row.state, ms, actions, ctx, e.id)
      const funded = ms.some((m) => m.hold_id !== null)
      const toPayee = ms.reduce((s, m) => s + BigInt(m.released), 0n)
      const paid = await paidToPayee(run, e, f, what)
      if (paid > toPayee) f.duplicates.push(`${what}: the payee received ${paid} on the rail, the books say ${toPayee} was released`)
      if (paid < toPayee) f.lost.push(`${what}: the books say ${toPayee} was released, the payee received ${paid} on the rail`)
      if (e.rail === 'evm') {
        const pc = run.evm.h.clients.publicClient
        for (const m of ms) {
          const [amount, , state] = await pc.readContract({
            address: run.evm.h.escrow,
            abi: countersignEscrowAbi,
            functionName: 'milestoneOf',
            args: [evmEscrowId(e.id), BigInt(m.idx - 1)],
          })
          const want = !funded
            ? ON_CHAIN.none
            : ({ held: ON_CHAIN.open, expired: ON_CHAIN.open, disputed: ON_CHAIN.locked, released: ON_CHAIN.released }[m.state] ??
              (m.state === 'resolved' ? ON_CHAIN.resolved : m.state === 'refunded' ? ON_CHAIN.refunded : -1))
          if (state !== want)
            (state === ON_CHAIN.none && funded ? f.lost : f.other).push(
              `${what} milestone ${m.idx}: the books say ${m.state}, the contract says state ${state}`,
            )
          if (funded && state !== ON_CHAIN.none && amount !== BigInt(m.amount))
            f.other.push(`${what} milestone ${m.idx}: the contract holds ${amount}, not ${m.amount}`)
        }
      } else if (e.rail === 'stellar') {
        // Held and expired milestones are live claimable balances; a disputed one was claimed back (it sits in the treasury).
        for (const m of ms) {
          const live = m.rail_ref === null ? null : run.stellar.claimableBalance(m.rail_ref)
          const shouldLive = funded && (m.state === 'held' || m.state === 'expired')
          if (shouldLive && !live) f.lost.push(`${what} milestone ${m.idx} is ${m.state} in the books, but its claimable balance is gone`)
          if (!shouldLive && live)
            f.other.push(`${what} milestone ${m.idx} is ${m.state}, but its claimable balance ${m.rail_ref} is still live`)
        }
      } else {
        const transfers = groupTransfers(run, e.id)
        const charge = e.fundingCharge ? run.stripe.charges().find((c) => c.id === e.fundingCharge) : undefined
        const refunded = charge ? BigInt(charge.amount_refunded) : 0n
        const toPayer = ms.reduce((s, m) => s + BigInt(m.refunded), 0n)
        if (charge && refunded > toPayer) f.duplicates.push(`${what}: the charge was refunded ${refunded}, the books gave back ${toPayer}`)
        if (charge && refunded < toPayer) f.lost.push(`${what}: the books gave back ${toPayer}, the charge was refunded ${refunded}`)
        const net = transfers.reduce((s, t) => s + t.amount - t.amount_reversed, 0n)
        // What the platform holds for this escrow: the charge less refunds and transfers (treasury-funded: what the books moved in).
        add(e.assetId, charge ? (funded ? BigInt(charge.amount) : 0n) - refunded - net : funded ? BigInt(row.total) - net - toPayer : 0n)
      }
    }
    // The escrow holding per asset: on chain the contract's balance, on Stellar the live balances
    // (+ claimed back for open disputes), on Stripe what the platform holds for the escrows.
    const pc = run.evm.h.clients.publicClient
    const contract = run.evm.h.escrow
    const onRail = new Map<string, bigint>([
      [run.evm.ethAssetId, await pc.getBalance({ address: contract })],
      [
        run.evm.tokenAssetId,
        await pc.readContract({ address: run.evm.h.testUsd, abi: erc20Abi, functionName: 'balanceOf', args: [contract] }),
      ],
    ])
    for (const [assetId, sum] of heldOnRail) onRail.set(assetId, sum)
    // Stellar: every live claimable balance the treasury sponsors (ours or not), plus what open disputes claimed back.
    for (const [assetId, sum] of await sponsoredBalances(run)) onRail.set(assetId, sum + (await disputedOnStellar(ctx, assetId)))
    for (const [assetId, rail] of onRail) {
      const books = await ledgerMinor(ctx, `escrow:${assetId}`)
      if (books !== rail) f.other.push(`escrow holding ${assetId}: books ${books}, rail ${rail} (difference ${rail - books})`)
    }
    f.other.push(...(await treasuryDifferences(ctx, run)))
    const audit = await verifyAudit(ctx)
    if (!audit.ok) f.other.push(`audit verify failed: ${JSON.stringify(audit.firstBroken)}`)
    return f
  },
}

interface GroupTransfer {
  amount: bigint
  amount_reversed: bigint
  destination: string
  transfer_group: string | null
}

function groupTransfers(run: RunWorld, escrowId: string): GroupTransfer[] {
  return (run.stripe.transfers() as GroupTransfer[]).filter((t) => t.transfer_group === escrowId)
}

/** What the payee holds on the rail from this escrow (every payee is fresh: all it holds came from it). */
async function paidToPayee(run: RunWorld, e: PlannedEscrow, f: Findings, what: string): Promise<bigint> {
  if (e.rail === 'evm') {
    const pc = run.evm.h.clients.publicClient
    if (e.assetId === run.evm.tokenAssetId)
      return await pc.readContract({ address: run.evm.h.testUsd, abi: erc20Abi, functionName: 'balanceOf', args: [e.payee as Address] })
    return await pc.getBalance({ address: e.payee as Address })
  }
  if (e.rail === 'stellar') {
    // Auto-release escrows on Stellar are USDC (the payee's claims cost it XLM fees, which would blur an XLM reading).
    const native = e.assetId.startsWith('XLM@')
    return (run.stellar.balance(e.payee, native ? 'native' : run.usdc) ?? 0n) - (native ? STELLAR_PAYEE_XLM : 0n)
  }
  const mine = groupTransfers(run, e.id)
  for (const t of mine)
    if (t.destination !== e.payee) f.other.push(`${what}: a transfer of its group went to ${t.destination}, not the payee ${e.payee}`)
  const all = (run.stripe.transfers() as GroupTransfer[]).filter((t) => t.destination === e.payee)
  return all.reduce((s, t) => s + t.amount - t.amount_reversed, 0n)
}

async function checkStuck(
  f: Findings,
  what: string,
  e: PlannedEscrow,
  state: string,
  ms: { idx: number; state: string }[],
  actions: { id: string; kind: string; state: string; failure_code: string | null; failure_message: string | null }[],
  ctx: CoreContext,
  escrowId: string,
): Promise<void> {
  const openTxs = await ctx.db.all(
    ctx.db.k
      .selectFrom('escrow_txs')
      .select(['id', 'state'])
      .where('escrow_id', '=', escrowId)
      .where('state', 'in', ['planned', 'signed', 'broadcast']),
  )
  for (const t of openTxs) f.stuck.push(`${what}: transaction ${t.id} left ${t.state}`)
  for (const a of actions)
    if (['awaiting_approval', 'approved', 'executing'].includes(a.state)) f.stuck.push(`${what}: ${a.kind} ${a.id} left ${a.state}`)
  if (e.cancel) {
    if (state !== 'cancelled') f.stuck.push(`${what} was to be cancelled, but is ${state}`)
    return
  }
  if (state === 'cancelled') {
    // Its funding failed and the expiry passed before it could be tried again: the person cancelled it.
    if (e.followUp) f.other.push(`follow-up ${what} was cancelled`)
    return
  }
  if (state === 'failed') {
    const fund = actions.filter((a) => a.kind === 'fund').at(-1)
    if (!fund?.failure_code || !fund.failure_message) f.stuck.push(`${what}: its funding failed without a reason`)
    if (e.followUp) f.other.push(`follow-up ${what}: its funding failed after the run (${fund?.failure_code}: ${fund?.failure_message})`)
    return
  }
  for (const m of ms) {
    if (['released', 'resolved', 'refunded'].includes(m.state)) continue
    const last = actions.filter((a) => a.kind !== 'fund').at(-1)
    const why = last?.state === 'failed' && last.failure_code ? ` (last action failed: ${last.failure_code}: ${last.failure_message})` : ''
    f.stuck.push(`${what} milestone ${m.idx} (meant: ${e.milestones[m.idx - 1]!.intent}) left ${m.state}${why}`)
  }
  if (e.followUp && state !== 'released') f.other.push(`follow-up ${what} did not go through after the run (${state})`)
}
