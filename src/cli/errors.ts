/**
 * How the CLI fails: exit code 2 for usage errors (bad flags, missing arguments), 1 for every
 * other failure; `error CODE: sentence` on stderr, and `{"error":{code,message,details?}}` on
 * stdout with --json — `details` only as the contract whitelists them for the code (the same rule
 * as the app's windows: src/main/core/api/toErrorPayload.ts), so scripts branch on structure, never
 * on the sentence. A CsError never shows a stack; an unexpected error shows one only with --debug.
 */
import { CommanderError } from 'commander'
import { CsError, isErrorCode, type ErrorPayload } from '../shared/errors'
import { crossingDetails } from '../main/core/api/toErrorPayload'
import { mapSqliteDamage } from '../main/core/db/sqlite/sqliteDamage'
import type { CliIo } from './io'

export const EXIT_OK = 0
export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2

/** A command line that cannot be run as given. Exit code 2. */
export class UsageError extends CsError {
  constructor(message: string) {
    super('INVALID_INPUT', message)
  }
}

/** Commander's own codes that are not errors at all. */
const COMMANDER_OK_CODES = new Set(['commander.helpDisplayed', 'commander.version'])

export interface ReportOptions {
  json: boolean
  debug: boolean
  /** The help to point at for usage errors, e.g. "countersign ledger post --help". */
  helpHint?: string
}

/** Print the failure and return the exit code. */
export function reportError(io: CliIo, thrown: unknown, options: ReportOptions): number {
  // SQLite's "the file is damaged" is DB_CORRUPT with what to do, never "unexpected problem".
  const error = mapSqliteDamage(thrown, null)
  if (error instanceof CommanderError) {
    if (COMMANDER_OK_CODES.has(error.code)) return EXIT_OK
    // 'commander.help' is help shown because no command was given: a usage error, already printed.
    if (error.code === 'commander.help') return EXIT_USAGE
    const message = error.message
      .replace(/^error:\s*/i, '')
      .replace(/\s*\n\s*/g, ' ')
      .replace(/[.\s]+$/, '')
    return emit(
      io,
      { code: 'INVALID_INPUT', message: `${capitalise(message)} — see ${options.helpHint ?? 'countersign --help'}.` },
      EXIT_USAGE,
      options,
    )
  }
  if (error instanceof UsageError) return emit(io, error.toPayload(), EXIT_USAGE, options)
  const code = (error as { code?: unknown } | null)?.code
  if (error instanceof CsError || (error instanceof Error && isErrorCode(code))) {
    const details = crossingDetails(code as ErrorPayload['code'], (error as { details?: unknown }).details)
    const payload: ErrorPayload = { code: code as ErrorPayload['code'], message: (error as Error).message, ...(details ? { details } : {}) }
    const exit = emit(io, payload, EXIT_FAILURE, options, cliHintOf(error))
    if (options.debug && payload.code === 'INTERNAL' && (error as Error).stack) io.stderr.write(`${(error as Error).stack}\n`)
    return exit
  }
  const detail = error instanceof Error ? error.message : String(error)
  const exit = emit(
    io,
    {
      code: 'INTERNAL',
      message: `Countersign hit an unexpected problem (${detail.slice(0, 200)}) — nothing more was changed; run again with --debug for details and report it.`,
    },
    EXIT_FAILURE,
    options,
  )
  if (options.debug) io.stderr.write(`${error instanceof Error && error.stack ? error.stack : String(error)}\n`)
  return exit
}

/** The error's CLI hint (CsError.cliHint), when it has one. */
function cliHintOf(error: unknown): string | undefined {
  const hint = (error as { cliHint?: unknown } | null)?.cliHint
  return typeof hint === 'string' && hint !== '' ? hint : undefined
}

function emit(io: CliIo, payload: ErrorPayload, exitCode: number, options: ReportOptions, cliHint?: string): number {
  if (options.json) io.stdout.write(JSON.stringify({ error: payload }) + '\n')
  io.stderr.write(`error ${payload.code}: ${payload.message}\n`)
  // For people at a terminal, after the sentence (which speaks of the app's screens); --json output is unchanged.
  if (cliHint) io.stderr.write(`hint: ${cliHint}\n`)
  return exitCode
}

function capitalise(text: string): string {
  return text.length > 0 ? text[0]!.toUpperCase() + text.slice(1) : text
}
