/** Runs `runs` seeded runs (run i's seed is `${seed}.${i}`) on one campaign world; reports each as it ends. */
import { runOne, startSpareChildren, stopSpareChild, type RunOptions, type RunResult } from './campaign'
import { startCampaignWorld } from './world'

export function runSeeds(seed: string, runs: number): string[] {
  return Array.from({ length: runs }, (_, i) => `${seed}.${i}`)
}

export async function runCampaign(
  seeds: readonly string[],
  opts: RunOptions,
  onRun?: (r: RunResult, i: number) => void,
): Promise<RunResult[]> {
  startSpareChildren().catch(() => {}) // the children load while Anvil starts
  const campaign = await startCampaignWorld()
  const results: RunResult[] = []
  try {
    for (const [i, s] of seeds.entries()) {
      const r = await runOne(campaign, s, opts)
      results.push(r)
      onRun?.(r, i)
    }
  } finally {
    stopSpareChild()
    await campaign.stop()
  }
  return results
}
