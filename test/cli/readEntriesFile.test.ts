import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { describeJsonError, findJsonErrorOffset, parseEntries } from '../../src/cli/readEntriesFile'

function v8Error(text: string): unknown {
  try {
    JSON.parse(text)
  } catch (error) {
    return error
  }
  return null
}

describe('findJsonErrorOffset', () => {
  it('agrees with JSON.parse on what is valid', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.json(),
          fc.string(),
          fc.json().map((j) => j.slice(0, Math.max(0, j.length - 1))),
        ),
        (text) => {
          expect(findJsonErrorOffset(text) === null).toBe(v8Error(text) === null)
        },
      ),
      { numRuns: 2_000 },
    )
  })

  it('points where V8 points when V8 gives a position', () => {
    for (const text of ['{"a" 1}', '[1,2', '{\n "a": 1,\n}', '[1,]', '{"a":tru}', '"abc', '[1] x', '{"a":"\\x"}']) {
      const m = /position (\d+)/.exec((v8Error(text) as Error).message)
      if (m) expect(findJsonErrorOffset(text), text).toBe(Number(m[1]))
      else expect(findJsonErrorOffset(text), text).not.toBeNull()
    }
  })

  it('survives deep nesting', () => {
    expect(findJsonErrorOffset('['.repeat(200_000))).toBe(200_000)
  })
})

describe('describeJsonError', () => {
  it('names the line and column', () => {
    const text = '{\n  "id": "x",\n  "postings": [\n}\n'
    expect(describeJsonError(v8Error(text), text)).toBe('unexpected "}" (line 4, column 1)')
    const cut = '[{"id": "a"'
    expect(describeJsonError(v8Error(cut), cut)).toMatch(/\(line 1, column 12\)$/)
  })
})

describe('parseEntries', () => {
  const e = { id: 'a', description: 'd', postings: [] }
  it('accepts one entry, an array, or {entries}', () => {
    expect(parseEntries(JSON.stringify(e), 'f')).toEqual([e])
    expect(parseEntries(JSON.stringify([e, e]), 'f')).toEqual([e, e])
    expect(parseEntries('\ufeff' + JSON.stringify({ entries: [e] }), 'f')).toEqual([e])
  })
  it('refuses extra keys beside entries, and non-object entries', () => {
    expect(() => parseEntries(JSON.stringify({ entries: [e], x: 1 }), 'f')).toThrow(/unexpected key "x"/)
    expect(() => parseEntries(JSON.stringify([e, 3]), 'f')).toThrow(/entry 2 is a number/)
  })
})
