/**
 * Team mode for the E2E: two desks on one set of books. A throwaway PostgreSQL cluster
 * (scripts/postgres-cluster.ts) holds one team database; two workspace folders — two desktops —
 * each name it in their workspace.json; each desk runs its own core with live updates (PostgreSQL
 * LISTEN/NOTIFY between them) and its own browser-mode server. Seeded once, through desk A's API.
 *
 * The server can be stopped and started again on its port, so a test can watch a desk lose the
 * team database and get it back.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { test as base } from '@playwright/test'
import {
  startPostgresCluster,
  startPostgresServer,
  stopPostgresCluster,
  stopPostgresServer,
  type PostgresCluster,
} from '../../scripts/postgres-cluster'
import { createCore, type Core } from '../../src/main/core/core'
import { writeWorkspaceFile } from '../../src/main/core/db/openDb'
import { createPostgresDatabase } from '../../src/main/core/db/postgres/createDatabase'
import { startWebServer, type WebServer } from '../../src/web/server'
import { RENDERER_DIR, seed, type Workspace } from './fixtures'

const TEAM_DATABASE = 'countersign_team'
/** How long a desk may take to start hearing the other (its LISTEN connection opens in the background). */
const RELAY_READY_TIMEOUT_MS = 15_000
const RELAY_PROBE_INTERVAL_MS = 100
/** initdb, two desks and the seed; the fixture's own budget, apart from the test's. */
const TEAM_SETUP_TIMEOUT_MS = 120_000
/** A treasury with an address, so a batch of USDC on Ethereum passes the submit checks. */
export const PAYOUT_TREASURY = {
  id: 'treasury-usdc-eth-payouts',
  name: 'Payouts wallet USDC (Ethereum)',
  address: '0x9C9c9c9c9c9c9C9c9c9C9C9c9c9C9c9c9c9c9C9c',
  funding: '250000.000000',
} as const

export interface Desk {
  core: Core
  server: WebServer
  dataDir: string
  /** The URL a person opens, token in the fragment. */
  url: string
}

export interface TeamWorkspace {
  cluster: PostgresCluster
  /** postgres://postgres@127.0.0.1:PORT/countersign_team */
  databaseUrl: string
  /** 127.0.0.1:PORT/countersign_team, as the desks name it. */
  location: string
  deskA: Desk
  deskB: Desk
  operators: Workspace['operators']
  /** The team database's server goes away (pg_ctl stop -m immediate); the cluster stays. */
  stopDatabase(): Promise<void>
  /** …and comes back on its port. */
  startDatabase(): Promise<void>
}

async function openDesk(cluster: { databaseUrl: string }, name: string): Promise<Omit<Desk, 'server' | 'url'>> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `countersign-e2e-team-${name}-`))
  writeWorkspaceFile(dataDir, { database: { backend: 'postgres', url: cluster.databaseUrl } })
  const core = await createCore({ dataDir, transport: 'web', liveUpdates: true })
  return { core, dataDir }
}

/**
 * Resolves once `to` hears what `from` announces: a change made on one desk before the other
 * LISTENs would never reach its screen, and the test would wait for nothing.
 */
function hears(from: Core, to: Core): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + RELAY_READY_TIMEOUT_MS
    const done = (error?: Error): void => {
      clearInterval(timer)
      off()
      if (error) reject(error)
      else resolve()
    }
    const off = to.events.subscribe((event) => {
      if (event === 'operators.changed') done()
    })
    const probe = (): void => {
      if (Date.now() > deadline) done(new Error(`the desks did not hear each other within ${RELAY_READY_TIMEOUT_MS} ms`))
      else from.events.emit('operators.changed', {})
    }
    const timer = setInterval(probe, RELAY_PROBE_INTERVAL_MS)
    probe()
  })
}

/** Desk A's payout wallet: opened and funded from the treasury the shared seed opened. */
async function openPayoutTreasury(core: Core, operators: Workspace['operators']): Promise<void> {
  const as = { operatorId: operators.dana.id }
  const { id, name, address, funding } = PAYOUT_TREASURY
  await core.api.call('ledger.accounts.add', { id, name, kind: 'treasury', assetId: 'USDC@evm:1', address }, as)
  await core.api.call(
    'ledger.entries.post',
    {
      entries: [
        {
          id: 'fund-payouts-wallet-1',
          description: 'Move USDC to the payouts wallet',
          postings: [
            { account: id, debit: funding },
            { account: 'treasury-usdc-eth', credit: funding },
          ],
        },
      ],
    },
    as,
  )
}

const teamFixture = async ({}: object, use: (team: TeamWorkspace) => Promise<void>) => {
  if (!fs.existsSync(path.join(RENDERER_DIR, 'index.html'))) {
    throw new Error(`${RENDERER_DIR}/index.html is missing — run \`npx electron-vite build\` before the E2E tests.`)
  }
  const cluster = await startPostgresCluster()
  const opened: Omit<Desk, 'server' | 'url'>[] = []
  const servers: WebServer[] = []
  try {
    const databaseUrl = await createPostgresDatabase(cluster.url, TEAM_DATABASE)
    // One after the other: the first desk migrates the new database, the second finds it ready.
    for (const name of ['a', 'b']) opened.push(await openDesk({ databaseUrl }, name))
    const [a, b] = opened as [Omit<Desk, 'server' | 'url'>, Omit<Desk, 'server' | 'url'>]
    await hears(a.core, b.core)
    await hears(b.core, a.core)
    const operators = await seed(a.core)
    await openPayoutTreasury(a.core, operators)
    const desk = async (d: Omit<Desk, 'server' | 'url'>): Promise<Desk> => {
      const server = await startWebServer({ core: d.core, rendererDir: RENDERER_DIR })
      servers.push(server)
      return { ...d, server, url: `${server.url}#token=${server.token}` }
    }
    await use({
      cluster,
      databaseUrl,
      location: `127.0.0.1:${cluster.port}/${TEAM_DATABASE}`,
      deskA: await desk(a),
      deskB: await desk(b),
      operators,
      stopDatabase: () => stopPostgresServer(cluster),
      startDatabase: () => startPostgresServer(cluster),
    })
  } finally {
    for (const server of servers) await server.close()
    for (const d of opened) await d.core.close()
    await stopPostgresCluster(cluster)
    for (const d of opened) fs.rmSync(d.dataDir, { recursive: true, force: true })
  }
}

export const teamTest = base.extend<object, { team: TeamWorkspace }>({
  // Starting a PostgreSQL cluster (initdb) on a busy machine takes its time.
  team: [teamFixture, { scope: 'worker', timeout: TEAM_SETUP_TIMEOUT_MS }],
})
