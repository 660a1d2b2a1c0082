/**
 * Batch claims: the second desk to press Execute is told who got there first; a claim whose
 * holder is gone (expired, or its process dead on this host) does not block anyone.
 */
import { spawnSync } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { CsError } from '../../../../shared/errors'
import type { CoreContext } from '../../context'
import { CLAIM_TTL_MS, claimBatch, liveClaims, thisHost, withBatchClaim } from './claimBatch'
import { openExecuteTestDb, TEST_BATCH } from './executeTestDb'

let ctx: CoreContext
afterEach(async () => ctx?.db.close())

const AT = '2026-02-01T10:00:00.000Z'

async function foreignClaim(over: { host?: string; pid?: number; expires_at?: string }): Promise<void> {
  await ctx.db.run(
    ctx.db.k.insertInto('batch_claims').values({
      batch_id: TEST_BATCH,
      operator_id: 'op-unit',
      operator_name: 'Carol Signer',
      host: over.host ?? 'DESK-2',
      pid: over.pid ?? 4242,
      purpose: 'execute',
      claimed_at: AT,
      expires_at: over.expires_at ?? new Date(Date.parse(AT) + CLAIM_TTL_MS).toISOString(),
      released_at: null,
    }),
  )
}

/** A process id that surely belongs to no running process: one that has just exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!
}

describe('batch claims', () => {
  it('refuses the second claimant with who holds it, from which desk, since when', async () => {
    ctx = await openExecuteTestDb()
    await foreignClaim({})
    await expect(claimBatch(ctx, TEST_BATCH, 'op-unit', 'execute')).rejects.toMatchObject({
      code: 'BATCH_BUSY',
      message: expect.stringMatching(/already being executed by Carol Signer on DESK-2 \(since 2026-02-01 10:00:00 UTC\)/),
      details: { batchId: TEST_BATCH, operatorName: 'Carol Signer', host: 'DESK-2', since: AT },
    })
    expect(await liveClaims(ctx)).toEqual(new Set([TEST_BATCH]))
  })

  it('the same process twice (a double click) is refused too, and a released claim frees the batch', async () => {
    ctx = await openExecuteTestDb()
    const first = await claimBatch(ctx, TEST_BATCH, 'op-unit', 'execute')
    await expect(claimBatch(ctx, TEST_BATCH, 'op-unit', 'execute')).rejects.toMatchObject({ code: 'BATCH_BUSY' })
    await first.release()
    expect(await liveClaims(ctx)).toEqual(new Set())
    await withBatchClaim(
      ctx,
      TEST_BATCH,
      'op-unit',
      'resume',
      () => null,
      async () => {
        expect(await liveClaims(ctx)).toEqual(new Set([TEST_BATCH]))
      },
    )
    expect(await liveClaims(ctx)).toEqual(new Set())
  })

  it('an expired claim, or one whose process died on this host, blocks nobody', async () => {
    ctx = await openExecuteTestDb()
    await foreignClaim({ expires_at: AT })
    await (await claimBatch(ctx, TEST_BATCH, 'op-unit', 'execute')).release()

    await ctx.db.run(ctx.db.k.deleteFrom('batch_claims'))
    await foreignClaim({ host: thisHost(), pid: deadPid() })
    expect(await liveClaims(ctx)).toEqual(new Set())
    await (await claimBatch(ctx, TEST_BATCH, 'op-unit', 'resume')).release()

    // A living process on this host (the CLI beside the app) still holds it.
    await ctx.db.run(ctx.db.k.deleteFrom('batch_claims'))
    await foreignClaim({ host: thisHost(), pid: process.ppid })
    await expect(claimBatch(ctx, TEST_BATCH, 'op-unit', 'resume')).rejects.toMatchObject({ code: 'BATCH_BUSY' })
  })

  it('the check decides inside the claim: a batch in the wrong state is refused, naming who ran it last', async () => {
    ctx = await openExecuteTestDb()
    await foreignClaim({ expires_at: AT })
    await expect(
      claimBatch(ctx, TEST_BATCH, 'op-unit', 'execute', (b, holder) =>
        b.state === 'approved' ? null : new CsError('EXECUTION_STATE', `${b.state}; last by ${holder?.operatorName} on ${holder?.host}`),
      ),
    ).rejects.toThrow('executing; last by Carol Signer on DESK-2')
  })
})
