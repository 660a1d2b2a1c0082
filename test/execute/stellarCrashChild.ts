/**
 * Child process of stellarCrash.test.ts: opens the workspace in argv[2] and runs the engine as
 * the app would — executeBatch on the Stellar rail (harness URL in the config), then
 * confirmation sweeps — until COUNTERSIGN_CRASH_AT makes it SIGKILL itself.
 * Run: node --import tsx test/execute/stellarCrashChild.ts <dataDir> '<json config>'
 */
import { executeBatch } from '../../src/main/core/payouts/execute'
import { sweepRail } from '../../src/main/core/payouts/execute/sweepRail'
import type { StellarNetworkConfig } from '../../src/main/core/rails/stellar/stellarRailConfig'
import { MAKER, openWorkspace } from './executeKit'
import { stellarRails, stellarSigner } from './stellarKit'

interface ChildConfig {
  batchId: string
  network: Omit<StellarNetworkConfig, 'maxFeePerOpStroops'> & { maxFeePerOpStroops: string }
}

const roundsMax = 10

async function main(): Promise<void> {
  const [dataDir, json] = process.argv.slice(2)
  const config = JSON.parse(json!) as ChildConfig
  const ctx = await openWorkspace(dataDir!)
  const rails = stellarRails({ ...config.network, maxFeePerOpStroops: BigInt(config.network.maxFeePerOpStroops) })
  await executeBatch(ctx, { rails, signer: stellarSigner() }, config.batchId, MAKER)
  for (let round = 0; round < roundsMax; round++) {
    const r = await sweepRail(ctx, rails.all()[0]!)
    if (r.open === 0) break
  }
  await ctx.db.close()
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`stellarCrashChild failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exit(1)
  },
)
