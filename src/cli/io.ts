/**
 * What the CLI reads from and writes to. Passed in, never taken from `process`, so tests can run
 * `main()` in-process and capture everything. main() wraps the streams once (safeOutput.ts), so
 * every write is escaped whichever helper made it.
 */
import { BOLD_OFF, BOLD_ON, styledOutput } from './safeOutput'

export interface CliWritable {
  write(chunk: string): unknown
  /** True on a terminal: only then do we emphasise headers (no escape codes in pipes and files). */
  isTTY?: boolean
}

export interface CliIo {
  stdout: CliWritable
  stderr: CliWritable
  env: NodeJS.ProcessEnv
  /** Read by `ledger post -`. Defaults to process.stdin. */
  stdin?: NodeJS.ReadableStream
  /**
   * Stops long-running commands (`sandbox up`) when aborted. Without it they stop on SIGINT or
   * SIGTERM of this process.
   */
  signal?: AbortSignal
  /** Called by `sandbox up` once it is ready (tests in-process). */
  onReady?: (description: unknown) => void
}

/** Environment variables the CLI reads. */
export const OPERATOR_ENV = 'COUNTERSIGN_OPERATOR'

/** Global options every command sees (commander's optsWithGlobals()). */
export interface GlobalOptions {
  dataDir?: string
  json?: boolean
  as?: string
  /** A file holding the --as operator's passphrase on one line (else $COUNTERSIGN_PASSPHRASE, else a prompt). */
  passphraseFile?: string
  debug?: boolean
}

/** Output helpers bound to one run of the CLI. */
export interface Out {
  readonly io: CliIo
  readonly json: boolean
  /** Machine output: exactly the value, one line of JSON. */
  data(value: unknown): void
  /** Human output: a line on stdout (ignored in --json mode). */
  line(text?: string): void
  /** A note for people on stderr (progress, hints); never mixed into stdout. */
  note(text: string): void
  /** Emphasis for a terminal; plain text otherwise (and in --json mode). */
  bold(text: string): string
}

export function createOut(io: CliIo, json: boolean): Out {
  const color = styledOutput(io, json)
  return {
    io,
    json,
    data(value) {
      io.stdout.write(JSON.stringify(value) + '\n')
    },
    line(text = '') {
      if (!json) io.stdout.write(text + '\n')
    },
    note(text) {
      io.stderr.write(text + '\n')
    },
    bold(text) {
      // Marks, not escape codes: the guarded stdout turns them into bold (safeOutput.ts).
      return color ? `${BOLD_ON}${text}${BOLD_OFF}` : text
    },
  }
}
