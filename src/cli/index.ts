/**
 * `countersign` — the CLI over the same core as the app, through the contract only.
 * `main(argv, io)` runs one command line in-process (tests) and resolves to the exit code;
 * executing this file directly (`tsx src/cli/index.ts …`, `npm run cli -- …`) runs it on the
 * real process. bin/countersign.mjs imports main() and does the same.
 */
import fs from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Command } from 'commander'
import { reportError } from './errors'
import type { CliIo } from './io'
import { createProgram } from './program'
import { guardCliIo } from './safeOutput'
import type { RunState } from './session'

export type { CliIo } from './io'

/** Run one command line (without "node" and the script), e.g. ['ledger', 'balances', '--json']. */
export async function main(argv: readonly string[], rawIo: CliIo): Promise<number> {
  const state: RunState = { exitCode: 0 }
  // Known before commander parses, so even a usage error answers in the asked-for form.
  const options = argv.slice(0, argvEnd(argv))
  const flags = { json: options.includes('--json'), debug: options.includes('--debug') }
  // Every byte printed from here on is escaped: stored text can never drive the terminal.
  const io = guardCliIo(rawIo, { json: flags.json })
  const program = createProgram(io, state)
  try {
    await program.parseAsync([...argv], { from: 'user' })
    return state.exitCode
  } catch (error) {
    return reportError(io, error, { ...flags, helpHint: helpHintFor(program, options) })
  }
}

/** "countersign ledger post --help": the deepest command named on the line. */
function helpHintFor(program: Command, args: readonly string[]): string {
  const names = [program.name()]
  let current = program
  for (const arg of args) {
    if (arg.startsWith('-')) continue
    const sub = current.commands.find((c) => c.name() === arg || c.aliases().includes(arg))
    if (!sub) continue
    names.push(sub.name())
    current = sub
  }
  return `${names.join(' ')} --help`
}

function argvEnd(argv: readonly string[]): number {
  const i = argv.indexOf('--')
  return i === -1 ? argv.length : i
}

/** The real process's streams and environment. */
export function processIo(): CliIo {
  // `countersign ledger entries | head`: once the reader is gone there is no one left to tell.
  // Every write to the DB has committed before its output is printed, so stopping here is safe.
  process.stdout.once('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw error
  })
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, stdin: process.stdin }
}

function isDirectRun(): boolean {
  const script = process.argv[1]
  if (!script) return false
  try {
    return fs.realpathSync(script) === fs.realpathSync(fileURLToPath(import.meta.url))
  } catch {
    return false
  }
}

if (isDirectRun()) {
  process.exitCode = await main(process.argv.slice(2), processIo())
}
