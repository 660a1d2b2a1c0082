/**
 * A second process writing the same workspace (test/integrity/headFile.test.ts): appends `rows`
 * audit rows, one transaction each, then exits. argv: dataDir rows.
 */
import { appendAudit } from '../../src/main/core/audit/appendAudit'
import { CoreEvents, systemClock, type CoreContext } from '../../src/main/core/context'
import { openSqliteDb } from '../../src/main/core/db/sqlite/openSqliteDb'

const [dataDir, rows] = [process.argv[2]!, Number(process.argv[3])]
const db = await openSqliteDb({ dataDir })
const ctx: CoreContext = { db, clock: systemClock, events: new CoreEvents() }
process.stdout.write('ready\n')
for (let i = 0; i < rows; i++) {
  await db.tx(() => appendAudit(ctx, { actor: 'child', action: 'test.child', subject: `child:${i}`, change: { i } }))
}
await db.close()
