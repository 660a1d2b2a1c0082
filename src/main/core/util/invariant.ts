/**
 * The one way the core states what must be true. A failed invariant is a bug in Countersign, not
 * a user's mistake: it carries no error code, and the API boundary reports it as INTERNAL with a
 * sentence asking the person to report it. User-facing failures are `CsError`s with a code.
 */

/** Throws `invariant: <message>` when `condition` is false; narrows the type when it is true. */
export function invariant(condition: unknown, message: string | (() => string)): asserts condition {
  if (condition) return
  throw new Error(`invariant: ${typeof message === 'function' ? message() : message}`)
}

/** Fails the build when a switch misses a case, and the run if an unexpected value arrives anyway. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`invariant: unexpected ${what} ${JSON.stringify(value)}`)
}

/** Always throws: for branches that cannot be reached when the data is consistent. */
export function unreachable(message: string): never {
  throw new Error(`invariant: ${message}`)
}
