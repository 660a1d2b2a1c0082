/**
 * Raw JSON-RPC over HTTP for the EVM rail: one call, or many in ONE request (a JSON-RPC batch).
 * The poller asks for every open submission's receipt in one batch per sweep, so the request
 * count does not grow with the number of open transactions (bench/poller.bench.ts measures it).
 * viem's `http({ batch: true })` would group calls too, but only those started in the same tick
 * and up to its batch size; an explicit array makes "one sweep = one request" a property of the
 * code rather than of timing.
 */
import { CsError, type ErrorCode } from '../../../../shared/errors'
import { invariant } from '../../util/invariant'
import { checkRailUrl } from '../checkRailUrl'

export interface JsonRpcCall {
  method: string
  params: readonly unknown[]
}

/** A failed call keeps the node's `data` (a revert's encoded custom error) when it sent one. */
export type JsonRpcResult = { ok: true; result: unknown } | { ok: false; code: number; message: string; data?: unknown }

/** An answer took too long: the request may still have been delivered. */
export const rpcTimeoutMsDefault = 15_000
/** Calls in one batch request; a sweep never needs more (open submissions are capped upstream). */
export const rpcBatchCallsMax = 20_000

/**
 * Whether a failed request may have reached the node. A refused connection or an unknown host
 * delivered nothing; a timeout or a dropped connection may have delivered everything.
 */
export class RpcTransportError extends CsError {
  readonly delivered: 'no' | 'maybe'
  constructor(message: string, delivered: 'no' | 'maybe', cause: unknown, code: ErrorCode = 'RAIL_UNAVAILABLE') {
    super(code, message, { cause })
    this.delivered = delivered
  }
}

const NOT_DELIVERED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'])

async function post(url: string, body: unknown, timeoutMs: number): Promise<unknown> {
  try {
    // Checked at every use, not only when set: a stored http:// URL to another machine (written
    // before the rule, or into the database) is never used (checkRailUrl.ts).
    checkRailUrl('evm-rpc', url, { sandbox: false })
  } catch (refusal) {
    throw new RpcTransportError((refusal as Error).message, 'no', refusal, 'RAIL_URL_REFUSED')
  }
  let response: Response
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    })
  } catch (error) {
    const code = (error as { cause?: { code?: unknown } }).cause?.code
    const delivered = typeof code === 'string' && NOT_DELIVERED_CODES.has(code) ? 'no' : 'maybe'
    throw new RpcTransportError(
      'The EVM node did not answer — check the RPC URL and your connection; Countersign keeps retrying in the background.',
      delivered,
      error,
    )
  }
  if (!response.ok) {
    throw new RpcTransportError(
      `The EVM node answered HTTP ${response.status} — it may be down or rate-limiting; Countersign keeps retrying in the background.`,
      'maybe',
      undefined,
    )
  }
  try {
    return await response.json()
  } catch (error) {
    throw new RpcTransportError('The EVM node sent an answer that is not JSON — check the RPC URL.', 'maybe', error)
  }
}

function toResult(item: unknown): JsonRpcResult {
  const o = item as { result?: unknown; error?: { code?: unknown; message?: unknown; data?: unknown } } | null
  if (o !== null && typeof o === 'object' && o.error !== undefined) {
    const failed = {
      ok: false as const,
      code: typeof o.error.code === 'number' ? o.error.code : 0,
      message: String(o.error.message ?? 'error'),
    }
    return o.error.data === undefined ? failed : { ...failed, data: o.error.data }
  }
  return { ok: true, result: o?.result ?? null }
}

/** Many calls in one HTTP request; results in call order, each ok or an RPC error. */
export async function rpcBatch(url: string, calls: readonly JsonRpcCall[], timeoutMs = rpcTimeoutMsDefault): Promise<JsonRpcResult[]> {
  if (calls.length === 0) return []
  invariant(calls.length <= rpcBatchCallsMax, () => `${calls.length} calls exceed rpcBatchCallsMax`)
  const body = calls.map((c, i) => ({ jsonrpc: '2.0', id: i, method: c.method, params: c.params }))
  const answer = await post(url, body, timeoutMs)
  if (!Array.isArray(answer)) {
    // Some nodes answer a whole batch with one error object (batch too large, not supported).
    const single = toResult(answer)
    const message = single.ok ? 'not a batch answer' : single.message
    throw new RpcTransportError(
      `The EVM node refused a batch request (${message.slice(0, 120)}) — use a node that supports JSON-RPC batches.`,
      'maybe',
      undefined,
    )
  }
  const byId = new Map<number, unknown>()
  for (const item of answer) {
    const id = (item as { id?: unknown } | null)?.id
    if (typeof id === 'number') byId.set(id, item)
  }
  return calls.map((_, i) => (byId.has(i) ? toResult(byId.get(i)) : { ok: false, code: 0, message: 'missing from the batch answer' }))
}

/** One call; an RPC error becomes RAIL_UNAVAILABLE with the node's message kept as the cause. */
export async function rpcCall<T>(url: string, method: string, params: readonly unknown[], timeoutMs = rpcTimeoutMsDefault): Promise<T> {
  const answer = toResult(await post(url, { jsonrpc: '2.0', id: 0, method, params }, timeoutMs))
  if (!answer.ok) throw new RpcError(method, answer.code, answer.message, answer.data)
  return answer.result as T
}

/** The node answered, with an error. */
export class RpcError extends Error {
  override readonly name = 'RpcError'
  constructor(
    readonly method: string,
    readonly rpcCode: number,
    readonly rpcMessage: string,
    /** The error's `data` (e.g. the revert data of eth_call / eth_estimateGas), when the node sent it. */
    readonly rpcData?: unknown,
  ) {
    super(`${method}: ${rpcMessage}`)
  }
}
