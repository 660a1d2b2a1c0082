/**
 * What must hold before the device is asked to vouch for a batch's receipts, and what it signs
 * with: the chain, every payout on it final, a receipt for every paid one, one treasury address
 * that paid them all (the one the receipts name as payer), verified on the device, and its path.
 * Each refusal says what to do; nothing here touches the device.
 */
import { CsError } from '../../../../shared/errors'
import type { CoreContext } from '../../context'
import type { BatchRow } from '../../db/schema'
import { toChecksumAddress } from '../../signing/evmCrypto'
import { getVerifiedSignerAddress, normalizeSignerAddress } from '../../signing/verifySignerAddress'
import { invariant } from '../../util/invariant'
import type { AttestationChain } from './attestationMessage'
import { batchReceipts, type BatchReceipt } from './attestationStore'

export interface AttestationPlan {
  chain: AttestationChain
  /** EIP-55 address / G… account: the treasury that paid, and signs. */
  signer: string
  /** Its BIP32 path, as verified on the device. */
  path: string
  workspaceId: string
  /** The leaves, in receipt-number order. */
  receipts: BatchReceipt[]
}

const CHAIN_NAMES: Readonly<Record<AttestationChain, string>> = { evm: 'EVM', stellar: 'Stellar' }
/** Payout states after which a payout changes no more on its own (a failed one only by a retry). */
const FINAL_PAYOUT_STATES: readonly string[] = ['confirmed', 'failed']

/** The plan for `chain` (from attestationChainOf). */
export async function readAttestationPlan(ctx: CoreContext, batch: BatchRow, chain: AttestationChain): Promise<AttestationPlan> {
  const name = `batch "${batch.name}" (${batch.id})`
  const states = await ctx.db.all(
    ctx.db.k
      .selectFrom('payouts')
      .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
      .where('batch_id', '=', batch.id)
      .where('rail', '=', chain)
      .groupBy('state'),
  )
  const inFlight = states.filter((s) => !FINAL_PAYOUT_STATES.includes(s.state)).reduce((n, s) => n + Number(s.n), 0)
  if (inFlight > 0)
    throw notReady(
      `${inFlight} ${CHAIN_NAMES[chain]} payout${inFlight === 1 ? ' is' : 's are'} of ${name} still in flight — attest once they are confirmed or failed.`,
    )
  const paid = Number(states.find((s) => s.state === 'confirmed')?.n ?? 0)

  const receipts = await batchReceipts(ctx, batch.id, chain)
  const receipted = new Set(receipts.map((r) => r.payoutId))
  const unreceipted = await paidPayoutsWithout(ctx, batch.id, chain, receipted)
  if (unreceipted > 0)
    throw notReady(
      `${unreceipted} paid ${CHAIN_NAMES[chain]} payout${unreceipted === 1 ? ' of ' + name + ' has' : 's of ' + name + ' have'} no receipt yet — issue the receipts (countersign receipts issue), then attest.`,
    )
  if (paid === 0 || receipts.length === 0)
    throw notReady(`${name} has no paid ${CHAIN_NAMES[chain]} payouts with receipts — there is nothing to attest.`)

  const signer = await treasuryOf(ctx, batch, chain, name)
  const workspaceId = receipts[0]!.workspaceId
  for (const r of receipts) {
    // What the receipts say must be what the device vouches for: the same payer and workspace.
    invariant(
      normalizeSignerAddress(chain, r.payerAccount) === normalizeSignerAddress(chain, signer),
      () => `receipt ${r.number} names payer ${r.payerAccount}, the batch paid from ${signer}`,
    )
    invariant(r.workspaceId === workspaceId, () => `receipt ${r.number} is of workspace ${r.workspaceId}, not ${workspaceId}`)
  }
  const verified = await getVerifiedSignerAddress(ctx, chain, signer)
  if (!verified) {
    throw new CsError(
      'SIGNER_ADDRESS_NOT_VERIFIED',
      `Verify the treasury address ${signer} on your Ledger in Settings → Signers, then attest the receipts of ${name} again.`,
    )
  }
  return { chain, signer, path: verified.path, workspaceId, receipts }
}

/** The chain asked for, or the batch's only device chain; an EVM + Stellar batch must name one. */
export async function attestationChainOf(
  ctx: CoreContext,
  batch: BatchRow,
  requested: AttestationChain | undefined,
): Promise<AttestationChain> {
  const rails = await ctx.db.all(ctx.db.k.selectFrom('payouts').select('rail').distinct().where('batch_id', '=', batch.id))
  const chains = rails.map((r) => r.rail).filter((r): r is AttestationChain => r === 'evm' || r === 'stellar')
  if (requested !== undefined) {
    if (!chains.includes(requested))
      throw notReady(`Batch "${batch.name}" (${batch.id}) paid nothing on ${CHAIN_NAMES[requested]} — there is nothing to attest there.`)
    return requested
  }
  if (chains.length === 0)
    throw notReady(
      `Batch "${batch.name}" (${batch.id}) paid nothing on EVM or Stellar — a device attestation covers on-chain payouts only; its receipts carry the workspace signature.`,
    )
  if (chains.length > 1)
    throw notReady(
      `Batch "${batch.name}" (${batch.id}) paid on EVM and on Stellar, from two treasury keys — attest each chain on its own: countersign receipts attest --batch ${batch.id} --chain evm, then --chain stellar.`,
    )
  return chains[0]!
}

async function paidPayoutsWithout(
  ctx: CoreContext,
  batchId: string,
  chain: AttestationChain,
  receipted: ReadonlySet<string | null>,
): Promise<number> {
  const paid = await ctx.db.all(
    ctx.db.k.selectFrom('payouts').select('id').where('batch_id', '=', batchId).where('rail', '=', chain).where('state', '=', 'confirmed'),
  )
  return paid.filter((p) => !receipted.has(p.id)).length
}

/** The one treasury address the batch's paid payouts on `chain` left from (their confirmed submissions' source). */
async function treasuryOf(ctx: CoreContext, batch: BatchRow, chain: AttestationChain, name: string): Promise<string> {
  const rows = await ctx.db.all(
    ctx.db.k
      .selectFrom('payouts')
      .innerJoin('submissions', 'submissions.id', 'payouts.submission_id')
      .select('submissions.source')
      .distinct()
      .where('payouts.batch_id', '=', batch.id)
      .where('payouts.rail', '=', chain)
      .where('payouts.state', '=', 'confirmed'),
  )
  const sources = [...new Set(rows.map((r) => normalizeSignerAddress(chain, r.source)))]
  invariant(sources.length > 0, () => `confirmed ${chain} payouts of ${batch.id} without a submission`)
  if (sources.length > 1)
    throw notReady(
      `${name} paid on ${CHAIN_NAMES[chain]} from ${sources.length} treasury addresses (${sources.join(', ')}) — one device signature vouches for one address, so its receipts carry the workspace signature only.`,
    )
  return chain === 'evm' ? toChecksumAddress(sources[0]!) : sources[0]!
}

function notReady(message: string): CsError {
  return new CsError('RECEIPT_ATTESTATION_NOT_READY', message)
}
