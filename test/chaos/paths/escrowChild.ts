/**
 * The escrow path, child side: what the people around an escrow do in one phase, read from the
 * workspace each time (as a person reads the escrow page after a restart) and from the plan the
 * parent wrote into the workspace folder (what each person means to do with each milestone):
 *  - the preparer asks for a release, a resolve (the plan's split) or a refund, and disputes;
 *    the approver signs; the signer executes — and executes again an action a crash left
 *    'executing' with a planned transaction (the engine resumes it with the same payload), or one
 *    that failed (a new attempt, a few at most); a planned cancel cancels the unfunded escrow;
 *  - the payee (EVM: anyone, here a spare Anvil account; Stellar: the payee's key) takes a milestone
 *    meant to be released automatically once its window has passed on the rail — the release that
 *    needs no app (Stripe's is the poller's, in the child's sweep rounds).
 * Both run before every sweep round (everyRound) and say how much is still in flight, so a phase
 * keeps sweeping while a person waits for the rail.
 */
import fs from 'node:fs'
import path from 'node:path'
import { Keypair } from '@stellar/stellar-base'
import type { Address, Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { CoreContext } from '../../../src/main/core/context'
import { AUTO_RELEASE_ACTOR } from '../../../src/main/core/escrow/checkEscrowApprovals'
import { cancelEscrow } from '../../../src/main/core/escrow/cancelEscrow'
import { approveEscrowAction } from '../../../src/main/core/escrow/decideEscrowAction'
import { disputeEscrow } from '../../../src/main/core/escrow/disputeEscrow'
import { actionsOf, milestonesOf } from '../../../src/main/core/escrow/escrowRows'
import { executeEscrowAction } from '../../../src/main/core/escrow/executeEscrowAction'
import { requestEscrowAction } from '../../../src/main/core/escrow/requestEscrowAction'
import type { EscrowActionRow, EscrowMilestoneRow } from '../../../src/main/core/db/schema'
import { createApprovalSigner } from '../../../src/main/core/operators/approvalSigning'
import { getOperator } from '../../../src/main/core/operators/operators'
import { countersignEscrowAbi } from '../../../src/main/core/rails/evm/abi'
import { evmEscrowId } from '../../../src/main/core/rails/evm/escrow/createEvmEscrowRail'
import { hasErrorCode } from '../../../src/shared/errors'
import { formatAmount } from '../../../src/shared/money'
import { ensureTestApprover } from '../../support/signedApprovals'
import { MAKER } from '../../execute/executeKit'
import { createHarnessClients } from '../../harness/evm/clients'
import { claimAsPayee } from '../../escrow/stellarPayeeClaim'
import type { ChildDeps, ChildStep } from './types'

/** The plan, in the workspace folder: what each person means to do. */
export const ESCROW_PLAN_FILE = 'chaos-escrow-plan.json'
export const ESCROW_APPROVER = 'op-escrow-approver'
/** A failed action is executed again at most this many times in all (then it stays failed, its reason shown). */
export const ESCROW_ATTEMPTS_MAX = 5

/** release / resolve (dispute, then the split) / refund after a dispute / left to the rail's automatic release / left to expire, then refunded. */
export type MilestoneIntent = 'release' | 'resolve' | 'refund-disputed' | 'auto' | 'expire'

export interface PlannedEscrow {
  id: string
  rail: 'evm' | 'stellar' | 'stripe'
  assetId: string
  payee: string
  /** Cancelled before it is funded. */
  cancel: boolean
  /** Created after the run (the follow-up): it must go through. */
  followUp: boolean
  autoRelease: boolean
  fundingCharge: string | null
  expiresAt: string
  milestones: { amount: string; reviewEndsAt: string; intent: MilestoneIntent; toPayee: string }[]
  /** Stellar: the payee's key seed (hex), TEST ONLY — for its own claims. */
  payeeSeed: string | null
}

export interface EscrowPlan {
  escrows: PlannedEscrow[]
  evm: { rpcUrl: string; chainId: number; escrowContract: Address; claimerKey: Hex } | null
  stellar: { horizonUrl: string; passphrase: string } | null
}

export function readPlan(dataDir: string): EscrowPlan | null {
  const file = path.join(dataDir, ESCROW_PLAN_FILE)
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as EscrowPlan) : null
}

export function writePlan(dataDir: string, plan: EscrowPlan): void {
  fs.writeFileSync(path.join(dataDir, ESCROW_PLAN_FILE), JSON.stringify(plan, null, 2))
}

const FINAL_MILESTONE = ['released', 'resolved', 'refunded']

/** The person: one look at every planned escrow, the next click on each; how many wait for something. */
async function person(ctx: CoreContext, deps: ChildDeps): Promise<number> {
  const plan = readPlan(deps.dataDir)
  if (!plan) return 0
  const { secret } = await ensureTestApprover(ctx, ESCROW_APPROVER)
  const approver = await getOperator(ctx, ESCROW_APPROVER)
  const sign = createApprovalSigner(ctx, ESCROW_APPROVER, secret, null)
  const escrowDeps = { rails: deps.escrowRails, signer: deps.signer }
  const disputer = { ...(await getOperator(ctx, MAKER)), roles: ['preparer' as const, 'signer' as const] }

  /** Carries an action one click further; 1 while it is not settled. */
  const push = async (a: EscrowActionRow): Promise<number> => {
    if (a.requested_by === AUTO_RELEASE_ACTOR) return a.state === 'done' || a.state === 'failed' ? 0 : 1 // the poller's own
    if (a.state === 'awaiting_approval') {
      await approveEscrowAction(ctx, approver, sign, { actionId: a.id })
      const now = (await actionsOf(ctx, a.escrow_id)).find((x) => x.id === a.id)!
      if (now.state !== 'approved') return 1
      a = now
    }
    const txs = await ctx.db.all(ctx.db.k.selectFrom('escrow_txs').select(['state']).where('action_id', '=', a.id))
    if (a.state === 'approved' || (a.state === 'failed' && txs.length < ESCROW_ATTEMPTS_MAX)) {
      await executeEscrowAction(ctx, escrowDeps, a.id, MAKER)
      return 1
    }
    if (a.state === 'executing') {
      // A transaction planned but never signed is the person's to finish (execute again); a sent one is the poller's.
      if (txs.some((t) => t.state === 'planned')) await executeEscrowAction(ctx, escrowDeps, a.id, MAKER)
      return 1
    }
    return 0
  }

  let waiting = 0
  let firstError: unknown = null
  for (const e of plan.escrows) {
    try {
      waiting += await drive(e)
    } catch (error) {
      // Each escrow on its own: one refused click does not stop the person looking at the others.
      firstError ??= error
      waiting++
    }
  }
  if (firstError !== null) throw firstError
  return waiting

  async function drive(e: PlannedEscrow): Promise<number> {
    let waiting = 0
    const row = await ctx.db.first(ctx.db.k.selectFrom('escrows').select(['state', 'asset_id']).where('id', '=', e.id))
    if (!row || row.state === 'cancelled') return 0
    if (e.cancel) {
      if (row.state === 'draft' || row.state === 'failed') await cancelEscrow(ctx, MAKER, { id: e.id, comment: 'not needed after all' })
      return 0
    }
    const actions = await actionsOf(ctx, e.id)
    const fund = actions.filter((a) => a.kind === 'fund').at(-1)
    if (row.state === 'draft' || row.state === 'failed' || row.state === 'funding') {
      if (!fund) return 0
      return await push(fund).catch(async (error: unknown) => {
        // Its expiry passed before the funding went through: the app refuses to fund it now and says
        // to cancel it — the person does.
        if (!hasErrorCode(error, 'ESCROW_STATE') || row.state === 'funding') throw error
        await cancelEscrow(ctx, MAKER, { id: e.id, comment: 'expired before it was funded' })
        return 0
      })
    }
    const scale = (await ctx.db.first(ctx.db.k.selectFrom('assets').select('scale').where('id', '=', row.asset_id)))!.scale
    for (const m of await milestonesOf(ctx, e.id)) {
      if (FINAL_MILESTONE.includes(m.state)) continue
      const intent = e.milestones[m.idx - 1]!
      const mine = actions.filter((a) => a.milestone === m.idx)
      const open = mine.find((a) => ['awaiting_approval', 'approved', 'executing'].includes(a.state))
      if (open) {
        waiting += await push(open)
        continue
      }
      // The last attempt failed: execute it again (a new attempt) while it may still go through. When
      // the milestone has moved on since (it expired under a failed dispute — seed 670.8), the app
      // refuses with ESCROW_STATE and says what is left: the person reads that and takes the next move.
      const last = mine.at(-1)
      if (last?.state === 'failed') {
        const again = await push(last).catch((error: unknown) => {
          if (hasErrorCode(error, 'ESCROW_STATE')) return 0
          throw error
        })
        if (again > 0) {
          waiting++
          continue
        }
      }
      waiting += await nextMove(e, m, intent, scale)
    }
    return waiting
  }

  async function nextMove(e: PlannedEscrow, m: EscrowMilestoneRow, intent: PlannedEscrow['milestones'][number], scale: number) {
    const at = { id: e.id, milestone: m.idx }
    if (m.state === 'expired') {
      await requestEscrowAction(ctx, MAKER, { ...at, kind: 'refund', reason: 'expired' })
      return 1
    }
    if (m.state === 'disputed') {
      if (intent.intent === 'resolve') {
        const toPayee = BigInt(intent.toPayee)
        await requestEscrowAction(ctx, MAKER, {
          ...at,
          kind: 'resolve',
          toPayee: formatAmount(toPayee, scale),
          toPayer: formatAmount(BigInt(m.amount) - toPayee, scale),
        })
      } else await requestEscrowAction(ctx, MAKER, { ...at, kind: 'refund', reason: 'settled the dispute' })
      return 1
    }
    if (m.state !== 'held') return 1
    if (intent.intent === 'release') {
      await requestEscrowAction(ctx, MAKER, { ...at, kind: 'release' })
      return 1
    }
    if (intent.intent === 'resolve' || intent.intent === 'refund-disputed') {
      await disputeEscrow(ctx, escrowDeps, disputer, { ...at, reason: 'work not as agreed' })
      return 1
    }
    return 0 // left to the clock: the rail's automatic release, or the expiry
  }
}

/** The payees of milestones left to the rail's automatic release take them once their window has passed. */
async function payees(ctx: CoreContext, deps: ChildDeps): Promise<number> {
  const plan = readPlan(deps.dataDir)
  if (!plan) return 0
  let waiting = 0
  for (const e of plan.escrows) {
    if (e.rail === 'stripe' || e.cancel) continue
    const ms = await ctx.db.all(ctx.db.k.selectFrom('escrow_milestones').selectAll().where('escrow_id', '=', e.id).orderBy('idx'))
    for (const m of ms) {
      if (e.milestones[m.idx - 1]!.intent !== 'auto' || m.state === 'draft' || m.state === 'funding') continue
      if (e.rail === 'evm' && plan.evm) waiting += await claimOnEvm(plan.evm, m)
      if (e.rail === 'stellar' && plan.stellar) waiting += await claimOnStellar(plan.stellar, e, m)
    }
  }
  return waiting
}

/** Anyone's claim() once the window has passed by the chain's clock; 1 while the milestone is not released on chain. */
async function claimOnEvm(evm: NonNullable<EscrowPlan['evm']>, m: EscrowMilestoneRow): Promise<number> {
  const c = createHarnessClients({ rpcUrl: evm.rpcUrl, chainId: evm.chainId })
  const [, releaseAfter, state] = await c.publicClient.readContract({
    address: evm.escrowContract,
    abi: countersignEscrowAbi,
    functionName: 'milestoneOf',
    args: [evmEscrowId(m.escrow_id), BigInt(m.idx - 1)],
  })
  if (state !== 1) return state === 0 ? 1 : 0 // 1 = open; anything else is settled (or locked by a dispute)
  const head = await c.publicClient.getBlock({ blockTag: 'latest' })
  if (head.timestamp < releaseAfter) return 1
  const account = privateKeyToAccount(evm.claimerKey)
  const [latest, pending] = await Promise.all([
    c.publicClient.getTransactionCount({ address: account.address, blockTag: 'latest' }),
    c.publicClient.getTransactionCount({ address: account.address, blockTag: 'pending' }),
  ])
  if (pending > latest) return 1 // its claim waits in the mempool
  await c.walletFor({ address: account.address, testOnlyPrivateKey: evm.claimerKey }).writeContract({
    address: evm.escrowContract,
    abi: countersignEscrowAbi,
    functionName: 'claim',
    args: [evmEscrowId(m.escrow_id), BigInt(m.idx - 1)],
    gas: 200_000n,
  })
  return 1
}

/** The payee's own claim of its balance once `not before T` holds; 1 while the balance is there. */
async function claimOnStellar(stellar: NonNullable<EscrowPlan['stellar']>, e: PlannedEscrow, m: EscrowMilestoneRow): Promise<number> {
  if (m.rail_ref === null || e.payeeSeed === null) return 1
  const res = await fetch(`${stellar.horizonUrl}/claimable_balances/${m.rail_ref}`)
  if (res.status === 404) return m.state === 'held' || m.state === 'expired' ? 1 : 0 // claimed: the poller books it
  const clock = (await (await fetch(`${stellar.horizonUrl}/_harness/clock`)).json()) as { now: string }
  if (clock.now < e.milestones[m.idx - 1]!.reviewEndsAt) return 1
  await claimAsPayee(stellar.horizonUrl, stellar.passphrase, Keypair.fromRawEd25519Seed(Buffer.from(e.payeeSeed, 'hex')), m.rail_ref)
  return 1
}

export const escrowChildSteps: ChildStep[] = [
  { name: 'escrow.person', everyRound: true, run: person },
  { name: 'escrow.payee', everyRound: true, run: payees },
]
