/**
 * SQLite's "this file is damaged", met anywhere after the open (a statement, a migration), reaches
 * a person as DB_CORRUPT with what to do — at the API boundary and in the CLI — never as
 * "unexpected problem … report it".
 */
import { describe, expect, it } from 'vitest'
import { toErrorPayload } from '../../src/main/core/api/toErrorPayload'
import { reportError } from '../../src/cli/errors'
import { isSqliteDamage, mapSqliteDamage } from '../../src/main/core/db/sqlite/sqliteDamage'

function sqliteError(code: string): Error {
  return Object.assign(new Error('database disk image is malformed'), { code })
}

describe('SQLite damage as DB_CORRUPT', () => {
  it('knows SQLite’s damage codes, also as a cause, and nothing else', () => {
    expect(isSqliteDamage(sqliteError('SQLITE_CORRUPT'))).toBe(true)
    expect(isSqliteDamage(sqliteError('SQLITE_CORRUPT_INDEX'))).toBe(true)
    expect(isSqliteDamage(sqliteError('SQLITE_NOTADB'))).toBe(true)
    expect(isSqliteDamage(new Error('wrapped', { cause: sqliteError('SQLITE_CORRUPT') }))).toBe(true)
    expect(isSqliteDamage(sqliteError('SQLITE_BUSY'))).toBe(false)
    // A full disk is not damage: it is DISK_FULL (test/diskFull).
    expect(mapSqliteDamage(sqliteError('SQLITE_FULL'), null)).toMatchObject({ code: 'DISK_FULL' })
  })

  it('crosses the API boundary as DB_CORRUPT with its details', () => {
    expect(toErrorPayload(sqliteError('SQLITE_CORRUPT'), 'ledger.balances')).toEqual({
      code: 'DB_CORRUPT',
      message: expect.stringContaining('countersign restore'),
      details: { reason: 'integrity', latestBackup: null },
    })
  })

  it('is printed by the CLI as DB_CORRUPT, exit 1', () => {
    let stderr = ''
    const io = { stdout: { write: () => true }, stderr: { write: (s: string) => (stderr += s) }, env: {} }
    expect(reportError(io, sqliteError('SQLITE_NOTADB'), { json: false, debug: false })).toBe(1)
    expect(stderr).toMatch(/^error DB_CORRUPT: The workspace database is damaged/)
    expect(stderr).not.toContain('unexpected problem')
  })
})
