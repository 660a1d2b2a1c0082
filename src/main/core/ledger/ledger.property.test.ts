/**
 * Model-based property test of the whole ledger. Random sequences of batches of multi-asset,
 * multi-posting entries (with reused ids: replays and conflicts), holds, full and partial posts,
 * over-posts, voids, double resolves, clock advances and expiry sweeps run against a real SQLite
 * file, and against an independent in-test model of what every balance must be. After every
 * step: the balances equal the model's exactly, checkLedgerInvariants finds nothing, and an
 * operation the model says must be refused was refused with the model's code and changed nothing.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { EntryInput, PostingInput } from '../../../shared/ledgerApi'
import type { HoldState } from '../../../shared/blocks'
import { AMOUNT_MAX, formatAmount } from '../../../shared/money'
import { verifyAudit } from '../audit/verifyAudit'
import { checkLedgerInvariants } from './checkLedgerInvariants'
import { createHold } from './createHold'
import { expireHolds } from './expireHolds'
import { getBalances } from './getBalances'
import { listHolds } from './listHolds'
import { postEntries } from './postEntries'
import { postHold } from './postHold'
import { sqlFirst } from '../../../../test/dbSql'
import { openAccount, openTestLedger, snapshotLedger, TEST_ACTOR } from './testKit'
import { voidHold } from './voidHold'

/** Runs per property; raise it for a soak (COUNTERSIGN_PROPERTY_RUNS=1000). */
const RUNS = Number(process.env.COUNTERSIGN_PROPERTY_RUNS ?? 30)
/** Every step fsyncs a real SQLite file: give a loaded CI machine room. */
const PROPERTY_TIMEOUT_MS = 600_000
const OPS_MIN = 10
const OPS_MAX = 40
/** Every run starts by funding treasuries and payees, so holds and payouts have money to move. */
const OPENING: Op = {
  t: 'post',
  entries: [0, 1, 2].map((asset) => ({
    idN: 100 + asset,
    legs: [
      { asset, from: 0, to: 1, minor: 1_000_000n },
      { asset, from: 0, to: 2, minor: 1_000n },
    ],
    date: undefined,
    descN: 0,
    meta: undefined,
  })),
}
const START = '2026-01-15T21:00:00.000Z'

const ASSETS = [
  { id: 'USDC@evm:1', key: 'usdc', scale: 6 },
  { id: 'ETH@evm:1', key: 'eth', scale: 18 },
  { id: 'JPY@stripe', key: 'jpy', scale: 0 },
] as const
/** Per asset: [suffix, kind, may go negative] — the last follows the kinds' defaults. */
const ROLES = [
  ['ext', 'external', true],
  ['tre', 'treasury', false],
  ['pay', 'payee', false],
  ['clr', 'clearing', true],
] as const
const accountId = (asset: number, role: number): string => `${ASSETS[asset]!.key}-${ROLES[role]![0]}`

// ---------------------------------------------------------------------------------------------
// Operations.

interface Leg {
  asset: number
  from: number
  to: number
  minor: bigint
}
interface EntrySpec {
  idN: number
  legs: Leg[]
  date: string | undefined
  descN: number
  meta: Record<string, string> | undefined
}
type Op =
  | { t: 'post'; entries: EntrySpec[] }
  | { t: 'replay'; pick: number; dropDate: boolean }
  | { t: 'hold'; idN: number; asset: number; from: number; to: number; minor: bigint; expiresInMs: number | undefined }
  | { t: 'postHold'; pick: number; missing: boolean; mode: 'full' | 'part' | 'over'; n: bigint; holdId?: string }
  | { t: 'voidHold'; pick: number; missing: boolean; holdId?: string }
  | { t: 'advance'; ms: number }
  | { t: 'expire' }

const minorArb = fc.oneof(
  { weight: 6, arbitrary: fc.bigInt({ min: 1n, max: 1_000n }) },
  { weight: 3, arbitrary: fc.bigInt({ min: 1n, max: 10n ** 12n }) },
  { weight: 1, arbitrary: fc.constantFrom(10n ** 30n, AMOUNT_MAX) },
)
/** Money mostly comes from the world (role 0), so entries succeed often enough to build state. */
const fromArb = fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.nat({ max: 3 }) })
const legArb: fc.Arbitrary<Leg> = fc.record({ asset: fc.nat({ max: 2 }), from: fromArb, to: fc.nat({ max: 3 }), minor: minorArb })
const entryArb: fc.Arbitrary<EntrySpec> = fc.record({
  idN: fc.nat({ max: 12 }),
  legs: fc.array(legArb, { minLength: 1, maxLength: 3 }),
  date: fc.constantFrom(undefined, '2026-01-15', '2026-01-20'),
  descN: fc.nat({ max: 1 }),
  meta: fc.option(fc.dictionary(fc.constantFrom('ref', 'row'), fc.constantFrom('1', '2'), { maxKeys: 2 }), { nil: undefined }),
})
/** Post and void mostly target a hold that exists (picked from the model), sometimes one that does not. */
const missingArb = fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) })
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ t: fc.constant('post' as const), entries: fc.array(entryArb, { minLength: 1, maxLength: 4 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('replay' as const), pick: fc.nat(), dropDate: fc.boolean() }) },
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('hold' as const),
      idN: fc.nat({ max: 4 }),
      asset: fc.nat({ max: 2 }),
      from: fc.nat({ max: 3 }),
      to: fc.nat({ max: 3 }),
      minor: minorArb,
      expiresInMs: fc.option(fc.integer({ min: 1, max: 2 * 3_600_000 }), { nil: undefined }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('postHold' as const),
      pick: fc.nat(),
      missing: missingArb,
      mode: fc.constantFrom('full' as const, 'part' as const, 'over' as const),
      n: fc.bigInt({ min: 0n, max: 10n ** 40n }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('voidHold' as const), pick: fc.nat(), missing: missingArb }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 3 * 3_600_000 }) }) },
  { weight: 1, arbitrary: fc.constant({ t: 'expire' as const }) },
)

function toInput(spec: EntrySpec): EntryInput {
  const postings: PostingInput[] = []
  for (const leg of spec.legs) {
    const amount = formatAmount(leg.minor, ASSETS[leg.asset]!.scale)
    postings.push({ account: accountId(leg.asset, leg.to), debit: amount })
    postings.push({ account: accountId(leg.asset, leg.from), credit: amount })
  }
  return {
    id: `e${spec.idN}`,
    description: `entry ${spec.descN}`,
    postings,
    ...(spec.date ? { date: spec.date } : {}),
    ...(spec.meta ? { metadata: spec.meta } : {}),
  }
}

// ---------------------------------------------------------------------------------------------
// The model: plain maps and bigint, written without the ledger's code.

interface Bal {
  dp: bigint
  cp: bigint
  dpe: bigint
  cpe: bigint
}
interface ModelEntry {
  content: string
  date: string
}
interface ModelHold {
  debit: string
  credit: string
  asset: number
  amount: bigint
  posted: bigint
  state: HoldState
  expiresAt: string | null
  description: string
}
class Model {
  bal = new Map<string, Bal>()
  entries = new Map<string, ModelEntry>()
  holds = new Map<string, ModelHold>()
  history: EntryInput[] = []
  constructor(public nowMs: number) {
    for (let a = 0; a < ASSETS.length; a++)
      for (let r = 0; r < ROLES.length; r++) this.bal.set(accountId(a, r), { dp: 0n, cp: 0n, dpe: 0n, cpe: 0n })
  }
  get nowIso(): string {
    return new Date(this.nowMs).toISOString()
  }
  static info(account: string): { creditNormal: boolean; mayGoNegative: boolean } {
    const role = ROLES.find((r) => account.endsWith(`-${r[0]}`))!
    return { creditNormal: role[1] === 'external', mayGoNegative: role[2] }
  }
  static available(account: string, b: Bal): bigint {
    return Model.info(account).creditNormal ? b.cp - b.dp - b.dpe : b.dp - b.cp - b.cpe
  }
  static content(input: EntryInput, kind: string): string {
    const meta = Object.entries(input.metadata ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))
    const postings = input.postings.map((p) => `${p.account}:${p.debit !== undefined ? 'D' + p.debit : 'C' + p.credit!}`)
    return JSON.stringify([kind, input.description, meta, postings])
  }
  clone(): Map<string, Bal> {
    return new Map([...this.bal].map(([k, v]) => [k, { ...v }]))
  }
  /** Every balance column is a sum that must stay within uint256. */
  static inRange(b: Bal): boolean {
    return b.dp <= AMOUNT_MAX && b.cp <= AMOUNT_MAX && b.dpe <= AMOUNT_MAX && b.cpe <= AMOUNT_MAX
  }
}

type Expect = { ok: true; value?: unknown } | { ok: false; code: string; commits?: boolean }

/** What the model says `op` must do; applies it to the model when it succeeds. */
function predict(m: Model, op: Op): Expect {
  switch (op.t) {
    case 'post':
      return predictPost(
        m,
        op.entries.map((e) => toInput(e)),
      )
    case 'replay': {
      if (m.history.length === 0) return { ok: true, value: { posted: [], replayed: [] } }
      const input = m.history[op.pick % m.history.length]!
      const { date: _d, ...noDate } = input
      return predictPost(m, [op.dropDate ? noDate : input])
    }
    case 'hold': {
      const id = `h${op.idN}`
      const debit = accountId(op.asset, op.to)
      const credit = accountId(op.asset, op.from)
      const expiresAt = op.expiresInMs === undefined ? null : new Date(m.nowMs + op.expiresInMs).toISOString()
      const description = `hold ${op.idN}`
      const existing = m.holds.get(id)
      if (existing) {
        const same =
          existing.debit === debit &&
          existing.credit === credit &&
          existing.amount === op.minor &&
          existing.expiresAt === expiresAt &&
          existing.description === description
        return same ? { ok: true } : { ok: false, code: 'HOLD_CONFLICT' }
      }
      if (debit === credit) return { ok: false, code: 'HOLD_INVALID' }
      const bal = m.clone()
      bal.get(debit)!.dpe += op.minor
      bal.get(credit)!.cpe += op.minor
      if (!Model.inRange(bal.get(debit)!) || !Model.inRange(bal.get(credit)!)) return { ok: false, code: 'BALANCE_RANGE' }
      for (const acc of [debit, credit]) {
        const info = Model.info(acc)
        const reduced = acc === credit ? !info.creditNormal : info.creditNormal
        if (reduced && !info.mayGoNegative && Model.available(acc, bal.get(acc)!) < 0n) return { ok: false, code: 'INSUFFICIENT_FUNDS' }
      }
      m.bal = bal
      m.holds.set(id, { debit, credit, asset: op.asset, amount: op.minor, posted: 0n, state: 'pending', expiresAt, description })
      return { ok: true }
    }
    case 'postHold':
    case 'voidHold': {
      const id = op.holdId!
      const h = m.holds.get(id)
      if (!h) return { ok: false, code: 'HOLD_NOT_FOUND' }
      if (h.state !== 'pending') return { ok: false, code: 'HOLD_ALREADY_RESOLVED' }
      if (h.expiresAt !== null && h.expiresAt <= m.nowIso) {
        release(m, h, 'expired', 0n)
        return { ok: false, code: 'HOLD_EXPIRED', commits: true }
      }
      if (op.t === 'voidHold') {
        release(m, h, 'voided', 0n)
        return { ok: true }
      }
      const amount = op.mode === 'full' ? h.amount : op.mode === 'part' ? 1n + (op.n % h.amount) : h.amount + 1n + (op.n % 10n)
      if (amount > AMOUNT_MAX) return { ok: false, code: 'AMOUNT_RANGE' } // not an amount at all
      if (amount > h.amount) return { ok: false, code: 'HOLD_AMOUNT_EXCEEDED' }
      const debitBal = m.bal.get(h.debit)!
      const creditBal = m.bal.get(h.credit)!
      if (!Model.inRange({ ...debitBal, dp: debitBal.dp + amount }) || !Model.inRange({ ...creditBal, cp: creditBal.cp + amount }))
        return { ok: false, code: 'BALANCE_RANGE' }
      release(m, h, amount === h.amount ? 'posted' : 'partially_posted', amount)
      m.bal.get(h.debit)!.dp += amount
      m.bal.get(h.credit)!.cp += amount
      m.entries.set(`hold:${id}:post`, { content: 'hold', date: m.nowIso.slice(0, 10) })
      return { ok: true }
    }
    case 'advance':
      m.nowMs += op.ms
      return { ok: true }
    case 'expire': {
      const due = [...m.holds]
        .filter(([, h]) => h.state === 'pending' && h.expiresAt !== null && h.expiresAt <= m.nowIso)
        .sort(([ia, a], [ib, b]) => (a.expiresAt! < b.expiresAt! ? -1 : a.expiresAt! > b.expiresAt! ? 1 : ia < ib ? -1 : 1))
      for (const [, h] of due) release(m, h, 'expired', 0n)
      return { ok: true, value: due.map(([id]) => id) }
    }
  }
}

/** Give a post/void op its concrete hold id, chosen from the holds the model knows. */
function bindHold(m: Model, op: Op): Op {
  if (op.t !== 'postHold' && op.t !== 'voidHold') return op
  const ids = [...m.holds.keys()].sort()
  return { ...op, holdId: op.missing || ids.length === 0 ? 'h-missing' : ids[op.pick % ids.length]! }
}

function release(m: Model, h: ModelHold, state: HoldState, posted: bigint): void {
  m.bal.get(h.debit)!.dpe -= h.amount
  m.bal.get(h.credit)!.cpe -= h.amount
  h.state = state
  h.posted = posted
}

function predictPost(m: Model, inputs: EntryInput[]): Expect {
  const bal = m.clone()
  const entries = new Map(m.entries)
  const posted: string[] = []
  const replayed: string[] = []
  const today = m.nowIso.slice(0, 10)
  for (const input of inputs) {
    const content = Model.content(input, 'manual')
    const stored = entries.get(input.id)
    if (stored) {
      if (stored.content !== content || (input.date !== undefined && input.date !== stored.date))
        return { ok: false, code: 'ENTRY_CONFLICT' }
      replayed.push(input.id)
      continue
    }
    const net = new Map<string, bigint>()
    for (const p of input.postings) {
      const b = bal.get(p.account)!
      const scale = ASSETS.find((a) => p.account.startsWith(a.key + '-'))!.scale
      const minor = BigInt((p.debit ?? p.credit!).replace('.', '')) // formatAmount output: exactly `scale` decimals
      expect((p.debit ?? p.credit!).split('.')[1]?.length ?? 0).toBe(scale)
      if (p.debit !== undefined) b.dp += minor
      else b.cp += minor
      net.set(p.account, (net.get(p.account) ?? 0n) + (p.debit !== undefined ? minor : -minor))
    }
    for (const acc of net.keys()) if (!Model.inRange(bal.get(acc)!)) return { ok: false, code: 'BALANCE_RANGE' }
    for (const [acc, n] of net) {
      const info = Model.info(acc)
      const effect = info.creditNormal ? -n : n
      if (effect < 0n && !info.mayGoNegative && Model.available(acc, bal.get(acc)!) < 0n) return { ok: false, code: 'INSUFFICIENT_FUNDS' }
    }
    entries.set(input.id, { content, date: input.date ?? today })
    posted.push(input.id)
  }
  m.bal = bal
  m.entries = entries
  for (const input of inputs) if (posted.includes(input.id) && !m.history.includes(input)) m.history.push(input)
  return { ok: true, value: { posted, replayed } }
}

// ---------------------------------------------------------------------------------------------

/** How often each outcome occurred over all runs (to see the generators reach every refusal). */
const outcomes = new Map<string, number>()

describe('ledger (model-based property)', () => {
  it(
    'keeps every invariant and matches the model through random operations',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: OPS_MIN, maxLength: OPS_MAX }), async (ops) => {
          const t = await openTestLedger({ start: START })
          try {
            for (let a = 0; a < ASSETS.length; a++)
              for (let r = 0; r < ROLES.length; r++) await openAccount(t.ctx, accountId(a, r), ROLES[r]![1], ASSETS[a]!.id)
            const model = new Model(Date.parse(START))
            for (const rawOp of [OPENING, ...ops]) {
              const op = bindHold(model, rawOp)
              const before = await snapshotLedger(t.ctx)
              const expected = predict(model, op)
              let actual: { ok: true; value: unknown } | { ok: false; code: string }
              try {
                actual = { ok: true, value: await run(t, op, model) }
              } catch (error) {
                const code = (error as { code?: unknown }).code
                if (typeof code !== 'string') throw error
                actual = { ok: false, code }
              }
              const outcome = expected.ok
                ? op.t === 'replay' || op.t === 'post'
                  ? `${op.t}:${(expected.value as { replayed: string[] }).replayed.length > 0 ? 'with-replay' : 'ok'}`
                  : `${op.t}:ok`
                : expected.code
              outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
              if (!expected.ok) {
                expect(actual, `op ${JSON.stringify(op, big)}`).toEqual({ ok: false, code: expected.code })
                if (!expected.commits) expect(await snapshotLedger(t.ctx)).toEqual(before)
              } else {
                expect(actual.ok, `op ${JSON.stringify(op, big)} failed: ${JSON.stringify(actual)}`).toBe(true)
                if (expected.value !== undefined && actual.ok) expect(actual.value).toEqual(expected.value)
              }
              await assertMatchesModel(t, model)
            }
            expect((await verifyAudit(t.ctx)).ok).toBe(true)
          } finally {
            await t.close()
          }
        }),
        { numRuns: RUNS },
      )
      if (process.env.COUNTERSIGN_PROPERTY_STATS) console.log(Object.fromEntries([...outcomes].sort()))
    },
    PROPERTY_TIMEOUT_MS,
  )
})

async function run(t: Awaited<ReturnType<typeof openTestLedger>>, op: Op, model: Model): Promise<unknown> {
  switch (op.t) {
    case 'post':
      return await postEntries(t.ctx, TEST_ACTOR, op.entries.map(toInput), { kind: 'manual' })
    case 'replay': {
      if (model.history.length === 0) return { posted: [], replayed: [] }
      // predict() already chose the same input from the history as it was before this op.
      const input = model.history[op.pick % model.history.length]!
      const { date: _d, ...noDate } = input
      return await postEntries(t.ctx, TEST_ACTOR, [op.dropDate ? noDate : input], { kind: 'manual' })
    }
    case 'hold': {
      const asset = ASSETS[op.asset]!
      return await createHold(t.ctx, TEST_ACTOR, {
        id: `h${op.idN}`,
        debitAccountId: accountId(op.asset, op.to),
        creditAccountId: accountId(op.asset, op.from),
        amount: formatAmount(op.minor, asset.scale),
        description: `hold ${op.idN}`,
        ...(op.expiresInMs === undefined ? {} : { expiresAt: new Date(t.clock.now().getTime() + op.expiresInMs).toISOString() }),
      })
    }
    case 'postHold': {
      const h = model.holds.get(op.holdId!)
      if (!h || op.mode === 'full') return await postHold(t.ctx, TEST_ACTOR, { holdId: op.holdId! })
      const amount = op.mode === 'part' ? 1n + (op.n % h.amount) : h.amount + 1n + (op.n % 10n)
      return await postHold(t.ctx, TEST_ACTOR, { holdId: op.holdId!, amount: formatAmount(amount, ASSETS[h.asset]!.scale) })
    }
    case 'voidHold':
      return await voidHold(t.ctx, TEST_ACTOR, { holdId: op.holdId! })
    case 'advance':
      t.clock.advance(op.ms)
      return undefined
    case 'expire':
      return await expireHolds(t.ctx)
  }
}

async function assertMatchesModel(t: Awaited<ReturnType<typeof openTestLedger>>, m: Model): Promise<void> {
  expect(await checkLedgerInvariants(t.ctx)).toEqual([])
  for (const b of await getBalances(t.ctx, {})) {
    const x = m.bal.get(b.accountId)!
    expect([b.debitsPosted, b.creditsPosted, b.debitsPending, b.creditsPending], b.accountId).toEqual(
      [x.dp, x.cp, x.dpe, x.cpe].map((v) => formatAmount(v, b.scale)),
    )
    expect(b.available).toBe(formatAmount(Model.available(b.accountId, x), b.scale))
  }
  const holds = await listHolds(t.ctx, { limit: 1000 })
  expect(Object.fromEntries(holds.map((h) => [h.id, h.state]))).toEqual(Object.fromEntries([...m.holds].map(([id, h]) => [id, h.state])))
  for (const h of holds) expect(h.postedAmount).toBe(formatAmount(m.holds.get(h.id)!.posted, ASSETS[m.holds.get(h.id)!.asset]!.scale))
  // A replayed id never posts twice: exactly one stored entry per id the model knows.
  const n = await sqlFirst<{ n: number }>(t.ctx.db, 'SELECT count(*) AS n FROM entries')
  expect(n?.n).toBe(m.entries.size)
}

function big(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `${value}n` : value
}
