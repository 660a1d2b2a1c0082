/**
 * One report from a campaign run in parts (issue 18: "split across rails and paths, run in parts";
 * the command is mergeReportsCli.ts). Counts add up, the mean time per run is weighted by runs,
 * failures are kept with their replay lines; its seed names the parts (campaign seed × runs).
 */
import { emptyReport, UNCODED_LISTED_MAX, type CampaignReport } from './report'

export function mergeReports(parts: readonly CampaignReport[]): CampaignReport {
  const add = (into: Record<string, number>, from: Record<string, number>) => {
    for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v
  }
  const runs = parts.reduce((s, p) => s + p.runs, 0)
  const merged: CampaignReport = {
    ...emptyReport(parts.map((p) => `${p.seed}×${p.runs}`).join(' + ')),
    runs,
    meanMsPerRun: runs === 0 ? 0 : Math.round(parts.reduce((s, p) => s + p.meanMsPerRun * p.runs, 0) / runs),
  }
  for (const p of parts) {
    merged.failedRuns += p.failedRuns
    merged.duplicates += p.duplicates
    merged.lost += p.lost
    merged.stuck += p.stuck
    merged.other += p.other
    add(merged.faults, p.faults)
    add(merged.runsPerRail, p.runsPerRail)
    add(merged.runsPerPath, p.runsPerPath)
    add(merged.payoutsCheckedPerRail, p.payoutsCheckedPerRail)
    add(merged.errorsSeen, p.errorsSeen)
    // A part written before reports named their backend says so, rather than being guessed.
    add(merged.runsPerBackend, p.runsPerBackend ?? (p.runs > 0 ? { 'an unrecorded backend': p.runs } : {}))
    merged.worldBroke.push(...(p.worldBroke ?? []))
    merged.uncodedErrors.push(...(p.uncodedErrors ?? []).slice(0, UNCODED_LISTED_MAX - merged.uncodedErrors.length))
    merged.failures.push(...p.failures)
    // Means per run, weighted by runs (parts written before per-stage timings existed have none).
    for (const [k, v] of Object.entries(p.msPerStage ?? {}))
      merged.msPerStage[k] = (merged.msPerStage[k] ?? 0) + Math.round((v * p.runs * 10) / runs) / 10
  }
  return merged
}
