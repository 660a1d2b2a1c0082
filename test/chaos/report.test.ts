/** A campaign's report names the backend its runs were on, the errors without a code, and a replay line that runs the same way. */
import { describe, expect, it } from 'vitest'
import type { RunResult } from './campaign'
import { buildReport, formatReport, UNCODED_LISTED_MAX } from './report'

function result(seed: string, over: Partial<RunResult> = {}): RunResult {
  return {
    seed,
    ok: true,
    ms: 1000,
    rails: ['evm'],
    paths: ['payouts'],
    phases: 2,
    faults: {},
    errors: {},
    invalid: null,
    worldBroke: [],
    uncoded: [],
    dbCalls: [],
    requests: [],
    msPerStage: {},
    findings: { duplicates: [], lost: [], stuck: [], other: [], checked: {} },
    ...over,
  }
}

describe('buildReport', () => {
  it('on PostgreSQL: the runs are counted there and a failure replays on PostgreSQL', () => {
    const failed = result('7.1', { ok: false, findings: { duplicates: ['p1 paid twice'], lost: [], stuck: [], other: [], checked: {} } })
    const report = buildReport('7', [result('7.0'), failed], { backend: 'postgres', paths: ['payouts'] })
    expect(report.runsPerBackend).toEqual({ postgres: 2 })
    expect(report.failures[0]!.replay).toBe(
      'npx tsx scripts/postgres-cluster.ts run -- npm run chaos -- --backend postgres --runs 1 --seed 7.1 --paths payouts',
    )
    expect(formatReport(report)).toMatch(/\| runs on postgres +\| +2 \|/)
  })

  it('on SQLite by default, with a plain replay line', () => {
    const report = buildReport('8', [result('8.0', { ok: false })], {})
    expect(report.runsPerBackend).toEqual({ sqlite: 1 })
    expect(report.failures[0]!.replay).toBe('npm run chaos -- --runs 1 --seed 8.0')
  })

  it('counts the attempts whose world broke apart from the failures: a seed run again clean is not a failed run', () => {
    const again = result('10.0', { worldBroke: ["the node lost the batch contract's code after a reorg of depth 4"] })
    const never = result('10.1', { ok: false, invalid: "the node lost the token contract's code after a reorg of depth 3" })
    const report = buildReport('10', [again, never], {})
    expect(report.failedRuns).toBe(1)
    expect(report.worldBroke).toEqual([
      { seed: '10.0', why: "the node lost the batch contract's code after a reorg of depth 4" },
      { seed: '10.1', why: "the node lost the token contract's code after a reorg of depth 3 — and again on every fresh world" },
    ])
    expect(formatReport(report)).toMatch(/\| world broke, run again +\| +2 \|/)
  })

  it('lists the errors the core answered without a code, with their seed, up to a bound', () => {
    const runs = Array.from({ length: 30 }, (_, i) => result(`9.${i}`, { errors: { UNCODED: 1 }, uncoded: [`sweep:evm: boom ${i}`] }))
    const report = buildReport('9', runs, {})
    expect(report.errorsSeen).toEqual({ UNCODED: 30 })
    expect(report.uncodedErrors).toHaveLength(UNCODED_LISTED_MAX)
    expect(report.uncodedErrors[0]).toEqual({ seed: '9.0', error: 'sweep:evm: boom 0' })
    expect(formatReport(report)).toContain('uncoded error in seed 9.3 — sweep:evm: boom 3')
  })
})
