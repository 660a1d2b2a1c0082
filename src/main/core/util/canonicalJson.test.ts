import { describe, expect, it } from 'vitest'
import { canonicalJson } from './canonicalJson'

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[1,{"y":2,"z":1}]},"b":1}')
  })
  it('is the same for the same content built in any key order', () => {
    expect(canonicalJson({ x: 'é', y: null })).toBe(canonicalJson({ y: null, x: 'é' }))
  })
  it('refuses what it cannot encode stably', () => {
    expect(() => canonicalJson({ a: 1n })).toThrow(/bigint/)
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/non-finite/)
  })
})
