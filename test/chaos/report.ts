/** The campaign's report: totals, faults fired by kind, runs per path and rail, findings. */
import fs from 'node:fs'
import { replayCommand, type RunOptions, type RunResult } from './campaign'

/** How many uncoded errors a report lists (their count is in errorsSeen.UNCODED). */
export const UNCODED_LISTED_MAX = 20

export interface CampaignReport {
  seed: string
  runs: number
  failedRuns: number
  duplicates: number
  lost: number
  stuck: number
  other: number
  meanMsPerRun: number
  /** Mean ms per run in each stage (stageTimer.ts; "#…" are mean counts): where a run's time goes. */
  msPerStage: Record<string, number>
  faults: Record<string, number>
  runsPerRail: Record<string, number>
  runsPerPath: Record<string, number>
  payoutsCheckedPerRail: Record<string, number>
  errorsSeen: Record<string, number>
  /** Attempts whose local world broke (not the product's doing), each run again on a fresh world: seed and why. */
  worldBroke: { seed: string; why: string }[]
  /** Runs on each database backend (a part written before this field existed is merged as "an unrecorded backend"). */
  runsPerBackend: Record<string, number>
  /** Errors the core answered with no stable code: seed and "step: message", the first UNCODED_LISTED_MAX. */
  uncodedErrors: { seed: string; error: string }[]
  failures: { seed: string; replay: string; findings: RunResult['findings'] }[]
}

/** A report of no runs: every count zero, every table empty. */
export function emptyReport(seed: string): CampaignReport {
  return {
    seed,
    runs: 0,
    failedRuns: 0,
    duplicates: 0,
    lost: 0,
    stuck: 0,
    other: 0,
    meanMsPerRun: 0,
    msPerStage: {},
    faults: {},
    runsPerRail: {},
    runsPerPath: {},
    payoutsCheckedPerRail: {},
    errorsSeen: {},
    worldBroke: [],
    runsPerBackend: {},
    uncodedErrors: [],
    failures: [],
  }
}

export function buildReport(seed: string, results: readonly RunResult[], opts: RunOptions): CampaignReport {
  const add = (m: Record<string, number>, k: string, n = 1) => void (m[k] = (m[k] ?? 0) + n)
  const r: CampaignReport = {
    ...emptyReport(seed),
    runs: results.length,
    meanMsPerRun: results.length ? Math.round(results.reduce((s, x) => s + x.ms, 0) / results.length) : 0,
    runsPerBackend: results.length ? { [opts.backend ?? 'sqlite']: results.length } : {},
  }
  if (results.length > 0) for (const k of Object.keys(r.msPerStage)) r.msPerStage[k] = Math.round(r.msPerStage[k]! * 10) / 10
  for (const x of results) {
    if (!x.ok) {
      r.failedRuns++
      r.failures.push({ seed: x.seed, replay: replayCommand(x.seed, opts), findings: x.findings })
    }
    r.duplicates += x.findings.duplicates.length
    r.lost += x.findings.lost.length
    r.stuck += x.findings.stuck.length
    r.other += x.findings.other.length
    for (const [k, v] of Object.entries(x.faults)) add(r.faults, k, v)
    for (const [k, v] of Object.entries(x.msPerStage)) add(r.msPerStage, k, v / results.length)
    for (const [k, v] of Object.entries(x.errors)) add(r.errorsSeen, k, v)
    for (const why of x.worldBroke) r.worldBroke.push({ seed: x.seed, why })
    if (x.invalid !== null) r.worldBroke.push({ seed: x.seed, why: `${x.invalid} — and again on every fresh world` })
    for (const error of x.uncoded) if (r.uncodedErrors.length < UNCODED_LISTED_MAX) r.uncodedErrors.push({ seed: x.seed, error })
    for (const rail of x.rails) add(r.runsPerRail, rail)
    for (const p of x.paths) add(r.runsPerPath, p)
    for (const [k, v] of Object.entries(x.findings.checked)) add(r.payoutsCheckedPerRail, k, v)
  }
  return r
}

export function formatReport(r: CampaignReport): string {
  const rows: [string, string][] = [
    ['campaign seed', r.seed],
    ['runs', String(r.runs)],
    ['failed runs', String(r.failedRuns)],
    ['duplicates', String(r.duplicates)],
    ['lost', String(r.lost)],
    ['stuck', String(r.stuck)],
    ['other findings', String(r.other)],
    ['world broke, run again', String((r.worldBroke ?? []).length)],
    ['mean time per run', `${(r.meanMsPerRun / 1000).toFixed(1)} s`],
    ...Object.entries(r.runsPerPath).map(([k, v]): [string, string] => [`runs on path ${k}`, String(v)]),
    ...Object.entries(r.runsPerBackend ?? {}).map(([k, v]): [string, string] => [`runs on ${k}`, String(v)]),
    ...Object.entries(r.runsPerRail).map(([k, v]): [string, string] => [`runs on rail ${k}`, String(v)]),
    ...Object.entries(r.payoutsCheckedPerRail).map(([k, v]): [string, string] => [`payouts and escrows checked on ${k}`, String(v)]),
    ...Object.entries(r.faults)
      .sort()
      .map(([k, v]): [string, string] => [`fault fired: ${k}`, String(v)]),
    ...Object.entries(r.errorsSeen)
      .sort()
      .map(([k, v]): [string, string] => [`core answered ${k}`, String(v)]),
  ]
  const w = Math.max(...rows.map(([k]) => k.length))
  const lines = rows.map(([k, v]) => `| ${k.padEnd(w)} | ${v.padStart(10)} |`)
  const sep = `|${'-'.repeat(w + 2)}|${'-'.repeat(12)}|`
  const out = [sep, ...lines, sep]
  for (const w of r.worldBroke ?? []) out.push(`world broke in seed ${w.seed} (run again on a fresh one) — ${w.why}`)
  for (const u of r.uncodedErrors ?? []) out.push(`uncoded error in seed ${u.seed} — ${u.error}`)
  for (const f of r.failures) {
    out.push(`FAILED seed ${f.seed} — replay: ${f.replay}`)
    for (const s of [...f.findings.duplicates, ...f.findings.lost, ...f.findings.stuck, ...f.findings.other].slice(0, 8))
      out.push(`  - ${s}`)
  }
  return out.join('\n')
}

export function writeReport(file: string, r: CampaignReport): void {
  fs.writeFileSync(file, `${JSON.stringify(r, null, 2)}\n`)
}
