/**
 * Matching engine throughput (issue 15: match 100,000 statement lines against 100,000 ledger
 * postings in under 0.3 s on a 2-core machine). One account, one currency, built from a seed:
 *   - 70 % of the pairs share an exact key (the bank's end-to-end id on both sides),
 *   - 20 % match only by amount and date (unique amounts, one calendar day apart at most),
 *   - 5 % differ by 1..5 minor units (inside the rule's tolerance of 5),
 *   - 5 % have no partner on either side;
 * every posting also carries its own entry key, as real postings do. One 'amount' rule
 * (tolerance 5 minor units, 3 business days, 1:1 only, no ambiguous picks).
 *
 * Printed beside it, measured in the same run: a plain hash join of the same sizes (a Map from
 * every ledger key to its index, one lookup per statement line, counting hits) — the least any
 * key matcher does. And a second case with groups of up to 4 (1:N and N:1 on the leftovers), to
 * show the group search stays bounded. Each figure is the median of RUNS after a warm-up;
 * building the input is not timed. Figures are printed, never asserted.
 */
import { matchItems } from '../src/main/core/recon/match/matchEngine'
import type { MatchInput, MatchItem, MatchResult, MatchRule } from '../src/main/core/recon/match/matchTypes'
import { seededRandom } from '../src/main/core/util/seededRandom'

const ITEMS = 100_000
const RUNS = 5
const SEED = 20_261_215
const TARGET_MS = 300
const FIRST_DAY = 20_454 // 2026-01-01
const DAYS_SPREAD = 250
/** Unique amounts sit 100 minor units apart, far outside the tolerance of 5. */
const UNIQUE_BASE = 10_000_000
const UNIQUE_STEP = 100

export interface MatchBenchRow {
  name: string
  bestMs: number
  medianMs: number
  result: string
}

function rule(maxGroup: number): MatchRule {
  return {
    id: 'bench',
    name: 'Bench',
    kind: 'amount',
    account: null,
    toleranceMinor: 5n,
    toleranceBps: 0,
    windowDays: 3,
    direction: 'any',
    counterparty: false,
    maxGroup,
    noAmbiguous: true,
    autoConfirm: false,
    textContains: [],
    maxAmountMinor: null,
    feeAccount: 'fees',
  }
}

function shuffle<T>(items: T[], rand: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    const t = items[i]!
    items[i] = items[j]!
    items[j] = t
  }
  return items
}

/** The two sides, shuffled: the engine must not rely on them arriving in the same order. */
export function benchInput(maxGroup: number): MatchInput {
  const rand = seededRandom(SEED)
  const statement: MatchItem[] = []
  const ledger: MatchItem[] = []
  const make = (id: string, amount: number, day: number, keys: string[]): MatchItem => ({
    id,
    account: 'bank-1',
    currency: 'EUR',
    amount: BigInt(amount),
    day,
    keys,
    counterparty: null,
    text: '',
  })
  for (let i = 0; i < ITEMS; i++) {
    const kind = rand()
    const sign = rand() < 0.5 ? -1 : 1
    const day = FIRST_DAY + Math.floor(rand() * DAYS_SPREAD)
    const later = day + (rand() < 0.5 ? 0 : 1)
    const unique = sign * (UNIQUE_BASE + i * UNIQUE_STEP)
    if (kind < 0.7) {
      const amount = sign * (1 + Math.floor(rand() * 1_000_000))
      statement.push(make(`s${i}`, amount, day, [`E2E-${i}`]))
      ledger.push(make(`e${i}/0`, amount, later, [`ENTRY-${i}`, `E2E-${i}`]))
    } else if (kind < 0.9) {
      statement.push(make(`s${i}`, unique, day, [`BANK-${i}`]))
      ledger.push(make(`e${i}/0`, unique, later, [`ENTRY-${i}`]))
    } else if (kind < 0.95) {
      const off = 1 + Math.floor(rand() * 5)
      statement.push(make(`s${i}`, unique, day, [`BANK-${i}`]))
      ledger.push(make(`e${i}/0`, unique + (rand() < 0.5 ? off : -off), later, [`ENTRY-${i}`]))
    } else {
      statement.push(make(`s${i}`, unique + sign * 50, day, [`BANK-${i}`]))
      ledger.push(make(`e${i}/0`, unique + sign * 30, later, [`ENTRY-${i}`]))
    }
  }
  return {
    statement: shuffle(statement, rand),
    ledger: shuffle(ledger, rand),
    rules: [rule(maxGroup)],
    matchedLedgerKeys: new Map(),
    scales: new Map([['EUR', 2]]),
  }
}

/** The least a key matcher does: every ledger key into a Map, one lookup per statement line. */
function hashJoin(input: MatchInput): number {
  const byKey = new Map<string, number>()
  for (let l = 0; l < input.ledger.length; l++) for (const key of input.ledger[l]!.keys) byKey.set(key, l)
  let hits = 0
  for (const line of input.statement) if (byKey.get(line.keys[0]!) !== undefined) hits++
  return hits
}

function measure<T>(run: () => T): { bestMs: number; medianMs: number; last: T } {
  let last = run() // warm-up
  const times: number[] = []
  for (let i = 0; i < RUNS; i++) {
    global.gc?.()
    const t = performance.now()
    last = run()
    times.push(performance.now() - t)
  }
  times.sort((a, b) => a - b)
  return { bestMs: times[0]!, medianMs: times[Math.floor(times.length / 2)]!, last }
}

function describeResult(r: MatchResult): string {
  const k = r.stats.byKind
  const x = r.stats.exceptions
  return `key ${k.key} · 1:1 ${k['1:1']} · 1:N ${k['1:N']} · N:1 ${k['N:1']}; unmatched ${x.unmatched} · ambiguous ${x.ambiguous} · amount_differs ${x.amount_differs}`
}

export function runMatchBench(): MatchBenchRow[] {
  const single = benchInput(1)
  const grouped = benchInput(4)
  const join = measure(() => hashJoin(single))
  const ones = measure(() => matchItems(single))
  const groups = measure(() => matchItems(grouped))
  return [
    {
      name: 'hash join (Map of ledger keys, 1 lookup per line)',
      bestMs: join.bestMs,
      medianMs: join.medianMs,
      result: `${join.last} hits`,
    },
    { name: 'matchItems, 1:1 rule (maxGroup 1)', bestMs: ones.bestMs, medianMs: ones.medianMs, result: describeResult(ones.last) },
    {
      name: 'matchItems, groups of up to 4 (maxGroup 4)',
      bestMs: groups.bestMs,
      medianMs: groups.medianMs,
      result: describeResult(groups.last),
    },
  ]
}

export function printMatchBench(rows: MatchBenchRow[]): void {
  const baseline = rows[0]!.medianMs
  console.log(
    `\nMatching, ${ITEMS.toLocaleString('en')} statement lines × ${ITEMS.toLocaleString('en')} ledger items, one account (target: matchItems < ${TARGET_MS} ms); median of ${RUNS} after a warm-up`,
  )
  console.log('| case | median | best | ÷ hash join | result |')
  console.log('|---|---:|---:|---:|---|')
  for (const r of rows) {
    console.log(
      `| ${r.name} | ${r.medianMs.toFixed(0)} ms | ${r.bestMs.toFixed(0)} ms | ${(r.medianMs / baseline).toFixed(2)}× | ${r.result} |`,
    )
  }
}
