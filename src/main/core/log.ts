/**
 * The core's log: one line of JSON per event on stderr (the app redirects it to a file).
 * Secrets registered with `redact` are replaced before anything is written.
 */
const secrets = new Set<string>()
/** Secrets shorter than this are not redacted (they would hit ordinary words). */
const SECRET_CHARS_MIN = 8

export function redact(secret: string): void {
  if (secret.length >= SECRET_CHARS_MIN) secrets.add(secret)
}

/**
 * Anything shaped like a Stripe secret or restricted key, registered or not (a key pasted by
 * mistake into another field, one Stripe echoes in an error): its prefix stays, the rest goes.
 */
const STRIPE_KEY_RE = /\b(sk|rk)_(live|test)_[A-Za-z0-9]{4,}/g

export function scrub(text: string): string {
  let out = text
  for (const s of secrets) out = out.split(s).join('[redacted]')
  return out.replace(STRIPE_KEY_RE, '$1_$2_[redacted]')
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
let sink: (line: string) => void = (line) => process.stderr.write(line + '\n')
let minLevel: LogLevel = (process.env.COUNTERSIGN_LOG_LEVEL as LogLevel | undefined) ?? 'warn'
const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 }

export function setLogSink(next: (line: string) => void, level?: LogLevel): void {
  sink = next
  if (level) minLevel = level
}

export function log(level: LogLevel, message: string, fields: Record<string, unknown> = {}): void {
  if (ORDER[level] < ORDER[minLevel]) return
  const line = JSON.stringify({ t: new Date().toISOString(), level, message, ...fields }, (_k, v) => {
    if (typeof v === 'bigint') return v.toString()
    if (v instanceof Error)
      return { name: v.name, message: v.message, code: (v as { code?: unknown }).code, stack: v.stack, cause: v.cause }
    return v
  })
  sink(scrub(line))
}
