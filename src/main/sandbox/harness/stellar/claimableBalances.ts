/**
 * Claimable balances for the Horizon-compatible harness (stellarHarness.ts): the two operations
 * Countersign's Stellar escrow uses — create_claimable_balance and claim_claimable_balance —
 * applied the way stellar-core applies them, and the entries rendered in Horizon's shapes.
 *
 * Faithful where tests depend on it:
 * - the balance id is stellar-core's: "00000000" (ClaimableBalanceIdType V0) + SHA-256 of the
 *   HashIdPreimage ENVELOPE_TYPE_OP_ID(tx source, tx sequence, op index) — computed here from the
 *   XDR, not borrowed from the SDK, so a test that compares the two proves something;
 * - relative predicates become absolute at creation (close time + seconds, saturating at
 *   INT64_MAX), and a claim is judged against the close time of the ledger that holds it;
 * - the creator pays the amount at creation and sponsors one base reserve per claimant until
 *   the balance is claimed; the claimer receives it (a trustline is required for issued assets);
 * - the result codes are Horizon's (op_cannot_claim, op_does_not_exist, op_no_trust, …).
 * Kept out of stellarHarness.ts so that file stays about transactions and HTTP.
 */
import { createHash } from 'node:crypto'
import { StrKey, xdr, type Asset, type Claimant } from '@stellar/stellar-base'

/** stellar-core: a predicate tree deeper than this is malformed. */
const PREDICATE_DEPTH_MAX = 4
/** stellar-core saturates relative deadlines here. */
const INT64_MAX = 9_223_372_036_854_775_807n
/** Horizon's balance id prefix: ClaimableBalanceIdType V0. */
const BALANCE_ID_V0_PREFIX = '00000000'
const STROOPS = 10_000_000n
/** The latest instant a JS Date can show (Horizon prints any epoch; we print this far and give the epoch always). */
const DATE_SECONDS_MAX = 8_640_000_000_000n

export interface CbAsset {
  code: string
  issuer: string
}

/** The account fields claimable balances read and write (the harness's Account has them). */
export interface CbAccount {
  id: string
  native: bigint
  lines: Map<string, { asset: CbAsset; balance: bigint; limit: bigint }>
  subentries: number
  numSponsoring: number
}

export interface ClaimableBalanceEntry {
  id: string
  asset: CbAsset | 'native'
  amount: bigint
  sponsor: string
  /** Predicates as stored by core: relative deadlines already turned absolute. */
  claimants: readonly { destination: string; predicate: xdr.ClaimPredicate }[]
  lastModifiedLedger: number
  lastModifiedTime: string
  /** Creation order, for paging. */
  order: number
}

/** What applying one claimable-balance operation sees: the transaction's working copy of the state. */
export interface CbApplyContext {
  account(id: string): CbAccount | undefined
  balances: Map<string, ClaimableBalanceEntry>
  /** The account's minimum native balance with `extraSponsoring` more sponsored entries. */
  minBalance(a: CbAccount, extraSponsoring: number): bigint
  baseReserve: bigint
  ledger: number
  closedAt: string
  nextOrder(): number
}

export type CbOpResult = { code: string; result: xdr.OperationResult; balanceId: string | null }

const lineKey = (a: CbAsset): string => `${a.code}:${a.issuer}`

/** stellar-core's balance id for operation `opIndex` of a transaction from `source` at `sequence`. */
export function claimableBalanceId(source: string, sequence: string, opIndex: number): string {
  const preimage = xdr.HashIdPreimage.envelopeTypeOpId(
    new xdr.HashIdPreimageOperationId({
      sourceAccount: xdr.PublicKey.publicKeyTypeEd25519(StrKey.decodeEd25519PublicKey(source)),
      seqNum: xdr.Int64.fromString(sequence),
      opNum: opIndex,
    }),
  )
  return BALANCE_ID_V0_PREFIX + createHash('sha256').update(preimage.toXDR()).digest('hex')
}

/** Whether a predicate breaks core's rules (depth, two branches, negative times, empty not). */
export function predicateMalformed(p: xdr.ClaimPredicate | null | undefined, depth = 1): boolean {
  if (!p || depth > PREDICATE_DEPTH_MAX) return true
  switch (p.switch().name) {
    case 'claimPredicateUnconditional':
      return false
    case 'claimPredicateAnd':
    case 'claimPredicateOr': {
      const list = p.switch().name === 'claimPredicateAnd' ? p.andPredicates() : p.orPredicates()
      return list.length !== 2 || list.some((x) => predicateMalformed(x, depth + 1))
    }
    case 'claimPredicateNot':
      return predicateMalformed(p.notPredicate(), depth + 1)
    case 'claimPredicateBeforeAbsoluteTime':
      return BigInt(p.absBefore().toString()) < 0n
    case 'claimPredicateBeforeRelativeTime':
      return BigInt(p.relBefore().toString()) < 0n
    default:
      return true
  }
}

/** Core's rewrite at creation: every relative deadline becomes close time + seconds (saturating). */
export function absolutePredicate(p: xdr.ClaimPredicate, closeSeconds: bigint): xdr.ClaimPredicate {
  const P = xdr.ClaimPredicate
  switch (p.switch().name) {
    case 'claimPredicateAnd':
      return P.claimPredicateAnd(p.andPredicates().map((x) => absolutePredicate(x, closeSeconds)))
    case 'claimPredicateOr':
      return P.claimPredicateOr(p.orPredicates().map((x) => absolutePredicate(x, closeSeconds)))
    case 'claimPredicateNot':
      return P.claimPredicateNot(absolutePredicate(p.notPredicate()!, closeSeconds))
    case 'claimPredicateBeforeRelativeTime': {
      const sum = closeSeconds + BigInt(p.relBefore().toString())
      return P.claimPredicateBeforeAbsoluteTime(xdr.Int64.fromString((sum > INT64_MAX ? INT64_MAX : sum).toString()))
    }
    default:
      return p
  }
}

/** Whether the predicate holds in a ledger closed at `closeSeconds` (absolute predicates only). */
export function predicateHolds(p: xdr.ClaimPredicate, closeSeconds: bigint): boolean {
  switch (p.switch().name) {
    case 'claimPredicateUnconditional':
      return true
    case 'claimPredicateAnd':
      return p.andPredicates().every((x) => predicateHolds(x, closeSeconds))
    case 'claimPredicateOr':
      return p.orPredicates().some((x) => predicateHolds(x, closeSeconds))
    case 'claimPredicateNot':
      return !predicateHolds(p.notPredicate()!, closeSeconds)
    case 'claimPredicateBeforeAbsoluteTime':
      return closeSeconds < BigInt(p.absBefore().toString())
    default:
      return false
  }
}

/** Horizon's JSON of a predicate ({ and: [...] }, { not: {...} }, { abs_before, abs_before_epoch }, …). */
export function predicateJson(p: xdr.ClaimPredicate): Record<string, unknown> {
  switch (p.switch().name) {
    case 'claimPredicateUnconditional':
      return { unconditional: true }
    case 'claimPredicateAnd':
      return { and: p.andPredicates().map(predicateJson) }
    case 'claimPredicateOr':
      return { or: p.orPredicates().map(predicateJson) }
    case 'claimPredicateNot':
      return { not: predicateJson(p.notPredicate()!) }
    case 'claimPredicateBeforeAbsoluteTime': {
      const epoch = BigInt(p.absBefore().toString())
      const iso = epoch <= DATE_SECONDS_MAX ? new Date(Number(epoch) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') : null
      return { ...(iso ? { abs_before: iso } : {}), abs_before_epoch: epoch.toString() }
    }
    default:
      return { rel_before: p.relBefore().toString() }
  }
}

export function assetString(asset: CbAsset | 'native'): string {
  return asset === 'native' ? 'native' : lineKey(asset)
}

/** The SDK's decoded amount ("12.5", "0.0000001") in stroops; -1 when it is not one. */
function stroopsOf(s: string): bigint {
  const m = /^(\d+)(?:\.(\d{1,7}))?$/.exec(s)
  return m ? BigInt(m[1]!) * STROOPS + BigInt((m[2] ?? '').padEnd(7, '0')) : -1n
}

function amountString(v: bigint): string {
  return `${v / STROOPS}.${(v % STROOPS).toString().padStart(7, '0')}`
}

/** Horizon's claimable balance resource. */
export function claimableBalanceJson(e: ClaimableBalanceEntry): Record<string, unknown> {
  const self = `/claimable_balances/${e.id}`
  return {
    _links: {
      self: { href: self },
      transactions: { href: `${self}/transactions{?cursor,limit,order}`, templated: true },
      operations: { href: `${self}/operations{?cursor,limit,order}`, templated: true },
    },
    id: e.id,
    asset: assetString(e.asset),
    amount: amountString(e.amount),
    sponsor: e.sponsor,
    last_modified_ledger: e.lastModifiedLedger,
    last_modified_time: e.lastModifiedTime,
    claimants: e.claimants.map((c) => ({ destination: c.destination, predicate: predicateJson(c.predicate) })),
    flags: { clawback_enabled: false },
    paging_token: `${e.lastModifiedLedger}-${e.id}`,
  }
}

const createResult = (code: string, balanceId: string | null = null): CbOpResult => {
  const R = xdr.CreateClaimableBalanceResult
  const byCode: Record<string, () => xdr.CreateClaimableBalanceResult> = {
    op_success: () => R.createClaimableBalanceSuccess(xdr.ClaimableBalanceId.fromXDR(balanceId!, 'hex')),
    op_malformed: () => R.createClaimableBalanceMalformed(),
    op_low_reserve: () => R.createClaimableBalanceLowReserve(),
    op_no_trust: () => R.createClaimableBalanceNoTrust(),
    op_underfunded: () => R.createClaimableBalanceUnderfunded(),
  }
  const result = xdr.OperationResult.opInner(xdr.OperationResultTr.createClaimableBalance(byCode[code]!()))
  return { code, result, balanceId }
}

const claimResult = (code: string): CbOpResult => {
  const R = xdr.ClaimClaimableBalanceResult
  const byCode: Record<string, () => xdr.ClaimClaimableBalanceResult> = {
    op_success: () => R.claimClaimableBalanceSuccess(),
    op_does_not_exist: () => R.claimClaimableBalanceDoesNotExist(),
    op_cannot_claim: () => R.claimClaimableBalanceCannotClaim(),
    op_line_full: () => R.claimClaimableBalanceLineFull(),
    op_no_trust: () => R.claimClaimableBalanceNoTrust(),
  }
  return { code, result: xdr.OperationResult.opInner(xdr.OperationResultTr.claimClaimableBalance(byCode[code]!())), balanceId: null }
}

function closeSecondsOf(ctx: CbApplyContext): bigint {
  return BigInt(Math.floor(Date.parse(ctx.closedAt) / 1000))
}

/** create_claimable_balance, as core: check, rewrite predicates, take the amount, sponsor the entry. */
export function applyCreateClaimableBalance(
  ctx: CbApplyContext,
  from: CbAccount,
  op: { asset: Asset; amount: string; claimants: Claimant[] },
  balanceId: string,
): CbOpResult {
  const amount = stroopsOf(op.amount)
  const destinations = op.claimants.map((c) => c.destination)
  if (amount <= 0n || destinations.length === 0 || new Set(destinations).size !== destinations.length) return createResult('op_malformed')
  if (op.claimants.some((c) => predicateMalformed(c.predicate))) return createResult('op_malformed')
  const asset: CbAsset | 'native' = op.asset.isNative() ? 'native' : { code: op.asset.getCode(), issuer: op.asset.getIssuer() }
  if (asset === 'native') {
    if (from.native - ctx.minBalance(from, 0) < amount) return createResult('op_underfunded')
    from.native -= amount
  } else if (from.id !== asset.issuer) {
    const line = from.lines.get(lineKey(asset))
    if (!line) return createResult('op_no_trust')
    if (line.balance < amount) return createResult('op_underfunded')
    line.balance -= amount
  }
  // The creator sponsors one base reserve per claimant until the balance is claimed.
  if (from.native < ctx.minBalance(from, destinations.length)) return createResult('op_low_reserve')
  from.numSponsoring += destinations.length
  const close = closeSecondsOf(ctx)
  ctx.balances.set(balanceId, {
    id: balanceId,
    asset,
    amount,
    sponsor: from.id,
    claimants: op.claimants.map((c) => ({ destination: c.destination, predicate: absolutePredicate(c.predicate, close) })),
    lastModifiedLedger: ctx.ledger,
    lastModifiedTime: ctx.closedAt,
    order: ctx.nextOrder(),
  })
  return createResult('op_success', balanceId)
}

/** claim_claimable_balance, as core: listed claimant, predicate true now, trustline, then move it. */
export function applyClaimClaimableBalance(ctx: CbApplyContext, claimer: CbAccount, balanceId: string): CbOpResult {
  const entry = ctx.balances.get(balanceId.toLowerCase())
  if (!entry) return claimResult('op_does_not_exist')
  const claimant = entry.claimants.find((c) => c.destination === claimer.id)
  if (!claimant || !predicateHolds(claimant.predicate, closeSecondsOf(ctx))) return claimResult('op_cannot_claim')
  if (entry.asset === 'native') {
    claimer.native += entry.amount
  } else if (claimer.id !== entry.asset.issuer) {
    const line = claimer.lines.get(lineKey(entry.asset))
    if (!line) return claimResult('op_no_trust')
    if (line.balance + entry.amount > line.limit) return claimResult('op_line_full')
    line.balance += entry.amount
  }
  const sponsor = ctx.account(entry.sponsor)
  if (sponsor) sponsor.numSponsoring -= entry.claimants.length
  ctx.balances.delete(entry.id)
  return claimResult('op_success')
}

/** Horizon's operation fields of a create/claim, beside the common ones (id, type, source, hash…). */
export function claimableOperationFields(
  op:
    | { type: 'createClaimableBalance'; asset: Asset; amount: string; claimants: Claimant[] }
    | { type: 'claimClaimableBalance'; balanceId: string },
  source: string,
  stored: ClaimableBalanceEntry | undefined,
): Record<string, unknown> {
  if (op.type === 'claimClaimableBalance') {
    return { type: 'claim_claimable_balance', type_i: 15, balance_id: op.balanceId.toLowerCase(), claimant: source }
  }
  return {
    type: 'create_claimable_balance',
    type_i: 14,
    sponsor: source,
    asset: assetString(op.asset.isNative() ? 'native' : { code: op.asset.getCode(), issuer: op.asset.getIssuer() }),
    amount: op.amount,
    claimants: (stored?.claimants ?? []).map((c) => ({ destination: c.destination, predicate: predicateJson(c.predicate) })),
  }
}
