/**
 * The full campaign, a command (issue 18):
 *   npm run chaos -- --runs N --seed S [--rails evm,stellar,stripe] [--paths payouts,escrow,receipts,stripe-bank]
 *                    [--backend sqlite|postgres] [--report FILE] [--break resign] [--kills db|db,net] [--timings]
 * Run i of campaign S has the seed "S.i"; a seed with a dot and --runs 1 replays that one run alone
 * (the line printed for a failure). --break resign runs the deliberately broken engine
 * (COUNTERSIGN_TEST_BREAK=resign-instead-of-rebroadcast): the campaign must then fail (exit 1).
 * --kills: SIGKILLs at the k-th database call and at the k-th HTTP exchange with a rail (db,net, the
 * default), or at database calls only (db: how the seeds kept before network kills were found).
 * Postgres: `npx tsx scripts/postgres-cluster.ts run -- npm run chaos -- --backend postgres …`.
 * The report (JSON) is rewritten after every run, so a campaign cut short keeps its figures; its
 * msPerStage says where a run's time goes (--timings prints it for each run).
 */
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { replayCommand, type RunOptions, type RunResult } from './campaign'
import { PATH_NAMES } from './paths'
import { buildReport, formatReport, writeReport } from './report'
import { runCampaign, runSeeds } from './runCampaign'
import { formatStages } from './stageTimer'
import { ALL_RAILS, type RailName } from './world'

const BREAKS: Record<string, string> = { resign: 'resign-instead-of-rebroadcast' }

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '10' },
      seed: { type: 'string', default: '1' },
      rails: { type: 'string' },
      paths: { type: 'string' },
      backend: { type: 'string', default: 'sqlite' },
      report: { type: 'string', default: 'out/chaos/report.json' },
      break: { type: 'string' },
      kills: { type: 'string', default: 'db,net' },
      timings: { type: 'boolean', default: false },
    },
  })
  const runs = Number(values.runs)
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer')
  const rails = values.rails?.split(',') as RailName[] | undefined
  for (const r of rails ?? []) if (!ALL_RAILS.includes(r)) throw new Error(`unknown rail ${r} (known: ${ALL_RAILS.join(', ')})`)
  const paths = values.paths?.split(',')
  for (const p of paths ?? []) if (!PATH_NAMES.includes(p)) throw new Error(`unknown path ${p} (known: ${PATH_NAMES.join(', ')})`)
  if (values.backend === 'postgres') process.env.COUNTERSIGN_TEST_DB = 'postgres'
  else if (values.backend !== 'sqlite') throw new Error('--backend is sqlite or postgres')
  const breakMode = values.break ? BREAKS[values.break] : undefined
  if (values.break && !breakMode) throw new Error(`unknown --break ${values.break} (known: ${Object.keys(BREAKS).join(', ')})`)
  if (values.kills !== 'db' && values.kills !== 'db,net') throw new Error('--kills is db or db,net')
  const opts: RunOptions = {
    ...(rails ? { rails } : {}),
    ...(paths ? { paths } : {}),
    ...(breakMode ? { breakMode: values.break! } : {}),
    ...(values.kills === 'db' ? { netKills: false } : {}),
    ...(values.backend === 'postgres' ? { backend: 'postgres' as const } : {}),
  }
  const runOpts: RunOptions = { ...opts, ...(breakMode ? { breakMode } : {}) }
  const seed = values.seed!
  const seeds = seed.includes('.') && runs === 1 ? [seed] : runSeeds(seed, runs)
  fs.mkdirSync(path.dirname(values.report!), { recursive: true })
  const done: RunResult[] = []
  const results = await runCampaign(seeds, runOpts, (r, i) => {
    const status = r.ok ? 'ok' : `FAILED — replay: ${replayCommand(r.seed, opts)}`
    for (const why of r.worldBroke) process.stdout.write(`  world broke in seed ${r.seed}, run again on a fresh one: ${why}\n`)
    const fired = Object.entries(r.faults)
      .map(([k, v]) => `${k}×${v}`)
      .join(' ')
    done.push(r)
    writeReport(values.report!, buildReport(seed, done, opts)) // kept current: a campaign cut short still has its report
    process.stdout.write(
      `run ${i + 1}/${seeds.length} seed ${r.seed}: ${status} (${(r.ms / 1000).toFixed(1)} s, ${r.phases} phases, db calls ${r.dbCalls.join('/')}, requests ${r.requests.join('/')}; ${fired || 'no fault fired'})\n`,
    )
    for (const u of r.uncoded) process.stdout.write(`  uncoded error: ${u}\n`)
    if (values.timings) process.stdout.write(`  time: ${formatStages(r.msPerStage)}\n`)
  })
  const report = buildReport(seed, results, opts)
  process.stdout.write(`${formatReport(report)}\n`)
  writeReport(values.report!, report)
  process.stdout.write(`report written to ${values.report}\n`)
  return report.failedRuns === 0 ? 0 : 1
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`chaos: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exit(2)
  },
)
