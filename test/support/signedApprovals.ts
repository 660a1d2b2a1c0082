/**
 * TEST ONLY: a signed approval without the approval flow, for tests about what happens after
 * approval (execution, confirmation, booking). It registers an approver with an ed25519 key and
 * signs the batch digest exactly as `batches.approve` does, so the engine's pre-signing check
 * (verifyBatchApprovals) accepts it — and rejects it the moment a payout is changed.
 */
import { computeBatchDigest } from '../../src/main/core/payouts/approvals/batchDigest'
import { createHash } from 'node:crypto'
import { ed25519 } from '@noble/curves/ed25519.js'
import { fingerprintOf, signEd25519 } from '../../src/main/core/operators/approvalKeys'
import { getBatchRow } from '../../src/main/core/payouts/batches/readBatch'
import type { CoreContext } from '../../src/main/core/context'
import { appendAudit } from '../../src/main/core/audit/appendAudit'

export const TEST_APPROVER = 'test-approver'

export async function approveBatchForTest(ctx: CoreContext, batchId: string, approverId = TEST_APPROVER): Promise<void> {
  const at = ctx.clock.now().toISOString()
  const { key, secret } = await ensureTestApprover(ctx, approverId)
  const batch = await getBatchRow(ctx, batchId)
  const digest = await computeBatchDigest(ctx, batch)
  await ctx.db.run(
    ctx.db.k.insertInto('approvals').values({
      batch_id: batchId,
      version: batch.version,
      operator_id: approverId,
      decision: 'approve',
      comment: null,
      at: at < key.created_at ? key.created_at : at,
      key_id: key.id,
      digest: digest.digest,
      signature: signEd25519(secret, digest.digest),
    }),
  )
}

/**
 * A test approver (role approver, recorded in the audit chain as the app records it) with its
 * ed25519 approval key, created on first use; the key's secret is derived from the id, so any test
 * process can sign for it (e.g. with createApprovalSigner).
 */
export async function ensureTestApprover(
  ctx: CoreContext,
  approverId = TEST_APPROVER,
): Promise<{ key: { id: string; created_at: string }; secret: Uint8Array }> {
  // A fixed key per test approver (derived from its id): any test database can be signed for.
  const secret = new Uint8Array(createHash('sha256').update(`countersign-test-approver/${approverId}`).digest())
  const publicKey = Buffer.from(ed25519.getPublicKey(secret)).toString('hex')
  let key = await ctx.db.first(ctx.db.k.selectFrom('operator_keys').selectAll().where('operator_id', '=', approverId))
  if (!key) {
    const made = { publicKey }
    const existing = await ctx.db.first(ctx.db.k.selectFrom('operators').select('id').where('id', '=', approverId))
    if (!existing) {
      // Recorded in the audit chain as the app records it: the engine goes by the chain's roles.
      await ctx.db.tx(async () => {
        await ctx.db.run(
          ctx.db.k
            .insertInto('operators')
            .values({ id: approverId, name: `Approver ${approverId}`, roles: '["approver"]', created_at: '2026-01-01T00:00:00.000Z' }),
        )
        await appendAudit(ctx, {
          actor: 'test',
          action: 'operators.add',
          subject: `operator:${approverId}`,
          change: { name: `Approver ${approverId}`, roles: ['approver'] },
        })
      })
    }
    const row = {
      id: `key_${approverId}`,
      operator_id: approverId,
      kind: 'ed25519',
      public_key: made.publicKey,
      path: null,
      fingerprint: fingerprintOf('ed25519', made.publicKey),
      sealed_secret: null,
      created_at: '2026-01-01T00:00:00.000Z',
      revoked_at: null,
    }
    await ctx.db.tx(async () => {
      await ctx.db.run(ctx.db.k.insertInto('operator_keys').values(row))
      await appendAudit(ctx, {
        actor: approverId,
        action: 'operators.activate',
        subject: `operator:${approverId}`,
        change: { key: { id: row.id, kind: 'ed25519', publicKey: row.public_key, fingerprint: row.fingerprint } },
      })
    })
    key = row
  }
  return { key, secret }
}
