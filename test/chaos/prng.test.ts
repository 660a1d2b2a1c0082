/** The campaign's PRNG: the same seed gives the same draws everywhere; draws stay in their ranges. */
import { describe, expect, it } from 'vitest'
import { Rng } from './prng'

describe('Rng', () => {
  it('is a function of its seed, and forks are independent of later draws', () => {
    const draw = (r: Rng) => [r.next64(), r.int(1, 6), r.big(0n, 10n ** 40n), r.hex(5), r.chance(0.5)]
    expect(draw(new Rng('7.3'))).toEqual(draw(new Rng('7.3')))
    expect(draw(new Rng('7.3'))).not.toEqual(draw(new Rng('7.4')))
    const a = new Rng(1)
    const b = new Rng(1)
    const fa = a.fork('faults')
    b.next64() // a draw on the parent after forking changes nothing in the fork
    expect(draw(fa)).toEqual(draw(new Rng(1).fork('faults')))
  })

  it('keeps every draw in range, over all magnitudes up to uint256', () => {
    const r = new Rng('range')
    const max = (1n << 256n) - 1n
    const bits = new Set<number>()
    for (let i = 0; i < 2_000; i++) {
      const n = r.int(-3, 3)
      expect(n >= -3 && n <= 3).toBe(true)
      const a = r.amount(max)
      expect(a >= 1n && a <= max).toBe(true)
      bits.add(a.toString(2).length)
      const small = r.amount(10n)
      expect(small >= 1n && small <= 10n).toBe(true)
    }
    // 1-bit amounts and ones near 2^256 both happen.
    expect(bits.has(1)).toBe(true)
    expect([...bits].some((b) => b > 250)).toBe(true)
  })
})
