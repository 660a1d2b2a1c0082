/**
 * PURE: the unsigned Stellar transaction of one escrow operation, at the sequence the engine
 * reserved, with the same time bound rule as payouts (engine's now + timeBoundSeconds; a funding's
 * never past the escrow's expiry). The lock
 * is one claimable balance per milestone, created by the treasury:
 *
 *   payee     and(not(before releaseAfter), before expiresAt)   — may take it in its window
 *   treasury  unconditional                                       — may claim it back any time
 *
 *   fund        create_claimable_balance × milestones (one transaction)
 *   release i   claim_claimable_balance(i) + payment to the payee (atomic: both or neither)
 *   dispute i   claim_claimable_balance(i): the money is back in the treasury, earmarked
 *   resolve i   payment of toPayee (the balance was claimed back at the dispute)
 *   refund      claim_claimable_balance of each listed milestone still on the rail (none for a
 *               disputed one: its balance was claimed back at the dispute — nothing is sent)
 *
 * The balance ids of a funding transaction depend only on its source, sequence and operation
 * index, so `build` returns them (railRefs) before anything is signed.
 */
import { Claimant, Operation, type Asset, type xdr } from '@stellar/stellar-base'
import { CsError } from '../../../../../shared/errors'
import { assertNever, invariant } from '../../../util/invariant'
import type { BuiltEscrowTx, EscrowOp, EscrowOpInput, EscrowRailMilestone, EscrowTerms } from '../../EscrowRail'
import { assembleStellarTx, stellarAsset } from '../buildStellarTx'
import { stellarAssetRow } from '../planStellarChunks'
import { STELLAR_SCALE, stroopsText } from '../stellarAmounts'
import type { StellarRailEnv } from '../stellarRailEnv'

/** What `build` needs that only the network can say; JSON, kept with the plan. */
export interface StellarEscrowPrepared {
  /** Fee bid per operation, stroops. */
  feePerOp: string
  /** Refund only: the listed milestones whose balance was still on the rail at prepare. */
  onRail: number[] | null
}

const MS_PER_SECOND = 1000

export function buildStellarEscrowTx(
  env: StellarRailEnv,
  input: EscrowOpInput,
  prepared: unknown,
  nonce: bigint | null,
  now: Date,
): BuiltEscrowTx {
  invariant(nonce !== null && nonce > 0n, () => `escrow action ${input.actionId} needs a reserved Stellar sequence`)
  const { terms, op } = input
  invariant(terms.payer === env.source.address, () => `escrow ${terms.escrowId} is not funded by this rail's treasury`)
  const row = stellarAssetRow(env, input.assets, terms.assetId)
  invariant(row.scale === STELLAR_SCALE, () => `Stellar asset ${row.id} has scale ${row.scale}, not ${STELLAR_SCALE}`)
  const p = prepared as StellarEscrowPrepared
  const operations = escrowOperations(terms, op, stellarAsset(row), p)
  invariant(operations.length > 0, () => `escrow action ${input.actionId} (${op.kind}) moves nothing on Stellar`)
  // A funding lands before the escrow expires or not at all: one landing later would lock the money
  // where the payee can never take it (the engine refuses to execute a funding after the expiry).
  const validUntil = op.kind === 'fund' ? Math.floor(terms.expiresAt.getTime() / MS_PER_SECOND) : undefined
  if (validUntil !== undefined && validUntil <= Math.floor(now.getTime() / MS_PER_SECOND)) {
    throw new CsError(
      'ESCROW_STATE',
      `Escrow ${terms.escrowId} expires at ${terms.expiresAt.toISOString()}, too soon for its funding to land — nothing was sent. Cancel it, and create it again with a later expiry.`,
      { details: { escrowId: terms.escrowId } },
    )
  }
  const tx = assembleStellarTx(env, { feePerOp: p.feePerOp, memo: null, operations }, nonce, now, validUntil)
  const railRefs = new Map<number, string>()
  if (op.kind === 'fund') terms.milestones.forEach((m, i) => railRefs.set(m.index, tx.getClaimableBalanceId(i)))
  return {
    source: env.source.address,
    idempotencyKey: `escrow:stellar:${env.network}:${input.actionId}:${input.attempt}`,
    unsignedPayload: tx.toEnvelope().toXDR('base64'),
    feeCap: (BigInt(p.feePerOp) * BigInt(operations.length)).toString(),
    railRefs,
  }
}

function escrowOperations(terms: EscrowTerms, op: EscrowOp, asset: Asset, p: StellarEscrowPrepared): xdr.Operation[] {
  const pay = (amount: bigint): xdr.Operation => Operation.payment({ destination: terms.payee, asset, amount: stroopsText(amount) })
  switch (op.kind) {
    case 'fund':
      return terms.milestones.map((m) => fundOperation(terms, m, asset))
    case 'release': {
      const m = milestoneOf(terms, op.milestone)
      return [claimBack(m), pay(m.amount)]
    }
    case 'dispute':
      return [claimBack(milestoneOf(terms, op.milestone))]
    case 'resolve': {
      const m = milestoneOf(terms, op.milestone)
      invariant(op.toPayee + op.toPayer === m.amount, () => `resolve of milestone ${m.index} does not split its ${m.amount}`)
      return op.toPayee > 0n ? [pay(op.toPayee)] : []
    }
    case 'refund': {
      invariant(p.onRail !== null, 'a refund was prepared without reading which balances are on the rail')
      const onRail = new Set(p.onRail)
      return op.milestones.filter((i) => onRail.has(i)).map((i) => claimBack(milestoneOf(terms, i)))
    }
    default:
      return assertNever(op, 'escrow operation')
  }
}

function fundOperation(terms: EscrowTerms, m: EscrowRailMilestone, asset: Asset): xdr.Operation {
  invariant(terms.payee !== terms.payer, () => `escrow ${terms.escrowId} pays its own treasury`)
  invariant(m.amount > 0n, () => `milestone ${m.index} of escrow ${terms.escrowId} holds nothing`)
  // The payee may claim from the first whole second at or after releaseAfter, and not at expiresAt.
  const opens = Math.ceil(m.releaseAfter.getTime() / MS_PER_SECOND)
  const closes = Math.floor(terms.expiresAt.getTime() / MS_PER_SECOND)
  invariant(opens < closes, () => `milestone ${m.index} of escrow ${terms.escrowId} opens after the escrow expires`)
  const window = Claimant.predicateAnd(
    Claimant.predicateNot(Claimant.predicateBeforeAbsoluteTime(String(opens))),
    Claimant.predicateBeforeAbsoluteTime(String(closes)),
  )
  return Operation.createClaimableBalance({
    asset,
    amount: stroopsText(m.amount),
    claimants: [new Claimant(terms.payee, window), new Claimant(terms.payer, Claimant.predicateUnconditional())],
  })
}

function claimBack(m: EscrowRailMilestone): xdr.Operation {
  invariant(m.railRef !== null, () => `milestone ${m.index} has no claimable balance id`)
  return Operation.claimClaimableBalance({ balanceId: m.railRef })
}

/** Of `indexes`, the milestones a refund claims back: a disputed one's balance was claimed back at its dispute. */
export function refundClaims(terms: EscrowTerms, indexes: readonly number[]): number[] {
  return indexes.filter((i) => milestoneOf(terms, i).disputed !== true)
}

/** Milestone `index` (1-based) of the escrow. */
export function milestoneOf(terms: EscrowTerms, index: number): EscrowRailMilestone {
  const m = terms.milestones.find((x) => x.index === index)
  invariant(m, () => `escrow ${terms.escrowId} has no milestone ${index}`)
  return m
}
