/**
 * External signing of a batch (an air-gapped machine, an HSM, or build-only inspection):
 *
 *   export:  an approved batch is planned exactly as for the device (pre-flight, nonces /
 *            sequences reserved, unsigned payloads committed, state 'planned'), then its planned
 *            transactions are written out, one file per rail;
 *   import:  the signed file is checked item by item against what was planned — the signed
 *            content must re-encode to the committed unsigned payload and be signed by the
 *            submission's source (signing/external) — then ALL accepted signatures are committed
 *            in ONE transaction (state 'signed', audited as external) and only then sent, by the
 *            same sendPersisted the device path uses.
 *
 * Importing the same signed bytes twice is a no-op (never a second broadcast); different bytes
 * for a submission already signed are refused, so one nonce / sequence never gets two
 * transactions from Countersign.
 */
import type { Hex } from 'viem'
import { CsError } from '../../../../shared/errors'
import type { ExternalExportResult, ExternalImportResult } from '../../../../shared/payoutsApi'
import type { Actor, CoreContext } from '../../context'
import type { SubmissionRow } from '../../db/schema'
import type { Rail } from '../../rails/Rail'
import {
  EXTERNAL_SIGNED_FORMAT,
  exportUnsignedEvm,
  exportUnsignedStellar,
  importSignedFile,
  SignedFileSchema,
  type ExpectedSigned,
} from '../../signing/external'
import { getBatchRow } from '../batches/readBatch'
import { crashPoint } from '../../util/crashPoint'
import type { ExecuteDeps } from './executeDeps'
import { getSubmission, moveSubmission, movePayoutsOf, plannedSubmissions } from './executionStore'
import { describeChunk, notConfigured, sendPersisted } from './signAndBroadcast'

function railOf(deps: ExecuteDeps, sub: SubmissionRow): Rail {
  const rail = deps.rails.get(sub.rail, sub.network)
  if (!rail) throw notConfigured(sub)
  return rail
}

function expectedOf(deps: ExecuteDeps, sub: SubmissionRow): ExpectedSigned {
  if (sub.unsigned_payload === null) throw new Error(`invariant: submission ${sub.id} has no unsigned payload`)
  const rail = railOf(deps, sub)
  if (sub.rail === 'evm') {
    return {
      rail: 'evm',
      submissionId: sub.id,
      chainId: Number(sub.network),
      from: sub.source as Hex,
      unsignedSerialized: sub.unsigned_payload as Hex,
    }
  }
  if (sub.rail === 'stellar') {
    if (!rail.networkPassphrase) throw new Error('invariant: a Stellar rail without its passphrase')
    return {
      rail: 'stellar',
      submissionId: sub.id,
      source: sub.source,
      networkPassphrase: rail.networkPassphrase,
      unsignedXdr: sub.unsigned_payload,
    }
  }
  throw new CsError('EXECUTION_STATE', `Payouts on ${sub.rail} are not signed with a key, so they cannot be signed externally.`)
}

/** The planned transactions of an executing batch, as signing files (one per rail). */
export function exportPlanned(ctx: CoreContext, deps: ExecuteDeps, batchId: string): ExternalExportResult {
  const batch = getBatchRow(ctx, batchId)
  const planned = plannedSubmissions(ctx, batchId)
  if (planned.length === 0) {
    throw new CsError('EXECUTION_STATE', `Batch "${batch.name}" has no transaction waiting for a signature — nothing to export.`)
  }
  const now = ctx.clock.now()
  const files: ExternalExportResult['files'] = []
  for (const rail of ['evm', 'stellar'] as const) {
    const subs = planned.filter((s) => s.rail === rail)
    if (subs.length === 0) continue
    const expected = subs.map((s) => expectedOf(deps, s))
    const file =
      rail === 'evm'
        ? exportUnsignedEvm(
            expected.filter((e): e is Extract<ExpectedSigned, { rail: 'evm' }> => e.rail === 'evm'),
            now,
          )
        : exportUnsignedStellar(
            expected.filter((e): e is Extract<ExpectedSigned, { rail: 'stellar' }> => e.rail === 'stellar'),
            now,
          )
    files.push({
      rail,
      fileName: `countersign-${batchId}-${rail}-unsigned.json`,
      content: JSON.stringify(
        { ...file, batchId, summaries: subs.map((s) => ({ submissionId: s.id, payouts: describeChunk(ctx, s.id) })) },
        null,
        2,
      ),
      transactions: subs.length,
    })
  }
  return { batchId, files }
}

/** Checks a signed file against the batch's planned transactions, commits all of it at once, then sends. */
export async function importSigned(
  ctx: CoreContext,
  deps: ExecuteDeps,
  batchId: string,
  actor: Actor,
  text: string,
): Promise<ExternalImportResult> {
  const batch = getBatchRow(ctx, batchId)
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new CsError('EXTERNAL_FILE_INVALID', 'The signed file is not JSON — nothing was accepted.')
  }
  const parsed = SignedFileSchema.safeParse(json)
  if (!parsed.success) return importSignedFile(text, new Map()).then(() => never())
  const fileBatch = (json as { batchId?: unknown }).batchId
  if (typeof fileBatch === 'string' && fileBatch !== batchId) {
    throw new CsError(
      'EXTERNAL_FILE_INVALID',
      `The signed file is for batch ${fileBatch}, not "${batch.name}" (${batchId}) — nothing was accepted.`,
    )
  }
  const subs = new Map(ctx.db.all(ctx.db.k.selectFrom('submissions').selectAll().where('batch_id', '=', batchId)).map((s) => [s.id, s]))
  // Items for submissions no longer planned: the same bytes again is a no-op; other bytes are refused.
  let alreadySigned = 0
  const fresh: typeof parsed.data.items = []
  for (const item of parsed.data.items) {
    const sub = subs.get(item.submissionId)
    if (!sub)
      throw new CsError(
        'EXTERNAL_FILE_INVALID',
        `Submission ${item.submissionId} is not part of batch "${batch.name}" — nothing was accepted.`,
      )
    if (sub.state === 'planned') {
      fresh.push(item)
      continue
    }
    if (sub.signed_payload !== null && sub.signed_payload.toLowerCase() === item.signed.trim().toLowerCase()) {
      alreadySigned++
      continue
    }
    throw new CsError(
      'EXTERNAL_CONTENT_MISMATCH',
      `Submission ${sub.id} (transaction ${sub.chunk_index + 1}) is already ${sub.state} with other signed bytes — a second transaction for the same ${sub.rail === 'evm' ? 'nonce' : 'sequence'} is refused; nothing was accepted.`,
    )
  }
  const expected = new Map<string, ExpectedSigned>()
  for (const item of fresh) expected.set(item.submissionId, expectedOf(deps, subs.get(item.submissionId)!))
  const verified =
    fresh.length === 0
      ? []
      : await importSignedFile(JSON.stringify({ format: EXTERNAL_SIGNED_FORMAT, items: fresh }), expected, { allowMissing: true })

  // ONE transaction: every accepted signature is committed, or none.
  const committed = ctx.db.tx(() =>
    verified.map((v) => {
      const sub = getSubmission(ctx, v.submissionId)
      if (sub.state !== 'planned')
        throw new CsError('BATCH_STALE', `Submission ${sub.id} changed while the file was checked — import it again.`)
      moveSubmission(ctx, actor, sub, 'signed', { signed_payload: v.signed, tx_hash: v.hash }, { txHash: v.hash, how: 'external signing' })
      movePayoutsOf(ctx, sub.id, 'signed')
      return getSubmission(ctx, sub.id)
    }),
  )
  if (committed.length > 0) ctx.events.emit('payouts.changed', { batchIds: [batchId] })
  crashPoint('after-persist')
  let broadcast = 0
  let undelivered = 0
  for (const sub of committed) {
    if ((await sendPersisted(ctx, railOf(deps, sub), actor, sub)) === 'sent') broadcast++
    else undelivered++
  }
  return {
    batchId,
    accepted: committed.length,
    alreadySigned,
    broadcast,
    undelivered,
    stillUnsigned: plannedSubmissions(ctx, batchId).length,
  }
}

function never(): never {
  throw new Error('invariant: an unreadable signed file was accepted')
}
