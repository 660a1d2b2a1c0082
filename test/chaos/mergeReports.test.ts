/** A campaign run in parts adds up to one report: counts summed, mean weighted by runs, failures kept. */
import { describe, expect, it } from 'vitest'
import { mergeReports } from './mergeReports'
import { emptyReport, type CampaignReport } from './report'

function part(over: Partial<CampaignReport>): CampaignReport {
  return { ...emptyReport('1'), ...over }
}

describe('mergeReports', () => {
  it('sums every count, weights the mean by runs and keeps each failure', () => {
    const failure = {
      seed: '2.1',
      replay: 'npm run chaos -- --runs 1 --seed 2.1',
      findings: { duplicates: ['x'], lost: [], stuck: [], other: [], checked: {} },
    }
    const merged = mergeReports([
      part({
        seed: '1',
        runs: 3,
        meanMsPerRun: 10_000,
        faults: { sigkill: 2 },
        runsPerPath: { payouts: 3 },
        runsPerRail: { evm: 3 },
        runsPerBackend: { postgres: 3 },
        uncodedErrors: [{ seed: '1.2', error: 'sweep:evm: boom' }],
      }),
      part({
        seed: '2',
        runs: 1,
        failedRuns: 1,
        duplicates: 1,
        meanMsPerRun: 50_000,
        faults: { sigkill: 1, 'evm.reorgDeep': 1 },
        runsPerPath: { escrow: 1 },
        runsPerRail: { evm: 1, stripe: 1 },
        failures: [failure],
      }),
      // Written before reports named their backend: counted as such, not guessed.
      { ...part({ seed: '3', runs: 2, runsPerBackend: { sqlite: 2 } }), runsPerBackend: undefined } as unknown as CampaignReport,
    ])
    expect(merged).toMatchObject({
      seed: '1×3 + 2×1 + 3×2',
      runs: 6,
      failedRuns: 1,
      duplicates: 1,
      meanMsPerRun: 13_333,
      faults: { sigkill: 3, 'evm.reorgDeep': 1 },
      runsPerPath: { payouts: 3, escrow: 1 },
      runsPerRail: { evm: 4, stripe: 1 },
      failures: [failure],
      runsPerBackend: { postgres: 3, 'an unrecorded backend': 2 },
      uncodedErrors: [{ seed: '1.2', error: 'sweep:evm: boom' }],
    })
  })
})
