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
import type { SignerChain } from '../../signing/Signer'
import { assertNever, invariant, unreachable } from '../../util/invariant'
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
  invariant(sub.unsigned_payload !== null, () => `submission ${sub.id} has no unsigned payload`)
  const rail = railOf(deps, sub)
  if (!rail.capabilities.externalSigning) {
    throw new CsError('EXECUTION_STATE', `Payouts on ${sub.rail} are not signed with a key, so they cannot be signed externally.`)
  }
  // The signing file's format is the signer chain's (what an offline machine signs), not the rail's.
  const chain = rail.capabilities.signer
  switch (chain) {
    case 'evm':
      return {
        rail: 'evm',
        submissionId: sub.id,
        chainId: Number(sub.network),
        from: sub.source as Hex,
        unsignedSerialized: sub.unsigned_payload as Hex,
      }
    case 'stellar':
      invariant(rail.networkPassphrase, 'a Stellar rail without its passphrase')
      return {
        rail: 'stellar',
        submissionId: sub.id,
        source: sub.source,
        networkPassphrase: rail.networkPassphrase,
        unsignedXdr: sub.unsigned_payload,
      }
    case null:
      return unreachable(`rail ${sub.rail} offers external signing without a signer chain`)
    default:
      return assertNever(chain, 'signer chain')
  }
}

/** The planned transactions of an executing batch, as signing files (one per signer chain). */
export async function exportPlanned(ctx: CoreContext, deps: ExecuteDeps, batchId: string): Promise<ExternalExportResult> {
  const batch = await getBatchRow(ctx, batchId)
  const planned = await plannedSubmissions(ctx, batchId)
  if (planned.length === 0) {
    throw new CsError('EXECUTION_STATE', `Batch "${batch.name}" has no transaction waiting for a signature — nothing to export.`)
  }
  const now = ctx.clock.now()
  const byChain = new Map<SignerChain, { subs: SubmissionRow[]; expected: ExpectedSigned[] }>()
  // Device-free submissions (Stripe) have nothing to sign: they are not exported.
  for (const s of planned.filter((p) => railOf(deps, p).capabilities.externalSigning)) {
    const expected = expectedOf(deps, s)
    const group = byChain.get(expected.rail) ?? { subs: [], expected: [] }
    group.subs.push(s)
    group.expected.push(expected)
    byChain.set(expected.rail, group)
  }
  const files: ExternalExportResult['files'] = []
  for (const chain of SIGNER_CHAINS) {
    const group = byChain.get(chain)
    if (!group) continue
    const file =
      chain === 'evm' ? exportUnsignedEvm(group.expected.filter(isEvm), now) : exportUnsignedStellar(group.expected.filter(isStellar), now)
    const summaries: { submissionId: string; payouts: string }[] = []
    for (const s of group.subs) summaries.push({ submissionId: s.id, payouts: await describeChunk(ctx, s.id) })
    files.push({
      rail: chain,
      fileName: `countersign-${batchId}-${chain}-unsigned.json`,
      content: JSON.stringify({ ...file, batchId, summaries }, null, 2),
      transactions: group.subs.length,
    })
  }
  return { batchId, files }
}

/** The signer chains in the order their files are written. */
const SIGNER_CHAINS: readonly SignerChain[] = ['evm', 'stellar']
const isEvm = (e: ExpectedSigned): e is Extract<ExpectedSigned, { rail: 'evm' }> => e.rail === 'evm'
const isStellar = (e: ExpectedSigned): e is Extract<ExpectedSigned, { rail: 'stellar' }> => e.rail === 'stellar'

/** Checks a signed file against the batch's planned transactions, commits all of it at once, then sends. */
export async function importSigned(
  ctx: CoreContext,
  deps: ExecuteDeps,
  batchId: string,
  actor: Actor,
  text: string,
): Promise<ExternalImportResult> {
  const batch = await getBatchRow(ctx, batchId)
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new CsError('EXTERNAL_FILE_INVALID', 'The signed file is not JSON — nothing was accepted.')
  }
  const parsed = SignedFileSchema.safeParse(json)
  if (!parsed.success) return importSignedFile(text, new Map()).then(() => unreachable('an unreadable signed file was accepted'))
  const fileBatch = (json as { batchId?: unknown }).batchId
  if (typeof fileBatch === 'string' && fileBatch !== batchId) {
    throw new CsError(
      'EXTERNAL_FILE_INVALID',
      `The signed file is for batch ${fileBatch}, not "${batch.name}" (${batchId}) — nothing was accepted.`,
    )
  }
  const subs = new Map(
    (await ctx.db.all(ctx.db.k.selectFrom('submissions').selectAll().where('batch_id', '=', batchId))).map((s) => [s.id, s]),
  )
  const { fresh, alreadySigned } = sortItems(deps, batch.name, subs, parsed.data.items)
  const expected = new Map<string, ExpectedSigned>()
  for (const item of fresh) expected.set(item.submissionId, expectedOf(deps, subs.get(item.submissionId)!))
  const verified =
    fresh.length === 0
      ? []
      : await importSignedFile(JSON.stringify({ format: EXTERNAL_SIGNED_FORMAT, items: fresh }), expected, { allowMissing: true })

  const committed = await commitAll(ctx, actor, verified)
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
    stillUnsigned: (await plannedSubmissions(ctx, batchId)).length,
  }
}

type SignedItem = { submissionId: string; signed: string }

/**
 * Items for planned submissions go on to be checked; for submissions no longer planned the same
 * bytes again is a no-op, other bytes are refused (one nonce never gets two transactions from us).
 */
function sortItems<I extends SignedItem>(
  deps: ExecuteDeps,
  batchName: string,
  subs: ReadonlyMap<string, SubmissionRow>,
  items: readonly I[],
): { fresh: I[]; alreadySigned: number } {
  let alreadySigned = 0
  const fresh: I[] = []
  for (const item of items) {
    const sub = subs.get(item.submissionId)
    if (!sub)
      throw new CsError(
        'EXTERNAL_FILE_INVALID',
        `Submission ${item.submissionId} is not part of batch "${batchName}" — nothing was accepted.`,
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
      `Submission ${sub.id} (transaction ${sub.chunk_index + 1}) is already ${sub.state} with other signed bytes — a second transaction for the same ${railOf(deps, sub).capabilities.nonceName ?? 'nonce'} is refused; nothing was accepted.`,
    )
  }
  return { fresh, alreadySigned }
}

/** ONE transaction: every accepted signature is committed, or none. */
async function commitAll(
  ctx: CoreContext,
  actor: Actor,
  verified: readonly { submissionId: string; signed: string; hash: string }[],
): Promise<SubmissionRow[]> {
  return await ctx.db.tx(async () => {
    const out: SubmissionRow[] = []
    for (const v of verified) {
      const sub = await getSubmission(ctx, v.submissionId)
      if (sub.state !== 'planned')
        throw new CsError('BATCH_STALE', `Submission ${sub.id} changed while the file was checked — import it again.`)
      await moveSubmission(
        ctx,
        actor,
        sub,
        'signed',
        { signed_payload: v.signed, tx_hash: v.hash },
        { txHash: v.hash, how: 'external signing' },
      )
      await movePayoutsOf(ctx, sub.id, 'signed')
      out.push(await getSubmission(ctx, sub.id))
    }
    return out
  })
}
