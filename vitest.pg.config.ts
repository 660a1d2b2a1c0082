/**
 * The PostgreSQL pass (`npm run test:unit:pg`, under `scripts/postgres-cluster.ts run`): the vitest
 * suite a second time, with COUNTERSIGN_TEST_DB=postgres. Tests pick the backend in one place:
 * openDb() (src/main/core/db/openDb.ts) makes a new workspace a database on the test server. A
 * test file that can never reach openDb(), nor read COUNTERSIGN_TEST_* itself, runs exactly the
 * same code on both passes, so it runs on the SQLite pass only (pure parsers, src/shared/, the
 * renderer, rails against their harnesses, signing vectors, contracts on Anvil, …).
 *
 * The rule, decided statically each time vitest loads this file — no list of test files to keep
 * up to date, and a new test file runs on both passes unless it is proved backend-free. A test
 * file is left out here only if, in its closure over relative imports (static, `import('…')`,
 * `export … from`, type-only too; src/, test/, scripts/), together with the scripts the reviewed
 * spawners below run:
 *  1. no file is src/main/core/db/openDb.ts;
 *  2. no file mentions COUNTERSIGN_TEST_ (such a file reads the test server's URL itself) — save
 *     the switches in NOT_BACKEND_ENV below, which name no server and pick no backend;
 *  3. every file that imports child_process, worker_threads or cluster is a key of SPAWNERS: what a
 *     started process runs is invisible to imports, so a person reads each spawner and writes down
 *     the repo scripts it runs (analysed like imports) — an unreviewed spawner keeps its tests here.
 * A specifier that resolves to no file is ignored: a real one would fail the file on both passes.
 *
 * Besides those, a few slow files that do open a database are covered here by a sibling:
 * PG_SIBLING_COVERED below.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig, mergeConfig } from 'vitest/config'
import base from './vitest.config.js'

const ROOT = path.dirname(fileURLToPath(import.meta.url))
/** Where the test files live (base config: src/**\/*.test.ts, test/**\/*.test.ts). */
const TEST_ROOTS = ['src', 'test']
const TEST_FILE_RE = /\.test\.ts$/
const BACKEND_SWITCH = 'src/main/core/db/openDb.ts'
const BACKEND_ENV_MARK = 'COUNTERSIGN_TEST_'
/**
 * COUNTERSIGN_TEST_* variables that do not choose the backend nor name the test server, so
 * mentioning them does not tie a file to this pass: _BREAK turns one safety off for the chaos
 * campaign's broken-engine check (src/main/core/util/crashPoint.ts — imported by every engine
 * module for its crash points, and by the rails for `stripe-answer-lost`); _LOAD_LOG names the
 * file a CLI writes its loaded modules to (test/cli/moduleLoadLog.mjs). Any other
 * COUNTERSIGN_TEST_ name, or the bare prefix, still counts.
 */
const NOT_BACKEND_ENV = ['COUNTERSIGN_TEST_BREAK', 'COUNTERSIGN_TEST_LOAD_LOG']
const BACKEND_ENV_RE = new RegExp(
  `${BACKEND_ENV_MARK}(?!(?:${NOT_BACKEND_ENV.map((name) => name.slice(BACKEND_ENV_MARK.length)).join('|')})(?![A-Z0-9_]))`,
)
const SPAWN_MODULE_RE = /^(?:node:)?(?:child_process|worker_threads|cluster)$/
const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.mjs', '.js', '.cjs']

/**
 * Every file that starts processes in the closure of a test that would otherwise be left out,
 * with the repo files the processes run (checked like imports) and what else they run.
 */
const SPAWNERS: Record<string, { runs: string[]; why: string }> = {
  'src/main/sandbox/harness/evm/anvil.ts': { runs: [], why: 'the anvil binary, and a `node -e` watchdog that stops it' },
  'test/harness/evm/anvil.test.ts': { runs: ['test/harness/evm/anvil.ts'], why: 'node importing the Anvil harness, to kill it' },
  'test/integrity/headFile.test.ts': { runs: ['test/integrity/headWriterChild.ts'], why: 'two writers on one SQLite workspace' },
  'test/fuzz/runFuzz.ts': {
    runs: ['test/fuzz/fuzzWorkerBoot.mjs', 'test/fuzz/fuzzWorker.ts'],
    why: 'a worker thread running the parser fuzz targets (no database)',
  },
  // The fuzz worker's own files import worker_threads for workerData / parentPort: they start nothing.
  'test/fuzz/fuzzWorkerBoot.mjs': { runs: [], why: 'none: the worker thread’s entry, reading workerData' },
  'test/fuzz/fuzzWorker.ts': { runs: [], why: 'none: the worker thread itself, posting to parentPort' },
  'test/receipts/pdfTools.ts': { runs: [], why: 'poppler’s pdftotext and pdftoppm, reading a PDF file' },
  'src/main/core/receipts/pdf/renderReceiptPdf.test.ts': {
    runs: ['test/receipts/renderSampleReceipt.ts'],
    why: 'node rendering the sample receipt in two other processes (another time zone)',
  },
  'scripts/electron-native.mjs': { runs: [], why: '`node -e` loading a better-sqlite3 build' },
  'test/security/electronegativity.test.ts': { runs: ['scripts/electronegativity.mjs'], why: 'the scan, over temp trees' },
}

/**
 * Slow files that do open a database, left out of this pass because a sibling that stays gives
 * the same engine path its PostgreSQL run: the crash points and the escrow property are the
 * engine's, the rail only changes what is checked on the rail's side. Each still runs in full on
 * the SQLite pass, and every rail's own engine branches stay here through its CLI tests
 * (escrowEvmCli, escrowStellarCli, escrowStripeCli, execute/stellar, execute/stripe) and
 * reserveNonce.test.ts (a Stellar sequence that expired unused is used again). Loading this file
 * fails if a sibling is gone or not run here.
 */
const PG_SIBLING_COVERED: Record<string, { sibling: string; why: string }> = {
  'test/chaos/seeds.test.ts': {
    sibling: 'test/execute/crash.test.ts',
    why: 'the payout engine through SIGKILLs, on EVM; the campaign on PostgreSQL is a command (`npm run chaos -- --backend postgres`)',
  },
  'test/chaos/worldBroke.test.ts': {
    sibling: 'test/execute/crash.test.ts',
    why: 'the campaign harness running a seed again on a fresh Anvil; the payout engine through SIGKILLs, on EVM',
  },
  'test/execute/stellarCrash.test.ts': { sibling: 'test/execute/crash.test.ts', why: 'the payout crash points, on EVM' },
  'test/escrow/escrowCrashStellar.test.ts': { sibling: 'test/escrow/escrowCrash.test.ts', why: 'the escrow crash points, on EVM' },
  'test/escrow/escrowCrashStripe.test.ts': { sibling: 'test/escrow/escrowCrash.test.ts', why: 'the escrow crash points, on EVM' },
  'test/escrow/escrowProperty.test.ts': {
    sibling: 'test/escrow/escrowPropertyStripe.test.ts',
    why: 'the escrow property, on Stripe (with the poller’s automatic release)',
  },
  'test/escrow/escrowPropertyStellar.test.ts': {
    sibling: 'test/escrow/escrowPropertyStripe.test.ts',
    why: 'the escrow property, on Stripe (with the poller’s automatic release)',
  },
}

const IMPORT_RES = [
  /\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
  /\bimport\s*['"]([^'"]+)['"]/g,
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
]

interface Scanned {
  files: string[]
  spawns: boolean
  readsBackendEnv: boolean
}

const scanned = new Map<string, Scanned>()

function resolveRelative(from: string, specifier: string): string | undefined {
  const target = path.resolve(path.dirname(from), specifier)
  const candidates = [
    target,
    ...SOURCE_EXTENSIONS.map((ext) => target + ext),
    target.replace(/\.m?js$/, (ext) => (ext === '.mjs' ? '.mts' : '.ts')),
    ...SOURCE_EXTENSIONS.map((ext) => path.join(target, 'index' + ext)),
  ]
  return candidates.find((file) => fs.statSync(file, { throwIfNoEntry: false })?.isFile())
}

function scan(file: string): Scanned {
  const known = scanned.get(file)
  if (known) return known
  const text = fs.readFileSync(file, 'utf8')
  const result: Scanned = { files: [], spawns: false, readsBackendEnv: BACKEND_ENV_RE.test(text) }
  for (const re of IMPORT_RES) {
    for (const [, specifier] of text.matchAll(re)) {
      if (specifier === undefined) continue
      if (SPAWN_MODULE_RE.test(specifier)) result.spawns = true
      if (!specifier.startsWith('.')) continue
      const resolved = resolveRelative(file, specifier)
      if (resolved !== undefined) result.files.push(resolved)
    }
  }
  scanned.set(file, result)
  return result
}

/** Why `testFile` must run on PostgreSQL, or null when it is backend-free by the rule above. */
function reachesBackend(testFile: string): string | null {
  const seen = new Set([testFile])
  const stack = [testFile]
  while (stack.length > 0) {
    const file = stack.pop()!
    const rel = path.relative(ROOT, file)
    if (rel === BACKEND_SWITCH) return `imports ${BACKEND_SWITCH}`
    const { files, spawns, readsBackendEnv } = scan(file)
    if (readsBackendEnv) return `${rel} reads ${BACKEND_ENV_MARK}*`
    const next = [...files]
    if (spawns) {
      const spawner = SPAWNERS[rel]
      if (spawner === undefined) return `${rel} starts processes and is not a reviewed spawner`
      next.push(...spawner.runs.map((run) => path.join(ROOT, run)))
    }
    for (const dep of next) {
      if (!seen.has(dep)) {
        seen.add(dep)
        stack.push(dep)
      }
    }
  }
  return null
}

function testFiles(): string[] {
  return TEST_ROOTS.flatMap((dir) =>
    fs
      .readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
      .filter((name) => TEST_FILE_RE.test(name))
      .map((name) => path.join(dir, name).split(path.sep).join('/')),
  ).sort()
}

const ALL_TEST_FILES = testFiles()
const BACKEND_FREE = ALL_TEST_FILES.filter((file) => reachesBackend(path.join(ROOT, file)) === null)

/** The test files that run on the SQLite pass only. */
export const SQLITE_ONLY = [...new Set([...BACKEND_FREE, ...Object.keys(PG_SIBLING_COVERED)])].sort()

for (const [file, { sibling }] of Object.entries(PG_SIBLING_COVERED)) {
  if (!ALL_TEST_FILES.includes(sibling) || SQLITE_ONLY.includes(sibling)) {
    throw new Error(`vitest.pg.config.ts: ${file} is left out for ${sibling}, which does not run on this pass — update PG_SIBLING_COVERED.`)
  }
}

// One line in the log, so a CI run says what this pass left out.
console.log(
  `vitest.pg.config.ts: ${BACKEND_FREE.length} backend-free test files and ${Object.keys(PG_SIBLING_COVERED).length} covered by a sibling run on the SQLite pass only`,
)

// mergeConfig appends arrays: the base config's exclude stays.
export default mergeConfig(base, defineConfig({ test: { exclude: SQLITE_ONLY } }))
