/**
 * Opens a workspace's database, whichever backend holds it:
 * - a single-desk workspace is `countersign.sqlite` in the workspace folder (the default);
 * - a team workspace is a PostgreSQL database, named by `workspace.json` in the folder
 *   (`countersign init --database postgres://…`): the URL without its password, which lives in
 *   the SecretStore as `database.password`.
 *
 * Tests run the whole suite on either backend: with COUNTERSIGN_TEST_DB=postgres and
 * COUNTERSIGN_TEST_PG_URL (a server URL; scripts/postgres-cluster.ts starts a throwaway one), a
 * NEW workspace is created as a fresh database on that server — a `:memory:` one is dropped again
 * when closed — so every existing test exercises PostgreSQL without knowing it.
 */
import fs from 'node:fs'
import path from 'node:path'
import { createHash, randomBytes } from 'node:crypto'
import { z } from 'zod'
import { CsError } from '../../../shared/errors'
import type { Db } from './Db'
import { DB_FILE_NAME, openSqliteDb, SQLITE_MIGRATIONS } from './sqlite/openSqliteDb'
import { HEAD_FILE_NAME } from './sqlite/workspaceHead'
import { writeFileDurably } from '../util/durableWrite'

/**
 * The PostgreSQL side, imported only when a workspace is on PostgreSQL (or a test provisions one):
 * the driver (pg) and its modules are a good part of a short command's start on a single-desk
 * workspace, which never needs them (issue 17, finding 15).
 */
const postgres = async () => {
  const [{ openPostgresDb }, databases, { POSTGRES_MIGRATIONS }] = await Promise.all([
    import('./postgres/openPostgresDb'),
    import('./postgres/createDatabase'),
    import('./postgres/migrations'),
  ])
  return { openPostgresDb, ...databases, POSTGRES_MIGRATIONS }
}

export type { Db } from './Db'

export { DB_FILE_NAME }
export const WORKSPACE_FILE_NAME = 'workspace.json'
/** The SecretStore name of a team database's password. */
export const DATABASE_PASSWORD_SECRET = 'database.password'
/** The newest migration: both backends carry the same names (a test holds them equal). */
export const SCHEMA_VERSION = Object.keys(SQLITE_MIGRATIONS).sort().at(-1)!

const WorkspaceFile = z.object({
  database: z.object({
    backend: z.literal('postgres'),
    /** postgres://user@host:port/database?sslmode=… — never with a password. */
    url: z.string().min(1),
  }),
  /** A sandbox workspace (its secrets live in a plain file in the folder). */
  sandbox: z.boolean().optional(),
})
export type WorkspaceFile = z.infer<typeof WorkspaceFile>

/** The team database a workspace folder names, or null for a single-desk (SQLite) workspace. */
export function readWorkspaceFile(dataDir: string): WorkspaceFile | null {
  if (dataDir === ':memory:') return null
  const file = path.join(dataDir, WORKSPACE_FILE_NAME)
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return null
    throw new CsError('DATA_DIR_INVALID', `Cannot read ${file} — check the folder's permissions.`, { cause: error })
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (cause) {
    throw new CsError('WORKSPACE_FILE_INVALID', `${file} is not valid JSON — restore it, or run countersign init --database again.`, {
      cause,
    })
  }
  const checked = WorkspaceFile.safeParse(parsed)
  if (!checked.success)
    throw new CsError(
      'WORKSPACE_FILE_INVALID',
      `${file} does not name a team database — restore it, or run countersign init --database again.`,
    )
  return checked.data
}

export function writeWorkspaceFile(dataDir: string, workspace: WorkspaceFile): void {
  fs.mkdirSync(dataDir, { recursive: true })
  const file = path.join(dataDir, WORKSPACE_FILE_NAME)
  writeFileDurably(file, JSON.stringify(workspace, null, 2) + '\n')
}

export interface OpenDbOptions {
  /** The workspace folder, or ':memory:' (tests). */
  dataDir: string
  /** Path to a better_sqlite3.node built for this runtime's ABI (Electron); Node uses the default. */
  nativeBinding?: string
  readonly?: boolean
  /** The team database's password (from the SecretStore), asked only for a team workspace. */
  databasePassword?: (workspace: WorkspaceFile) => Promise<string | null>
  /** Shown in the server's pg_stat_activity: who is connected from where. */
  applicationName?: string
}

export async function openDb(options: OpenDbOptions): Promise<Db> {
  let workspace = readWorkspaceFile(options.dataDir)
  if (!workspace && testServerUrl() && isNewWorkspace(options.dataDir)) {
    const url = await provisionTestDatabase()
    if (options.dataDir === ':memory:') return dropOnClose(await (await postgres()).openPostgresDb({ url }), url)
    workspace = { database: { backend: 'postgres', url } }
    writeWorkspaceFile(options.dataDir, workspace)
  }
  if (workspace) {
    const password = (await options.databasePassword?.(workspace)) ?? undefined
    const { openPostgresDb } = await postgres()
    return openPostgresDb({
      url: workspace.database.url,
      ...(password ? { password } : {}),
      ...(options.readonly ? { readonly: true } : {}),
      ...(options.applicationName ? { applicationName: options.applicationName } : {}),
    })
  }
  return openSqliteDb(options)
}

/**
 * Is there a workspace in this folder (a single-desk database file, a team workspace file, or the
 * head file of a single-desk workspace whose database went missing — opening that one says so)?
 */
export function workspaceExists(dataDir: string): boolean {
  return [DB_FILE_NAME, WORKSPACE_FILE_NAME, HEAD_FILE_NAME].some((name) => fs.existsSync(path.join(dataDir, name)))
}

function isNewWorkspace(dataDir: string): boolean {
  // A head file without its database is a single-desk workspace whose file went missing, not a new one.
  return dataDir === ':memory:' || ![DB_FILE_NAME, HEAD_FILE_NAME].some((name) => fs.existsSync(path.join(dataDir, name)))
}

function testServerUrl(): string | null {
  return process.env.COUNTERSIGN_TEST_DB === 'postgres' ? (process.env.COUNTERSIGN_TEST_PG_URL ?? null) : null
}

/**
 * A fresh test database, cloned from a migrated template (a clone takes ~20 ms; migrating a new
 * database ~300 ms). The template's name carries a hash of the migrations' `up` functions, so a
 * changed migration gets a new one (a wrapper such as 0007's `postgres.up` hides its body: on a
 * long-lived test server, drop the cs_tmpl_* databases after editing a migration that has not
 * shipped); it is built under a temporary name and renamed when complete, so a concurrent
 * worker never clones a half-migrated template.
 */
async function provisionTestDatabase(): Promise<string> {
  const server = testServerUrl()!
  templateReady ??= ensureTestTemplate(server)
  const template = await templateReady
  return (await postgres()).createPostgresDatabase(server, `cs_t_${process.pid}_${randomBytes(6).toString('hex')}`, { template })
}

let templateReady: Promise<string> | null = null

async function ensureTestTemplate(server: string): Promise<string> {
  const {
    POSTGRES_MIGRATIONS,
    postgresDatabaseExists,
    createPostgresDatabase,
    openPostgresDb,
    renamePostgresDatabase,
    dropPostgresDatabase,
  } = await postgres()
  const digest = createHash('sha256')
  for (const name of Object.keys(POSTGRES_MIGRATIONS).sort()) digest.update(name).update(POSTGRES_MIGRATIONS[name]!.up.toString())
  const name = `cs_tmpl_${digest.digest('hex').slice(0, 16)}`
  if (await postgresDatabaseExists(server, name)) return name
  const building = `${name}_b${process.pid}_${randomBytes(3).toString('hex')}`
  const url = await createPostgresDatabase(server, building)
  await (await openPostgresDb({ url })).close()
  try {
    await renamePostgresDatabase(server, building, name)
  } catch (error) {
    // Another worker finished first: use theirs.
    await dropPostgresDatabase(server, building)
    if (!(await postgresDatabaseExists(server, name))) throw error
  }
  return name
}

/** A test database's drop is cleanup: it waits at most this long (the throwaway cluster goes anyway). */
const TEST_DROP_WAIT_MS = 10_000
/** A test database's close that takes longer than this says so on stderr (a CI log then shows which step hung). */
const TEST_CLOSE_SLOW_MS = 20_000

function dropOnClose(db: Db, url: string): Db {
  const name = new URL(url).pathname.slice(1)
  return {
    ...db,
    async close() {
      // Never given up on: a close that hangs means a connection was leaked — a bug to see, not hide.
      await slowly(db.close(), TEST_CLOSE_SLOW_MS, `closing test database ${name}`)
      const drop = (async () => (await postgres()).dropPostgresDatabase(testServerUrl()!, name))().catch(() => {})
      if ((await within(drop, TEST_DROP_WAIT_MS)) === 'late') {
        process.stderr.write(
          `openDb (tests): dropping test database ${name} took over ${TEST_DROP_WAIT_MS} ms — left to finish in the background\n`,
        )
      }
    },
  }
}

/** 'late' when `work` has not settled within `ms` (it goes on); the timer never keeps the process alive. */
async function within(work: Promise<unknown>, ms: number): Promise<'done' | 'late'> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms)
    timer.unref()
  })
  try {
    return await Promise.race([work.then(() => 'done' as const), late])
  } finally {
    clearTimeout(timer)
  }
}

/** Awaits `work`, saying on stderr once if it is still running after `ms`. */
async function slowly<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  const started = Date.now()
  if ((await within(work, ms)) === 'late') process.stderr.write(`openDb (tests): ${what} is still running after ${ms} ms\n`)
  const result = await work
  if (Date.now() - started > ms) process.stderr.write(`openDb (tests): ${what} took ${Date.now() - started} ms\n`)
  return result
}
