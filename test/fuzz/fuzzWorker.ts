/**
 * Runs fuzz targets one after another in a worker thread (runFuzz.ts starts it): posts each input before it is
 * checked, so the runner's watchdog can name the input a parser hangs on, then the result.
 */
import { parentPort, workerData } from 'node:worker_threads'
import fc from 'fast-check'
import { FUZZ_TARGETS, type FuzzTarget, type FuzzTargetName } from './fuzzTargets'
import type { FuzzJob, FuzzWorkerMessage } from './runFuzz'

const jobs = (workerData as { jobs: FuzzJob[] }).jobs
const post = (m: FuzzWorkerMessage): void => parentPort!.postMessage(m)

// One worker runs every job in turn: loading the TypeScript once is most of a short run's time.
for (const job of jobs) {
  const target = FUZZ_TARGETS[job.target as FuzzTargetName] as unknown as FuzzTarget
  const property = fc.property(target.arbitrary, (value) => {
    post({ type: 'input', text: target.show(value) })
    target.check(value)
  })
  const details = fc.check(property, {
    seed: job.seed,
    ...(job.path !== undefined ? { path: job.path } : {}),
    numRuns: job.numRuns,
    ...(job.timeMs !== undefined ? { interruptAfterTimeLimit: job.timeMs, markInterruptAsFailure: false } : {}),
  })
  post({
    type: 'done',
    target: job.target,
    failed: details.failed,
    runs: details.numRuns,
    seed: details.seed,
    path: details.counterexamplePath ?? null,
    counterexample: details.counterexample === null ? null : target.show(details.counterexample[0]),
    error: details.errorInstance === null ? null : String((details.errorInstance as Error).stack ?? details.errorInstance),
  })
}
