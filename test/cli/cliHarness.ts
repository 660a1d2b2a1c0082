/** Run the CLI in-process (main()) or as a real process (node bin/countersign.mjs), capturing output. */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { main } from '../../src/cli/index'
import { demoPassphrase } from '../../src/main/sandbox/sandboxPlan'

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
export const BIN = path.join(REPO_ROOT, 'bin', 'countersign.mjs')

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/**
 * An environment without the caller's COUNTERSIGN_* settings, so tests never touch a real
 * workspace — except the test-backend switch, so a workspace a CLI process creates is on the
 * backend of this pass (a fresh database on the test server on the PostgreSQL pass).
 */
const TEST_BACKEND_ENV = ['COUNTERSIGN_TEST_DB', 'COUNTERSIGN_TEST_PG_URL', 'COUNTERSIGN_KDF_PROFILE']
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('COUNTERSIGN_') || TEST_BACKEND_ENV.includes(k)) env[k] = v
  return { ...env, NO_COLOR: '1', ...extra }
}

/**
 * The environment of one CLI run: the caller's, plus — unless the test set one — the sandbox's
 * documented demo passphrase of the operator named by --as (or of the admin `init --admin` makes),
 * as a script acting for that operator would set COUNTERSIGN_PASSPHRASE.
 */
export function envFor(args: readonly string[], extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const named = valueAfter(args, '--as') ?? valueAfter(args, '--admin') ?? extra.COUNTERSIGN_OPERATOR
  const withPassphrase =
    'COUNTERSIGN_PASSPHRASE' in extra || named === undefined ? extra : { ...extra, COUNTERSIGN_PASSPHRASE: demoPassphrase(named) }
  return cleanEnv(withPassphrase)
}

function valueAfter(args: readonly string[], flag: string): string | undefined {
  const i = args.indexOf(flag)
  return i >= 0 ? args[i + 1] : undefined
}

/**
 * Invite an operator (as `admin`, an id or name) and have them set their demo passphrase with the
 * one-time code, as two people would: `operators add` then `operators activate`.
 */
export async function addOperatorCli(dataDir: string, admin: string, name: string, roles: readonly string[]): Promise<{ id: string }> {
  const added = await runCli([
    '--data-dir',
    dataDir,
    '--json',
    'operators',
    'add',
    '--as',
    admin,
    '--name',
    name,
    ...roles.flatMap((r) => ['--role', r]),
  ])
  if (added.code !== 0) throw new Error(`operators add failed: ${added.stderr}`)
  const result = JSON.parse(added.stdout) as { inviteCode: string | null; change: { subjectId: string; state: string } }
  if (result.inviteCode === null || result.change.state !== 'applied')
    throw new Error(`operator ${name} was not invited at once: ${added.stdout}`)
  const activated = await runCli(['--data-dir', dataDir, 'operators', 'activate', '--as', name, '--invite', result.inviteCode])
  if (activated.code !== 0) throw new Error(`operators activate failed: ${activated.stderr}`)
  return { id: result.change.subjectId }
}

/**
 * A workspace for payout tests, made through the CLI as people would: Dana the admin, Alice who
 * prepares and Bob who approves (each with their own passphrase), a Base USDC treasury with an
 * address and 1,000,000 USDC opened into it.
 */
export async function initPayoutDesk(dir: string): Promise<void> {
  const ok = async (...args: string[]): Promise<void> => {
    const r = await runCli(['--data-dir', dir, ...args])
    if (r.code !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`)
  }
  await ok('init', '--admin', 'Dana Admin')
  await addOperatorCli(dir, 'Dana Admin', 'Alice Preparer', ['preparer'])
  await addOperatorCli(dir, 'Dana Admin', 'Bob Approver', ['approver'])
  const dana = ['--as', 'Dana Admin']
  const usdc = 'USDC@evm:8453'
  const treasury = ['--id', 'treasury-usdc', '--name', 'Treasury USDC', '--kind', 'treasury', '--asset', usdc]
  await ok('ledger', 'accounts', 'add', ...dana, ...treasury, '--address', '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266')
  await ok('ledger', 'accounts', 'add', ...dana, '--id', 'opening-usdc', '--name', 'Opening USDC', '--kind', 'external', '--asset', usdc)
  const opening = path.join(dir, '..', `opening-${path.basename(dir)}.json`)
  const postings = [
    { account: 'treasury-usdc', debit: '1000000' },
    { account: 'opening-usdc', credit: '1000000' },
  ]
  fs.writeFileSync(opening, JSON.stringify({ id: 'opening-usdc', description: 'Opening balance', postings }))
  await ok('ledger', 'post', ...dana, opening)
}

export async function runCli(args: string[], options: { env?: Record<string, string>; stdin?: string } = {}): Promise<CliResult> {
  let stdout = ''
  let stderr = ''
  const code = await main(args, {
    stdout: { write: (s: string) => (stdout += s), isTTY: false },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    env: envFor(args, options.env),
    stdin: Readable.from(options.stdin !== undefined ? [Buffer.from(options.stdin)] : []),
  })
  return { code, stdout, stderr }
}

export function spawnCli(args: string[], options: { env?: Record<string, string>; stdin?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: REPO_ROOT,
      env: envFor(args, options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s))
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s))
    child.once('error', reject)
    child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
    child.stdin.end(options.stdin ?? '')
  })
}

export function tempDir(prefix = 'countersign-cli-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix))
}

/** Parse the single JSON document a --json command printed. */
export function json(result: CliResult): unknown {
  return JSON.parse(result.stdout)
}

/** Runs a CLI command that must succeed (the caller's wrapper with its --data-dir). */
export type OkCli = (...args: string[]) => Promise<CliResult>

/**
 * The sandbox's maker-checker path for a payouts file: Alice imports and submits, Bob approves,
 * Carol executes. Returns the batch id and what `batches execute --json` printed.
 */
export async function importApproveExecute(ok: OkCli, file: string): Promise<{ id: string; executed: unknown }> {
  const id = (json(await ok('payouts', 'import', file, '--as', 'Alice Preparer', '--json')) as { batchId: string }).batchId
  await ok('batches', 'submit', id, '--as', 'Alice Preparer')
  await ok('batches', 'approve', id, '--as', 'Bob Approver')
  const executed = json(await ok('batches', 'execute', id, '--as', 'Carol Signer', '--json'))
  return { id, executed }
}

/** `poll --once` up to `roundsMax` times until the batch is in `state`; returns the last state seen. */
export async function pollUntilState(ok: OkCli, batchId: string, state: string, roundsMax = 5): Promise<string> {
  let seen = ''
  for (let round = 1; round <= roundsMax && seen !== state; round++) {
    const polled = json(await ok('poll', '--once', '--json')) as { batches: { id: string; state: string }[] }
    seen = polled.batches.find((b) => b.id === batchId)?.state ?? seen
  }
  return seen
}
