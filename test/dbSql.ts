/**
 * Raw SQL for tests that reach under the core (tampering with the books, reading a column the
 * API does not show): `?` placeholders bound in order, run through the database port, so the
 * same test works on SQLite and PostgreSQL. Write SQL both dialects accept.
 */
import { sql, type RawBuilder } from 'kysely'
import type { Db, DbRunResult } from '../src/main/core/db/Db'

function raw<R>(text: string, params: readonly unknown[]): RawBuilder<R> {
  const parts = text.split('?')
  if (parts.length !== params.length + 1) throw new Error(`dbSql: ${parts.length - 1} placeholders but ${params.length} values`)
  return sql<R>(Object.assign([...parts], { raw: parts }) as unknown as TemplateStringsArray, ...params)
}

export function sqlAll<R = Record<string, unknown>>(db: Db, text: string, ...params: unknown[]): Promise<R[]> {
  return db.all(raw<R>(text, params))
}

export function sqlFirst<R = Record<string, unknown>>(db: Db, text: string, ...params: unknown[]): Promise<R | undefined> {
  return db.first(raw<R>(text, params))
}

export function sqlRun(db: Db, text: string, ...params: unknown[]): Promise<DbRunResult> {
  return db.run(raw(text, params))
}

/** The names of the workspace's tables from the backend's own catalogue (SQLite's internal ones included), sorted. */
export async function sqlTableNames(db: Db): Promise<string[]> {
  const rows =
    db.backend === 'sqlite'
      ? await sqlAll<{ name: string }>(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      : await sqlAll<{ name: string }>(
          db,
          "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
        )
  return rows.map((r) => r.name)
}
