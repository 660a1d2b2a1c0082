/**
 * The parser fuzz campaign (issue 18, item 6): every target of test/fuzz/fuzzTargets.ts for a
 * bounded time, in a worker thread whose watchdog catches a hang as well as a crash.
 *
 *   npm run fuzz -- --time 600                    # 600 s shared by every target, a fresh seed
 *   npm run fuzz -- --time 60 --target camt.mutate,mt940.mutate
 *   npm run fuzz -- --runs 5000 --seed 42         # a number of inputs per target instead of a time
 *   npm run fuzz -- --target bai2.mutate --seed 11 --path 1312:32:3   # replay one failure
 *
 * The seed is printed first; every failure prints its input and the one-line command that replays
 * it. Exit code 1 when anything failed or hung. An input that broke something goes into
 * test/fixtures/fuzz with its expected outcome in test/fuzz/parsers.fuzz.test.ts.
 */
import { parseArgs } from 'node:util'
import { FUZZ_TARGET_NAMES, type FuzzTargetName } from '../test/fuzz/fuzzTargets'
import { describeFailure, runFuzzJobs, type FuzzJob } from '../test/fuzz/runFuzz'

const { values } = parseArgs({
  options: {
    time: { type: 'string' },
    runs: { type: 'string' },
    seed: { type: 'string' },
    target: { type: 'string' },
    path: { type: 'string' },
    'input-budget': { type: 'string' },
  },
})

const targets = values.target === undefined ? FUZZ_TARGET_NAMES : (values.target.split(',') as FuzzTargetName[])
const unknown = targets.filter((t) => !FUZZ_TARGET_NAMES.includes(t))
if (unknown.length > 0) {
  console.error(`Unknown fuzz target ${unknown.join(', ')} — the targets are ${FUZZ_TARGET_NAMES.join(', ')}.`)
  process.exit(2)
}
const seed = values.seed !== undefined ? Number(values.seed) : (Date.now() ^ (Math.random() * 0x7fffffff)) | 0
const timeMs = values.time !== undefined ? Number(values.time) * 1000 : undefined
// With a time, runs is only a ceiling no campaign reaches.
const numRuns = values.path !== undefined ? 1 : Number(values.runs ?? (timeMs !== undefined ? 1e9 : 1000))
const jobs: FuzzJob[] = targets.map((target) => ({
  target,
  seed,
  numRuns,
  timeMs: timeMs === undefined ? undefined : Math.floor(timeMs / targets.length),
  path: values.path,
}))

console.log(
  `parser fuzz: seed ${seed}, ${targets.length} targets, ${timeMs !== undefined ? `${timeMs / 1000} s` : `${numRuns} inputs each`}`,
)
const started = Date.now()
const results = await runFuzzJobs(jobs, values['input-budget'] !== undefined ? Number(values['input-budget']) : undefined)
console.table(results.map((r) => ({ target: r.target, inputs: r.runs, result: r.hang ? 'HUNG' : r.failed ? 'FAILED' : 'ok' })))
const failed = results.filter((r) => r.failed)
for (const r of failed) console.log(`\n${describeFailure(r)}`)
const notRun = jobs.slice(results.length).map((j) => j.target)
if (notRun.length > 0) console.log(`\nnot run after the hang: ${notRun.join(', ')}`)
console.log(`\n${results.reduce((n, r) => n + r.runs, 0)} inputs in ${((Date.now() - started) / 1000).toFixed(1)} s; seed ${seed}`)
process.exit(failed.length > 0 || notRun.length > 0 ? 1 : 0)
