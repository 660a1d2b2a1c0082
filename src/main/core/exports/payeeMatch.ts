/**
 * "This payee" in a filter: a name or an address / account, matched whole with case ignored. The
 * two databases lower-case differently (SQLite only A–Z, PostgreSQL every letter), so a column
 * matches when it equals the text as given, or its lower case equals either lowering of it.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely'

function lowerAscii(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase())
}

/** `column` ("table.column") is `payee`, case ignored (see above). */
export function columnIsPayee(column: string, payee: string): RawBuilder<SqlBool> {
  const ref = sql.ref(column)
  return sql<SqlBool>`(${ref} = ${payee} OR lower(${ref}) = ${payee.toLowerCase()} OR lower(${ref}) = ${lowerAscii(payee)})`
}
