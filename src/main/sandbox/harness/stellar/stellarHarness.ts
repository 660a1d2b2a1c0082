/**
 * A small Horizon-compatible server for tests and the sandbox: no Stellar network can run here.
 *
 * It keeps a ledger state (accounts, sequence numbers, native balances in stroops, trustlines,
 * subentries), decodes each submitted envelope with @stellar/stellar-base, and applies it the
 * way stellar-core does, in the order that matters for exactly-once tests:
 *
 *   envelope decodes under OUR passphrase's signatures → source exists → sequence = seq + 1 →
 *   time bounds against the harness clock → fee ≥ base fee × ops → a valid signature by the
 *   source → fee is taken and the sequence consumed → ALL operations or NONE (tx_failed with
 *   per-operation codes, as Horizon reports them).
 *
 * A transaction signed for another network passphrase has a different hash, so its signature
 * does not verify: tx_bad_auth, exactly what a real network answers.
 *
 * Ledgers: by default POST /transactions closes a ledger holding the transaction before it
 * answers (Horizon's synchronous submit waits for inclusion). With `autoClose: false`
 * submissions wait in a pending set until `closeLedger()` (or the `ledgerCloseMs` timer), and
 * the synchronous endpoint answers only once its ledger closed. POST /transactions_async
 * answers PENDING at once and the transaction applies at the next close.
 *
 * Faults are scripted for the next N submissions: drop the connection after applying, answer
 * 504 (Horizon's timeout) with or without applying, and slow ledger closes.
 *
 * Amounts: bigint stroops internally, Horizon's 7-decimal strings on the wire; never floats.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Asset, FeeBumpTransaction, Keypair, StrKey, TransactionBuilder, xdr, type Transaction } from '@stellar/stellar-base'
import { unreachable } from '../../../core/util/invariant'
import {
  applyClaimClaimableBalance,
  applyCreateClaimableBalance,
  claimableBalanceId,
  claimableBalanceJson,
  claimableOperationFields,
  type CbApplyContext,
  type ClaimableBalanceEntry,
} from './claimableBalances'
import { claimableBalancesRoute, type OperationRecord } from './claimableBalancesRoute'

export const STANDALONE_PASSPHRASE = 'Standalone Network ; February 2017'
const STROOPS = 10_000_000n
const TRUSTLINE_LIMIT_MAX = 9_223_372_036_854_775_807n
/** The furthest one clock control may move the harness clock (ten years). */
export const HARNESS_CLOCK_ADVANCE_SECONDS_MAX = 10 * 366 * 24 * 3600
/** POST here with JSON { "seconds": N } to move the clock forward and close a ledger at the new time. */
export const HARNESS_CLOCK_ROUTE = '/_harness/clock'

export interface HarnessAsset {
  code: string
  issuer: string
}

export interface StellarHarnessOptions {
  networkPassphrase?: string
  port?: number
  /** Default true: a synchronous submit closes a ledger with it before answering. */
  autoClose?: boolean
  /** Also close ledgers on this timer (ms); off by default. */
  ledgerCloseMs?: number
  now?: () => Date
  baseFeeStroops?: number
  baseReserveStroops?: number
}

export interface AppliedTransaction {
  hash: string
  ledger: number
  successful: boolean
}

export interface StellarHarness {
  readonly url: string
  readonly networkPassphrase: string
  createAccount(id: string, startingXlmStroops: bigint): void
  addTrustline(id: string, asset: HarnessAsset, limit?: bigint): void
  issue(asset: HarnessAsset, to: string, amount: bigint): void
  /** Stroops; null when the account (or its trustline) does not exist. */
  balance(id: string, asset: 'native' | HarnessAsset): bigint | null
  sequence(id: string): bigint
  /** Sets an account's sequence (a restarted sandbox continues after the sequences it used). */
  setSequence(id: string, sequence: bigint): void
  closeLedger(): Promise<number>
  readonly faults: {
    /** The next n submissions are applied, then the connection is destroyed without an answer. */
    dropResponseAfterApply(n?: number): void
    /** The next n submissions get a 504; `applied: true` applies them first (core took it, Horizon timed out). */
    fail504(n?: number, opts?: { applied?: boolean }): void
    slowClose(ms: number): void
    clear(): void
    /** How many submissions each fault actually hit so far (a scheduled fault nobody reached is not counted). */
    fired(): { dropResponseAfterApply: number; fail504: number }
  }
  /** Every transaction that reached a closed ledger, once each, in order. */
  applied(): readonly AppliedTransaction[]
  /** Submissions received (including duplicates and refused ones). */
  submissions(): number
  setTime(d: Date): void
  advanceTime(ms: number): void
  /**
   * Moves the clock forward by whole seconds and closes a ledger at the new time (its close time
   * is what claim predicates and time bounds are judged against). Also POST /_harness/clock.
   */
  advanceClock(seconds: number): Promise<{ ledger: number; closedAt: string }>
  /** A live claimable balance (Horizon's JSON), null once claimed or never created. */
  claimableBalance(id: string): Record<string, unknown> | null
  stop(): Promise<void>
}

interface Account {
  id: string
  sequence: bigint
  native: bigint
  lines: Map<string, { asset: HarnessAsset; balance: bigint; limit: bigint }>
  subentries: number
  /** Reserves this account sponsors (one per claimant of each claimable balance it created). */
  numSponsoring: number
  lastModifiedLedger: number
}

interface TxRecord {
  hash: string
  ledger: number
  createdAt: string
  successful: boolean
  source: string
  sequence: string
  feeCharged: bigint
  maxFee: bigint
  operationCount: number
  envelopeXdr: string
  resultXdr: string
  memoType: string
  memo: string | null
  signatures: string[]
  pagingToken: string
  txCode: string
  opCodes: string[]
}

interface PaymentRecord {
  pagingToken: string
  accounts: Set<string>
  body: Record<string, unknown>
}

interface Pending {
  tx: Transaction
  envelopeXdr: string
  hash: string
  waiters: ((r: TxRecord) => void)[]
}

class TxRefused extends Error {
  constructor(
    readonly txCode: string,
    readonly status = 400,
  ) {
    super(txCode)
  }
}

const lineKey = (a: HarnessAsset): string => `${a.code}:${a.issuer}`

export function stroopsToString(v: bigint): string {
  const neg = v < 0n
  const a = neg ? -v : v
  return `${neg ? '-' : ''}${a / STROOPS}.${(a % STROOPS).toString().padStart(7, '0')}`
}

export function stringToStroops(s: string): bigint {
  const m = /^(\d+)(?:\.(\d{1,7}))?$/.exec(s)
  if (!m) unreachable(`not a Stellar amount: ${s}`)
  return BigInt(m[1]!) * STROOPS + BigInt((m[2] ?? '').padEnd(7, '0'))
}

export async function startStellarHarness(options: StellarHarnessOptions = {}): Promise<StellarHarness> {
  const passphrase = options.networkPassphrase ?? STANDALONE_PASSPHRASE
  const baseFee = BigInt(options.baseFeeStroops ?? 100)
  const baseReserve = BigInt(options.baseReserveStroops ?? 5_000_000)
  const autoClose = options.autoClose ?? true
  let offsetMs = 0
  let fixedNow: Date | null = null
  const now = (): Date =>
    fixedNow ? new Date(fixedNow.getTime() + offsetMs) : new Date((options.now?.() ?? new Date()).getTime() + offsetMs)

  const accounts = new Map<string, Account>()
  const txs = new Map<string, TxRecord>()
  const appliedList: AppliedTransaction[] = []
  const payments: PaymentRecord[] = []
  let claimable = new Map<string, ClaimableBalanceEntry>()
  /** Operations that created or claimed each balance, by balance id (kept after the claim, as Horizon's history). */
  const claimableOps = new Map<string, OperationRecord[]>()
  let claimableOrder = 0
  let pending: Pending[] = []
  let ledgerSeq = 1
  let ledgerHash = '00'.repeat(32)
  let ledgerClosedAt = now().toISOString()
  let opCounter = 0n
  let submissionCount = 0
  let dropAfterApply = 0
  let fail504: { n: number; applied: boolean } = { n: 0, applied: false }
  const fired = { dropResponseAfterApply: 0, fail504: 0 }
  let slowCloseMs = 0
  let closing: Promise<number> | null = null

  function account(id: string): Account {
    const a = accounts.get(id)
    if (!a) throw new Error(`harness: no account ${id}`)
    return a
  }

  function minBalance(a: Account): bigint {
    return (2n + BigInt(a.subentries) + BigInt(a.numSponsoring)) * baseReserve
  }

  function createAccount(id: string, starting: bigint): void {
    if (!StrKey.isValidEd25519PublicKey(id)) throw new Error(`harness: ${id} is not a G… account`)
    if (accounts.has(id)) throw new Error(`harness: account ${id} exists`)
    // A new account's sequence starts at (ledger << 32), as on the real network.
    accounts.set(id, {
      id,
      sequence: BigInt(ledgerSeq) << 32n,
      native: starting,
      lines: new Map(),
      subentries: 0,
      numSponsoring: 0,
      lastModifiedLedger: ledgerSeq,
    })
  }

  function addTrustline(id: string, asset: HarnessAsset, limit = TRUSTLINE_LIMIT_MAX): void {
    const a = account(id)
    if (a.lines.has(lineKey(asset))) return
    a.lines.set(lineKey(asset), { asset, balance: 0n, limit })
    a.subentries++
  }

  function issue(asset: HarnessAsset, to: string, amount: bigint): void {
    const line = account(to).lines.get(lineKey(asset))
    if (!line) throw new Error(`harness: ${to} has no trustline for ${asset.code}`)
    line.balance += amount
  }

  function balance(id: string, asset: 'native' | HarnessAsset): bigint | null {
    const a = accounts.get(id)
    if (!a) return null
    if (asset === 'native') return a.native
    return a.lines.get(lineKey(asset))?.balance ?? null
  }

  // ------------------------------------------------------------------------------------------
  // Applying one transaction: validation (refusals do not consume anything), then fee and
  // sequence, then all operations on a copy that replaces the state only if every one succeeds.

  function validate(tx: Transaction, hash: Buffer): Account {
    const source = accounts.get(tx.source)
    if (!source) throw new TxRefused('tx_no_account')
    if (BigInt(tx.sequence) !== source.sequence + 1n) throw new TxRefused('tx_bad_seq')
    const t = BigInt(Math.floor(now().getTime() / 1000))
    const tb = tx.timeBounds
    if (tb) {
      if (BigInt(tb.minTime) > t) throw new TxRefused('tx_too_early')
      if (BigInt(tb.maxTime) !== 0n && BigInt(tb.maxTime) < t) throw new TxRefused('tx_too_late')
    }
    if (tx.operations.length === 0) throw new TxRefused('tx_missing_operation')
    if (BigInt(tx.fee) < baseFee * BigInt(tx.operations.length)) throw new TxRefused('tx_insufficient_fee')
    const kp = Keypair.fromPublicKey(tx.source)
    const signed = tx.signatures.some((s) => s.hint().equals(kp.signatureHint()) && kp.verify(hash, s.signature()))
    if (!signed) throw new TxRefused('tx_bad_auth')
    if (source.native - baseFee * BigInt(tx.operations.length) < 0n) throw new TxRefused('tx_insufficient_balance')
    return source
  }

  function cloneState(ids: Iterable<string>): Map<string, Account> {
    const out = new Map<string, Account>()
    for (const id of ids) {
      const a = accounts.get(id)
      if (a) out.set(id, { ...a, lines: new Map([...a.lines].map(([k, v]) => [k, { ...v }])) })
    }
    return out
  }

  function applyOps(
    tx: Transaction,
    hash: string,
    ledger: number,
    createdAt: string,
  ): { ok: boolean; codes: string[]; results: xdr.OperationResult[]; pays: PaymentRecord[] } {
    const touched = new Set<string>([tx.source])
    for (const op of tx.operations) {
      if (op.source) touched.add(op.source)
      if ('destination' in op && typeof op.destination === 'string') touched.add(op.destination)
      // A claim releases its sponsor's reserves: the sponsor's account changes too.
      if (op.type === 'claimClaimableBalance') touched.add(claimable.get(op.balanceId.toLowerCase())?.sponsor ?? tx.source)
    }
    const state = cloneState(touched)
    const cb = claimableContext(state, ledger, createdAt)
    const codes: string[] = []
    const results: xdr.OperationResult[] = []
    const pays: PaymentRecord[] = []
    const cbRecords: { balanceId: string; record: OperationRecord }[] = []
    let ok = true
    tx.operations.forEach((op, i) => {
      const from = state.get(op.source ?? tx.source)
      const outcome = ((): string | { code: string; result: xdr.OperationResult; balanceId: string | null } => {
        if (!from) return 'op_no_source_account'
        switch (op.type) {
          case 'payment': {
            const amount = stringToStroops(op.amount)
            const to = state.get(op.destination)
            if (!to) return 'op_no_destination'
            if (op.asset.isNative()) {
              if (from.native - amount < minBalance(from)) return 'op_underfunded'
              from.native -= amount
              to.native += amount
            } else {
              const asset = { code: op.asset.getCode(), issuer: op.asset.getIssuer() }
              const isIssuerFrom = from.id === asset.issuer
              const isIssuerTo = to.id === asset.issuer
              const fromLine = from.lines.get(lineKey(asset))
              const toLine = to.lines.get(lineKey(asset))
              if (!isIssuerFrom && !fromLine) return 'op_src_no_trust'
              if (!isIssuerTo && !toLine) return 'op_no_trust'
              if (!isIssuerFrom && fromLine!.balance < amount) return 'op_underfunded'
              if (!isIssuerTo && toLine!.balance + amount > toLine!.limit) return 'op_line_full'
              if (!isIssuerFrom) fromLine!.balance -= amount
              if (!isIssuerTo) toLine!.balance += amount
            }
            pays.push(
              paymentRecord(i, 'payment', from.id, op.destination, createdAt, hash, {
                ...assetFields(op.asset),
                from: from.id,
                to: op.destination,
                amount: op.amount,
              }),
            )
            return 'op_success'
          }
          case 'createAccount': {
            const amount = stringToStroops(op.startingBalance)
            if (state.has(op.destination) || accounts.has(op.destination)) return 'op_already_exists'
            if (amount < 2n * baseReserve) return 'op_low_reserve'
            if (from.native - amount < minBalance(from)) return 'op_underfunded'
            from.native -= amount
            state.set(op.destination, {
              id: op.destination,
              sequence: BigInt(ledger) << 32n,
              native: amount,
              lines: new Map(),
              subentries: 0,
              numSponsoring: 0,
              lastModifiedLedger: ledger,
            })
            pays.push(
              paymentRecord(i, 'create_account', from.id, op.destination, createdAt, hash, {
                starting_balance: op.startingBalance,
                funder: from.id,
                account: op.destination,
              }),
            )
            return 'op_success'
          }
          case 'changeTrust': {
            if (!(op.line instanceof Asset) || op.line.isNative()) return 'op_malformed'
            const asset = { code: op.line.getCode(), issuer: op.line.getIssuer() }
            const limit = stringToStroops(op.limit)
            const line = from.lines.get(lineKey(asset))
            if (limit === 0n) {
              if (line && line.balance !== 0n) return 'op_invalid_limit'
              if (line) {
                from.lines.delete(lineKey(asset))
                from.subentries--
              }
              return 'op_success'
            }
            if (line) {
              if (limit < line.balance) return 'op_invalid_limit'
              line.limit = limit
              return 'op_success'
            }
            if (from.native < (3n + BigInt(from.subentries)) * baseReserve) return 'op_low_reserve'
            from.lines.set(lineKey(asset), { asset, balance: 0n, limit })
            from.subentries++
            return 'op_success'
          }
          case 'createClaimableBalance':
            return applyCreateClaimableBalance(cb, from, op, claimableBalanceId(tx.source, tx.sequence, i))
          case 'claimClaimableBalance':
            return applyClaimClaimableBalance(cb, from, op.balanceId)
          default:
            return 'op_not_supported'
        }
      })()
      const code = typeof outcome === 'string' ? outcome : outcome.code
      codes.push(code)
      results.push(typeof outcome === 'string' ? opResult(code) : outcome.result)
      if (code !== 'op_success') ok = false
      else if (op.type === 'createClaimableBalance' || op.type === 'claimClaimableBalance') {
        const balanceId = op.type === 'claimClaimableBalance' ? op.balanceId.toLowerCase() : claimableBalanceId(tx.source, tx.sequence, i)
        const fields = claimableOperationFields(op, from!.id, cb.balances.get(balanceId))
        cbRecords.push({ balanceId, record: operationRecord(i, from!.id, createdAt, hash, fields) })
      }
    })
    if (ok) {
      for (const [id, a] of state) accounts.set(id, { ...a, lastModifiedLedger: ledger })
      claimable = cb.balances
      for (const { balanceId, record } of cbRecords) claimableOps.set(balanceId, [...(claimableOps.get(balanceId) ?? []), record])
    }
    return { ok, codes, results, pays: ok ? pays : [] }
  }

  /** The claimable-balance operations' view of one transaction's working copy (committed only if all ops succeed). */
  function claimableContext(state: Map<string, Account>, ledger: number, closedAt: string): CbApplyContext {
    return {
      account: (id) => state.get(id),
      balances: new Map(claimable),
      minBalance: (a, extra) => minBalance({ ...(a as Account), numSponsoring: a.numSponsoring + extra }),
      baseReserve,
      ledger,
      closedAt,
      nextOrder: () => ++claimableOrder,
    }
  }

  /** One operation in Horizon's shape (id as paymentRecord's), for /claimable_balances/:id/operations. */
  function operationRecord(
    opIndex: number,
    source: string,
    createdAt: string,
    hash: string,
    fields: Record<string, unknown>,
  ): OperationRecord {
    opCounter++
    const id = ((BigInt(ledgerSeq + 1) << 32n) + opCounter * 4096n + BigInt(opIndex + 1)).toString()
    return {
      pagingToken: id,
      body: {
        _links: { self: { href: `/operations/${id}` }, transaction: { href: `/transactions/${hash}` } },
        id,
        paging_token: id,
        transaction_successful: true,
        source_account: source,
        created_at: createdAt,
        transaction_hash: hash,
        ...fields,
      },
    }
  }

  function paymentRecord(
    opIndex: number,
    type: 'payment' | 'create_account',
    from: string,
    to: string,
    createdAt: string,
    hash: string,
    fields: Record<string, unknown>,
  ): PaymentRecord {
    // Operation ids: (ledger << 32) | (tx order << 12) | op index, as Horizon's TOIDs; here a counter.
    opCounter++
    const id = ((BigInt(ledgerSeq + 1) << 32n) + opCounter * 4096n + BigInt(opIndex + 1)).toString()
    return {
      pagingToken: id,
      accounts: new Set([from, to]),
      body: {
        _links: { self: { href: `/operations/${id}` }, transaction: { href: `/transactions/${hash}` } },
        id,
        paging_token: id,
        transaction_successful: true,
        source_account: from,
        type,
        type_i: type === 'payment' ? 1 : 0,
        created_at: createdAt,
        transaction_hash: hash,
        ...fields,
      },
    }
  }

  function assetFields(asset: Asset): Record<string, string> {
    if (asset.isNative()) return { asset_type: 'native' }
    return { asset_type: asset.getAssetType(), asset_code: asset.getCode(), asset_issuer: asset.getIssuer() }
  }

  function resultXdr(feeCharged: bigint, txCode: string, opResults: xdr.OperationResult[]): string {
    const result =
      txCode === 'tx_success'
        ? xdr.TransactionResultResult.txSuccess(opResults)
        : txCode === 'tx_failed'
          ? xdr.TransactionResultResult.txFailed(opResults)
          : txResultFor(txCode)
    return new xdr.TransactionResult({
      feeCharged: xdr.Int64.fromString(feeCharged.toString()),
      result,
      ext: new xdr.TransactionResultExt(0),
    }).toXDR('base64')
  }

  function txResultFor(code: string): xdr.TransactionResultResult {
    const name = code.replace(/^tx_/, '').replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())
    const fn = (xdr.TransactionResultResult as unknown as Record<string, () => xdr.TransactionResultResult>)[
      `tx${name[0]!.toUpperCase()}${name.slice(1)}`
    ]
    if (!fn) unreachable(`no XDR result for ${code}`)
    return fn()
  }

  function opResult(code: string): xdr.OperationResult {
    // Payment-style codes are reported under the payment result; enough for decoders and tests.
    const payment: Record<string, () => xdr.PaymentResult> = {
      op_success: () => xdr.PaymentResult.paymentSuccess(),
      op_underfunded: () => xdr.PaymentResult.paymentUnderfunded(),
      op_src_no_trust: () => xdr.PaymentResult.paymentSrcNoTrust(),
      op_no_destination: () => xdr.PaymentResult.paymentNoDestination(),
      op_no_trust: () => xdr.PaymentResult.paymentNoTrust(),
      op_line_full: () => xdr.PaymentResult.paymentLineFull(),
      op_malformed: () => xdr.PaymentResult.paymentMalformed(),
    }
    const create: Record<string, () => xdr.CreateAccountResult> = {
      op_already_exists: () => xdr.CreateAccountResult.createAccountAlreadyExist(),
      op_low_reserve: () => xdr.CreateAccountResult.createAccountLowReserve(),
    }
    if (payment[code]) return xdr.OperationResult.opInner(xdr.OperationResultTr.payment(payment[code]!()))
    if (create[code]) return xdr.OperationResult.opInner(xdr.OperationResultTr.createAccount(create[code]!()))
    return xdr.OperationResult.opNotSupported()
  }

  /** Closes one ledger: applies every pending transaction in arrival order. */
  async function closeLedger(): Promise<number> {
    if (closing) await closing
    closing = (async () => {
      if (slowCloseMs > 0) await new Promise((r) => setTimeout(r, slowCloseMs))
      const batch = pending
      pending = []
      const seq = ledgerSeq + 1
      const createdAt = now()
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z')
      for (const p of batch) {
        const record = applyOne(p.tx, p.envelopeXdr, p.hash, seq, createdAt)
        for (const w of p.waiters) w(record)
      }
      ledgerSeq = seq
      ledgerClosedAt = createdAt
      ledgerHash = Buffer.from(Keypair.random().rawPublicKey()).toString('hex')
      return seq
    })()
    try {
      return await closing
    } finally {
      closing = null
    }
  }

  function applyOne(tx: Transaction, envelopeXdr: string, hash: string, ledger: number, createdAt: string): TxRecord {
    const existing = txs.get(hash)
    if (existing) return existing
    let source: Account
    try {
      source = validate(tx, Buffer.from(hash, 'hex'))
    } catch (error) {
      // Refused at apply time (e.g. the sequence moved on while it waited): not in the ledger.
      if (error instanceof TxRefused) return refusedRecord(tx, hash, envelopeXdr, error.txCode)
      throw error
    }
    const fee = baseFee * BigInt(tx.operations.length)
    source.native -= fee
    source.sequence = BigInt(tx.sequence)
    const { ok, codes, results, pays } = applyOps(tx, hash, ledger, createdAt)
    const txCode = ok ? 'tx_success' : 'tx_failed'
    const record: TxRecord = {
      hash,
      ledger,
      createdAt,
      successful: ok,
      source: tx.source,
      sequence: tx.sequence,
      feeCharged: fee,
      maxFee: BigInt(tx.fee),
      operationCount: tx.operations.length,
      envelopeXdr,
      resultXdr: resultXdr(fee, txCode, results),
      memoType: `memo_${tx.memo.type}`,
      memo:
        tx.memo.value === null
          ? null
          : Buffer.isBuffer(tx.memo.value)
            ? tx.memo.value.toString(tx.memo.type === 'text' ? 'utf8' : 'base64')
            : String(tx.memo.value),
      signatures: tx.signatures.map((s) => s.signature().toString('base64')),
      pagingToken: (BigInt(ledger) << 32n).toString(),
      txCode,
      opCodes: codes,
    }
    txs.set(hash, record)
    appliedList.push({ hash, ledger, successful: ok })
    payments.push(...pays)
    return record
  }

  function refusedRecord(tx: Transaction, hash: string, envelopeXdr: string, txCode: string): TxRecord {
    return {
      hash,
      ledger: 0,
      createdAt: '',
      successful: false,
      source: tx.source,
      sequence: tx.sequence,
      feeCharged: 0n,
      maxFee: BigInt(tx.fee),
      operationCount: tx.operations.length,
      envelopeXdr,
      resultXdr: resultXdr(0n, txCode, []),
      memoType: 'memo_none',
      memo: null,
      signatures: [],
      pagingToken: '',
      txCode,
      opCodes: [],
    }
  }

  // ------------------------------------------------------------------------------------------
  // HTTP.

  function txJson(r: TxRecord): Record<string, unknown> {
    return {
      // Horizon's links: the SDK exposes a field named like a link as `<name>_attr` (ledger_attr).
      _links: {
        self: { href: `/transactions/${r.hash}` },
        account: { href: `/accounts/${r.source}` },
        ledger: { href: `/ledgers/${r.ledger}` },
        operations: { href: `/transactions/${r.hash}/operations{?cursor,limit,order}`, templated: true },
        effects: { href: `/transactions/${r.hash}/effects{?cursor,limit,order}`, templated: true },
        precedes: { href: `/transactions?order=asc&cursor=${r.pagingToken}` },
        succeeds: { href: `/transactions?order=desc&cursor=${r.pagingToken}` },
      },
      id: r.hash,
      paging_token: r.pagingToken,
      successful: r.successful,
      hash: r.hash,
      ledger: r.ledger,
      created_at: r.createdAt,
      source_account: r.source,
      source_account_sequence: r.sequence,
      fee_account: r.source,
      fee_charged: r.feeCharged.toString(),
      max_fee: r.maxFee.toString(),
      operation_count: r.operationCount,
      envelope_xdr: r.envelopeXdr,
      result_xdr: r.resultXdr,
      result_meta_xdr: '',
      fee_meta_xdr: '',
      memo_type: r.memoType,
      ...(r.memo !== null ? { memo: r.memo } : {}),
      signatures: r.signatures,
    }
  }

  function failedJson(r: TxRecord): Record<string, unknown> {
    return {
      type: 'https://stellar.org/horizon-errors/transaction_failed',
      title: 'Transaction Failed',
      status: 400,
      detail:
        'The transaction failed when submitted to the stellar network. The `extras.result_codes` field on this response contains further details.',
      extras: {
        envelope_xdr: r.envelopeXdr,
        result_xdr: r.resultXdr,
        result_codes: { transaction: r.txCode, ...(r.opCodes.length > 0 ? { operations: r.opCodes } : {}) },
        hash: r.hash,
      },
    }
  }

  function problem(status: number, type: string, title: string, detail: string): Record<string, unknown> {
    return { type: `https://stellar.org/horizon-errors/${type}`, title, status, detail }
  }

  function accountJson(a: Account): Record<string, unknown> {
    const balances: Record<string, unknown>[] = [...a.lines.values()].map((l) => ({
      balance: stroopsToString(l.balance),
      limit: stroopsToString(l.limit),
      buying_liabilities: '0.0000000',
      selling_liabilities: '0.0000000',
      last_modified_ledger: a.lastModifiedLedger,
      is_authorized: true,
      is_authorized_to_maintain_liabilities: true,
      asset_type: l.asset.code.length <= 4 ? 'credit_alphanum4' : 'credit_alphanum12',
      asset_code: l.asset.code,
      asset_issuer: l.asset.issuer,
    }))
    balances.push({
      balance: stroopsToString(a.native),
      buying_liabilities: '0.0000000',
      selling_liabilities: '0.0000000',
      asset_type: 'native',
    })
    return {
      // Horizon's account links; `data` matters: the SDK turns a field named like a link into
      // `<name>_attr`, and submitTransaction's memo-required check reads `data_attr`.
      _links: {
        self: { href: `/accounts/${a.id}` },
        transactions: { href: `/accounts/${a.id}/transactions{?cursor,limit,order}`, templated: true },
        operations: { href: `/accounts/${a.id}/operations{?cursor,limit,order}`, templated: true },
        payments: { href: `/accounts/${a.id}/payments{?cursor,limit,order}`, templated: true },
        effects: { href: `/accounts/${a.id}/effects{?cursor,limit,order}`, templated: true },
        offers: { href: `/accounts/${a.id}/offers{?cursor,limit,order}`, templated: true },
        trades: { href: `/accounts/${a.id}/trades{?cursor,limit,order}`, templated: true },
        data: { href: `/accounts/${a.id}/data/{key}`, templated: true },
      },
      id: a.id,
      account_id: a.id,
      sequence: a.sequence.toString(),
      sequence_ledger: ledgerSeq,
      sequence_time: '0',
      subentry_count: a.subentries,
      last_modified_ledger: a.lastModifiedLedger,
      last_modified_time: ledgerClosedAt,
      thresholds: { low_threshold: 0, med_threshold: 0, high_threshold: 0 },
      flags: { auth_required: false, auth_revocable: false, auth_immutable: false, auth_clawback_enabled: false },
      balances,
      signers: [{ weight: 1, key: a.id, type: 'ed25519_public_key' }],
      data: {},
      num_sponsoring: a.numSponsoring,
      num_sponsored: 0,
      paging_token: a.id,
    }
  }

  function ledgerJson(): Record<string, unknown> {
    return {
      _links: { self: { href: `/ledgers/${ledgerSeq}` } },
      id: ledgerHash,
      paging_token: (BigInt(ledgerSeq) << 32n).toString(),
      hash: ledgerHash,
      sequence: ledgerSeq,
      successful_transaction_count: 0,
      failed_transaction_count: 0,
      operation_count: 0,
      closed_at: ledgerClosedAt,
      total_coins: '100000000000.0000000',
      fee_pool: '0.0000000',
      base_fee_in_stroops: Number(baseFee),
      base_reserve_in_stroops: Number(baseReserve),
      max_tx_set_size: 1000,
      protocol_version: 22,
    }
  }

  function feeStatsJson(): Record<string, unknown> {
    const f = baseFee.toString()
    const dist = { max: f, min: f, mode: f, p10: f, p20: f, p30: f, p40: f, p50: f, p60: f, p70: f, p80: f, p90: f, p95: f, p99: f }
    return { last_ledger: String(ledgerSeq), last_ledger_base_fee: f, ledger_capacity_usage: '0.01', fee_charged: dist, max_fee: dist }
  }

  function decode(body: string): { tx: Transaction; envelopeXdr: string; hash: string } {
    const raw = new URLSearchParams(body).get('tx')
    if (!raw) throw new TxRefused('tx_malformed')
    let tx: Transaction | FeeBumpTransaction
    try {
      tx = TransactionBuilder.fromXDR(raw, passphrase)
    } catch {
      throw new TxRefused('tx_malformed')
    }
    if (tx instanceof FeeBumpTransaction) throw new TxRefused('tx_not_supported')
    return { tx, envelopeXdr: raw, hash: tx.hash().toString('hex') }
  }

  async function submit(body: string, mode: 'sync' | 'async', res: http.ServerResponse): Promise<void> {
    submissionCount++
    let decoded: ReturnType<typeof decode>
    try {
      decoded = decode(body)
    } catch (error) {
      if (!(error instanceof TxRefused)) throw error
      return send(res, 400, problem(400, 'transaction_malformed', 'Transaction Malformed', 'The transaction could not be decoded.'))
    }
    const { tx, envelopeXdr, hash } = decoded
    const drop = dropAfterApply > 0 ? (dropAfterApply--, fired.dropResponseAfterApply++, true) : false
    const timeout = fail504.n > 0 ? (fail504.n--, fired.fail504++, { applied: fail504.applied }) : null
    if (timeout && !timeout.applied) return send(res, 504, problem(504, 'timeout', 'Timeout', 'Your request timed out before completing.'))

    const known = txs.get(hash)
    let record: TxRecord
    if (known) {
      record = known
    } else {
      // Refusals before a ledger (bad seq, bad auth, too late…) are answered at once.
      try {
        validate(tx, Buffer.from(hash, 'hex'))
      } catch (error) {
        if (!(error instanceof TxRefused)) throw error
        const r = refusedRecord(tx, hash, envelopeXdr, error.txCode)
        if (mode === 'async') return send(res, 400, { tx_status: 'ERROR', hash, error_result_xdr: r.resultXdr })
        return send(res, 400, failedJson(r))
      }
      const waiting = pending.find((p) => p.hash === hash)
      const entry = waiting ?? { tx, envelopeXdr, hash, waiters: [] }
      if (!waiting) pending.push(entry)
      if (mode === 'async') {
        if (autoClose) queueMicrotask(() => void closeLedger())
        if (drop) return void res.destroy()
        return send(res, 201, { tx_status: waiting ? 'DUPLICATE' : 'PENDING', hash })
      }
      const done = new Promise<TxRecord>((resolve) => entry.waiters.push(resolve))
      if (autoClose) void closeLedger()
      record = await done
    }
    if (drop) return void res.destroy()
    if (timeout) return send(res, 504, problem(504, 'timeout', 'Timeout', 'Your request timed out before completing.'))
    if (mode === 'async') return send(res, 200, { tx_status: 'DUPLICATE', hash })
    if (record.ledger === 0) return send(res, 400, failedJson(record))
    return record.successful ? send(res, 200, txJson(record)) : send(res, 400, failedJson(record))
  }

  function send(res: http.ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body)
    res.writeHead(status, {
      'content-type':
        status >= 400 && !('tx_status' in (body as object))
          ? 'application/problem+json; charset=utf-8'
          : 'application/hal+json; charset=utf-8',
    })
    res.end(text)
  }

  function paymentsPage(id: string, q: URLSearchParams): Record<string, unknown> {
    const order = q.get('order') === 'desc' ? 'desc' : 'asc'
    const limit = Math.min(Math.max(Number(q.get('limit') ?? '10') || 10, 1), 200)
    const cursor = q.get('cursor')
    let list = payments.filter((p) => p.accounts.has(id))
    if (order === 'desc') list = list.slice().reverse()
    if (cursor && cursor !== 'now') {
      const c = BigInt(cursor)
      list = list.filter((p) => (order === 'asc' ? BigInt(p.pagingToken) > c : BigInt(p.pagingToken) < c))
    } else if (cursor === 'now') list = []
    const page = list.slice(0, limit)
    const last = page.at(-1)?.pagingToken ?? cursor ?? ''
    const base = `/accounts/${id}/payments`
    return {
      _links: {
        self: { href: `${base}?cursor=${cursor ?? ''}&limit=${limit}&order=${order}` },
        next: { href: `${base}?cursor=${last}&limit=${limit}&order=${order}` },
        prev: { href: `${base}?cursor=${page[0]?.pagingToken ?? ''}&limit=${limit}&order=${order === 'asc' ? 'desc' : 'asc'}` },
      },
      _embedded: { records: page.map((p) => p.body) },
    }
  }

  /** The clock control: moves the clock forward and closes a ledger at the new time. */
  async function advanceClock(seconds: number): Promise<{ ledger: number; closedAt: string }> {
    if (!Number.isSafeInteger(seconds) || seconds < 0 || seconds > HARNESS_CLOCK_ADVANCE_SECONDS_MAX) {
      throw new Error(`harness: the clock moves forward by 0 … ${HARNESS_CLOCK_ADVANCE_SECONDS_MAX} whole seconds, not ${seconds}`)
    }
    offsetMs += seconds * 1000
    const ledger = await closeLedger()
    return { ledger, closedAt: ledgerClosedAt }
  }

  async function clockRoute(req: http.IncomingMessage, res: http.ServerResponse, body: string): Promise<void> {
    if (req.method === 'POST') {
      let seconds: unknown
      try {
        seconds = (JSON.parse(body || '{}') as { seconds?: unknown }).seconds
      } catch {
        seconds = undefined
      }
      if (typeof seconds !== 'number' || !Number.isSafeInteger(seconds) || seconds < 0 || seconds > HARNESS_CLOCK_ADVANCE_SECONDS_MAX) {
        return send(
          res,
          400,
          problem(
            400,
            'bad_request',
            'Bad Request',
            `Send {"seconds": N}, N a whole number from 0 to ${HARNESS_CLOCK_ADVANCE_SECONDS_MAX}.`,
          ),
        )
      }
      const closed = await advanceClock(seconds)
      return send(res, 200, { now: now().toISOString(), ledger: closed.ledger, closed_at: closed.closedAt })
    }
    return send(res, 200, { now: now().toISOString(), ledger: ledgerSeq, closed_at: ledgerClosedAt })
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse, body: string): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const parts = url.pathname.split('/').filter(Boolean)
    if (req.method === 'POST' && url.pathname === '/transactions') return submit(body, 'sync', res)
    if (req.method === 'POST' && url.pathname === '/transactions_async') return submit(body, 'async', res)
    if (url.pathname === HARNESS_CLOCK_ROUTE) return clockRoute(req, res, body)
    if (req.method !== 'GET') return send(res, 405, problem(405, 'method_not_allowed', 'Method Not Allowed', 'Not supported here.'))
    if (parts.length === 0) {
      return send(res, 200, {
        horizon_version: 'countersign-harness',
        core_version: 'countersign-harness',
        history_latest_ledger: ledgerSeq,
        history_latest_ledger_closed_at: ledgerClosedAt,
        core_latest_ledger: ledgerSeq,
        network_passphrase: passphrase,
        current_protocol_version: 22,
        supported_protocol_version: 22,
        core_supported_protocol_version: 22,
      })
    }
    if (parts[0] === 'accounts' && parts.length === 2) {
      const a = accounts.get(parts[1]!)
      return a
        ? send(res, 200, accountJson(a))
        : send(res, 404, problem(404, 'not_found', 'Resource Missing', 'The resource at the url requested was not found.'))
    }
    if (parts[0] === 'accounts' && parts[2] === 'payments') return send(res, 200, paymentsPage(parts[1]!, url.searchParams))
    if (parts[0] === 'transactions' && parts.length === 2) {
      const r = txs.get(parts[1]!)
      return r
        ? send(res, 200, txJson(r))
        : send(res, 404, problem(404, 'not_found', 'Resource Missing', 'The resource at the url requested was not found.'))
    }
    if (parts[0] === 'claimable_balances') {
      const found = claimableBalancesRoute(parts, url.searchParams, claimable, claimableOps)
      return found
        ? send(res, 200, found)
        : send(res, 404, problem(404, 'not_found', 'Resource Missing', 'The resource at the url requested was not found.'))
    }
    if (parts[0] === 'fee_stats') return send(res, 200, feeStatsJson())
    if (parts[0] === 'ledgers') return send(res, 200, { _links: { self: { href: '/ledgers' } }, _embedded: { records: [ledgerJson()] } })
    return send(res, 404, problem(404, 'not_found', 'Resource Missing', 'The resource at the url requested was not found.'))
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      route(req, res, Buffer.concat(chunks).toString('utf8')).catch((error: unknown) => {
        if (!res.headersSent) send(res, 500, problem(500, 'server_error', 'Internal Server Error', String(error)))
      })
    })
  })
  server.keepAliveTimeout = 1000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const timer = options.ledgerCloseMs ? setInterval(() => void closeLedger(), options.ledgerCloseMs) : null
  timer?.unref()

  return {
    url: `http://127.0.0.1:${port}`,
    networkPassphrase: passphrase,
    createAccount,
    addTrustline,
    issue,
    balance,
    sequence: (id) => account(id).sequence,
    setSequence: (id, sequence) => void (account(id).sequence = sequence),
    closeLedger,
    faults: {
      dropResponseAfterApply: (n = 1) => void (dropAfterApply = n),
      fail504: (n = 1, opts = {}) => void (fail504 = { n, applied: opts.applied ?? false }),
      slowClose: (ms) => void (slowCloseMs = ms),
      clear: () => {
        dropAfterApply = 0
        fail504 = { n: 0, applied: false }
        slowCloseMs = 0
      },
      fired: () => ({ ...fired }),
    },
    applied: () => appliedList.slice(),
    submissions: () => submissionCount,
    setTime: (d) => {
      fixedNow = d
      offsetMs = 0
      // Before the first close, the genesis ledger closed "now" on the new clock.
      if (ledgerSeq === 1) ledgerClosedAt = d.toISOString().replace(/\.\d{3}Z$/, 'Z')
    },
    advanceTime: (ms) => void (offsetMs += ms),
    advanceClock,
    claimableBalance: (id) => {
      const e = claimable.get(id.toLowerCase())
      return e ? claimableBalanceJson(e) : null
    },
    async stop() {
      if (timer) clearInterval(timer)
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
