import { keccak_256 } from '@noble/hashes/sha3.js'
import { describe, expect, it } from 'vitest'
import { keccak256, keccak256Implementation, keccak256Ready } from './keccak256'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

describe('keccak256 (WebAssembly once loaded)', () => {
  it('is the WebAssembly hasher once ready, and agrees with @noble/hashes on every length around the block size', async () => {
    await keccak256Ready
    expect(keccak256Implementation()).toBe('wasm')
    // keccak256("") — the well-known empty hash.
    expect(hex(keccak256(new Uint8Array()))).toBe('c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470')
    for (let n = 0; n <= 300; n++) {
      const input = Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) & 0xff)
      expect(hex(keccak256(input)), `length ${n}`).toBe(hex(keccak_256(input)))
    }
  })
})
