/**
 * The loader numbers keys as it builds each item (KeyCollector); the engine was proven on
 * numberKeys over the finished items. Both must give the same key lists, numbers and columns —
 * repeats inside an item dropped (first wins), a long list included, settled postings left out.
 */
import { describe, expect, it } from 'vitest'
import { seededRandom } from '../../util/seededRandom'
import { KeyCollector, KeyInterner, numberKeys } from './keyInterner'

/** Keys of one item as a row gives them: repeats, and now and then far more than a few. */
function rawKeys(rand: () => number, side: string): string[] {
  const n = rand() < 0.05 ? 30 + Math.floor(rand() * 20) : Math.floor(rand() * 5)
  return Array.from({ length: n }, () => (rand() < 0.5 ? `SHARED-${Math.floor(rand() * 60)}` : `${side}-${Math.floor(rand() * 400)}`))
}

describe('KeyCollector', () => {
  it('gives the key lists, numbers and columns numberKeys gives over the finished items', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const rand = seededRandom(seed)
      const lines = Array.from({ length: 40 }, () => rawKeys(rand, 'S'))
      const postings = Array.from({ length: 40 }, () => ({ keys: rawKeys(rand, 'L'), open: rand() < 0.8 }))
      const interner = new KeyInterner()
      const st = new KeyCollector(interner, true)
      const lg = new KeyCollector(interner, false)
      const stItems = lines.map((keys) => {
        for (const k of keys) st.add(k)
        return { keys: st.endItem(true) }
      })
      const lgItems = postings.map((p) => {
        for (const k of p.keys) lg.add(k)
        return { keys: lg.endItem(p.open), open: p.open }
      })
      expect(stItems.map((i) => i.keys)).toEqual(lines.map((keys) => [...new Set(keys)]))
      expect(lgItems.map((i) => i.keys)).toEqual(postings.map((p) => [...new Set(p.keys)]))
      const expected = numberKeys(
        stItems,
        lgItems.filter((i) => i.open),
      )
      expect({ count: interner.size, statement: st.column(), ledger: lg.column() }, `seed ${seed}`).toEqual(expected)
      expect(expected.ledger.ids.length).toBeGreaterThan(0)
    }
  })

  it('without an interner gathers the lists only', () => {
    const c = new KeyCollector(null, true)
    c.add('A')
    c.add('A')
    c.add('B')
    expect(c.endItem(true)).toEqual(['A', 'B'])
    expect(c.column().ids.length).toBe(0)
  })
})
