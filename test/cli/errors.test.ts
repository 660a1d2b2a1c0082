import { CommanderError } from 'commander'
import { describe, expect, it } from 'vitest'
import { reportError, UsageError } from '../../src/cli/errors'
import { CsError } from '../../src/shared/errors'
import { toErrorPayload } from '../../src/main/core/api/toErrorPayload'

function capture(error: unknown, options: { json?: boolean; debug?: boolean } = {}) {
  let stdout = ''
  let stderr = ''
  const code = reportError(
    { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env: {} },
    error,
    { json: options.json ?? false, debug: options.debug ?? false },
  )
  return { code, stdout, stderr }
}

describe('reportError', () => {
  it('prints a CsError as "error CODE: sentence" without a stack, exit 1', () => {
    const r = capture(new CsError('DB_LOCKED', 'The workspace is busy — wait a moment and try again.'), { debug: true })
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'error DB_LOCKED: The workspace is busy — wait a moment and try again.\n' })
  })

  it('adds the JSON error on stdout with --json', () => {
    const r = capture(new CsError('FILE_INVALID', 'x.json is empty.'), { json: true })
    expect(JSON.parse(r.stdout)).toEqual({ error: { code: 'FILE_INVALID', message: 'x.json is empty.' } })
    expect(r.code).toBe(1)
  })

  it('adds the whitelisted details to the JSON error, never the rest, and keeps stderr to the sentence', () => {
    const error = new CsError('PREFLIGHT_FAILED', 'Batch "May" cannot be paid now — fix this, then execute again.', {
      details: { problems: [{ code: 'TREASURY_MISSING', message: 'no treasury account for USDC', secret: 'x' }], rpcUrl: 'https://u:p@n' },
    })
    const r = capture(error, { json: true })
    expect(JSON.parse(r.stdout)).toEqual({
      error: {
        code: 'PREFLIGHT_FAILED',
        message: 'Batch "May" cannot be paid now — fix this, then execute again.',
        details: { problems: [{ code: 'TREASURY_MISSING', message: 'no treasury account for USDC' }] },
      },
    })
    expect(r.stderr).toBe('error PREFLIGHT_FAILED: Batch "May" cannot be paid now — fix this, then execute again.\n')
    const none = capture(new CsError('DB_LOCKED', 'Busy — try again.', { details: { path: '/home/alice/ws' } }), { json: true })
    expect(JSON.parse(none.stdout)).toEqual({ error: { code: 'DB_LOCKED', message: 'Busy — try again.' } })
  })

  it("prints a CsError's CLI hint after the sentence; the app's payload never carries it", () => {
    const error = new CsError('BATCH_NOT_FOUND', 'There is no batch "b_x" — check the id (Payouts lists every batch).', {
      cliHint: 'countersign batches list',
    })
    const r = capture(error)
    expect(r.stderr).toBe(
      'error BATCH_NOT_FOUND: There is no batch "b_x" — check the id (Payouts lists every batch).\nhint: countersign batches list\n',
    )
    // --json: stdout is the contract's error as before; the hint is for the person on stderr.
    const j = capture(error, { json: true })
    expect(JSON.parse(j.stdout)).toEqual({
      error: { code: 'BATCH_NOT_FOUND', message: 'There is no batch "b_x" — check the id (Payouts lists every batch).' },
    })
    expect(j.stderr).toContain('hint: countersign batches list')
    // What crosses to the app's windows: code and sentence, no hint.
    expect(toErrorPayload(error, 'batches.get')).toEqual({ code: 'BATCH_NOT_FOUND', message: error.message })
    expect(JSON.stringify(error.toPayload())).not.toContain('countersign')
  })

  it('prints INTERNAL for an unexpected error, and its stack only with --debug', () => {
    const boom = new TypeError('cannot read properties of undefined')
    const quiet = capture(boom)
    expect(quiet.code).toBe(1)
    expect(quiet.stderr).toMatch(
      /^error INTERNAL: Countersign hit an unexpected problem \(cannot read properties of undefined\) — .*--debug.*\n$/,
    )
    expect(quiet.stderr).not.toContain('    at ')
    const loud = capture(boom, { debug: true })
    expect(loud.stderr).toContain('TypeError: cannot read properties of undefined\n    at ')
  })

  it('maps usage errors to exit 2 and help/version to 0', () => {
    expect(capture(new UsageError('Give a number.')).code).toBe(2)
    expect(capture(new CommanderError(1, 'commander.unknownOption', "error: unknown option '--x'")).stderr).toBe(
      "error INVALID_INPUT: Unknown option '--x' — see countersign --help.\n",
    )
    expect(capture(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'))).toEqual({ code: 0, stdout: '', stderr: '' })
    expect(capture(new CommanderError(0, 'commander.version', '0.1.0')).code).toBe(0)
  })
})
