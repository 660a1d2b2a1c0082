/**
 * Child process of stripeCrash.test.ts: opens the workspace in argv[2] and runs executeBatch on the
 * Stripe rail against the parent's harness until COUNTERSIGN_CRASH_AT SIGKILLs it.
 * Run: node --import tsx test/execute/stripeCrashChild.ts <dataDir> '<json config>'
 */
import { executeBatch } from '../../src/main/core/payouts/execute'
import { createRailRegistry } from '../../src/main/core/rails/Rail'
import { createStripeRail } from '../../src/main/core/rails/stripe/createStripeRail'
import { MAKER, openWorkspace } from './executeKit'

interface ChildConfig {
  batchId: string
  host: string
  port: number
  secretKey: string
}

async function main(): Promise<void> {
  const [dataDir, json] = process.argv.slice(2)
  const c = JSON.parse(json!) as ChildConfig
  const ctx = await openWorkspace(dataDir!)
  const rails = createRailRegistry([
    createStripeRail({
      apiBase: { host: c.host, port: c.port, protocol: 'http' },
      secretKey: async () => c.secretKey,
      retry: { attemptsMax: 3, backoffMsBase: 1, backoffMsMax: 4, sleep: async () => {} },
    }),
  ])
  await executeBatch(ctx, { rails }, c.batchId, MAKER)
  await ctx.db.close()
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`stripeCrashChild failed: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  },
)
