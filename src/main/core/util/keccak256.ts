/**
 * keccak256 for hot paths (EIP-55 checksums of every recipient of a CSV import). It uses
 * hash-wasm's WebAssembly keccak once it is compiled (about 8× faster here than the JavaScript
 * one: 100,000 checksums in ~0.3 s against ~2.3 s) and @noble/hashes until then or if WebAssembly
 * is unavailable. Both compute the same function; tests check they agree, so which one ran never
 * changes a result, only how long it took.
 */
import { keccak_256 } from '@noble/hashes/sha3.js'
import { createKeccak, type IHasher } from 'hash-wasm'
import { log } from '../log'

let hasher: IHasher | null = null
/** Benchmarks only: answer with the JavaScript one even when WebAssembly is loaded, to compare. */
let forceJs = false

/** Resolves once the WebAssembly hasher is in use (or failed to load: the JavaScript one stays). */
export const keccak256Ready: Promise<void> = createKeccak(256).then(
  (h) => {
    hasher = h
  },
  (error: unknown) => log('warn', 'WebAssembly keccak unavailable; using the JavaScript one', { error }),
)

/** Which implementation answers now (tests and benchmarks report it). */
export function keccak256Implementation(): 'wasm' | 'js' {
  return hasher && !forceJs ? 'wasm' : 'js'
}

/** Benchmarks only (bench/csv.bench.ts measures both in the same run). */
export function keccak256ForceJsForBenchmark(on: boolean): void {
  forceJs = on
}

export function keccak256(bytes: Uint8Array): Uint8Array {
  if (hasher === null || forceJs) return keccak_256(bytes)
  hasher.init()
  hasher.update(bytes)
  return hasher.digest('binary')
}
