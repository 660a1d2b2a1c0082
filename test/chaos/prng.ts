/**
 * The campaign's only source of randomness: a seeded PRNG (SplitMix64 over bigint, exact and the
 * same on every machine). Every choice a run makes — workload, amounts, fault schedule, payee keys —
 * is drawn from a Rng forked from the run's seed, so a run is a function of its seed.
 */
const MASK64 = (1n << 64n) - 1n

export class Rng {
  private state: bigint
  constructor(seed: bigint | number | string) {
    this.state = typeof seed === 'string' ? hashString(seed) : BigInt.asUintN(64, BigInt(seed))
  }

  /** 64 random bits. */
  next64(): bigint {
    this.state = (this.state + 0x9e3779b97f4a7c15n) & MASK64
    let z = this.state
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64
    return z ^ (z >> 31n)
  }

  /** Uniform integer in [lo, hi] (inclusive), small ranges only. */
  int(lo: number, hi: number): number {
    if (hi < lo) throw new RangeError(`int(${lo}, ${hi})`)
    return lo + Number(this.next64() % BigInt(hi - lo + 1))
  }

  /** Uniform bigint in [lo, hi] (inclusive), any size. */
  big(lo: bigint, hi: bigint): bigint {
    if (hi < lo) throw new RangeError(`big(${lo}, ${hi})`)
    const span = hi - lo + 1n
    const bits = span.toString(2).length + 64
    let v = 0n
    for (let have = 0; have < bits; have += 64) v = (v << 64n) | this.next64()
    return lo + (v % span)
  }

  /** An amount whose magnitude is spread over [1, max]: 1, small, medium and near max all happen. */
  amount(max: bigint): bigint {
    const bits = max.toString(2).length
    const b = this.int(1, bits)
    const hi = (1n << BigInt(b)) - 1n
    return this.big(1n, hi < max ? hi : max)
  }

  chance(p: number): boolean {
    return Number(this.next64() >> 11n) / 2 ** 53 < p
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from nothing')
    return items[this.int(0, items.length - 1)]!
  }

  bytes(n: number): Buffer {
    const out = Buffer.alloc(n)
    for (let i = 0; i < n; i += 8) {
      const v = this.next64()
      for (let j = 0; j < 8 && i + j < n; j++) out[i + j] = Number((v >> BigInt(8 * j)) & 0xffn)
    }
    return out
  }

  hex(n: number): string {
    return this.bytes(n).toString('hex')
  }

  /** An independent stream for one purpose (label), so adding draws elsewhere changes nothing here. */
  fork(label: string): Rng {
    return new Rng(this.state ^ hashString(label))
  }
}

function hashString(s: string): bigint {
  // FNV-1a 64.
  let h = 0xcbf29ce484222325n
  for (const ch of Buffer.from(s, 'utf8')) h = ((h ^ BigInt(ch)) * 0x100000001b3n) & MASK64
  return h
}
