/**
 * Where a chaos run's wall time goes (`npm run chaos -- --timings`, and `msPerStage` in the report):
 * milliseconds per named stage, summed over the run. Measuring only — nothing here decides anything
 * in the run, so a seed replays the same with or without it.
 */
export interface StageTimer {
  /** Runs `f`, adding its wall time to `stage`. */
  time<T>(stage: string, f: () => Promise<T>): Promise<T>
  add(stage: string, ms: number): void
  readonly ms: Record<string, number>
}

export function stageTimer(): StageTimer {
  const ms: Record<string, number> = {}
  const add = (stage: string, n: number) => void (ms[stage] = (ms[stage] ?? 0) + Math.round(n))
  return {
    ms,
    add,
    async time(stage, f) {
      const t0 = performance.now()
      try {
        return await f()
      } finally {
        add(stage, performance.now() - t0)
      }
    },
  }
}

/** "world 1.2 s · setup 0.4 s · …", largest first; a stage named "#…" is a count, not a time. */
export function formatStages(ms: Record<string, number>): string {
  const counts = Object.entries(ms).filter(([k]) => k.startsWith('#'))
  return [
    ...Object.entries(ms)
      .filter(([k]) => !k.startsWith('#'))
      .sort(([, a], [, b]) => b - a)
      .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`),
    ...counts.map(([k, v]) => `${k.slice(1)} ${v}`),
  ].join(' · ')
}
