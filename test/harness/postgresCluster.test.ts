/**
 * The throwaway PostgreSQL cluster the suite's PostgreSQL pass runs on (scripts/postgres-cluster.ts):
 * it starts, serves the superuser and a password-checked role over TCP, and leaves nothing behind.
 * Skipped only where no PostgreSQL binaries exist and the suite is not on PostgreSQL; CI installs
 * Debian's postgresql package, and its PostgreSQL pass could not even start without them.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  startPostgresCluster,
  startPostgresServer,
  stopPostgresCluster,
  stopPostgresServer,
  tryFindPostgresBin,
  type PostgresCluster,
} from '../../scripts/postgres-cluster'

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const SCRIPT = path.join(REPO_ROOT, 'scripts', 'postgres-cluster.ts')
const CONNECT_TIMEOUT_MS = 5_000
/** What the `run` test's command exits with, to see it come back. */
const RUN_EXIT_CODE = 7

const noBinaries = tryFindPostgresBin() === undefined && process.env.COUNTERSIGN_TEST_DB !== 'postgres'
const title = noBinaries
  ? 'postgres test cluster (skipped: no PostgreSQL binaries — apt-get install postgresql, or set PG_BIN)'
  : 'postgres test cluster'

async function query<R extends pg.QueryResultRow>(config: string | pg.ClientConfig, text: string): Promise<R[]> {
  const client = new pg.Client(typeof config === 'string' ? { connectionString: config } : config)
  client.on('error', () => undefined)
  await client.connect()
  try {
    return (await client.query<R>(text)).rows
  } finally {
    await client.end()
  }
}

function runScript(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s))
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s))
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, stdout, stderr }))
  })
}

describe.skipIf(noBinaries)(title, () => {
  let cluster: PostgresCluster
  beforeAll(async () => {
    cluster = await startPostgresCluster()
  })
  afterAll(async () => {
    if (cluster !== undefined) await stopPostgresCluster(cluster)
  })

  it('serves the superuser on 127.0.0.1 with the throwaway settings', async () => {
    expect(cluster.url).toBe(`postgres://postgres@127.0.0.1:${cluster.port}/postgres`)
    const [row] = await query<Record<string, string>>(
      cluster.url,
      `SELECT current_user AS "user", current_setting('listen_addresses') AS listen, current_setting('fsync') AS fsync,
              current_setting('max_connections') AS "maxConnections", current_setting('server_encoding') AS encoding`,
    )
    expect(row).toEqual({ user: 'postgres', listen: '127.0.0.1', fsync: 'off', maxConnections: '400', encoding: 'UTF8' })
  })

  it('lets the countersign role log in over TCP with its password, and only with it, and create a database', async () => {
    const tcp = {
      host: '127.0.0.1',
      port: cluster.port,
      user: cluster.user,
      database: 'postgres',
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    }
    await expect(query(cluster.passwordUserUrl, 'SELECT 1')).resolves.toHaveLength(1)
    await expect(query({ ...tcp, password: `${cluster.password}x` }, 'SELECT 1')).rejects.toThrow(/password authentication failed/)

    await query({ ...tcp, password: cluster.password }, 'CREATE DATABASE harness_made')
    const rows = await query<{ owner: string }>(
      { ...tcp, password: cluster.password, database: 'harness_made' },
      'SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = current_database()',
    )
    expect(rows).toEqual([{ owner: 'countersign' }])
  })

  it('can stop its server and start it again on the same port, keeping the data', async () => {
    const gone = { connectionString: cluster.url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS }
    await query(cluster.url, 'CREATE TABLE kept_across_restart (n int)')
    await stopPostgresServer(cluster)
    expect(existsSync(cluster.dir)).toBe(true)
    await expect(query(gone, 'SELECT 1')).rejects.toThrow()
    await startPostgresServer(cluster)
    await expect(query(cluster.url, 'SELECT count(*)::int AS n FROM kept_across_restart')).resolves.toEqual([{ n: 0 }])
  })

  it('stop removes the dir and the server', async () => {
    const { dir, url } = cluster
    expect(existsSync(dir)).toBe(true)
    await stopPostgresCluster(cluster)
    expect(existsSync(dir)).toBe(false)
    await expect(query({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS }, 'SELECT 1')).rejects.toThrow()
    await stopPostgresCluster(cluster) // a second stop is a no-op
  })

  it('run hands the command the cluster, returns its exit code and removes the cluster', async () => {
    const program = `console.log(JSON.stringify(process.env)); process.exit(${RUN_EXIT_CODE})`
    const result = await runScript(['run', '--', process.execPath, '-e', program])
    expect(result.code, result.stderr).toBe(RUN_EXIT_CODE)
    const env = JSON.parse(result.stdout) as Record<string, string>
    expect(env.COUNTERSIGN_TEST_DB).toBe('postgres')
    expect(env.COUNTERSIGN_TEST_PG_URL).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/)
    expect(env.COUNTERSIGN_TEST_PG_PASSWORD_USER_URL).toMatch(/^postgres:\/\/countersign:[^@]+@127\.0\.0\.1:\d+\/countersign$/)
    const gone = { connectionString: env.COUNTERSIGN_TEST_PG_URL, connectionTimeoutMillis: CONNECT_TIMEOUT_MS }
    await expect(query(gone, 'SELECT 1')).rejects.toThrow()
  })
})
