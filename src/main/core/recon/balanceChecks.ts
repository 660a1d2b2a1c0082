/**
 * Rail balance checks (issue 15, part 4): for every treasury account with an address, the rail's
 * own balance (the chain, Horizon, Stripe — the rail's `readBalances`) beside the ledger's, stored
 * in recon_balance_checks when the state or the figures changed since that account's previous
 * check, so the table is the drift over time and stays small.
 *
 * - The network is read first, outside any transaction (one read per rail, network and address);
 *   then each account's comparison, its row and its audit commit together.
 * - 'differs' is audited (recon.balance.differs) when an account starts differing, or differs by
 *   a new amount; 'matches' (recon.balance.matches) when it comes back. An 'unavailable' check in
 *   between changes neither: the last decided state is what a new one is compared with.
 * - A difference while payout or escrow transactions of the account are being confirmed is not
 *   a finding yet (the rail moves before the books do): the check is 'unavailable' with that
 *   reason, and the next check after they settle decides.
 * - What is compared per rail is documented in src/shared/reconBalancesApi.ts. Amounts are
 *   stored as integer minor units (text) and leave as decimals with the asset's scale.
 * - A rail that cannot be read never throws out of here: the account's check is 'unavailable'
 *   with the rail's sentence as its problem.
 */
import {
  BALANCE_CHECK_STATES,
  type BalanceBasis,
  type BalanceCheckState,
  type RailBalanceCheck,
  type RailBalances,
} from '../../../shared/reconBalancesApi'
import { RAILS, type Rail } from '../../../shared/blocks'
import { isErrorCode } from '../../../shared/errors'
import { RECON_BALANCE_ACCOUNTS_MAX } from '../../../shared/limits'
import { formatAmount, parseMinor } from '../../../shared/money'
import { appendAudit } from '../audit/appendAudit'
import type { Actor, CoreContext } from '../context'
import type { AssetRow, ReconBalanceChecksTable } from '../db/schema'
import { readAccountBalances } from '../ledger/getBalances'
import { log } from '../log'
import type { RailRegistry } from '../rails/Rail'
import { invariant } from '../util/invariant'

/** meta key: when the balances were last checked (a check that changed nothing stores only this). */
export const BALANCE_CHECKED_AT_META_KEY = 'recon_balances_checked_at'
export const BALANCE_DIFFERS_ACTION = 'recon.balance.differs'
export const BALANCE_MATCHES_ACTION = 'recon.balance.matches'
/** Characters of a problem kept with a check. */
const PROBLEM_CHARS_MAX = 500
/** Digits of the per-account sequence in a check's id ("rbc:<account>:0000000042"), so ids sort. */
const CHECK_SEQ_DIGITS = 10
const IN_FLIGHT_STATES = ['signed', 'broadcast'] as const

interface Target {
  accountId: string
  accountName: string
  address: string
  asset: AssetRow
}

/** The rail's side for one account: a figure, or why there is none. */
type Reading = { minor: bigint; note: string | null } | { minor: null; problem: string }

interface Decided {
  state: BalanceCheckState
  ledger: bigint
  rail: bigint | null
  difference: bigint | null
  problem: string | null
}

type CheckRow = Readonly<ReconBalanceChecksTable>

export type CheckRailBalancesReturnType = RailBalances & { changed: string[] }

/** Checks every treasury account now; stores and audits what changed; emits recon.balances.changed. */
export async function checkRailBalances(ctx: CoreContext, rails: RailRegistry, actor: Actor): Promise<CheckRailBalancesReturnType> {
  const targets = await listTargets(ctx)
  const readings = await readRails(rails, targets)
  const at = ctx.clock.now().toISOString()
  const changed: string[] = []
  for (const target of targets) {
    const reading = readings.get(target.accountId)
    invariant(reading, () => `no reading for ${target.accountId}`)
    if (await recordCheck(ctx, actor, target, reading, at)) changed.push(target.accountId)
  }
  await writeCheckedAt(ctx, at)
  ctx.events.emit('recon.balances.changed', { changed })
  return { ...(await listRailBalances(ctx)), changed }
}

/** The latest stored check of every treasury account (no network). */
export async function listRailBalances(ctx: CoreContext): Promise<RailBalances> {
  const targets = await listTargets(ctx)
  const checkedAt = await ctx.db.first(ctx.db.k.selectFrom('meta').select('value').where('key', '=', BALANCE_CHECKED_AT_META_KEY))
  const accounts: RailBalanceCheck[] = []
  for (const t of targets) accounts.push(toView(t, await latestCheck(ctx, t.accountId)))
  return { checkedAt: checkedAt?.value ?? null, accounts }
}

async function listTargets(ctx: CoreContext): Promise<Target[]> {
  const rows = await ctx.db.all(
    ctx.db.k
      .selectFrom('accounts as a')
      .innerJoin('assets as s', 's.id', 'a.asset_id')
      .select(['a.id as account_id', 'a.name as account_name', 'a.address as account_address'])
      .selectAll('s')
      .where('a.kind', '=', 'treasury')
      .where('a.address', 'is not', null)
      .orderBy('a.id')
      .limit(RECON_BALANCE_ACCOUNTS_MAX),
  )
  return rows.map((r) => ({
    accountId: r.account_id,
    accountName: r.account_name,
    address: r.account_address!,
    asset: {
      id: r.id,
      code: r.code,
      name: r.name,
      scale: r.scale,
      rail: r.rail,
      network: r.network,
      issuer: r.issuer,
      created_at: r.created_at,
    },
  }))
}

function basisOf(asset: Pick<AssetRow, 'rail'>): BalanceBasis {
  return asset.rail === 'stripe' ? 'stripe-platform' : 'wallet'
}

/**
 * One `readBalances` per rail, network and address, all at once (a node that does not answer costs
 * its own timeout, not the sum of them); every target gets a reading.
 */
async function readRails(rails: RailRegistry, targets: readonly Target[]): Promise<Map<string, Reading>> {
  const groups = new Map<string, Target[]>()
  for (const t of targets) {
    const key = `${t.asset.rail}:${t.asset.network}:${t.address.toLowerCase()}`
    groups.set(key, [...(groups.get(key) ?? []), t])
  }
  const reads = await Promise.all(
    [...groups.values()].map(async (group) => {
      const first = group[0]!
      try {
        return await readGroup(rails, first, group)
      } catch (error) {
        const problem = problemOf(error, `${first.asset.rail} ${first.asset.network}`)
        return new Map<string, Reading>(group.map((t) => [t.accountId, { minor: null, problem }]))
      }
    }),
  )
  return new Map(reads.flatMap((read) => [...read]))
}

async function readGroup(rails: RailRegistry, first: Target, group: readonly Target[]): Promise<Map<string, Reading>> {
  const { rail: railName, network } = first.asset
  const rail = rails.get(railName, network)
  const unavailable = (problem: string) => new Map<string, Reading>(group.map((t) => [t.accountId, { minor: null, problem }]))
  if (!rail)
    return unavailable(`${railLabel(railName, network)} is not configured — set it up in Settings → Rails to compare this balance.`)
  if (!rail.readBalances) return unavailable(`${railLabel(railName, network)} cannot report balances.`)
  const assets = [...new Map(group.map((t) => [t.asset.id, t.asset])).values()]
  const balances = await rail.readBalances(first.address, assets)
  const byAsset = new Map(balances.map((b) => [b.assetId, b]))
  return new Map(
    group.map((t): [string, Reading] => {
      const b = byAsset.get(t.asset.id)
      return [
        t.accountId,
        b ? { minor: b.minor, note: b.note ?? null } : { minor: null, problem: `The rail did not report ${t.asset.id}.` },
      ]
    }),
  )
}

function railLabel(rail: string, network: string): string {
  if (rail === 'evm') return `EVM chain ${network}`
  if (rail === 'stellar') return `Stellar ${network}`
  return 'Stripe'
}

/** A rail's failure as the sentence kept with the check: our own errors say what to do; others are named, never dumped. */
function problemOf(error: unknown, where: string): string {
  const code: unknown = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined
  const message = error instanceof Error && isErrorCode(code) ? error.message : null
  if (message === null) log('warn', 'reading a rail balance failed', { where, error })
  return (message ?? `The balance on ${where} could not be read — it is checked again in a few minutes.`).slice(0, PROBLEM_CHARS_MAX)
}

/** Compares, and stores a row (with its audit) only when the state or the figures changed. */
async function recordCheck(ctx: CoreContext, actor: Actor, target: Target, reading: Reading, at: string): Promise<boolean> {
  return await ctx.db.tx(async () => {
    const ledger = await ledgerFigure(ctx, target)
    const decided = await decide(ctx, target, ledger, reading)
    const latest = await latestCheck(ctx, target.accountId)
    if (latest && sameCheck(latest, decided)) return false
    const seq = latest ? BigInt(latest.id.slice(latest.id.lastIndexOf(':') + 1)) + 1n : 1n
    const row: CheckRow = {
      id: `rbc:${target.accountId}:${seq.toString().padStart(CHECK_SEQ_DIGITS, '0')}`,
      ledger_account_id: target.accountId,
      asset_id: target.asset.id,
      at,
      ledger: decided.ledger.toString(),
      rail: decided.rail === null ? null : decided.rail.toString(),
      difference: decided.difference === null ? null : decided.difference.toString(),
      state: decided.state,
      problem: decided.problem,
    }
    // Another desk that stored the same check a moment ago wins; this one then records nothing.
    const inserted = await ctx.db.run(
      ctx.db.k
        .insertInto('recon_balance_checks')
        .values(row)
        .onConflict((oc) => oc.column('id').doNothing()),
    )
    if (inserted.changes === 0) return false
    await auditTransition(ctx, actor, target, row)
    return true
  })
}

/** The ledger's figure: the treasury account's posted balance (Stripe: plus the asset's escrow accounts). */
async function ledgerFigure(ctx: CoreContext, target: Target): Promise<bigint> {
  const balances = await readAccountBalances(ctx, { assetId: target.asset.id })
  const own = balances.find((b) => b.accountId === target.accountId)?.balance ?? 0n
  if (basisOf(target.asset) !== 'stripe-platform') return own
  return balances.filter((b) => b.kind === 'escrow').reduce((sum, b) => sum + b.balance, own)
}

async function decide(ctx: CoreContext, target: Target, ledger: bigint, reading: Reading): Promise<Decided> {
  if (reading.minor === null) return { state: 'unavailable', ledger, rail: null, difference: null, problem: reading.problem }
  const difference = reading.minor - ledger
  if (difference === 0n) return { state: 'matches', ledger, rail: reading.minor, difference, problem: null }
  const settling = await inFlight(ctx, target)
  if (settling > 0) {
    const problem = `${settling} transaction${settling === 1 ? '' : 's'} from this account ${settling === 1 ? 'is' : 'are'} still being confirmed — the balances are compared again once ${settling === 1 ? 'it settles' : 'they settle'}.`
    return { state: 'unavailable', ledger, rail: reading.minor, difference, problem }
  }
  return { state: 'differs', ledger, rail: reading.minor, difference, problem: reading.note }
}

/** Payout and escrow transactions of the account signed or sent but not settled in the books yet. */
async function inFlight(ctx: CoreContext, target: Target): Promise<number> {
  const source = target.address.toLowerCase()
  let count = 0
  for (const table of ['submissions', 'escrow_txs'] as const) {
    const row = await ctx.db.first(
      ctx.db.k
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('rail', '=', target.asset.rail)
        .where('network', '=', target.asset.network)
        .where('state', 'in', IN_FLIGHT_STATES)
        .where((eb) => eb(eb.fn('lower', ['source']), '=', source)),
    )
    count += Number(row?.n ?? 0)
  }
  return count
}

async function latestCheck(ctx: CoreContext, accountId: string): Promise<CheckRow | undefined> {
  return await ctx.db.first(
    ctx.db.k.selectFrom('recon_balance_checks').selectAll().where('ledger_account_id', '=', accountId).orderBy('id', 'desc').limit(1),
  )
}

function sameCheck(row: CheckRow, d: Decided): boolean {
  return (
    row.state === d.state &&
    row.ledger === d.ledger.toString() &&
    row.rail === (d.rail === null ? null : d.rail.toString()) &&
    row.difference === (d.difference === null ? null : d.difference.toString())
  )
}

/**
 * differs: audited when the last decided check (matches or differs, before this row) was not a
 * difference of the same amount; matches: audited when it was a difference.
 */
async function auditTransition(ctx: CoreContext, actor: Actor, target: Target, row: CheckRow): Promise<void> {
  if (row.state === 'unavailable') return
  const before = await ctx.db.first(
    ctx.db.k
      .selectFrom('recon_balance_checks')
      .selectAll()
      .where('ledger_account_id', '=', target.accountId)
      .where('state', 'in', ['matches', 'differs'])
      .where('id', '<', row.id)
      .orderBy('id', 'desc')
      .limit(1),
  )
  const wasDiffering = before?.state === 'differs'
  if (row.state === 'matches' && !wasDiffering) return
  if (row.state === 'differs' && wasDiffering && before.difference === row.difference) return
  const money = (minor: string | null) => (minor === null ? null : formatAmount(parseMinor(minor), target.asset.scale))
  await appendAudit(ctx, {
    actor,
    action: row.state === 'differs' ? BALANCE_DIFFERS_ACTION : BALANCE_MATCHES_ACTION,
    subject: `account:${target.accountId}`,
    change: {
      check: row.id,
      assetId: target.asset.id,
      address: target.address,
      ledger: money(row.ledger),
      rail: money(row.rail),
      difference: money(row.difference),
      problem: row.problem,
      before: before ? { check: before.id, state: before.state, difference: money(before.difference), at: before.at } : null,
    },
  })
}

async function writeCheckedAt(ctx: CoreContext, at: string): Promise<void> {
  await ctx.db.run(
    ctx.db.k
      .insertInto('meta')
      .values({ key: BALANCE_CHECKED_AT_META_KEY, value: at })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: at })),
  )
}

function toView(t: Target, row: CheckRow | undefined): RailBalanceCheck {
  const state = row?.state
  invariant(
    state === undefined || (BALANCE_CHECK_STATES as readonly string[]).includes(state),
    () => `check ${row?.id} has state "${state}"`,
  )
  invariant((RAILS as readonly string[]).includes(t.asset.rail), () => `asset ${t.asset.id} is on unknown rail "${t.asset.rail}"`)
  const money = (minor: string | null | undefined) => (minor == null ? null : formatAmount(parseMinor(minor), t.asset.scale))
  return {
    ledgerAccountId: t.accountId,
    accountName: t.accountName,
    assetId: t.asset.id,
    assetCode: t.asset.code,
    scale: t.asset.scale,
    rail: t.asset.rail as Rail,
    network: t.asset.network,
    address: t.address,
    basis: basisOf(t.asset),
    state: (state as BalanceCheckState | undefined) ?? null,
    ledgerBalance: money(row?.ledger),
    railBalance: money(row?.rail),
    difference: money(row?.difference),
    problem: row?.problem ?? null,
    since: row?.at ?? null,
  }
}
