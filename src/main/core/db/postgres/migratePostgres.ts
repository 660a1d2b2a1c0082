/**
 * Brings a team database to this app's schema with Kysely's Migrator and POSTGRES_MIGRATIONS, the
 * same migration names as SQLite's, so both backends report the same version.
 *
 * Several desks may open a fresh database at the same moment. Kysely takes its own advisory lock
 * (PostgresAdapter.acquireMigrationLock) around running the migrations, but creates its
 * bookkeeping tables before that lock, relying on catch-and-recheck when two processes race.
 * So the whole run happens under our own session lock (MIGRATE_LOCK_KEY) on one connection: the
 * second desk waits, then finds nothing to do. Each migration runs in a transaction (PostgreSQL
 * has transactional DDL), so a failed one leaves the database as it was.
 */
import { Migrator, sql, type Kysely, type MigrationProvider } from 'kysely'
import { CsError } from '../../../../shared/errors'
import type { Database } from '../schema'
import { MIGRATE_LOCK_KEY } from './advisoryLocks'
import { POSTGRES_MIGRATIONS } from './migrations'
import { migrationFailure } from '../migrationFailure'
import { mapPostgresError } from './postgresErrors'

export async function migratePostgres(k: Kysely<Database>, location: string): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => POSTGRES_MIGRATIONS }
  let outcome: Awaited<ReturnType<Migrator['migrateToLatest']>>
  try {
    outcome = await k.connection().execute(async (connection) => {
      await sql`SELECT pg_advisory_lock(${MIGRATE_LOCK_KEY}::bigint)`.execute(connection)
      try {
        return await new Migrator({ db: connection, provider }).migrateToLatest()
      } finally {
        await sql`SELECT pg_advisory_unlock(${MIGRATE_LOCK_KEY}::bigint)`.execute(connection)
      }
    })
  } catch (error) {
    throw mapPostgresError(error, { location })
  }
  const { error, results } = outcome
  if (!error) return
  const mapped = mapPostgresError(error, { location })
  if (mapped instanceof CsError) throw mapped
  throw migrationFailure(error, results)
}
