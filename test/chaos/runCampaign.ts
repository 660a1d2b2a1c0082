/** Runs `runs` seeded runs (run i's seed is `${seed}.${i}`) on one campaign world; reports each as it ends. */
import { runOne, startSpareChildren, stopSpareChild, type RunOptions, type RunResult } from './campaign'
import { startCampaignWorld, type Campaign } from './world'

/** How many times a seed is run again on a fresh world when its world broke (not the product). */
export const WORLD_RETRIES_MAX = 2

/**
 * One run on `world.current`; when the world broke (result.invalid), the world is replaced by a
 * fresh one (a new Anvil) and the same seed run again, at most WORLD_RETRIES_MAX times. The
 * result lists the broken attempts (worldBroke), so the report counts them.
 */
export async function runOneOnSoundWorld(world: { current: Campaign }, seed: string, opts: RunOptions): Promise<RunResult> {
  const broke: string[] = []
  for (;;) {
    const r = await runOne(world.current, seed, opts)
    if (r.invalid === null || broke.length >= WORLD_RETRIES_MAX) return { ...r, worldBroke: broke }
    broke.push(r.invalid)
    await world.current.stop().catch(() => {})
    world.current = await startCampaignWorld()
  }
}

export function runSeeds(seed: string, runs: number): string[] {
  return Array.from({ length: runs }, (_, i) => `${seed}.${i}`)
}

export async function runCampaign(
  seeds: readonly string[],
  opts: RunOptions,
  onRun?: (r: RunResult, i: number) => void,
): Promise<RunResult[]> {
  startSpareChildren().catch(() => {}) // the children load while Anvil starts
  const world = { current: await startCampaignWorld() }
  const results: RunResult[] = []
  try {
    for (const [i, s] of seeds.entries()) {
      const r = await runOneOnSoundWorld(world, s, opts)
      results.push(r)
      onRun?.(r, i)
    }
  } finally {
    stopSpareChild()
    await world.current.stop()
  }
  return results
}
