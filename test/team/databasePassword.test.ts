/**
 * Settings → Workspace → Team database: an admin saves this desk's password for the team
 * database. It is checked against the server first (a wrong one is refused and nothing is
 * saved), kept in the desk's SecretStore, never returned, and audited without itself. Needs a
 * server that checks passwords: COUNTERSIGN_TEST_PG_PASSWORD_USER_URL (scripts/postgres-cluster.ts run).
 */
import { addOperatorForTest } from '../../src/main/core/operators/operatorTestKit'
import fs from 'node:fs'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { createCore } from '../../src/main/core/core'
import { createPostgresDatabase, dropPostgresDatabase } from '../../src/main/core/db/postgres/createDatabase'
import { DATABASE_PASSWORD_SECRET, writeWorkspaceFile } from '../../src/main/core/db/openDb'
import { createMemorySecretStore } from '../../src/main/core/secrets/SecretStore'
import { tempDir } from '../cli/cliHarness'

const SERVER = process.env.COUNTERSIGN_TEST_PG_URL
const PASSWORD_URL = process.env.COUNTERSIGN_TEST_PG_PASSWORD_USER_URL
const root = tempDir('countersign-dbpw-')
const created: string[] = []
afterAll(async () => {
  for (const name of created) await dropPostgresDatabase(SERVER!, name).catch(() => {})
  fs.rmSync(root, { recursive: true, force: true })
})

describe.skipIf(!SERVER || !PASSWORD_URL)('the team database password in Settings', () => {
  it('is checked against the server, saved in the SecretStore, never shown, audited without itself', async () => {
    const login = new URL(PASSWORD_URL!)
    const password = decodeURIComponent(login.password)
    const name = `cs_dbpw_${randomBytes(5).toString('hex')}`
    created.push(name)
    const url = new URL(await createPostgresDatabase(SERVER!, name))
    const admin = new pg.Client({ connectionString: SERVER! })
    await admin.connect()
    await admin.query(`ALTER DATABASE "${name}" OWNER TO "${login.username}"`)
    await admin.end()
    url.username = login.username
    const dir = path.join(root, 'desk')
    writeWorkspaceFile(dir, { database: { backend: 'postgres', url: url.toString() } })

    // The desk starts with the password it already has (first start: the environment or an earlier save).
    const secrets = createMemorySecretStore({ [DATABASE_PASSWORD_SECRET]: password })
    const core = await createCore({ dataDir: dir, secrets, resumeOnStart: false })
    try {
      const dana = await addOperatorForTest(core.api, { name: 'Dana Admin', roles: ['admin'] })
      expect(await core.api.call('settings.database.get', {})).toMatchObject({
        backend: 'postgres',
        password: { saved: true, protection: 'memory', writable: true },
      })
      await secrets.delete(DATABASE_PASSWORD_SECRET)
      expect((await core.api.call('settings.database.get', {})).password?.saved).toBe(false)

      await expect(core.api.call('settings.database.setPassword', { password: 'not-it' }, { operatorId: dana.id })).rejects.toMatchObject({
        code: 'DB_AUTH_FAILED',
      })
      expect(await secrets.get(DATABASE_PASSWORD_SECRET)).toBeNull()

      const saved = await core.api.call('settings.database.setPassword', { password }, { operatorId: dana.id })
      expect(saved.password?.saved).toBe(true)
      expect(JSON.stringify(saved)).not.toContain(password)
      expect(await secrets.get(DATABASE_PASSWORD_SECRET)).toBe(password)
      const audit = await core.api.call('audit.list', { subject: 'settings:database' })
      expect(audit.rows.map((r) => r.action)).toEqual(['settings.database.setPassword'])
      expect(JSON.stringify(audit.rows)).not.toContain(password)
    } finally {
      await core.close()
    }
  }, 120_000)
})

describe('the database settings of a single-desk workspace', () => {
  it('say SQLite, and there is no password to save', async () => {
    const core = await createCore({ dataDir: ':memory:', resumeOnStart: false })
    try {
      const dana = await addOperatorForTest(core.api, { name: 'Dana Admin', roles: ['admin'] })
      const settings = await core.api.call('settings.database.get', {})
      expect(settings.backend).toBe(process.env.COUNTERSIGN_TEST_DB === 'postgres' ? 'postgres' : 'sqlite')
      if (settings.backend === 'sqlite') {
        expect(settings.password).toBeNull()
        await expect(core.api.call('settings.database.setPassword', { password: 'x' }, { operatorId: dana.id })).rejects.toMatchObject({
          code: 'INVALID_INPUT',
          message: expect.stringMatching(/file on this computer/),
        })
      }
    } finally {
      await core.close()
    }
  })
})
