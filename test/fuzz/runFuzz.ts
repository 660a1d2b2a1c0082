/**
 * Runs a fuzz target (fuzzTargets.ts) in a worker thread with a watchdog. The worker posts every
 * input before checking it; when no next input or result comes within the per-input budget the
 * worker is terminated and the input reported as a hang. The budget is generous (a parse of these
 * inputs takes milliseconds; the budget is seconds) so it never fires on a slow machine — it only
 * stops a parser that loops, instead of a test run that never ends.
 *
 * Replay: a failure names its seed and fast-check path; `npm run fuzz -- --target T --seed S
 * --path P` runs exactly that input again (fast-check regenerates it from seed and path).
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'

export interface FuzzJob {
  target: string
  seed: number
  numRuns: number
  /** Stop after this long (the long campaign); numRuns is then only a ceiling. */
  timeMs?: number | undefined
  /** Replay one counterexample (fast-check's path). */
  path?: string | undefined
}

export type FuzzWorkerMessage =
  | { type: 'input'; text: string }
  | {
      type: 'done'
      target: string
      failed: boolean
      runs: number
      seed: number
      path: string | null
      counterexample: string | null
      error: string | null
    }

export interface FuzzResult {
  target: string
  seed: number
  /** Inputs checked (fast-check's count; for a hang, the inputs started). */
  runs: number
  failed: boolean
  hang: boolean
  path: string | null
  counterexample: string | null
  error: string | null
}

/** A parse that takes this long on a fuzz input (at most tens of kB) is a hang, not a slow machine. */
export const INPUT_BUDGET_MS_DEFAULT = 30_000
/** Loading the TypeScript in the worker, before its first input. */
const STARTUP_BUDGET_MS = 120_000

const HERE = path.dirname(fileURLToPath(import.meta.url))

/**
 * Runs the jobs one after another in one worker thread; a result per job, in order. A hang ends
 * the worker: its job is reported as hung and the jobs after it are not run.
 */
export function runFuzzJobs(jobs: readonly FuzzJob[], inputBudgetMs = INPUT_BUDGET_MS_DEFAULT): Promise<FuzzResult[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(path.join(HERE, 'fuzzWorkerBoot.mjs'), {
      workerData: { entry: path.join(HERE, 'fuzzWorker.ts'), jobs },
    })
    const results: FuzzResult[] = []
    let last: string | null = null
    let inputs = 0
    let settled = false
    const settle = (error?: Error): void => {
      if (settled) return
      settled = true
      clearTimeout(watchdog)
      void worker.terminate()
      if (error) reject(error)
      else resolve(results)
    }
    const onHang = (): void => {
      const job = jobs[results.length]!
      results.push({
        target: job.target,
        seed: job.seed,
        runs: inputs,
        failed: true,
        hang: true,
        path: null,
        counterexample: last,
        error: `no answer within ${inputBudgetMs} ms on input ${inputs}: the parser hangs`,
      })
      settle()
    }
    let watchdog = setTimeout(onHang, STARTUP_BUDGET_MS)
    worker.on('message', (m: FuzzWorkerMessage) => {
      clearTimeout(watchdog)
      if (m.type === 'input') {
        inputs++
        last = m.text
        watchdog = setTimeout(onHang, inputBudgetMs)
        return
      }
      results.push({ ...m, hang: false })
      inputs = 0
      last = null
      if (results.length === jobs.length) settle()
      else watchdog = setTimeout(onHang, inputBudgetMs)
    })
    worker.on('error', (error) => settle(error))
    worker.on('exit', (code) => settle(new Error(`the fuzz worker exited (${code}) after ${results.length} of ${jobs.length} jobs`)))
  })
}

/** The line that runs a failure again. */
export function replayCommand(r: Pick<FuzzResult, 'target' | 'seed' | 'path'>): string {
  return `npm run fuzz -- --target ${r.target} --seed ${r.seed}${r.path ? ` --path ${r.path}` : ''}`
}

/** A failure as a person reads it: what broke, on which input, and how to replay it. */
export function describeFailure(r: FuzzResult): string {
  const input =
    r.counterexample === null ? '(none)' : r.counterexample.length > 4000 ? `${r.counterexample.slice(0, 4000)}…` : r.counterexample
  return [
    `fuzz target ${r.target} ${r.hang ? 'HUNG' : 'failed'} (seed ${r.seed}${r.path ? `, path ${r.path}` : ''}, after ${r.runs} inputs)`,
    `error: ${r.error ?? '(none)'}`,
    `input:\n${input}`,
    `replay: ${replayCommand(r)}`,
  ].join('\n')
}
