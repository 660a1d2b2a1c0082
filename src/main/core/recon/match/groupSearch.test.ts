import { describe, expect, it } from 'vitest'
import { seededUint32 } from '../../util/seededRandom'
import { GROUP_SEARCH_NODES_MAX, searchGroups } from './groupSearch'
import { MATCH_GROUP_CANDIDATES_MAX, MATCH_GROUP_MAX } from './matchTypes'

/** Every subset of size 2..sizeMax, the obvious way, for comparison. */
function bruteForce(amounts: bigint[], target: bigint, tolerance: bigint, sizeMax: number): { exact: number[][]; near: number[][] } {
  const exact: number[][] = []
  const near: number[][] = []
  for (let mask = 1; mask < 1 << amounts.length; mask++) {
    const members = amounts.map((_, i) => i).filter((i) => mask & (1 << i))
    if (members.length < 2 || members.length > sizeMax) continue
    const total = members.reduce((sum, i) => sum + amounts[i]!, 0n)
    const diff = total > target ? total - target : target - total
    if (diff === 0n) exact.push(members)
    else if (diff <= tolerance) near.push(members)
  }
  return { exact, near }
}

describe('searchGroups', () => {
  it('finds the one group that totals the target', () => {
    const r = searchGroups([100n, 200n, 300n, 50n], 600n, 0n, 3)
    expect(r).toEqual({ groups: [[0, 1, 2]], exact: true, complete: true })
  })

  it('stops at two groups and returns the smallest first', () => {
    const r = searchGroups([100n, 200n, 150n, 150n, 50n], 300n, 0n, 4)
    expect(r.groups).toHaveLength(2)
    expect(r.groups[0]).toEqual([0, 1]) // 200 + 100: the largest amount first
    expect(r.exact).toBe(true)
  })

  it('prefers exact totals over totals inside the tolerance', () => {
    // 99 + 200 = 299, 99 + 199 = 298 and 200 + 101 = 301 are near; only 101 + 199 = 300 is exact.
    expect(searchGroups([99n, 200n, 101n, 199n], 300n, 2n, 2)).toEqual({ groups: [[2, 3]], exact: true, complete: true })
    // Without the exact pair, the near ones count: more than one → two returned.
    const near = searchGroups([99n, 200n, 102n, 199n], 300n, 2n, 2)
    expect(near.exact).toBe(false)
    expect(near.groups).toHaveLength(2)
  })

  it('agrees with brute force on random sets (numbers and bigints)', () => {
    const next = seededUint32(7)
    for (let round = 0; round < 300; round++) {
      const n = 2 + (next() % 9)
      const big = round % 3 === 0
      const unit = big ? 10n ** 18n : 1n
      const amounts = Array.from({ length: n }, () => BigInt(1 + (next() % 40)) * unit)
      const target = BigInt(20 + (next() % 80)) * unit
      const tolerance = BigInt(next() % 3) * unit
      const sizeMax = 2 + (next() % 4)
      const want = bruteForce(amounts, target, tolerance, sizeMax)
      const got = searchGroups(amounts, target, tolerance, sizeMax)
      const expectedKind = want.exact.length > 0 ? want.exact : want.near
      expect(got.complete).toBe(true)
      expect(got.exact).toBe(want.exact.length > 0)
      expect(got.groups.length).toBe(Math.min(2, expectedKind.length))
      for (const g of got.groups) expect(expectedKind.map((x) => x.join())).toContain(g.join())
    }
  })

  it(`stays bounded with ${MATCH_GROUP_CANDIDATES_MAX} candidates and groups of ${MATCH_GROUP_MAX}`, () => {
    // Powers of two: every total is reached by exactly one subset, so nothing stops the search early.
    const amounts = Array.from({ length: MATCH_GROUP_CANDIDATES_MAX }, (_, i) => 1n << BigInt(i))
    const target = (1n << 23n) + (1n << 22n) + (1n << 3n) + (1n << 2n) + (1n << 1n) + 1n
    const t = performance.now()
    const r = searchGroups(amounts, target, 0n, MATCH_GROUP_MAX)
    const ms = performance.now() - t
    expect(r.groups).toEqual([[0, 1, 2, 3, 22, 23]])
    expect(r.complete).toBe(true)
    expect(ms).toBeLessThan(50)
    // Equal amounts with an unreachable total: the worst case for pruning still ends within the budget.
    const flat = Array.from({ length: MATCH_GROUP_CANDIDATES_MAX }, (_, i) => 1000n + BigInt(i))
    const t2 = performance.now()
    const none = searchGroups(flat, 6n * 1000n + 5000n, 3n, MATCH_GROUP_MAX)
    expect(performance.now() - t2).toBeLessThan(100)
    expect(none.groups).toEqual([])
    expect(GROUP_SEARCH_NODES_MAX).toBeGreaterThan(0)
  })
})
