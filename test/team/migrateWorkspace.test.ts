/**
 * `countersign workspace migrate --to postgres://…`: a single-desk sandbox workspace with paid
 * batches is copied into an empty team database; afterwards the folder opens on PostgreSQL, the
 * audit chain verifies to the same head, and every balance is equal. Needs a PostgreSQL server:
 * it runs on the PostgreSQL pass (COUNTERSIGN_TEST_PG_URL, `npm run test:unit:pg`).
 */
import fs from 'node:fs'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { createCore } from '../../src/main/core/core'
import { createPostgresDatabase, dropPostgresDatabase } from '../../src/main/core/db/postgres/createDatabase'
import { openSqliteDb } from '../../src/main/core/db/sqlite/openSqliteDb'
import { DB_FILE_NAME, readWorkspaceFile } from '../../src/main/core/db/openDb'
import { createAnvilService } from '../../src/main/sandbox/anvilService'
import { sandboxUp } from '../../src/main/sandbox/sandboxUp'
import { createHarnessClients } from '../harness/evm/clients'
import { recipientAddresses } from '../harness/evm/recipients'
import { json, runCli, tempDir } from '../cli/cliHarness'

const SERVER = process.env.COUNTERSIGN_TEST_PG_URL
const POLL_ROUNDS_MAX = 10
const created: string[] = []
let root = ''

afterAll(async () => {
  for (const name of created) await dropPostgresDatabase(SERVER!, name).catch(() => {})
  if (root) fs.rmSync(root, { recursive: true, force: true })
})

async function emptyTeamDatabase(): Promise<string> {
  const name = `cs_migrate_${randomBytes(5).toString('hex')}`
  created.push(name)
  return createPostgresDatabase(SERVER!, name)
}

describe.skipIf(!SERVER)('workspace migrate --to postgres (needs COUNTERSIGN_TEST_PG_URL)', () => {
  it('copies a sandbox with paid batches, verifies it, and switches the folder to the team database', async () => {
    root = tempDir('countersign-migrate-')
    const dir = path.join(root, 'desk')
    // A single-desk workspace even on the PostgreSQL pass: the file exists before the sandbox opens it.
    await (await openSqliteDb({ dataDir: dir })).close()
    const sb = await sandboxUp({ dataDir: dir, services: [createAnvilService({ persist: false })], pollIntervalMs: 3_600_000 })
    let before: { balances: unknown; head: { headSeq: number; headHash: string } }
    try {
      await sb.core.poller.stop()
      expect(sb.core.ctx.db.backend).toBe('sqlite')
      const [alice, bob, carol] = ['Alice Preparer', 'Bob Approver', 'Carol Signer'].map((name) =>
        sb.description.operators.find((o) => o.name === name)!,
      )
      const recipients = recipientAddresses('migrate', 3)
      const imported = await sb.core.api.call(
        'payouts.import',
        {
          csv: ['id,rail,network,asset,recipient,amount', ...recipients.map((r, i) => `mig-${i},evm,31337,USDC,${r},${i + 1}.25`)].join(
            '\n',
          ),
          batchName: 'Paid before the move',
        },
        { operatorId: alice!.id },
      )
      const id = imported.batchId!
      await sb.core.api.call('batches.submit', { id }, { operatorId: alice!.id })
      const { batch } = await sb.core.api.call('batches.get', { id })
      await sb.core.api.call('batches.approve', { id, version: batch.version }, { operatorId: bob!.id })
      await sb.core.api.call('batches.execute', { id }, { operatorId: carol!.id })
      const chain = createHarnessClients({ rpcUrl: String(sb.description.services.anvil!.rpcUrl), chainId: 31337 })
      let state = ''
      for (let round = 1; round <= POLL_ROUNDS_MAX && state !== 'completed'; round++) {
        await sb.core.poller.runOnce()
        state = (await sb.core.api.call('batches.get', { id })).batch.state
        if (state !== 'completed') await chain.testClient.mine({ blocks: 1 })
      }
      expect(state).toBe('completed')
      before = { balances: await sb.core.api.call('ledger.balances', {}), head: await sb.core.api.call('audit.verify', {}) }
    } finally {
      await sb.stop()
    }

    const url = await emptyTeamDatabase()
    const moved = await runCli(['--data-dir', dir, 'workspace', 'migrate', '--to', url, '--json'])
    expect(moved.code, moved.stderr).toBe(0)
    const report = json(moved) as {
      location: string
      backupFile: string
      auditHead: { seq: number; hash: string }
      tables: { rows: number }[]
    }
    expect(report.auditHead).toEqual({ seq: before.head.headSeq, hash: before.head.headHash })
    expect(report.tables.reduce((n, t) => n + t.rows, 0)).toBeGreaterThan(0)
    expect(readWorkspaceFile(dir)?.database.url).toBe(url)
    expect(fs.existsSync(path.join(dir, DB_FILE_NAME))).toBe(false)
    expect(fs.existsSync(report.backupFile)).toBe(true)

    // The folder now opens on the team database, with the same books.
    const core = await createCore({ dataDir: dir, resumeOnStart: false })
    try {
      expect(core.ctx.db.backend).toBe('postgres')
      const verified = await core.api.call('audit.verify', {})
      expect(verified).toMatchObject({ ok: true, headSeq: before.head.headSeq, headHash: before.head.headHash })
      expect(await core.api.call('ledger.balances', {})).toEqual(before.balances)
      const batches = await core.api.call('batches.list', {})
      expect(batches.batches.map((b) => [b.name, b.state])).toEqual([['Paid before the move', 'completed']])
    } finally {
      await core.close()
    }

    // Nothing is migrated twice, and nothing is merged into books that already exist.
    const again = await runCli(['--data-dir', dir, 'workspace', 'migrate', '--to', url])
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/already a team workspace/)
    const other = path.join(root, 'other')
    await (await openSqliteDb({ dataDir: other })).close()
    const into = await runCli(['--data-dir', other, 'workspace', 'migrate', '--to', url])
    expect(into.code).toBe(1)
    expect(into.stderr).toMatch(/^error WORKSPACE_NOT_EMPTY: .*already holds books/m)
    expect(readWorkspaceFile(other)).toBeNull()
    expect(fs.existsSync(path.join(other, DB_FILE_NAME))).toBe(true)
  }, 300_000)
})
