/**
 * What an approver of an escrow action signs: SHA-256 over canonical JSON of the action (kind,
 * milestone, amounts) and the escrow's fixed terms (rail, asset, payee, payer, funding, expiry,
 * auto-release, every milestone's amount and review end) and the approval policy in force. The
 * approval of the FUNDING covers the terms, so it is also the approval of the automatic releases
 * the terms allow. A Ledger approver signs the same digest as EIP-712 `EscrowApproval`, which shows
 * the escrow's name, the action, its amount and the payee on the device.
 */
import { createHash } from 'node:crypto'
import type { TypedDataDefinition } from 'viem'
import { formatAmountGrouped } from '../../../shared/money'
import type { CoreContext } from '../context'
import type { EscrowActionRow, EscrowMilestoneRow, EscrowRow } from '../db/schema'
import { APPROVAL_DOMAIN } from '../operators/typedData'
import { readApprovalPolicy } from '../payouts/policy/getApprovalPolicy'
import { canonicalJson } from '../util/canonicalJson'
import { parseMinor } from '../../../shared/money'
import { assetOf } from './escrowRows'

export const ESCROW_DIGEST_KIND = 'countersign.escrow-action/v1'

export interface EscrowDigest {
  digest: string
  typedData: () => TypedDataDefinition
}

type ActionFields = Pick<EscrowActionRow, 'id' | 'kind' | 'milestone' | 'amount' | 'to_payee' | 'to_payer'>

export async function computeEscrowDigest(
  ctx: CoreContext,
  escrow: EscrowRow,
  milestones: readonly EscrowMilestoneRow[],
  action: ActionFields,
): Promise<EscrowDigest> {
  const policy = await readApprovalPolicy(ctx)
  const document = {
    kind: ESCROW_DIGEST_KIND,
    action: {
      id: action.id,
      kind: action.kind,
      milestone: action.milestone,
      amount: action.amount,
      toPayee: action.to_payee,
      toPayer: action.to_payer,
    },
    escrow: {
      id: escrow.id,
      name: escrow.name,
      rail: escrow.rail,
      network: escrow.network,
      assetId: escrow.asset_id,
      payer: escrow.payer,
      payee: escrow.payee,
      funding: escrow.funding,
      fundingCharge: escrow.funding_charge,
      total: escrow.total,
      autoRelease: escrow.auto_release === 1,
      expiresAt: escrow.expires_at,
      milestones: milestones.map((m) => ({ index: m.idx, amount: m.amount, reviewEndsAt: m.review_ends_at })),
    },
    policy,
  }
  const digest = createHash('sha256').update(canonicalJson(document)).digest('hex')
  const asset = await assetOf(ctx, escrow.asset_id)
  const amountText = `${formatAmountGrouped(parseMinor(action.amount), asset.scale)} ${asset.code}`
  const what = action.milestone === null ? action.kind : `${action.kind} milestone ${action.milestone}`
  return {
    digest,
    typedData: () =>
      escrowApprovalTypedData({ escrow: escrow.name, escrowId: escrow.id, action: what, amount: amountText, payee: escrow.payee, digest }),
  }
}

export function escrowApprovalTypedData(m: {
  escrow: string
  escrowId: string
  action: string
  amount: string
  payee: string
  digest: string
}): TypedDataDefinition {
  return {
    domain: APPROVAL_DOMAIN,
    types: {
      EscrowApproval: [
        { name: 'escrow', type: 'string' },
        { name: 'escrowId', type: 'string' },
        { name: 'action', type: 'string' },
        { name: 'amount', type: 'string' },
        { name: 'payee', type: 'string' },
        { name: 'digest', type: 'bytes32' },
      ],
    },
    primaryType: 'EscrowApproval',
    message: { ...m, digest: `0x${m.digest}` },
  }
}
