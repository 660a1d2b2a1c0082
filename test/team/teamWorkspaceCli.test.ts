/**
 * Creating and opening a team workspace from the CLI, as a person does it: `init --database`,
 * the password from the SecretStore (COUNTERSIGN_SECRET_DATABASE_PASSWORD, never the URL), and
 * the sentences when the server is wrong or gone. The server parts need COUNTERSIGN_TEST_PG_URL
 * (the PostgreSQL pass); the password parts need a server that checks passwords
 * (COUNTERSIGN_TEST_PG_PASSWORD_USER_URL, set by scripts/postgres-cluster.ts run).
 */
import fs from 'node:fs'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { createPostgresDatabase, dropPostgresDatabase } from '../../src/main/core/db/postgres/createDatabase'
import { readWorkspaceFile, WORKSPACE_FILE_NAME, writeWorkspaceFile } from '../../src/main/core/db/openDb'
import { json, spawnCli, tempDir } from '../cli/cliHarness'

const SERVER = process.env.COUNTERSIGN_TEST_PG_URL
const PASSWORD_URL = process.env.COUNTERSIGN_TEST_PG_PASSWORD_USER_URL
const root = tempDir('countersign-team-cli-')
const created: string[] = []

afterAll(async () => {
  for (const name of created) await dropPostgresDatabase(SERVER!, name).catch(() => {})
  fs.rmSync(root, { recursive: true, force: true })
})

describe('team workspace from the CLI', () => {
  it('a team workspace whose server is gone says so and changes nothing', async () => {
    const dir = path.join(root, 'gone')
    // Port 1 on loopback: nothing listens there.
    writeWorkspaceFile(dir, { database: { backend: 'postgres', url: 'postgres://treasury@127.0.0.1:1/books' } })
    const r = await spawnCli(['--data-dir', dir, 'batches', 'list', '--json'])
    expect(r.code).toBe(1)
    const error = (json(r) as { error: { code: string; message: string } }).error
    expect(error.code).toBe('DB_UNREACHABLE')
    expect(error.message).toMatch(/127\.0\.0\.1:1\/books/)
    expect(error.message).not.toMatch(/password/i)
    expect(fs.readdirSync(dir).filter((f) => f !== 'logs')).toEqual([WORKSPACE_FILE_NAME])
  }, 60_000)

  it('refuses a password inside --database, and a connection string that is not PostgreSQL', async () => {
    const dir = path.join(root, 'refused')
    const withPassword = await spawnCli(['--data-dir', dir, 'init', '--database', 'postgres://treasury:hunter2@db.internal:5432/books'])
    expect(withPassword.code).toBe(1)
    expect(withPassword.stderr).toMatch(/COUNTERSIGN_SECRET_DATABASE_PASSWORD/)
    expect(withPassword.stderr + withPassword.stdout).not.toContain('hunter2')
    const notPostgres = await spawnCli(['--data-dir', dir, 'init', '--database', 'mysql://treasury@db.internal/books'])
    expect(notPostgres.code).toBe(1)
    expect(notPostgres.stderr).toMatch(/PostgreSQL: postgres:\/\//)
    expect(fs.existsSync(path.join(dir, WORKSPACE_FILE_NAME))).toBe(false)
  }, 60_000)

  it.skipIf(!SERVER)(
    'init --database creates the team workspace; a second desk names the same books',
    async () => {
      const name = `cs_init_${randomBytes(5).toString('hex')}`
      created.push(name)
      const url = await createPostgresDatabase(SERVER!, name)
      const deskA = path.join(root, 'desk-a')
      const deskB = path.join(root, 'desk-b')
      const a = await spawnCli(['--data-dir', deskA, 'init', '--database', url, '--admin', 'Dana Admin', '--json'])
      expect(a.code, a.stderr).toBe(0)
      const info = (json(a) as { info: { database: { backend: string; location: string } } }).info
      expect(info.database.backend).toBe('postgres')
      expect(info.database.location).toMatch(new RegExp(`:\\d+/${name}$`))
      expect(readWorkspaceFile(deskA)?.database.url).toBe(url)
      const b = await spawnCli(['--data-dir', deskB, 'init', '--database', url])
      expect(b.code, b.stderr).toBe(0)
      expect(b.stdout).toMatch(/database {2}PostgreSQL /)
      const operators = json(await spawnCli(['--data-dir', deskB, 'operators', 'list', '--json'])) as { name: string }[]
      expect(operators.map((o) => o.name)).toEqual(['Dana Admin'])
    },
    120_000,
  )

  it.skipIf(!SERVER || !PASSWORD_URL)(
    'the password comes from the SecretStore; a wrong one is refused and leaves no workspace',
    async () => {
      const server = new URL(PASSWORD_URL!)
      const password = decodeURIComponent(server.password)
      server.password = ''
      const name = `cs_pw_${randomBytes(5).toString('hex')}`
      created.push(name)
      // A database the password role owns, on the server that checks passwords over TCP.
      const url = new URL(await createPostgresDatabase(SERVER!, name))
      url.username = server.username
      const owned = url.toString()
      const admin = new pg.Client({ connectionString: SERVER! })
      await admin.connect()
      await admin.query(`ALTER DATABASE "${name}" OWNER TO "${server.username}"`)
      await admin.end()

      const wrong = path.join(root, 'wrong-pw')
      const refused = await spawnCli(['--data-dir', wrong, 'init', '--database', owned], {
        env: { COUNTERSIGN_SECRET_DATABASE_PASSWORD: 'not-it' },
      })
      expect(refused.code).toBe(1)
      expect(refused.stderr).toMatch(/^error DB_AUTH_FAILED: /m)
      expect(refused.stderr).not.toContain('not-it')
      expect(fs.existsSync(path.join(wrong, WORKSPACE_FILE_NAME))).toBe(false)

      const right = path.join(root, 'right-pw')
      const ok = await spawnCli(['--data-dir', right, 'init', '--database', owned, '--admin', 'Dana Admin'], {
        env: { COUNTERSIGN_SECRET_DATABASE_PASSWORD: password },
      })
      expect(ok.code, ok.stderr).toBe(0)
      expect(fs.readFileSync(path.join(right, WORKSPACE_FILE_NAME), 'utf8')).not.toContain(password)
    },
    120_000,
  )
})

describe.skipIf(!SERVER)('sandbox on a team database', () => {
  it('sandbox up --database keeps the demo books on PostgreSQL and says where', async () => {
    const name = `cs_sbx_${randomBytes(5).toString('hex')}`
    created.push(name)
    const url = await createPostgresDatabase(SERVER!, name)
    const dir = path.join(root, 'sandbox-team')
    const { sandboxUp } = await import('../../src/main/sandbox/sandboxUp')
    const sb = await sandboxUp({ dataDir: dir, services: [], pollIntervalMs: 3_600_000, database: { url, password: null } })
    try {
      expect(sb.description.database).toEqual({ backend: 'postgres', location: expect.stringMatching(new RegExp(`:\\d+/${name}$`)) })
      expect(readWorkspaceFile(dir)).toEqual({ database: { backend: 'postgres', url }, sandbox: true })
      expect(fs.existsSync(path.join(dir, 'countersign.sqlite'))).toBe(false)
      expect((await sb.core.api.call('operators.list', {})).map((o) => o.name)).toContain('Carol Signer')
    } finally {
      await sb.stop()
    }
    // A second run on the same folder opens the same books (the seed replays).
    const again = await sandboxUp({ dataDir: dir, services: [], pollIntervalMs: 3_600_000, database: { url, password: null } })
    try {
      expect(again.description.entries.posted).toEqual([])
    } finally {
      await again.stop()
    }
  }, 120_000)
})
