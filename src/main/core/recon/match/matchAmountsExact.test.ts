/**
 * The engine compares amounts as doubles where they are exact (below 2^53) and as bigints where
 * they are not (./matchState.ts, Side.approx). These cases sit on that boundary: amounts a double
 * cannot tell apart must still be told apart, and a tolerance a double cannot compute must still be
 * computed exactly.
 */
import { describe, expect, it } from 'vitest'
import { matchItems } from './matchEngine'
import { FRI, SCALES, rule } from './matchTestCases'
import type { MatchItem, MatchResult, MatchRule } from './matchTypes'

const TWO_53 = 2n ** 53n

function item(id: string, amount: bigint, keys: string[] = []): MatchItem {
  return { id, account: 'acc-1', currency: 'EUR', amount, day: FRI, keys, counterparty: null, text: '' }
}

function run(statement: MatchItem[], ledger: MatchItem[], rules: MatchRule[]): MatchResult {
  return matchItems({ statement, ledger, rules, matchedLedgerKeys: new Map(), scales: SCALES })
}

describe('matchItems — amounts around 2^53', () => {
  it('does not take a posting for equal when only its double is (1:1)', () => {
    // 2^53 + 1 and 2^53 are the same double.
    const r = run([item('s1', TWO_53 + 1n)], [item('l-near', TWO_53), item('l-same', TWO_53 + 1n)], [rule()])
    expect(r.matches.map((m) => [m.ledger, m.variance])).toEqual([[['l-same'], 0n]])
    expect(r.exceptions.map((x) => x.item)).toEqual(['l-near'])
  })

  it('finds a posting past 2^53 inside the tolerance of a line below it, with the exact variance', () => {
    const r = run([item('s1', TWO_53 - 1n)], [item('l1', TWO_53 + 1n)], [rule({ toleranceMinor: 2n })])
    expect(r.matches.map((m) => [m.kind, m.variance])).toEqual([['1:1', -2n]])
    expect(run([item('s1', TWO_53 - 1n)], [item('l1', TWO_53 + 2n)], [rule({ toleranceMinor: 2n })]).matches).toEqual([])
  })

  it('does not call key partners equal when only their doubles are', () => {
    const r = run([item('s1', TWO_53 + 1n, ['E2E-1'])], [item('l1', TWO_53, ['E2E-1'])], [])
    expect(r.matches).toEqual([])
    expect(r.exceptions.map((x) => [x.item, x.reason])).toEqual([
      ['s1', 'amount_differs'],
      ['l1', 'amount_differs'],
    ])
  })

  it('computes a basis-point tolerance exactly when the product passes 2^53', () => {
    const line = 9_000_000_000_000_000n // below 2^53; × 10 bps is not
    const bps = rule({ toleranceBps: 10 })
    const edge = line - 9_000_000_000_000n // exactly 10 bps below
    expect(run([item('s1', line)], [item('l1', edge)], [bps]).matches.map((m) => m.variance)).toEqual([9_000_000_000_000n])
    expect(run([item('s1', line)], [item('l1', edge - 1n)], [bps]).matches).toEqual([])
  })

  it('builds a group exactly from parts a double cannot hold (1:N)', () => {
    const parts = [item('l1', TWO_53 + 1n), item('l2', TWO_53 + 3n)]
    const groups = rule({ maxGroup: 2 })
    expect(run([item('s1', 2n * TWO_53 + 4n)], parts, [groups]).matches.map((m) => [m.kind, m.ledger])).toEqual([['1:N', ['l1', 'l2']]])
    expect(run([item('s1', 2n * TWO_53 + 5n)], parts, [groups]).matches).toEqual([])
  })
})
