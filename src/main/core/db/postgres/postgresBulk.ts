/**
 * Bulk insert and update on PostgreSQL — the hot path of posting (postings, balances): one
 * statement per chunk of rows instead of one round trip per row.
 *
 * Each column travels as ONE array parameter and `unnest` turns the arrays back into rows, cast
 * to the target column's type (read once per table from the catalog), so any column type works
 * and the SQL text is the same for every chunk. Measured on a local PostgreSQL 15 (2 cores),
 * 10,000 rows x 5 columns, median of 15 runs, one transaction each:
 * - INSERT … VALUES, one statement (up to the 65,535-parameter limit): 153 ms;
 *   2,000-row chunks: 112 ms; 1,000-row chunks: 54 ms; 500-row chunks: 55 ms;
 * - INSERT … SELECT * FROM unnest($1::bigint[], …), one statement: 55–71 ms;
 * - UPDATE … FROM (VALUES …), 1,000-row chunks: 126 ms; UPDATE … FROM unnest(…): 56–74 ms.
 * VALUES only keeps up in small chunks and loses on updates; unnest is kept. Through the port
 * (db.insertRows outside a transaction: BEGIN, write lock, insert, COMMIT) 10,000 x 5 takes ~95 ms.
 *
 * Identifiers are asserted to be plain lower-case names before they are quoted; values only ever
 * travel as parameters.
 */
import { unreachable } from '../../util/invariant'
import { assertIdentifier } from '../dbQuery'

/** Rows per statement: bounds one statement's parameter size and the server's memory for it. */
const BULK_ROWS_PER_STATEMENT_MAX = 10_000
/** What format_type() answers for the column types we cast to ("text", "integer", "character varying(255)"). */
const COLUMN_TYPE_RE = /^[a-z][a-z0-9_ ]*(\([0-9, ]+\))?$/
const COLUMN_TYPES_SQL = `SELECT attname AS name, format_type(atttypid, atttypmod) AS type
  FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped`

export interface BulkStatement {
  text: string
  values: unknown[]
}

/** Runs one statement where the caller is (its transaction); answers the affected row count. */
export type BulkQuery = (text: string, values?: readonly unknown[]) => Promise<{ rowCount: number | null; rows: unknown[] }>

/** Column name -> SQL type, per table, read from the catalog once per Db. */
export function createColumnTypes(query: BulkQuery): (table: string) => Promise<ReadonlyMap<string, string>> {
  const cache = new Map<string, ReadonlyMap<string, string>>()
  return async (table) => {
    assertIdentifier(table)
    const known = cache.get(table)
    if (known) return known
    const { rows } = await query(COLUMN_TYPES_SQL, [table])
    const types = new Map<string, string>()
    for (const row of rows as { name: string; type: string }[]) {
      if (!COLUMN_TYPE_RE.test(row.type)) unreachable(`column ${table}.${row.name} has a type we do not cast to: ${row.type}`)
      types.set(row.name, row.type)
    }
    if (types.size === 0) unreachable(`table ${table} does not exist`)
    cache.set(table, types)
    return types
  }
}

export function insertStatements(
  table: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
  types: ReadonlyMap<string, string>,
): BulkStatement[] {
  const names = columns.map((c) => quote(c)).join(', ')
  const arrays = columns.map((c, i) => `$${i + 1}::${typeOf(types, table, c)}[]`).join(', ')
  const text = `INSERT INTO ${quote(table)} (${names}) SELECT * FROM unnest(${arrays})`
  return chunks(rows).map((chunk) => ({ text, values: columnArrays(chunk, columns.length) }))
}

/** Rows are [key, ...values of `columns`]; answers one UPDATE … FROM unnest(…) per chunk. */
export function updateStatements(
  table: string,
  key: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
  types: ReadonlyMap<string, string>,
): BulkStatement[] {
  const all = [key, ...columns]
  const arrays = all.map((c, i) => `$${i + 1}::${typeOf(types, table, c)}[]`).join(', ')
  const set = columns.map((c) => `${quote(c)} = v.${quote(c)}`).join(', ')
  const t = quote(table)
  const text = `UPDATE ${t} SET ${set} FROM unnest(${arrays}) AS v(${all.map((c) => quote(c)).join(', ')}) WHERE ${t}.${quote(key)} = v.${quote(key)}`
  return chunks(rows).map((chunk) => ({ text, values: columnArrays(chunk, all.length) }))
}

function chunks<T>(rows: readonly T[]): (readonly T[])[] {
  const out: (readonly T[])[] = []
  for (let i = 0; i < rows.length; i += BULK_ROWS_PER_STATEMENT_MAX) out.push(rows.slice(i, i + BULK_ROWS_PER_STATEMENT_MAX))
  return out
}

/** Row-major to column-major: one array per column. */
function columnArrays(rows: readonly (readonly unknown[])[], width: number): unknown[][] {
  const arrays: unknown[][] = Array.from({ length: width }, () => new Array<unknown>(rows.length))
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!
    if (row.length !== width) unreachable(`bulk row ${r} has ${row.length} values for ${width} columns`)
    for (let c = 0; c < width; c++) arrays[c]![r] = row[c] ?? null
  }
  return arrays
}

function typeOf(types: ReadonlyMap<string, string>, table: string, column: string): string {
  const type = types.get(column)
  if (type === undefined) unreachable(`column ${table}.${column} does not exist`)
  return type
}

function quote(name: string): string {
  return `"${assertIdentifier(name)}"`
}
