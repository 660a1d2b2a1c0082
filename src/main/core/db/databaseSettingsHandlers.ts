/**
 * Settings → Workspace → Team database: where the books are, and this desk's saved password for
 * a team database. The password comes IN once through settings.database.setPassword, is checked
 * against the server before it is saved in this desk's SecretStore (OS-encrypted in the app),
 * and is never returned, logged or audited (the audit row says only that it was replaced and
 * what protects it).
 */
import type { CallOutput } from '../../../shared/api'
import { CsError } from '../../../shared/errors'
import type { DatabaseSettings } from '../../../shared/workspaceApi'
import type { Handler } from '../api/createApi'
import { appendAudit } from '../audit/appendAudit'
import type { CoreContext } from '../context'
import { redact } from '../log'
import { requireRole } from '../operators/operators'
import type { SecretStore } from '../secrets/SecretStore'
import { DATABASE_PASSWORD_SECRET, readWorkspaceFile } from './openDb'

export interface DatabaseSettingsEnv {
  dataDir: string
  secrets: () => SecretStore | undefined
}

export async function readDatabaseSettings(core: CoreContext, env: DatabaseSettingsEnv): Promise<DatabaseSettings> {
  const base = { backend: core.db.backend, location: core.db.location }
  const store = env.secrets()
  if (core.db.backend !== 'postgres' || !store) return { ...base, password: null }
  let saved = false
  try {
    saved = (await store.get(DATABASE_PASSWORD_SECRET)) !== null
  } catch {
    saved = false // unreadable on this desk: shown as not saved; saving again fixes it
  }
  return {
    ...base,
    password: {
      saved,
      protection: store.protection,
      writable: store.writable,
      weakProtectionWarning: store.writable ? store.weakProtection() : null,
    },
  }
}

export function createDatabaseSettingsHandlers(env: DatabaseSettingsEnv): {
  'settings.database.get': Handler<'settings.database.get'>
  'settings.database.setPassword': Handler<'settings.database.setPassword'>
} {
  return {
    'settings.database.get': ({ core }) => readDatabaseSettings(core, env),

    'settings.database.setPassword': async ({ core, operator }, input): Promise<CallOutput<'settings.database.setPassword'>> => {
      const actor = requireRole(operator, 'admin', "save the team database's password").id
      redact(input.password)
      const workspace = readWorkspaceFile(env.dataDir)
      if (core.db.backend !== 'postgres' || !workspace)
        throw new CsError(
          'INVALID_INPUT',
          'This workspace keeps its books in a file on this computer — there is no database password to save.',
        )
      const store = env.secrets()
      if (!store) throw new CsError('SECRETS_UNAVAILABLE', 'This desk has no place to keep secrets — start Countersign with a SecretStore.')
      // Checked first: a wrong password is refused (DB_AUTH_FAILED) and nothing is saved.
      // The driver is imported here, on a team workspace only (a single-desk one never loads it).
      const { openPostgresDb } = await import('./postgres/openPostgresDb')
      await (await openPostgresDb({ url: workspace.database.url, password: input.password, readonly: true })).close()
      await store.set(DATABASE_PASSWORD_SECRET, input.password, input.acceptWeakProtection ? { acceptWeakProtection: true } : {})
      await core.db.tx(() =>
        appendAudit(core, {
          actor,
          action: 'settings.database.setPassword',
          subject: 'settings:database',
          change: { location: core.db.location, protection: store.protection },
        }),
      )
      return readDatabaseSettings(core, env)
    },
  }
}
