/**
 * Decoding of Stripe's v1 request encoding, and a JSON writer that keeps bigint exact.
 *
 * stripe-node sends POST bodies (and GET query strings) as
 * `application/x-www-form-urlencoded` with bracketed nesting: `metadata[payout_id]=p1`,
 * `types[0]=transfer.created` (arrays are indexed; `types[]=` is accepted too, as Stripe's API
 * does). We turn that back into a plain object tree whose leaves are strings — the API receives
 * strings only; each endpoint decides what is an integer.
 *
 * Amounts are bigint inside the harness; `toJson` writes them as bare JSON integers, exactly,
 * so no amount ever passes through a float on our side.
 */

export type FormValue = string | FormValue[] | { [key: string]: FormValue }
export type FormParams = Record<string, FormValue>

/** A nesting deeper than this is a malformed request, not a Stripe parameter. */
const FORM_DEPTH_MAX = 8
/** Indexed arrays beyond this are refused (Stripe's own limits are far lower). */
const FORM_ARRAY_INDEX_MAX = 1000

export class FormDecodeError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'FormDecodeError'
  }
}

/** `a[b][0]` → ['a', 'b', '0']; `a[]` → ['a', '']. */
function splitKey(key: string): string[] {
  const open = key.indexOf('[')
  if (open === -1) return [key]
  const segments = [key.slice(0, open)]
  const rest = key.slice(open)
  const re = /\[([^[\]]*)\]/g
  let consumed = 0
  for (let m = re.exec(rest); m !== null; m = re.exec(rest)) {
    if (m.index !== consumed) throw new FormDecodeError(`Invalid parameter name: ${key}`)
    segments.push(m[1] ?? '')
    consumed = m.index + m[0].length
  }
  if (consumed !== rest.length || segments[0] === '') throw new FormDecodeError(`Invalid parameter name: ${key}`)
  if (segments.length > FORM_DEPTH_MAX) throw new FormDecodeError(`Parameter nested too deeply: ${key}`)
  return segments
}

type Node = { [key: string]: Node | string }

/** Objects whose keys are all array indices ('' = append) become arrays, recursively. */
function finish(node: Node | string): FormValue {
  if (typeof node === 'string') return node
  const keys = Object.keys(node)
  const isArray = keys.length > 0 && keys.every((k) => /^\d+$/.test(k) || k.startsWith('\u0000append'))
  if (isArray) {
    const indexed = keys.filter((k) => /^\d+$/.test(k)).sort((a, b) => Number(a) - Number(b))
    const appended = keys.filter((k) => !/^\d+$/.test(k))
    return [...indexed, ...appended].map((k) => finish(node[k] as Node | string))
  }
  const out: { [key: string]: FormValue } = {}
  for (const k of keys) out[k] = finish(node[k] as Node | string)
  return out
}

/** Decode a form body or query string (without the leading '?'). */
export function decodeForm(text: string): FormParams {
  const root: Node = {}
  let appendCount = 0
  for (const [rawKey, value] of new URLSearchParams(text)) {
    const segments = splitKey(rawKey)
    let node: Node = root
    for (let i = 0; i < segments.length; i++) {
      let seg = segments[i] as string
      if (seg === '' && i > 0) seg = `\u0000append${appendCount++}`
      if (/^\d+$/.test(seg) && Number(seg) > FORM_ARRAY_INDEX_MAX) throw new FormDecodeError(`Array index too large in ${rawKey}`)
      const last = i === segments.length - 1
      if (last) {
        if (typeof node[seg] === 'object') throw new FormDecodeError(`Parameter ${rawKey} is both a value and a hash`)
        node[seg] = value
      } else {
        const next = node[seg]
        if (typeof next === 'string') throw new FormDecodeError(`Parameter ${rawKey} is both a value and a hash`)
        if (next === undefined) node[seg] = {}
        node = node[seg] as Node
      }
    }
  }
  const out = finish(root)
  return out as FormParams
}

/** Stable text for comparing two requests' parameters (key order does not matter). */
export function canonicalParams(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalParams).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalParams((value as Record<string, unknown>)[k])}`)
    return `{${entries.join(',')}}`
  }
  return JSON.stringify(value)
}

/** JSON.stringify that writes bigint as a bare integer (exact), never via a float. */
export function toJson(value: unknown): string {
  const marks: string[] = []
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') {
      marks.push(v.toString())
      return `\u0000bigint${marks.length - 1}\u0000`
    }
    return v
  })
  return text.replace(/"\\u0000bigint(\d+)\\u0000"/g, (_m, i: string) => marks[Number(i)] as string)
}
