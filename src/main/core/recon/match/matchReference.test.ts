/**
 * The optimised engine (typed arrays, key numbers, an amount index with skip pointers, lazy match
 * records) against a reference matcher written the plain way — every pair of items compared,
 * nothing indexed — on random inputs of the shapes both handle: one key per item at most (each
 * key on one line and one posting at most), one 1:1 amount rule, no fee rules, no earlier
 * matches. Both must give the same matches (kind, items, variance, confirmed) in the same order
 * and the same exceptions, with the keys given as strings and as the loader's numbers.
 */
import { describe, expect, it } from 'vitest'
import { seededRandom } from '../../util/seededRandom'
import { businessDaysBetween } from './businessDays'
import { matchItems } from './matchEngine'
import { FRI, SCALES, rule, withKeyNumbers } from './matchTestCases'
import type { MatchInput, MatchItem, MatchRule } from './matchTypes'

interface Outcome {
  matches: string[]
  exceptions: string[]
}

const abs = (v: bigint) => (v < 0n ? -v : v)

function tolerance(r: MatchRule, amount: bigint): bigint {
  const relative = (abs(amount) * BigInt(r.toleranceBps)) / 10_000n
  return relative > r.toleranceMinor ? relative : r.toleranceMinor
}

const sameSide = (a: MatchItem, b: MatchItem) => a.account === b.account && a.currency === b.currency

/** The plain way: keys first, then each free line against every free posting, then the leftovers. */
function referenceMatch(input: MatchInput): Outcome {
  const r = input.rules[0]!
  const matches: string[] = []
  /** Statement lines' exceptions by line, listed in input order at the end (as the engine lists them). */
  const exceptionS = new Map<string, string>()
  const usedS = new Set<string>()
  const usedL = new Set<string>()
  const exceptionL = new Map<string, string>()
  const match = (kind: string, s: MatchItem, l: MatchItem, confirm: boolean) => {
    usedS.add(s.id)
    usedL.add(l.id)
    matches.push(`${kind} ${s.id} ${l.id} ${s.amount - l.amount} ${confirm}`)
  }
  for (const s of input.statement) {
    const l = input.ledger.find(
      (x) =>
        sameSide(s, x) &&
        !usedL.has(x.id) &&
        x.keys.some((k) => s.keys.includes(k)) &&
        (x.amount === s.amount || Math.sign(Number(x.amount)) === Math.sign(Number(s.amount))),
    )
    if (l === undefined) continue
    const variance = s.amount - l.amount
    if (variance === 0n) match('key', s, l, true)
    else if (abs(variance) <= tolerance(r, s.amount)) match('key', s, l, false)
    else {
      usedS.add(s.id)
      usedL.add(l.id)
      exceptionS.set(s.id, 'amount_differs')
      exceptionL.set(l.id, 'amount_differs')
    }
  }
  for (const s of input.statement) {
    if (usedS.has(s.id)) continue
    const fits = input.ledger.filter(
      (l) =>
        sameSide(s, l) &&
        !usedL.has(l.id) &&
        Math.sign(Number(l.amount)) === Math.sign(Number(s.amount)) &&
        businessDaysBetween(s.day, l.day) <= r.windowDays &&
        abs(s.amount - l.amount) <= tolerance(r, s.amount),
    )
    const days = (l: MatchItem) => Math.abs(l.day - s.day)
    const exact = fits.filter((l) => l.amount === s.amount).sort((a, b) => days(a) - days(b) || (a.id < b.id ? -1 : 1))
    const near = fits
      .filter((l) => l.amount !== s.amount)
      .sort((a, b) => {
        const gap = abs(s.amount - a.amount) - abs(s.amount - b.amount)
        return gap !== 0n ? (gap < 0n ? -1 : 1) : days(a) - days(b) || (a.id < b.id ? -1 : 1)
      })
    if (exact.length === 1 || (exact.length > 1 && !r.noAmbiguous)) match('1:1', s, exact[0]!, r.autoConfirm)
    else if (exact.length === 0 && (near.length === 1 || (near.length > 1 && !r.noAmbiguous))) match('1:1', s, near[0]!, false)
    else if (fits.length > 0) {
      usedS.add(s.id)
      exceptionS.set(s.id, 'ambiguous')
    }
  }
  const exceptions: string[] = []
  for (const s of input.statement)
    if (!usedS.has(s.id) || exceptionS.has(s.id)) exceptions.push(`statement ${s.id} ${exceptionS.get(s.id) ?? 'unmatched'}`)
  const ledgerLeft = input.ledger
    .filter((l) => !usedL.has(l.id) || exceptionL.has(l.id))
    .map((l) => l.id)
    .sort()
  for (const id of ledgerLeft) exceptions.push(`ledger ${id} ${exceptionL.get(id) ?? 'unmatched'}`)
  return { matches, exceptions }
}

/** Random inputs of the shapes referenceMatch handles: keyed pairs (equal, near, far), amount-only pairs, look-alikes, strays. */
function referenceCase(seed: number): MatchInput {
  const rand = seededRandom(seed)
  const int = (n: number) => Math.floor(rand() * n)
  const statement: MatchItem[] = []
  const ledger: MatchItem[] = []
  const item = (id: string, amount: bigint, day: number, keys: string[], account = 'A'): MatchItem => ({
    id,
    account,
    currency: rand() < 0.9 ? 'EUR' : 'USD',
    amount,
    day,
    keys,
    counterparty: null,
    text: '',
  })
  // Few distinct amounts, so candidates collide and ambiguity happens.
  const amount = () => BigInt((1 + int(40)) * 100 * (rand() < 0.5 ? -1 : 1))
  for (let i = 0, n = int(40); i < n; i++) {
    const kind = int(6)
    const a = amount()
    const day = FRI + int(12)
    const account = rand() < 0.85 ? 'A' : 'B'
    const key = `REF-${seed}-${i}`
    if (kind === 0) {
      statement.push(item(`s${i}`, a, day, [key], account))
      ledger.push(item(`l${i}`, a, day + int(3), [key, `ENTRY-${i}`], account))
    } else if (kind === 1) {
      statement.push(item(`s${i}`, a, day, [key], account))
      ledger.push(item(`l${i}`, a + BigInt(int(9) - 4), day, [key], account))
    } else if (kind === 2) {
      statement.push(item(`s${i}`, a, day, rand() < 0.5 ? [`BANK-${i}`] : [], account))
      ledger.push(item(`l${i}`, a + BigInt(rand() < 0.5 ? 0 : int(7) - 3), day + int(5) - 2, [`ENTRY-${i}`], account))
    } else if (kind === 3) {
      statement.push(item(`s${i}`, a, day, [], account))
    } else if (kind === 4) {
      ledger.push(item(`l${i}`, a, day, [`ENTRY-${i}`], account))
    } else {
      statement.push(item(`s${i}`, a, day, [key], account))
      ledger.push(item(`l${i}`, -a, day, [key], account))
    }
  }
  const shuffled = [...ledger].sort(() => rand() - 0.5)
  const amountRule = rule({
    toleranceMinor: BigInt(int(5)),
    toleranceBps: [0, 0, 10, 100][int(4)]!,
    windowDays: int(5),
    noAmbiguous: rand() < 0.6,
    autoConfirm: rand() < 0.5,
  })
  return { statement, ledger: shuffled, rules: [amountRule], matchedLedgerKeys: new Map(), scales: SCALES }
}

function engineOutcome(input: MatchInput): Outcome {
  const r = matchItems(input)
  return {
    matches: r.matches.map((m) => `${m.kind} ${m.statement.join(',')} ${m.ledger.join(',')} ${m.variance} ${m.confirm}`),
    exceptions: r.exceptions.map((x) => `${x.side} ${x.item} ${x.reason}`),
  }
}

describe('matchItems against a plain reference matcher', () => {
  it('gives the same matches and exceptions on 300 random inputs, keys as strings and as numbers', () => {
    const kinds = new Set<string>()
    for (let seed = 1; seed <= 300; seed++) {
      const input = referenceCase(seed)
      const expected = referenceMatch(input)
      expect(engineOutcome(input), `seed ${seed}`).toEqual(expected)
      expect(engineOutcome(withKeyNumbers(input)), `seed ${seed}, numbered`).toEqual(expected)
      for (const m of expected.matches) kinds.add(m.split(' ')[0]!)
      for (const x of expected.exceptions) kinds.add(x.split(' ')[2]!)
    }
    // The inputs do reach every outcome the reference knows.
    expect([...kinds].sort()).toEqual(['1:1', 'ambiguous', 'amount_differs', 'key', 'unmatched'])
  })
})
