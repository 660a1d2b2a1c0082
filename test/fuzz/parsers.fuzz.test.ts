/**
 * Parser fuzz, the bounded run every test run does (issue 18, item 6): every target of
 * fuzzTargets.ts for FUZZ_RUNS inputs (default 600; ~15 s for all), in one worker thread
 * with a per-input watchdog, from a fresh seed each run — printed with the replay command on a
 * failure. FUZZ_SEED fixes the seed. The long campaign is `npm run fuzz -- --time 600`.
 *
 * Every input that once broke a parser is a file in test/fixtures/fuzz with its expected outcome
 * here (and the README there); they are mutated further by the `findings.mutate` target.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { FUZZ_TARGET_NAMES, parseOrRefuse } from './fuzzTargets'
import { describeFailure, runFuzzJobs } from './runFuzz'
import { parseStatementFile } from '../../src/main/core/recon/statements/parseStatementFile'

const RUNS = Number(process.env.FUZZ_RUNS ?? 600)
const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : Date.now() ^ (Math.random() * 0x7fffffff)
const FINDINGS_DIR = fileURLToPath(new URL('../fixtures/fuzz/', import.meta.url))

describe('parser fuzz (bounded)', () => {
  it(`every target holds for ${RUNS} inputs (seed ${SEED})`, async () => {
    const results = await runFuzzJobs(FUZZ_TARGET_NAMES.map((target) => ({ target, seed: SEED, numRuns: RUNS })))
    const failures = results.filter((r) => r.failed).map(describeFailure)
    expect(failures.join('\n\n')).toBe('')
    expect(results.map((r) => r.target)).toEqual(FUZZ_TARGET_NAMES)
    for (const r of results) expect(r.runs).toBe(RUNS)
  })

  it('the watchdog names an input a target hangs on, and stops the worker', async () => {
    const [hung, ...after] = await runFuzzJobs(
      [
        { target: 'selftest.hang', seed: 1, numRuns: 10 },
        { target: 'mt940.model', seed: 1, numRuns: 10 },
      ],
      1_000,
    )
    expect(hung).toMatchObject({ target: 'selftest.hang', hang: true, failed: true, runs: 3 })
    expect(hung!.counterexample).toMatch(/^nat \d+$/)
    expect(after).toEqual([])
  })
})

/** What each finding must give now: the typed refusal with its place, or a parse whose balances hold. */
const FINDINGS: Record<string, { code: string; where: string } | 'parses'> = {
  // An 88 continuing a 16 record whose funds type is not a funds type: refused with an empty place (": funds type …").
  'bai2-bad-funds-type-continued.bai2': { code: 'STATEMENT_INVALID', where: 'record 5 (line 5)' },
}

describe('parser fuzz findings (test/fixtures/fuzz)', () => {
  it('every file there has its expected outcome listed here', () => {
    const files = fs.readdirSync(FINDINGS_DIR).filter((f) => f !== 'README.md')
    expect(files.sort()).toEqual(Object.keys(FINDINGS).sort())
  })

  it.each(Object.entries(FINDINGS))('%s', (name, expected) => {
    const text = fs.readFileSync(path.join(FINDINGS_DIR, name), 'latin1')
    // The fuzz's own oracle first: a typed refusal with a place, or balances that check.
    parseOrRefuse(text, name)
    if (expected === 'parses') {
      expect(parseStatementFile(text, { fileName: name }).statements.length).toBeGreaterThan(0)
      return
    }
    const error = (() => {
      try {
        parseStatementFile(text, { fileName: name })
      } catch (e) {
        return e as { code?: string; message: string; details?: { where?: string } }
      }
      throw new Error(`${name} parsed; it must be refused`)
    })()
    expect(error.code).toBe(expected.code)
    expect(error.details?.where).toBe(expected.where)
    expect(error.message.startsWith(`${expected.where}: `)).toBe(true)
  })
})
