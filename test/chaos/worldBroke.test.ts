/**
 * When the local world breaks — the node loses the deployed contracts, as one long-lived Anvil did
 * once after a reorg (seed 620.46) — the run is not counted as the product's failure: it is marked
 * invalid and the same seed runs again on a fresh world (a new Anvil), where it must pass.
 */
import { afterAll, describe, expect, it } from 'vitest'
import type { RunOptions } from './campaign'
import { stopSpareChild } from './campaign'
import { runOneOnSoundWorld } from './runCampaign'
import { startCampaignWorld, type Campaign } from './world'

const started: Campaign[] = []
afterAll(async () => {
  stopSpareChild()
  await Promise.all(started.map((w) => w.stop().catch(() => {})))
})

describe('a run whose world broke', () => {
  it('is marked invalid, and the seed runs again on a fresh world', async () => {
    const real = await startCampaignWorld()
    started.push(real)
    // The node "forgets" the batch contract right after the run's revert, once.
    const broken: Campaign = {
      ...real,
      async nextRun() {
        await real.nextRun()
        await fetch(real.evm.anvil.rpcUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'anvil_setCode', params: [real.evm.h.batch, '0x'] }),
        })
      },
    }
    const world = { current: broken }
    const opts: RunOptions = { rails: ['evm'], paths: ['payouts'], faultyPhasesMax: 1 }
    const r = await runOneOnSoundWorld(world, '77.0', opts)
    started.push(world.current)
    expect(r.worldBroke).toEqual([
      "the node lost the batch contract's code after the revert to the campaign's snapshot (Anvil's state, not the product's)",
    ])
    expect(world.current).not.toBe(broken)
    expect(r.invalid).toBeNull()
    expect(r.ok).toBe(true)
  }, 600_000)
})
