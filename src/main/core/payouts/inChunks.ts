/**
 * Long `IN (…)` lists, cut into pieces: each value is one bound parameter, and both backends cap
 * a statement's parameters (SQLite 32,766, PostgreSQL 65,535). A piece stays well under both,
 * with room for the query's other parameters.
 */

/** Values per `IN (…)` list of one statement. */
export const IN_LIST_MAX = 10_000

/** `values` in consecutive pieces of at most `size` (none for no values). */
export function inChunks<T>(values: readonly T[], size = IN_LIST_MAX): T[][] {
  const out: T[][] = []
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size))
  return out
}
