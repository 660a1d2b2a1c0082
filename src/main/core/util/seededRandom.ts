/**
 * mulberry32: a small seeded generator — the same sequence on every machine, so a synthetic file,
 * a property test or a concurrency test replays exactly from its seed. Not for anything secret.
 */

/** Uniform 32-bit unsigned integers. */
export function seededUint32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (t ^ (t >>> 14)) >>> 0
  }
}

/** Uniform numbers in [0, 1): the same sequence as seededUint32 divided by 2^32. */
export function seededRandom(seed: number): () => number {
  const next = seededUint32(seed)
  return () => next() / 4_294_967_296
}
