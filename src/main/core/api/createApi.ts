/**
 * The transport-neutral entry to the core. Every transport (Electron IPC, the browser-mode
 * WebSocket, the CLI, tests) hands `invoke` an untrusted name, input and meta; it checks all
 * three against the contract, runs the handler, checks the output, and returns a Result whose
 * error is `{ code, message, details? }` (./toErrorPayload.ts) — never a stack or a secret, and
 * details only as the contract whitelists them for the code.
 */
import type { z } from 'zod'
import { CallMeta, calls, isCallName, type CallInput, type CallName, type CallOutput, type Calls, type Result } from '../../../shared/api'
import { CsError } from '../../../shared/errors'
import { PAYLOAD_BYTES_MAX } from '../../../shared/limits'
import type { Operator } from '../../../shared/workspaceApi'
import type { CoreContext } from '../context'
import { log } from '../log'
import { findOperator } from '../operators/operators'
import { describeZodError, toErrorPayload, zodErrorDetails } from './toErrorPayload'

export { describeZodError, toErrorPayload } from './toErrorPayload'

export interface CallContext {
  core: CoreContext
  /** The operator making the call, or null if none was given (allowed for reads only). */
  operator: Operator | null
}

export type Handler<K extends CallName> = (call: CallContext, input: z.output<Calls[K]['input']>) => CallOutput<K> | Promise<CallOutput<K>>
export type Handlers = { [K in CallName]: Handler<K> }

export interface CoreApi {
  /** For transports: everything untrusted, never throws. */
  invoke(name: unknown, input: unknown, meta?: unknown): Promise<Result<unknown>>
  /** For the CLI and tests: typed; throws CsError on failure. */
  call<K extends CallName>(name: K, input: CallInput<K>, meta?: CallMeta): Promise<CallOutput<K>>
}

export function createApi(core: CoreContext, handlers: Handlers): CoreApi {
  async function invoke(name: unknown, input: unknown, meta: unknown = {}): Promise<Result<unknown>> {
    try {
      return { ok: true, data: await dispatch(name, input, meta) }
    } catch (error) {
      return { ok: false, error: toErrorPayload(error, typeof name === 'string' ? name : '?') }
    }
  }

  async function dispatch(name: unknown, input: unknown, meta: unknown): Promise<unknown> {
    if (!isCallName(name)) {
      throw new CsError('UNKNOWN_CALL', `"${String(name).slice(0, 60)}" is not a Countersign call — update the app so both sides match.`)
    }
    const size = payloadBytes(input)
    if (size > PAYLOAD_BYTES_MAX) {
      throw new CsError(
        'PAYLOAD_TOO_LARGE',
        `The request is ${formatMiB(size)} — the limit is ${formatMiB(PAYLOAD_BYTES_MAX)}. Split it into smaller batches.`,
        { details: { bytes: size, bytesMax: PAYLOAD_BYTES_MAX } },
      )
    }
    const metaParsed = CallMeta.safeParse(meta ?? {})
    if (!metaParsed.success)
      throw new CsError(
        'INVALID_INPUT',
        'The request did not say who is making it in a form Countersign understands — reload the window and pick your operator again.',
      )
    const spec = calls[name]
    const parsed = spec.input.safeParse(input ?? {})
    if (!parsed.success)
      throw new CsError('INVALID_INPUT', describeZodError(parsed.error), { cause: parsed.error, details: zodErrorDetails(parsed.error) })
    let operator: Operator | null = null
    if (metaParsed.data.operatorId !== undefined) {
      operator = (await findOperator(core, metaParsed.data.operatorId)) ?? null
      if (!operator)
        throw new CsError(
          'OPERATOR_NOT_FOUND',
          `There is no operator "${metaParsed.data.operatorId}" in this workspace — pick a profile from the list.`,
        )
    }
    if (spec.mutates && !operator && name !== 'operators.add') {
      throw new CsError(
        'OPERATOR_REQUIRED',
        'Pick your operator profile first — every change is recorded with who made it (CLI: --as NAME).',
      )
    }
    const handler = handlers[name] as Handler<CallName>
    const output = await handler({ core, operator }, parsed.data as never)
    const checked = spec.output.safeParse(output)
    if (!checked.success) {
      // A programmer error: the core broke its own contract. Never hand half-valid data out.
      log('error', 'output does not match the contract', { call: name, issues: checked.error.issues.slice(0, 5) })
      throw new CsError(
        'INTERNAL',
        'Countersign produced an answer it could not check — nothing more was changed. Report this with the log.',
      )
    }
    return checked.data
  }

  return {
    invoke,
    async call(name, input, meta) {
      const result = await invoke(name, input, meta)
      if (result.ok) return result.data as never
      // The details as they crossed the boundary (whitelisted), so the CLI and tests see what a window sees.
      throw new CsError(result.error.code, result.error.message, result.error.details ? { details: result.error.details } : {})
    },
  }
}

function payloadBytes(input: unknown): number {
  try {
    const text = JSON.stringify(input ?? null)
    return text === undefined ? 0 : Buffer.byteLength(text, 'utf8')
  } catch (cause) {
    throw new CsError('INVALID_INPUT', 'The request could not be read as JSON — send plain data (no bigints, functions or cycles).', {
      cause,
    })
  }
}

function formatMiB(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`
}
