/**
 * What a failed migration means for a person, the same on both backends: a database written by
 * a newer Countersign (Kysely calls its unknown migrations "corrupted"), or an upgrade that failed
 * and was rolled back (migrations run in a transaction on both SQLite and PostgreSQL).
 */
import type { MigrationResult } from 'kysely'
import { CsError } from '../../../shared/errors'
import { isSqliteDamage } from './sqlite/sqliteDamage'

export function migrationFailure(error: unknown, results: readonly MigrationResult[] | undefined): CsError {
  const text = error instanceof Error ? error.message : String(error)
  if (/corrupted migrations/i.test(text)) {
    return new CsError('DB_NEWER_THAN_APP', 'This workspace was written by a newer Countersign — update the app before opening it.', {
      cause: error,
    })
  }
  if (isSqliteDamage(error)) {
    return new CsError(
      'DB_CORRUPT',
      'The workspace database is damaged: SQLite found it unreadable while upgrading it. Restore the latest backup with countersign restore (close Countersign first).',
      { cause: error, details: { reason: 'integrity', latestBackup: null } },
    )
  }
  const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown'
  return new CsError(
    'INTERNAL',
    `The database upgrade (${failed}) failed and was rolled back — nothing was changed. Report this with the log.`,
    { cause: error },
  )
}
