/**
 * Turning a DbQuery (a Kysely builder, a compiled query, or a `sql` template) into SQL text and
 * parameters for one backend's dialect: both adapters execute what Kysely compiled, never what a
 * person concatenated.
 */
import type { CompiledQuery, Kysely } from 'kysely'
import type { DbQuery } from './Db'
import type { Database } from './schema'

export function compileQuery<R>(k: Kysely<Database>, query: DbQuery<R>): CompiledQuery<R> {
  // A RawBuilder (`sql` template) compiles against an executor; a builder compiles with the
  // dialect of the Kysely it came from and ignores the argument.
  if ('compile' in query) return (query as { compile(k: Kysely<Database>): CompiledQuery<R> }).compile(k)
  return query
}

/** Identifiers the bulk paths accept: plain lower-case SQL names, so quoting them is trivially safe. */
const IDENTIFIER_RE = /^[a-z_][a-z0-9_]*$/

export function assertIdentifier(name: string): string {
  if (!IDENTIFIER_RE.test(name)) throw new Error(`invariant: "${name}" is not a plain SQL identifier`)
  return name
}
