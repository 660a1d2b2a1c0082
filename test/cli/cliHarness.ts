/** Run the CLI in-process (main()) or as a real process (node bin/countersign.mjs), capturing output. */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { main } from '../../src/cli/index'

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
export const BIN = path.join(REPO_ROOT, 'bin', 'countersign.mjs')

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** An environment without the caller's COUNTERSIGN_* settings, so tests never touch a real workspace. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('COUNTERSIGN_')) env[k] = v
  return { ...env, NO_COLOR: '1', ...extra }
}

export async function runCli(args: string[], options: { env?: Record<string, string>; stdin?: string } = {}): Promise<CliResult> {
  let stdout = ''
  let stderr = ''
  const code = await main(args, {
    stdout: { write: (s: string) => (stdout += s), isTTY: false },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    env: cleanEnv(options.env),
    stdin: Readable.from(options.stdin !== undefined ? [Buffer.from(options.stdin)] : []),
  })
  return { code, stdout, stderr }
}

export function spawnCli(args: string[], options: { env?: Record<string, string>; stdin?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env: cleanEnv(options.env), stdio: ['pipe', 'pipe', 'pipe'] })
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
