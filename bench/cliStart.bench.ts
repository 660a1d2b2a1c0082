/**
 * How long `countersign batches list` takes from process start to exit (`npm run bench -- cli-start`),
 * beside `node -e ""` measured in the same run (node's own start on this machine):
 *  - built: bin/countersign.mjs running out/cli (`npm run build`; built here first when missing
 *    or stale, so the figure is never of the sources by accident);
 *  - sources: the same bin forced onto the TypeScript sources through tsx (COUNTERSIGN_CLI_FROM).
 * On a workspace with a 300-payout batch (made through the CLI once, not timed). Each is run
 * RUNS times in turn, interleaved, and the median printed with its ratio to node's start; never
 * asserted (the machine is shared and noisy).
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { builtEntry } from '../bin/builtCli.mjs'
import { BIN, envFor, initPayoutDesk, REPO_ROOT, runCli } from '../test/cli/cliHarness'
import { median } from './median'

const RUNS = 9
const PAYOUTS = 300

export interface CliStartBench {
  nodeMs: number
  builtMs: number
  sourcesMs: number
}

/** Wall time of one process, start to exit; fails loudly when the command failed. */
function timed(argv: string[], env: NodeJS.ProcessEnv): number {
  const started = performance.now()
  const r = spawnSync(process.execPath, argv, { cwd: REPO_ROOT, env, encoding: 'utf8' })
  const ms = performance.now() - started
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`)
  return ms
}

/** The payout desk of the CLI tests (Base USDC treasury, Alice and Bob) and one imported batch. */
async function seedWorkspace(dir: string): Promise<void> {
  await initPayoutDesk(dir)
  const csv = path.join(dir, '..', 'payouts.csv')
  const rows = Array.from({ length: PAYOUTS }, (_, i) => {
    const address = `0x${(i + 1).toString(16).padStart(40, '0')}`
    return `p-${i + 1},evm,8453,USDC,${address},${(i % 90) + 10}.00,,INV-${i + 1},Payee ${i + 1}`
  })
  fs.writeFileSync(csv, ['id,rail,network,asset,recipient,amount,memo,reference,name', ...rows].join('\n') + '\n')
  const r = await runCli(['--data-dir', dir, 'payouts', 'import', csv, '--as', 'Alice Preparer'])
  if (r.code !== 0) throw new Error(`payouts import: ${r.stderr}`)
}

export async function runCliStartBench(): Promise<CliStartBench> {
  if (builtEntry(new URL(`file://${REPO_ROOT}/`)) === null) {
    const built = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'build-cli.mjs')], { cwd: REPO_ROOT, encoding: 'utf8' })
    if (built.status !== 0) throw new Error(`scripts/build-cli.mjs failed: ${built.stderr}`)
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-bench-cli-'))
  const dir = path.join(root, 'books')
  try {
    await seedWorkspace(dir)
    const args = [BIN, '--data-dir', dir, '--json', 'batches', 'list']
    const env = envFor([])
    const sourcesEnv = { ...env, COUNTERSIGN_CLI_FROM: 'sources' }
    // One of each first: tsx's transform cache and the OS file cache are warm for every timed run.
    timed(args, env)
    timed(args, sourcesEnv)
    const node: number[] = []
    const built: number[] = []
    const sources: number[] = []
    for (let run = 0; run < RUNS; run++) {
      node.push(timed(['-e', ''], env))
      built.push(timed(args, env))
      sources.push(timed(args, sourcesEnv))
    }
    return { nodeMs: median(node), builtMs: median(built), sourcesMs: median(sources) }
  } finally {
    fs.rmSync(root, { recursive: true, force: true })
  }
}

export function printCliStartBench(b: CliStartBench): void {
  const row = (name: string, ms: number): string =>
    `${name.padEnd(44)} ${ms.toFixed(0).padStart(6)} ms  ${(ms / b.nodeMs).toFixed(1).padStart(5)}×`
  console.log(`\nCLI start: \`countersign batches list --json\` on a workspace with a ${PAYOUTS}-payout batch, median of ${RUNS}`)
  console.log(row('node -e ""', b.nodeMs))
  console.log(row('countersign (built, out/cli)', b.builtMs))
  console.log(row('countersign (sources through tsx)', b.sourcesMs))
}
