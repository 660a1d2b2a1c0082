/**
 * One batch paid on the sandbox and settled, for the reconciliation tests: CSV → submitted →
 * approved → executed, then every rail swept until the batch is completed (no sleeps; a bounded
 * number of rounds).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { expect } from 'vitest'
import type { CallMeta } from '../../src/shared/api'
import { sandboxUp, type Sandbox } from '../../src/main/sandbox/sandboxUp'
import { sweepRail } from '../../src/main/core/payouts/execute/sweepRail'

/** Confirmation rounds before giving up; each round sweeps every rail once. */
export const SETTLE_ROUNDS_MAX = 20

export type SandboxOperators = Record<'dana' | 'alice' | 'bob' | 'carol', CallMeta>

/** Long enough that the background poller never sweeps during a test: the test drives every sweep. */
const POLL_INTERVAL_MS_MANUAL = 3_600_000

export interface QuietSandbox {
  sb: Sandbox
  /** The workspace folder (for the CLI: --data-dir). */
  dir: string
  as: SandboxOperators
  /** Stops the sandbox and removes its folder. */
  stop(): Promise<void>
}

/**
 * A sandbox in a fresh temp folder (countersign-<prefix>-…) whose poller is stopped, so the test
 * decides when anything is swept; `params` as sandboxUp takes them (services, signer, …).
 */
export async function startQuietSandbox(
  prefix: string,
  params: Omit<Parameters<typeof sandboxUp>[0], 'dataDir'> = {},
): Promise<QuietSandbox> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `countersign-${prefix}-`))
  try {
    const sb = await sandboxUp({ pollIntervalMs: POLL_INTERVAL_MS_MANUAL, ...params, dataDir: dir })
    await sb.core.poller.stop()
    return {
      sb,
      dir,
      as: sandboxOperators(sb),
      async stop() {
        await sb.stop()
        fs.rmSync(dir, { recursive: true, force: true })
      },
    }
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true })
    throw error
  }
}

/** The sandbox's operators by first name, for `api.call(…, as.alice)`. */
export function sandboxOperators(sb: Sandbox): SandboxOperators {
  const as: SandboxOperators = { dana: {}, alice: {}, bob: {}, carol: {} }
  for (const o of sb.description.operators) as[o.name.split(' ')[0]!.toLowerCase() as keyof SandboxOperators] = { operatorId: o.id }
  return as
}

/** Rows: [id, rail, network, asset, recipient, amount]. Returns the batch id, completed. */
export async function paySandboxBatch(
  sb: Sandbox,
  as: SandboxOperators,
  rows: readonly (readonly string[])[],
  batchName: string,
): Promise<string> {
  const api = sb.core.api
  const csv = ['id,rail,network,asset,recipient,amount', ...rows.map((p) => p.join(','))].join('\n')
  const imported = await api.call('payouts.import', { csv, batchName }, as.alice)
  expect(imported.issues).toEqual([])
  const id = imported.batchId!
  const submitted = await api.call('batches.submit', { id }, as.alice)
  await api.call('batches.approve', { id, version: submitted.version }, as.bob)
  await api.call('batches.execute', { id }, as.carol)
  for (let round = 1; round <= SETTLE_ROUNDS_MAX; round++) {
    for (const rail of (await sb.core.rails.load()).all()) await sweepRail(sb.core.ctx, rail)
    if ((await api.call('batches.get', { id })).batch.state === 'completed') break
  }
  expect((await api.call('batches.get', { id })).batch.state).toBe('completed')
  return id
}
