/**
 * Child process of crash.test.ts: opens the workspace in argv[2] and runs the engine as the app
 * would — executeBatch, then the poller's gated confirmation sweeps (mining one block per round on Anvil) — until
 * COUNTERSIGN_CRASH_AT makes it SIGKILL itself. Exits 0 if it ran to the end without crashing.
 * Run: node --import tsx test/execute/crashChild.ts <dataDir> '<json config>'
 */
import { executeBatch } from '../../src/main/core/payouts/execute'
import { createSweepGate } from '../../src/main/core/payouts/execute/sweepGate'
import { sweepRail } from '../../src/main/core/payouts/execute/sweepRail'
import { createEvmRail, type EvmChainConfig } from '../../src/main/core/rails/evm'
import { createRailRegistry } from '../../src/main/core/rails/Rail'
import { emulatorSigner, MAKER, openWorkspace } from './executeKit'

interface ChildConfig {
  batchId: string
  chain: Omit<EvmChainConfig, 'maxFeePerGasCap'> & { maxFeePerGasCap: string }
}

const roundsMax = 30

async function main(): Promise<void> {
  const [dataDir, json] = process.argv.slice(2)
  const config = JSON.parse(json!) as ChildConfig
  const chain: EvmChainConfig = { ...config.chain, maxFeePerGasCap: BigInt(config.chain.maxFeePerGasCap) }
  const ctx = await openWorkspace(dataDir!)
  const rails = createRailRegistry([createEvmRail(chain)])
  await executeBatch(ctx, { rails, signer: emulatorSigner() }, config.batchId, MAKER)
  const gate = createSweepGate()
  for (let round = 0; round < roundsMax; round++) {
    const r = await sweepRail(ctx, rails.all()[0]!, gate)
    if (r.open === 0) break
    await fetch(chain.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'anvil_mine', params: ['0x1'] }),
    })
  }
  await ctx.db.close()
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`crashChild failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exit(1)
  },
)
