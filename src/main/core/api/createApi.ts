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
import { formatSizeAgainstLimit } from '../../../shared/fileSize'
import { PAYLOAD_BYTES_MAX } from '../../../shared/limits'
import type { Operator } from '../../../shared/workspaceApi'
import type { CoreContext } from '../context'
import { log } from '../log'
import { createApprovalSigner, type ApprovalSigner, type LedgerTypedDataSigner } from '../operators/approvalSigning'
import { findOperator } from '../operators/operators'
import { DIRECT_CHANNEL, type Channel, type SessionStore } from '../operators/sessions'
import { describeZodError, toErrorPayload, zodErrorDetails } from './toErrorPayload'

export { describeZodError, toErrorPayload } from './toErrorPayload'

export interface CallContext {
  core: CoreContext
  /** The unlocked operator making the call, or null if none (allowed for reads, and for the picker's calls). */
  operator: Operator | null
  /** Where the call came from (this window, connection or command); sessions are bound to it. */
  channel: Channel
  sessions: SessionStore
  /** Signs an approval with the operator's key (sealed ed25519 opened at unlock, or their Ledger); null when locked. */
  sign: ApprovalSigner | null
}

export interface ApiOptions {
  sessions: SessionStore
  /** EIP-712 signing on a Ledger approval key; null where no device can be reached. */
  ledgerTypedData?: LedgerTypedDataSigner | null
}

export type Handler<K extends CallName> = (call: CallContext, input: z.output<Calls[K]['input']>) => CallOutput<K> | Promise<CallOutput<K>>
export type Handlers = { [K in CallName]: Handler<K> }

export interface CoreApi {
  /**
   * For transports: everything untrusted, never throws. `channel` is chosen by the transport
   * (one per window / connection / command), never by the caller.
   */
  invoke(name: unknown, input: unknown, meta?: unknown, channel?: Channel): Promise<Result<unknown>>
  /** For the CLI and tests: typed; throws CsError on failure. In-process calls use DIRECT_CHANNEL unless told. */
  call<K extends CallName>(name: K, input: CallInput<K>, meta?: CallMeta, channel?: Channel): Promise<CallOutput<K>>
  /** The session store (Electron locks every session on OS lock and suspend). */
  readonly sessions: SessionStore
}

export function createApi(core: CoreContext, handlers: Handlers, options: ApiOptions): CoreApi {
  const { sessions } = options
  async function invoke(name: unknown, input: unknown, meta: unknown = {}, channel: Channel = DIRECT_CHANNEL): Promise<Result<unknown>> {
    try {
      return { ok: true, data: await dispatch(name, input, meta, channel) }
    } catch (error) {
      return { ok: false, error: toErrorPayload(error, typeof name === 'string' ? name : '?') }
    }
  }

  /**
   * Who is calling: the operator unlocked on this channel that meta names (or the only one there).
   * Naming an operator who is not unlocked here is refused — it is never taken on trust.
   */
  async function resolveOperator(
    named: string | undefined,
    channel: Channel,
    mutates: boolean,
  ): Promise<{ operator: Operator; secret: Uint8Array | null; unlocked: boolean } | null> {
    const unlocked = sessions.unlocked(channel)
    if (named === undefined) {
      if (unlocked.length !== 1) return null
      const only = sessions.get(channel, unlocked[0]!.operatorId)
      const op = only ? await findOperator(core, only.operatorId) : undefined
      return op && only ? { operator: op, secret: only.approvalSecret, unlocked: true } : null
    }
    const op = await findOperator(core, named)
    if (!op) throw new CsError('OPERATOR_NOT_FOUND', `There is no operator "${named}" in this workspace — pick a profile from the list.`)
    const entry = sessions.get(channel, op.id)
    if (entry) return { operator: op, secret: entry.approvalSecret, unlocked: true }
    // A read from a script or in-process code may say whose view it wants (the file is readable
    // to it anyway); it gets no signing power and can change nothing.
    if (!mutates && channel.kind !== 'window') return { operator: op, secret: null, unlocked: false }
    if (unlocked.length > 0 && channel.kind === 'window') {
      throw new CsError(
        'OPERATOR_SESSION_MISMATCH',
        `This window is unlocked as someone else, not ${op.name} — lock it and unlock as ${op.name} with their own passphrase.`,
      )
    }
    throw new CsError(
      'OPERATOR_LOCKED',
      `${op.name} is locked here — unlock with ${op.name}'s passphrase first (CLI: COUNTERSIGN_PASSPHRASE, --passphrase-file, or the prompt).`,
    )
  }

  async function dispatch(name: unknown, input: unknown, meta: unknown, channel: Channel): Promise<unknown> {
    if (!isCallName(name)) {
      throw new CsError('UNKNOWN_CALL', `"${String(name).slice(0, 60)}" is not a Countersign call — update the app so both sides match.`)
    }
    const size = payloadBytes(input)
    if (size > PAYLOAD_BYTES_MAX) {
      const sizes = formatSizeAgainstLimit(size, PAYLOAD_BYTES_MAX)
      throw new CsError(
        'PAYLOAD_TOO_LARGE',
        // Only a request a screen or a script built past its own file checks reaches this: the
        // surfaces that send a file refuse it first in the file's own terms (shared/fileSize.ts).
        `This request is ${sizes.size} — one request can carry at most ${sizes.limit}. Send less at once: split the file or the batch.`,
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
    const whileLocked = 'whileLocked' in spec && spec.whileLocked === true
    // Picker calls never act as anyone: a stale operator id in their meta must not lock them out.
    const resolved = whileLocked ? null : await resolveOperator(metaParsed.data.operatorId, channel, spec.mutates)
    const operator = resolved?.operator ?? null
    // operators.add without an operator is the first admin of an empty workspace (checked there).
    if (!operator && channel.kind === 'window' && !whileLocked && name !== 'operators.add') {
      throw new CsError('OPERATOR_LOCKED', 'This window is locked — choose your profile and unlock with your passphrase.')
    }
    if (spec.mutates && !operator && name !== 'operators.add') {
      throw new CsError(
        'OPERATOR_REQUIRED',
        'Unlock your operator profile first — every change is recorded with who made it (CLI: --as NAME with your passphrase).',
      )
    }
    if (operator && operator.status !== 'active' && spec.mutates) {
      throw new CsError('OPERATOR_INACTIVE', `${operator.name} is ${operator.status} and cannot make changes — ask an admin.`)
    }
    const sign =
      resolved?.unlocked === true
        ? createApprovalSigner(core, resolved.operator.id, resolved.secret, options.ledgerTypedData ?? null)
        : null
    const handler = handlers[name] as Handler<CallName>
    const output = await handler({ core, operator, channel, sessions, sign }, parsed.data as never)
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
    sessions,
    async call(name, input, meta, channel) {
      let thrown: unknown
      try {
        return (await dispatch(name, input, meta ?? {}, channel ?? DIRECT_CHANNEL)) as never
      } catch (error) {
        thrown = error
      }
      // The details as they crossed the boundary (whitelisted), so the CLI and tests see what a window
      // sees; and the CLI's hint, which is for in-process callers only (invoke never carries it).
      const error = toErrorPayload(thrown, name)
      const cliHint = thrown instanceof CsError && error.code === thrown.code ? thrown.cliHint : undefined
      throw new CsError(error.code, error.message, {
        ...(error.details ? { details: error.details } : {}),
        ...(cliHint ? { cliHint } : {}),
      })
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
