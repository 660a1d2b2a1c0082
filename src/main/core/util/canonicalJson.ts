/**
 * Canonical JSON: object keys sorted, no whitespace, undefined members dropped. The audit chain
 * hashes this text, so it must be stable across runs and platforms. bigint and non-finite
 * numbers are programmer errors here: amounts are stored as decimal strings.
 */
import { unreachable } from './invariant'
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null'
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value)
    case 'number':
      if (!Number.isFinite(value)) unreachable('canonicalJson got a non-finite number')
      return JSON.stringify(value)
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`
      const keys = Object.keys(value as object).sort()
      const parts: string[] = []
      for (const key of keys) {
        const v = (value as Record<string, unknown>)[key]
        if (v === undefined) continue
        parts.push(`${JSON.stringify(key)}:${canonicalJson(v)}`)
      }
      return `{${parts.join(',')}}`
    }
    default:
      unreachable(`canonicalJson cannot encode a ${typeof value}`)
  }
}
