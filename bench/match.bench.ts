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
 * key matcher does. The engine is timed on items as the loader gives them, keys numbered by one
 * KeyInterner; that numbering is timed on its own twice: as a second pass over the finished items
 * (numberKeys), and as the loader pays it — building the items from rows of the database's shape
 * (fresh strings each run) with the keys numbered as each item is built (KeyCollector), minus the
 * same building with the keys left as strings. The last row adds that share to the engine: the
 * match from the strings as stored. The engine on string keys (filing them in a Map) beside it. Then the same 1:1 run with every match read afterwards (its id lists and
 * reason sentence, which a match makes when first read — see matchRecord.ts): what a caller that
 * stores every match, as runRecon does, pays in all. And a second case with groups of up to 4
 * (1:N and N:1 on the leftovers), to show the group search stays bounded. Each figure is the
 * median of RUNS rounds after a warm-up (see measureRounds), each run on a freshly collected heap
 * so that a run does not pay for collecting the one before; the ratio is the median of each
 * round's ratio to the hash join. Building the input is not timed. Figures are printed, never
 * asserted.
 */
import v8 from 'node:v8'
import vm from 'node:vm'
import { KeyInterner, numberKeys, type NumberedKeys } from '../src/main/core/recon/match/keyInterner'
import { matchItems } from '../src/main/core/recon/match/matchEngine'
import type { MatchInput, MatchItem, MatchResult, MatchRule } from '../src/main/core/recon/match/matchTypes'
import {
  buildAccountItems,
  parseMetadata,
  type PostingRow,
  type PostingsRead,
  type StatementLineRow,
} from '../src/main/core/recon/matching/loadReconItems'
import { dayText } from '../src/main/core/recon/match/matchKeys'
import { seededRandom } from '../src/main/core/util/seededRandom'
import { median } from './median'

const ITEMS = 100_000
const RUNS = 7
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
  /** Median over the rounds of this run ÷ the hash join's run in the same round. */
  perJoin: number
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

/**
 * The keys of both sides numbered, as the loader numbers them once it has built the items
 * (numberKeys in loadReconItems.ts): what a run pays for matching by number, paid outside the
 * engine — timed on its own, so the engine's figure and this one add up to the whole.
 */
function withKeyNumbers(input: MatchInput): MatchInput {
  return { ...input, keyNumbers: numberKeys(input.statement, input.ledger) }
}

/**
 * The same two sides as the rows the loader reads (loadAccountItems): each line's key in its
 * end-to-end id or bank reference, each posting's entry id and, for a keyed pair, its
 * metadata's reference. Made afresh for every run (as a read makes them): a string's hash is
 * computed on its first use and kept, and the loader is the first to use these.
 */
function benchRows(input: MatchInput): { lines: StatementLineRow[]; postings: PostingsRead } {
  const lines = input.statement.map((s): StatementLineRow => ({
    id: fresh(s.id),
    booking_date: dayText(s.day),
    value_date: null,
    amount: s.amount.toString(),
    currency: s.currency,
    bank_ref: s.keys[0]!.startsWith('BANK-') ? fresh(s.keys[0]!) : null,
    end_to_end_id: s.keys[0]!.startsWith('E2E-') ? fresh(s.keys[0]!) : null,
    customer_ref: null,
    structured_ref: null,
    counterparty_name: null,
    counterparty_account: null,
    remittance: null,
    type_code: null,
    details: '[]',
    to_date: null,
    imported_at: '2026-12-04T09:00:00.000Z',
  }))
  const rows = input.ledger.map((l): PostingRow => ({
    entry_id: fresh(l.keys[0]!),
    date: dayText(l.day),
    description: '',
    metadata: l.keys.length > 1 ? JSON.stringify({ reference: l.keys[1] }) : '{}',
    idx: 0,
    amount: l.amount.toString(),
  }))
  return { lines, postings: { rows, metas: rows.map((r) => parseMetadata(r.metadata)), payouts: new Map() } }
}

/** A flat copy of `text` that is not the same string (no hash computed yet), as a database read gives. */
function fresh(text: string): string {
  return Buffer.from(text, 'latin1').toString('latin1')
}

const BENCH_ACCOUNT = { id: 'bank-1', currency: 'EUR', ledger_account_id: 'assets:bank' }
const NOTHING_SETTLED = { statement: new Set<string>(), ledger: new Set<string>() }

/** The least a key matcher does: every ledger key into a Map, one lookup per statement line. */
function hashJoin(input: MatchInput): number {
  const byKey = new Map<string, number>()
  for (let l = 0; l < input.ledger.length; l++) for (const key of input.ledger[l]!.keys) byKey.set(key, l)
  let hits = 0
  for (const line of input.statement) if (byKey.get(line.keys[0]!) !== undefined) hits++
  return hits
}

/** Every match read the way runRecon reads it to store it: ids, reason (sentence included), adjustment account. */
function readEveryMatch(r: MatchResult): { matches: number; chars: number } {
  let chars = 0
  for (const m of r.matches) chars += m.statement.length + m.ledger.length + m.reason.summary.length + (m.adjustmentAccount?.length ?? 0)
  return { matches: r.matches.length, chars }
}

let collect: (() => void) | null = null

/** A full collection on demand, without starting node with --expose-gc (`npm run bench` runs plain tsx). */
function gc(): void {
  if (collect === null) {
    v8.setFlagsFromString('--expose-gc')
    collect = vm.runInNewContext('gc') as () => void
  }
  collect()
}

/** Median of the values (sorted in place). */

/** One case of the table: what is timed, and how its last result is told (not timed). */
interface BenchCase {
  readonly name: string
  /** Made before each run, not timed (the run's fresh input). */
  readonly prepare?: () => void
  readonly run: () => unknown
  readonly describe: (result: never) => string
}

/**
 * Each case once to warm up, then RUNS rounds of every case in turn, each run on a freshly
 * collected heap holding no earlier result (a result is described and dropped at once). Rounds,
 * not one case's runs after another's: the ratio to the hash join is taken within each round, so
 * a machine busier in one round than another (other engineers' tests on two shared cores) moves
 * both sides of it alike.
 */
function measureRounds(cases: readonly BenchCase[]): { ms: number[][]; results: string[] } {
  const results = cases.map((c) => (c.prepare?.(), c.describe(c.run() as never)))
  const ms: number[][] = cases.map(() => [])
  for (let round = 0; round < RUNS; round++) {
    cases.forEach((c, i) => {
      c.prepare?.()
      gc()
      const t = performance.now()
      const result = c.run()
      ms[i]!.push(performance.now() - t)
      results[i] = c.describe(result as never)
    })
  }
  return { ms, results }
}

function describeResult(r: MatchResult): string {
  const k = r.stats.byKind
  const x = r.stats.exceptions
  return `key ${k.key} · 1:1 ${k['1:1']} · 1:N ${k['1:N']} · N:1 ${k['N:1']}; unmatched ${x.unmatched} · ambiguous ${x.ambiguous} · amount_differs ${x.amount_differs}`
}

export function runMatchBench(): MatchBenchRow[] {
  const strings = benchInput(1)
  const single = withKeyNumbers(strings)
  const grouped = withKeyNumbers(benchInput(4))
  let rows = benchRows(strings)
  const cases: BenchCase[] = [
    { name: 'hash join (Map of ledger keys, 1 lookup per line)', run: () => hashJoin(strings), describe: (hits: number) => `${hits} hits` },
    {
      name: 'matchItems, 1:1 rule (maxGroup 1), keys numbered by the loader',
      run: () => matchItems(single),
      describe: describeResult,
    },
    {
      name: "numbering both sides' keys in a second pass over the items (numberKeys)",
      run: () => numberKeys(strings.statement, strings.ledger),
      describe: (n: NumberedKeys) => `${n.statement.ids.length + n.ledger.ids.length} keys numbered, ${n.count} distinct`,
    },
    {
      name: "the loader building both sides' items from their rows, keys numbered as each is built (KeyCollector)",
      prepare: () => (rows = benchRows(strings)),
      run: () => buildAccountItems(BENCH_ACCOUNT, rows.lines, rows.postings, NOTHING_SETTLED, new KeyInterner()),
      describe: (b: { keyNumbers: NumberedKeys }) =>
        `${b.keyNumbers.statement.ids.length + b.keyNumbers.ledger.ids.length} keys numbered, ${b.keyNumbers.count} distinct`,
    },
    {
      name: 'the same, keys left as strings (no interner)',
      prepare: () => (rows = benchRows(strings)),
      run: () => buildAccountItems(BENCH_ACCOUNT, rows.lines, rows.postings, NOTHING_SETTLED, null),
      describe: (b: { statement: unknown[]; ledger: unknown[] }) => `${b.statement.length + b.ledger.length} items`,
    },
    {
      name: "matchItems, 1:1 rule, keys as strings (a Map of the lines' keys)",
      run: () => matchItems(strings),
      describe: describeResult,
    },
    {
      name: 'the same (numbered), then every match read (ids, reason sentence)',
      run: () => readEveryMatch(matchItems(single)),
      describe: (read: { matches: number }) => `${read.matches} matches read`,
    },
    { name: 'matchItems, groups of up to 4 (maxGroup 4), keys numbered', run: () => matchItems(grouped), describe: describeResult },
  ]
  const { ms, results } = measureRounds(cases)
  const rowsOut = cases.map((c, i) => ({
    name: c.name,
    bestMs: Math.min(...ms[i]!),
    medianMs: median([...ms[i]!]),
    perJoin: median(ms[i]!.map((t, round) => t / ms[0]![round]!)),
    result: results[i]!,
  }))
  // From the strings as stored: the engine on numbers, plus what numbering adds to the loader's
  // building of the items (numbered − strings only, in the same round).
  const whole = ms[1]!.map((t, round) => t + ms[3]![round]! - ms[4]![round]!)
  rowsOut.push({
    name: "from the strings as stored: matchItems on numbers + numbering's share of the loader (row 4 − row 5)",
    bestMs: Math.min(...whole),
    medianMs: median([...whole]),
    perJoin: median(whole.map((t, round) => t / ms[0]![round]!)),
    result: `numbering's share ${median(ms[3]!.map((t, round) => t - ms[4]![round]!)).toFixed(0)} ms`,
  })
  return rowsOut
}

export function printMatchBench(rows: MatchBenchRow[]): void {
  console.log(
    `\nMatching, ${ITEMS.toLocaleString('en')} statement lines × ${ITEMS.toLocaleString('en')} ledger items, one account (target: matchItems < ${TARGET_MS} ms); median of ${RUNS} rounds after a warm-up`,
  )
  console.log('| case | median | best | ÷ hash join (same round) | result |')
  console.log('|---|---:|---:|---:|---|')
  for (const r of rows) {
    console.log(`| ${r.name} | ${r.medianMs.toFixed(0)} ms | ${r.bestMs.toFixed(0)} ms | ${r.perJoin.toFixed(2)}× | ${r.result} |`)
  }
}
