/**
 * What the Execution panel shows, derived only from stored state — the batch detail (its payouts'
 * states, its signing plan) and its submissions — never from the live progress events, so it is
 * right after a reload and while another process (the CLI, another desk) executes the batch: the
 * view reads the batch again on every change-feed event and this recomputes.
 *
 * PURE and exact: amounts are summed in bigint minor units at the asset's scale and come out as
 * decimal strings (shown with formatExact); nothing is rounded.
 */
import { networkName } from '../../../../shared/networkNames'
import type { Rail } from '../../../../shared/blocks'
import { formatAmount, parseAmount } from '../../../../shared/money'
import type { BatchState } from '../../../../shared/payoutStates'
import type { BatchDetail, SigningPlanRail, Submission } from '../../../../shared/payoutsApi'

/** An exact amount of one asset: a decimal string at `scale` (display it with formatExact). */
export interface AssetAmount {
  assetId: string
  assetCode: string
  scale: number
  amount: string
}

/** Where a rail stands; each maps to one sentence (railStatusSentence). */
export type RailPhase =
  /** Nothing sent yet on this rail. */
  | 'waiting'
  /** Transactions wait to be signed on the device, and signing runs now. */
  | 'signing'
  /** Transactions wait to be signed and nobody is signing: a signer must resume. */
  | 'stopped'
  /** Stripe: transfers are being sent (no device). */
  | 'sending'
  /** Everything is sent: the network (or Stripe) has yet to confirm some. */
  | 'confirming'
  /** Every payout on this rail is paid. */
  | 'paid'
  /** Nothing is in flight any more, and some payouts failed. */
  | 'finishedWithFailures'

export interface RailProgress {
  /** "evm:31337" — unique per panel, used in test ids. */
  key: string
  rail: Rail
  network: string
  /** For people: "Local Anvil", "Base", "Stellar testnet", "Stripe" (shared/networkNames.ts). */
  title: string
  /** Whether each transaction is confirmed on the device (EVM, Stellar) — never Stripe. */
  signsOnDevice: boolean
  payouts: number
  confirmed: number
  /** Planned, signed or sent, not yet confirmed (= sent + toSign). */
  inFlight: number
  /** Payouts signed (or sealed) and sent, waiting for the network to confirm. */
  sent: number
  /** Payouts in transactions not yet signed (Stripe: not yet sent). */
  toSign: number
  failed: number
  /** Not yet in any transaction. */
  waiting: number
  /** The transactions (Stripe: transfers) of this rail, each chunk's latest attempt. */
  transactions: number
  /** Of those, still to be signed on the device (Stripe: still to be sent). */
  unsent: number
  phase: RailPhase
}

export interface FailedPayout {
  id: string
  rowNo: number
  /** The payee's name when given, else the recipient. */
  who: string
  amount: AssetAmount
  code: string | null
  /** The core's sentence: what went wrong and, where it knows, what to do. */
  reason: string
}

export interface ExecutionSummary {
  paid: { payouts: number; totals: AssetAmount[] }
  failed: { payouts: number; totals: AssetAmount[]; rows: FailedPayout[] }
  /** Network fees the batch's transactions paid (confirmed ones, and reverted ones: they pay too), per fee asset. */
  fees: AssetAmount[]
}

const IN_FLIGHT = new Set(['planned', 'signed', 'broadcast'])
/** Batch states in which execution has ended (a retry may start it again). */
const FINISHED: ReadonlySet<BatchState> = new Set(['completed', 'partially_failed', 'failed'])
/** Rails in the order the panel lists them. */
const RAIL_ORDER: readonly Rail[] = ['evm', 'stellar', 'stripe']

export function railTitle(rail: Rail, network: string): string {
  return networkName(rail, network)
}

/** Each chunk's latest attempt: replaced (failed, dead) attempts are not part of "N of M". */
export function latestAttempts(submissions: readonly Submission[]): Submission[] {
  const last = new Map<number, Submission>()
  for (const s of submissions) {
    const seen = last.get(s.chunkIndex)
    if (!seen || s.attempt > seen.attempt) last.set(s.chunkIndex, s)
  }
  return [...last.values()].sort((a, b) => a.chunkIndex - b.chunkIndex)
}

/**
 * Per rail and network: payouts confirmed of all, what is in flight, what failed, and where it stands.
 * `signingNow`: this window is signing the batch right now (its own run), so unsigned transactions
 * are being signed rather than waiting for someone; the stored `signingStopped` says the same for
 * everyone else.
 */
export function railProgress(detail: BatchDetail, submissions: readonly Submission[], signingNow: boolean): RailProgress[] {
  const byKey = new Map<string, RailProgress>()
  for (const p of detail.payouts) {
    const key = `${p.rail}:${p.network}`
    const r = byKey.get(key) ?? emptyProgress(p.rail, p.network)
    r.payouts++
    if (p.state === 'confirmed') r.confirmed++
    else if (p.state === 'failed') r.failed++
    else if (IN_FLIGHT.has(p.state)) {
      r.inFlight++
      if (p.state === 'planned') r.toSign++
      else r.sent++
    } else r.waiting++
    byKey.set(key, r)
  }
  for (const s of latestAttempts(submissions)) {
    const r = byKey.get(`${s.rail}:${s.network}`)
    if (!r) continue // a submission whose payouts all left the batch view: nothing to count it against
    r.transactions++
    if (s.state === 'planned') r.unsent++
  }
  const stopped = detail.batch.signingStopped !== null && !signingNow
  for (const r of byKey.values()) r.phase = phaseOf(r, stopped)
  return [...byKey.values()].sort((a, b) => RAIL_ORDER.indexOf(a.rail) - RAIL_ORDER.indexOf(b.rail) || a.network.localeCompare(b.network))
}

function emptyProgress(rail: Rail, network: string): RailProgress {
  return {
    key: `${rail}:${network}`,
    rail,
    network,
    title: railTitle(rail, network),
    signsOnDevice: rail !== 'stripe',
    payouts: 0,
    confirmed: 0,
    inFlight: 0,
    sent: 0,
    toSign: 0,
    failed: 0,
    waiting: 0,
    transactions: 0,
    unsent: 0,
    phase: 'waiting',
  }
}

function phaseOf(r: RailProgress, stopped: boolean): RailPhase {
  if (r.confirmed === r.payouts) return 'paid'
  if (r.inFlight === 0 && r.waiting === 0) return 'finishedWithFailures'
  if (r.inFlight === 0) return 'waiting'
  if (r.unsent > 0) {
    if (!r.signsOnDevice) return 'sending'
    return stopped ? 'stopped' : 'signing'
  }
  return 'confirming'
}

/** One sentence per phase, in the rail's own words: Stripe transfers are never "signed". */
export function railStatusSentence(r: RailProgress): string {
  const unit = r.signsOnDevice ? 'transaction' : 'transfer'
  const units = (n: number) => `${n} ${unit}${n === 1 ? '' : 's'}`
  switch (r.phase) {
    case 'waiting':
      return r.signsOnDevice ? 'Not sent yet — each transaction will be confirmed on the Ledger.' : 'Not sent yet — nothing to sign.'
    case 'signing':
      return `Confirm each transaction on the Ledger — ${r.transactions - r.unsent} of ${units(r.transactions)} signed.`
    case 'stopped':
      return `Signing stopped — ${units(r.unsent)} still to sign on the Ledger. Press Resume signing.`
    case 'sending':
      return `Sending ${units(r.transactions)} to Stripe — nothing to sign.`
    case 'confirming':
      return r.signsOnDevice ? 'All signed and sent — waiting for the network to confirm.' : 'All sent — waiting for Stripe to confirm.'
    case 'paid':
      return `All ${r.payouts} paid.`
    case 'finishedWithFailures':
      return `${r.confirmed} paid, ${r.failed} failed.`
  }
}

/** Whether execution has ended: the batch is finished and nothing of it is in flight. */
export function executionFinished(detail: BatchDetail): boolean {
  return FINISHED.has(detail.batch.state) && detail.payouts.every((p) => !IN_FLIGHT.has(p.state))
}

/** Paid and failed payouts with exact totals per asset, and the fees paid per fee asset. */
export function executionSummary(detail: BatchDetail, submissions: readonly Submission[]): ExecutionSummary {
  const assets = new Map(detail.batch.totals.map((t) => [t.assetId, t]))
  const paid = new Totals()
  const failed = new Totals()
  const rows: FailedPayout[] = []
  for (const p of detail.payouts) {
    const asset = assets.get(p.assetId)
    if (!asset) throw new Error(`payout ${p.id} is in ${p.assetId}, which the batch totals do not list`)
    if (p.state === 'confirmed') paid.add(asset, p.amount)
    if (p.state !== 'failed') continue
    failed.add(asset, p.amount)
    rows.push({
      id: p.id,
      rowNo: p.rowNo,
      who: p.name ?? p.recipient,
      amount: { assetId: asset.assetId, assetCode: asset.assetCode, scale: asset.scale, amount: p.amount },
      code: p.failureCode,
      reason: p.failureMessage ?? 'The network refused it.',
    })
  }
  const fees = new Totals()
  for (const s of submissions) {
    // Only landed transactions pay: a confirmed one, or a reverted one (failed). A reorged one is
    // back to broadcast and its fee was taken back in the books.
    if (s.fee !== null && (s.state === 'confirmed' || s.state === 'failed')) fees.add(s.fee, s.fee.amount)
  }
  return {
    paid: { payouts: paid.count, totals: paid.list() },
    failed: { payouts: failed.count, totals: failed.list(), rows },
    fees: fees.list(),
  }
}

/** Exact sums per asset, in first-seen order. */
class Totals {
  count = 0
  private readonly byAsset = new Map<string, { assetId: string; assetCode: string; scale: number; minor: bigint }>()
  add(asset: { assetId: string; assetCode: string; scale: number }, decimal: string): void {
    this.count++
    const t = this.byAsset.get(asset.assetId) ?? { assetId: asset.assetId, assetCode: asset.assetCode, scale: asset.scale, minor: 0n }
    t.minor += parseAmount(decimal, asset.scale, { allowZero: true })
    this.byAsset.set(asset.assetId, t)
  }
  list(): AssetAmount[] {
    return [...this.byAsset.values()].map((t) => ({
      assetId: t.assetId,
      assetCode: t.assetCode,
      scale: t.scale,
      amount: formatAmount(t.minor, t.scale),
    }))
  }
}

/**
 * "USDC", or "USDC (EVM chain 31337)" where the same code appears on more than one rail or
 * network in `list` — USDC on EVM and USDC on Stellar are different money.
 */
export function assetLabels(list: readonly AssetAmount[]): string[] {
  const codes = new Map<string, number>()
  for (const a of list) codes.set(a.assetCode, (codes.get(a.assetCode) ?? 0) + 1)
  return list.map((a) => {
    if ((codes.get(a.assetCode) ?? 0) < 2) return a.assetCode
    const where = a.assetId.slice(a.assetId.indexOf('@') + 1)
    const colon = where.indexOf(':')
    const rail = (colon < 0 ? where : where.slice(0, colon)) as Rail
    return `${a.assetCode} (${railTitle(rail, colon < 0 ? where : where.slice(colon + 1))})`
  })
}

/** Device confirmations the batch's open payouts will take, all rails together. */
export function deviceConfirmationsOf(plan: readonly SigningPlanRail[]): number {
  return plan.reduce((n, r) => n + r.deviceConfirmations, 0)
}

/** One line per rail for beside Execute: how many transactions, and what each asks of the signer. */
export function signingPlanLine(r: SigningPlanRail): string {
  const title = railTitle(r.rail, r.network)
  const payouts = `${r.payouts} payout${r.payouts === 1 ? '' : 's'}`
  if (r.rail === 'stripe')
    return `${title}: ${r.transactions} transfer${r.transactions === 1 ? '' : 's'} — sent by the app, nothing to sign.`
  // EVM: the node's gas estimate may split a transaction of several payouts further.
  const more = r.precision === 'atLeast' && r.payouts > r.transactions ? ' (more if the network needs a transaction split)' : ''
  const n = r.deviceConfirmations
  return `${title}: ${payouts} in ${n} transaction${n === 1 ? '' : 's'} — ${n} confirmation${n === 1 ? '' : 's'} on the Ledger${more}.`
}

/**
 * The warning to read BEFORE Execute, when rows force transactions of their own: on Stellar a
 * transaction carries one memo, so payouts with different memos cannot share one. Null when
 * nothing forces more confirmations than the payouts need.
 */
export function signingPlanWarning(r: SigningPlanRail): string | null {
  if (r.deviceConfirmations <= r.deviceConfirmationsIfShared) return null
  const title = railTitle(r.rail, r.network)
  return (
    `${title}: ${r.payouts} payouts carry ${r.distinctMemos} different memos, and a Stellar transaction holds only one memo — ` +
    `you will confirm ${r.deviceConfirmations} transactions on the Ledger instead of ${r.deviceConfirmationsIfShared}. ` +
    'If the payees do not need these memos, remove them so the payouts share transactions (editing sends the batch back for approval).'
  )
}

/** What a person does about failed payouts, from where the batch stands and who they are. */
export function failedNextStep(retryable: boolean, isSigner: boolean): string {
  if (!retryable) return 'These payouts were not paid and nothing more will be sent for them.'
  return isSigner
    ? 'Fix what each reason says, then press Retry failed payouts: only these are sent again, and nothing already paid is paid twice. Left alone, they stay unpaid.'
    : 'Once the reasons are fixed, a signer presses Retry failed payouts: only these are sent again, and nothing already paid is paid twice.'
}

/** Transactions of the batch waiting to be signed on a device (Stripe transfers never are: the core sends them on its own). */
export function unsignedOnDevice(submissions: readonly Submission[]): number {
  return latestAttempts(submissions).filter((s) => s.state === 'planned' && s.rail !== 'stripe').length
}

/**
 * Whether to offer "Resume signing": the batch is executing, transactions wait for the device,
 * and signing has actually stopped — the stored batch says so (nobody holds it: the process that
 * signed was closed, or the device stopped), or this window's own run just ended with an error.
 * Not while someone is signing it, and never for Stripe transfers alone.
 */
export function canResumeSigning(detail: BatchDetail, submissions: readonly Submission[], ownRunFailed: boolean): boolean {
  const stopped = detail.batch.signingStopped !== null || ownRunFailed
  return detail.batch.state === 'executing' && unsignedOnDevice(submissions) > 0 && stopped
}
