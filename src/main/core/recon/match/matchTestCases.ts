/**
 * Shared by the matching engine's tests (not shipped code): the seeded random cases the property
 * tests run (randomCase, largeCase), and a digest of a result that reads every field a caller
 * stores or shows — so a change to the engine that alters any match, exception or reason sentence
 * changes the digest.
 */
import { createHash } from 'node:crypto'
import { seededRandom } from '../../util/seededRandom'
import { numberKeys } from './keyInterner'
import { dayNumber } from './matchKeys'
import type { MatchInput, MatchItem, MatchResult, MatchRule } from './matchTypes'

export const FRI = dayNumber('2026-12-04')!
export const SCALES = new Map([
  ['EUR', 2],
  ['USD', 2],
  ['ETH', 18],
])

export function rule(over: Partial<MatchRule> = {}): MatchRule {
  return {
    id: 'same-amount',
    name: 'Same amount',
    kind: 'amount',
    account: null,
    toleranceMinor: 0n,
    toleranceBps: 0,
    windowDays: 3,
    direction: 'any',
    counterparty: false,
    maxGroup: 1,
    noAmbiguous: true,
    autoConfirm: false,
    textContains: [],
    maxAmountMinor: null,
    feeAccount: null,
    ...over,
  }
}

/** A random mix of what real files hold: keyed pairs, amount-only pairs, near amounts, splits, repeats, charges and strays. */
export function randomCase(seed: number): MatchInput {
  const rand = seededRandom(seed)
  const int = (n: number) => Math.floor(rand() * n)
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!
  const statement: MatchItem[] = []
  const ledger: MatchItem[] = []
  const base = FRI + int(10)
  const account = () => pick(['A', 'A', 'A', 'B'])
  const counterparty = () => (rand() < 0.5 ? null : pick(['DE01', 'DE02', 'FR03']))
  const amount = () => BigInt((1 + int(3000)) * (rand() < 0.5 ? -1 : 1))
  const key = () => `K-${int(12)}`
  const add = (into: MatchItem[], prefix: string, a: bigint, acc: string, keys: string[], text = '', currency = 'EUR') =>
    into.push({
      id: `${prefix}${into.length}`,
      account: acc,
      currency,
      amount: a,
      day: base + int(6),
      keys,
      counterparty: counterparty(),
      text,
    })
  for (let i = 0; i < 12; i++) {
    const acc = account()
    const a = amount()
    const kind = int(8)
    if (kind === 0 || kind === 1) {
      const k = [key()]
      add(statement, 's', a, acc, k)
      add(ledger, 'l', rand() < 0.7 ? a : a + BigInt(int(20) - 10), acc, rand() < 0.8 ? k : [key()])
    } else if (kind === 2) {
      add(statement, 's', a, acc, [])
      add(ledger, 'l', a + BigInt(int(7) - 3), acc, [])
    } else if (kind === 3) {
      const part = a / 3n
      add(statement, 's', a, acc, [])
      add(ledger, 'l', part, acc, [])
      add(ledger, 'l', a - part, acc, [])
    } else if (kind === 4) {
      const part = a / 2n
      add(ledger, 'l', a, acc, [])
      add(statement, 's', part, acc, [])
      add(statement, 's', a - part + BigInt(int(3) - 1), acc, [])
    } else if (kind === 5) {
      const k = [key()]
      add(statement, 's', a, acc, k)
      add(statement, 's', a, acc, k)
      add(ledger, 'l', a, acc, k)
    } else if (kind === 6) {
      add(statement, 's', -BigInt(1 + int(500)), acc, [], pick(['BANK FEE', 'CHARGE DEC', 'TRANSFER']))
    } else {
      add(rand() < 0.5 ? statement : ledger, rand() < 0.5 ? 's' : 'l', a, acc, rand() < 0.3 ? [key()] : [], '', pick(['EUR', 'USD']))
    }
  }
  const rules: MatchRule[] = []
  for (let i = 0, n = 1 + int(3); i < n; i++) {
    rules.push(
      rule({
        id: `r${i}`,
        name: `Rule ${i}`,
        account: rand() < 0.2 ? 'A' : null,
        toleranceMinor: BigInt(int(8)),
        toleranceBps: pick([0, 0, 10, 50]),
        windowDays: int(6),
        direction: pick(['any', 'any', 'in', 'out'] as const),
        counterparty: rand() < 0.5,
        maxGroup: pick([1, 1, 2, 3, 4]),
        noAmbiguous: rand() < 0.6,
        autoConfirm: rand() < 0.5,
        feeAccount: 'fees',
      }),
    )
  }
  if (rand() < 0.7)
    rules.push(
      rule({
        id: 'fee',
        name: 'Fees',
        kind: 'fee',
        direction: 'out',
        textContains: ['FEE', 'CHARGE'],
        maxAmountMinor: 300n,
        feeAccount: 'fees',
      }),
    )
  const matched = rand() < 0.3 ? new Map([[key(), 'old/0']]) : new Map<string, string>()
  return { statement, ledger, rules, matchedLedgerKeys: matched, scales: SCALES }
}

/**
 * A larger, rougher case than randomCase: up to 400 movements, keys from a small or a large pool
 * (so key groups grow or stay pairs), several keys per item, ids out of order, and amounts of three
 * magnitudes — fiat-sized, wei-sized (past 2^53), and right at 2^53, where a double stops telling
 * amounts apart. It drives the engine's number and bigint paths against each other.
 */
export function largeCase(seed: number): MatchInput {
  const rand = seededRandom(seed)
  const int = (n: number) => Math.floor(rand() * n)
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!
  const groups = pick([5, 12, 40, 120, 400])
  const keyRange = pick([6, 12, 50, 1000, 100_000])
  const magnitude = pick(['fiat', 'fiat', 'fiat', 'wei', 'edge'] as const)
  const amountMax = pick([30, 3000, 300_000])
  const statement: MatchItem[] = []
  const ledger: MatchItem[] = []
  const base = FRI + int(10)
  const daySpread = pick([3, 6, 20])
  const account = () => pick(['A', 'A', 'A', 'B'])
  const counterparty = () => (rand() < 0.5 ? null : pick(['DE01', 'DE02', 'FR03']))
  const amount = () => {
    let a = BigInt(1 + int(amountMax))
    if (magnitude === 'wei') a = a * 10n ** 15n + BigInt(int(1000))
    if (magnitude === 'edge') a = 2n ** 53n + BigInt(int(9) - 6) * (rand() < 0.3 ? 1n : BigInt(1 + int(4)))
    return a * (rand() < 0.5 ? -1n : 1n)
  }
  const key = () => `K-${int(keyRange)}`
  const currency = magnitude === 'wei' ? 'ETH' : 'EUR'
  const add = (into: MatchItem[], prefix: string, a: bigint, acc: string, keys: string[], text = '', cur = currency) =>
    into.push({
      id: `${prefix}${int(3) === 0 ? into.length * 7 : into.length}x${int(100)}`,
      account: acc,
      currency: cur,
      amount: a,
      day: base + int(daySpread),
      keys,
      counterparty: counterparty(),
      text,
    })
  for (let i = 0; i < groups; i++) {
    const acc = account()
    const a = amount()
    const kind = int(9)
    if (kind <= 1) {
      const k = rand() < 0.2 ? [key(), key()] : [key()]
      add(statement, 's', a, acc, k)
      add(ledger, 'l', rand() < 0.7 ? a : a + BigInt(int(20) - 10), acc, rand() < 0.8 ? [...k, `E-${i}`] : [key()])
    } else if (kind === 2) {
      add(statement, 's', a, acc, [])
      add(ledger, 'l', a + BigInt(int(7) - 3), acc, [])
    } else if (kind === 3) {
      add(statement, 's', a, acc, [])
      add(ledger, 'l', a / 3n, acc, [])
      add(ledger, 'l', a - a / 3n, acc, [])
    } else if (kind === 4) {
      add(ledger, 'l', a, acc, [])
      add(statement, 's', a / 2n, acc, [])
      add(statement, 's', a - a / 2n + BigInt(int(3) - 1), acc, [])
    } else if (kind === 5) {
      const k = [key()]
      add(statement, 's', a, acc, k)
      add(statement, 's', a, acc, k)
      add(ledger, 'l', a, acc, k)
    } else if (kind === 6) {
      add(statement, 's', -BigInt(1 + int(500)), acc, [], pick(['BANK FEE', 'CHARGE DEC', 'TRANSFER']))
    } else if (kind === 7) {
      add(statement, 's', a, acc, [])
      add(ledger, 'l', a, acc, [])
      if (rand() < 0.5) add(ledger, 'l', a, acc, [])
    } else {
      add(rand() < 0.5 ? statement : ledger, rand() < 0.5 ? 's' : 'l', a, acc, rand() < 0.3 ? [key()] : [], '', pick(['EUR', 'USD']))
    }
  }
  const rules: MatchRule[] = []
  for (let i = 0, n = 1 + int(3); i < n; i++) {
    rules.push(
      rule({
        id: `r${i}`,
        name: `Rule ${i}`,
        account: rand() < 0.2 ? 'A' : null,
        toleranceMinor: magnitude === 'wei' && rand() < 0.5 ? BigInt(int(2000)) : BigInt(int(8)),
        toleranceBps: pick([0, 0, 10, 50, 9999]),
        windowDays: int(6),
        direction: pick(['any', 'any', 'in', 'out'] as const),
        counterparty: rand() < 0.5,
        maxGroup: pick([1, 1, 2, 3, 4, 6]),
        noAmbiguous: rand() < 0.6,
        autoConfirm: rand() < 0.5,
        feeAccount: pick(['fees', null]),
      }),
    )
  }
  if (rand() < 0.7) {
    const feeAccount = pick(['fees', null])
    rules.push(
      rule({
        id: 'fee',
        name: 'Fees',
        kind: 'fee',
        direction: 'out',
        textContains: ['FEE', 'CHARGE'],
        maxAmountMinor: pick([300n, null]),
        feeAccount,
      }),
    )
  }
  const matched = rand() < 0.3 ? new Map([[key(), 'old/0']]) : new Map<string, string>()
  // Ids are unique per side: a repeat drawn above is dropped.
  const unique = (xs: MatchItem[]) => {
    const seen = new Set<string>()
    return xs.filter((x) => !seen.has(x.id) && seen.add(x.id))
  }
  return { statement: unique(statement), ledger: unique(ledger), rules, matchedLedgerKeys: matched, scales: SCALES }
}

/**
 * SHA-256 of a result, field by field in a fixed order. Each match is read the way runRecon stores
 * it (JSON of the reason spread with the adjustment account) and field by field, so a reason
 * built lazily must still give the very same stored text.
 */
export function digestResult(result: MatchResult, into = createHash('sha256')): ReturnType<typeof createHash> {
  const text = (v: unknown) => JSON.stringify(v, (_, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x))
  for (const m of result.matches) {
    const r = m.reason
    into.update(text([m.kind, m.account, m.statement, m.ledger, m.variance, m.confirm, m.adjustmentAccount]))
    into.update(text([r.rule, r.ruleName, r.keys, r.amountDifference, r.dayDifference, r.summary]))
    into.update(JSON.stringify({ ...m.reason, adjustmentAccount: m.adjustmentAccount }))
    into.update('\n')
  }
  for (const x of result.exceptions) into.update(text([x.side, x.item, x.account, x.reason, x.detail, x.related]) + '\n')
  into.update(text(result.stats))
  return into
}

/** The input with its keys numbered the way the loader numbers them (one interner for both sides, statement lines first). */
export function withKeyNumbers(input: MatchInput): MatchInput {
  return { ...input, keyNumbers: numberKeys(input.statement, input.ledger) }
}
