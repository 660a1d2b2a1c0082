/**
 * Pre-flight of an escrow operation on the EVM rail: network reads, no writes. It answers the
 * problems that would make CountersignEscrow refuse the transaction, in words a person can act on,
 * before anything is approved, planned or signed:
 * - fund: the id is free, the treasury holds the total and (ERC-20) allows the escrow contract
 *   to pull it; then the estimate, which is where a fee-on-transfer token shows (FeeOnTransferToken);
 * - release / dispute / resolve / refund: the milestone's state on chain and the chain's clock
 *   against the expiry; then the estimate (anything else the contract would refuse).
 */
import { decodeFunctionResult, encodeFunctionData, erc20Abi, getAddress, zeroAddress, type Hex } from 'viem'
import { CsError, type ErrorCode } from '../../../../../shared/errors'
import { formatAmount } from '../../../../../shared/money'
import type { AssetRow } from '../../../db/schema'
import { assertNever } from '../../../util/invariant'
import type { EscrowOp, EscrowOpInput, EscrowRailProblem, EscrowTerms } from '../../EscrowRail'
import { countersignEscrowAbi } from '../abi'
import { bigFromHex } from '../evmHex'
import { rpcBatch, type JsonRpcCall } from '../jsonRpc'
import { evmAssetOf, evmKindOf } from '../prepareEvmChunk'
import { contractIndex, evmEscrowCall, opMilestone, unixSeconds } from './evmEscrowCall'
import type { EvmEscrowSetup } from './evmEscrowSetup'
import { estimateEvmEscrowCall, readEvmEscrowMilestones, type ContractMilestoneState, type EscrowEstimate } from './readEvmEscrow'

export async function preflightEvmEscrow(
  setup: EvmEscrowSetup,
  checkChain: () => Promise<void>,
  input: EscrowOpInput,
): Promise<readonly EscrowRailProblem[]> {
  await checkChain()
  const { terms, op } = input
  const asset = evmAssetOf(setup, input.assets, terms.assetId)
  if (getAddress(terms.payer) !== setup.source.address) {
    return [
      problem(
        'ESCROW_RAIL_REFUSED',
        `Escrow ${terms.escrowId} is paid from ${terms.payer}, but chain ${setup.chainId} pays from ${setup.source.address} — only the payer can operate it; nothing was signed.`,
      ),
    ]
  }
  const problems = op.kind === 'fund' ? await fundProblems(setup, terms, asset) : await milestoneProblems(setup, terms, op)
  if (problems.length > 0) return problems
  const estimate = await estimateEvmEscrowCall(setup, evmEscrowCall(terms, op, asset))
  return estimate.ok ? [] : [escrowRefusal(setup, terms, asset, estimate)]
}

/** The contract's refusal of an estimate, as a problem (prepare throws it as a CsError). */
export function escrowRefusal(
  setup: EvmEscrowSetup,
  terms: EscrowTerms,
  asset: AssetRow,
  estimate: Extract<EscrowEstimate, { ok: false }>,
): EscrowRailProblem & { code: ErrorCode } {
  if (estimate.errorName === 'FeeOnTransferToken') {
    return problem(
      'ESCROW_TOKEN_REFUSED',
      `${asset.code} (${asset.issuer}) keeps part of every transfer, so the escrow contract refuses it: each milestone must be held in full — escrow another token; nothing was signed.`,
    )
  }
  const why = estimate.errorName !== '' ? estimate.errorName : estimate.message.slice(0, 160)
  return problem(
    'ESCROW_RAIL_REFUSED',
    `The escrow contract on chain ${setup.chainId} would refuse this operation on escrow ${terms.escrowId} (${why}) — refresh the escrow and check its state; nothing was signed.`,
  )
}

async function fundProblems(setup: EvmEscrowSetup, terms: EscrowTerms, asset: AssetRow): Promise<EscrowRailProblem[]> {
  const id = terms.railEscrowId as Hex
  const total = terms.milestones.reduce((s, m) => s + m.amount, 0n)
  const { token } = evmKindOf(asset)
  const treasury = setup.source.address
  const ethCall = (to: Hex, data: Hex): JsonRpcCall => ({ method: 'eth_call', params: [{ to, data }, 'latest'] })
  const calls: JsonRpcCall[] = [
    ethCall(setup.escrowContract, encodeFunctionData({ abi: countersignEscrowAbi, functionName: 'escrowOf', args: [id] })),
    token === null
      ? { method: 'eth_getBalance', params: [treasury, 'latest'] }
      : ethCall(token, encodeFunctionData({ abi: erc20Abi, functionName: 'balanceOf', args: [treasury] })),
    ...(token === null
      ? []
      : [ethCall(token, encodeFunctionData({ abi: erc20Abi, functionName: 'allowance', args: [treasury, setup.escrowContract] }))]),
  ]
  const results = await rpcBatch(setup.url, calls)
  const answer = (k: number): Hex => {
    const r = results[k]!
    if (!r.ok)
      throw new CsError(
        'RAIL_UNAVAILABLE',
        `The EVM node refused ${calls[k]!.method} (${r.message.slice(0, 120)}) — try again in a moment.`,
      )
    return r.result as Hex
  }
  const [payer] = decodeFunctionResult({ abi: countersignEscrowAbi, functionName: 'escrowOf', data: answer(0) })
  if (payer !== zeroAddress) {
    return [
      payer === treasury
        ? problem('ESCROW_STATE', `Escrow ${terms.escrowId} is already funded on chain ${setup.chainId} — refresh it; nothing was signed.`)
        : problem(
            'ESCROW_RAIL_REFUSED',
            `The on-chain id of escrow ${terms.escrowId} is already used by ${payer} on chain ${setup.chainId} — create the escrow again under another id; nothing was signed.`,
          ),
    ]
  }
  const out: EscrowRailProblem[] = []
  const money = (minor: bigint) => `${formatAmount(minor, asset.scale)} ${asset.code}`
  const balance =
    token === null ? bigFromHex(answer(1)) : decodeFunctionResult({ abi: erc20Abi, functionName: 'balanceOf', data: answer(1) })
  if (balance < total) {
    out.push(
      problem(
        'ESCROW_FUNDS_INSUFFICIENT',
        `The treasury ${treasury} holds ${money(balance)} on chain ${setup.chainId}, less than the ${money(total)} this escrow locks — top it up, then fund again.`,
      ),
    )
  }
  if (token !== null) {
    const allowance = decodeFunctionResult({ abi: erc20Abi, functionName: 'allowance', data: answer(2) })
    if (allowance < total) {
      out.push(
        problem(
          'ESCROW_FUNDS_INSUFFICIENT',
          `The treasury allows the escrow contract ${setup.escrowContract} to take ${money(allowance)}, less than the ${money(total)} this escrow locks — approve the escrow contract for ${asset.code} from the treasury, then fund again.`,
        ),
      )
    }
  }
  return out
}

async function milestoneProblems(
  setup: EvmEscrowSetup,
  terms: EscrowTerms,
  op: Exclude<EscrowOp, { kind: 'fund' }>,
): Promise<EscrowRailProblem[]> {
  const milestone = opMilestone(op)!
  const index = contractIndex(terms, milestone)
  const view = await readEvmEscrowMilestones(setup, terms.railEscrowId as Hex, [index])
  const onChain = view.milestones.get(index)!
  const expired = view.now >= unixSeconds(terms.expiresAt)
  const where = `Milestone ${milestone} of escrow ${terms.escrowId}`
  const wrong = (state: ContractMilestoneState): EscrowRailProblem =>
    state === 'none'
      ? problem(
          'ESCROW_STATE',
          `${where} is not held by the escrow contract on chain ${setup.chainId} — fund the escrow first; nothing was signed.`,
        )
      : problem('ESCROW_STATE', `${where} is ${state} on chain ${setup.chainId} already — refresh the escrow; nothing was signed.`)
  const state = onChain.state
  switch (op.kind) {
    case 'release':
      if (state === 'locked')
        return [problem('ESCROW_MILESTONE_DISPUTED', `${where} is disputed — resolve or refund it instead; nothing was signed.`)]
      return state === 'open' ? [] : [wrong(state)]
    case 'dispute':
      if (state !== 'open') return [wrong(state)]
      return expired
        ? [problem('ESCROW_STATE', `Escrow ${terms.escrowId} has expired on chain — refund the milestone instead of disputing it.`)]
        : []
    case 'resolve':
      if (op.toPayee + op.toPayer !== onChain.amount) {
        return [
          problem(
            'ESCROW_SPLIT_MISMATCH',
            `${where} holds ${onChain.amount} (minor units); the split must add up to it exactly — change the split.`,
          ),
        ]
      }
      return state === 'locked'
        ? []
        : [state === 'open' ? problem('ESCROW_STATE', `${where} is not disputed — dispute it before resolving it.`) : wrong(state)]
    case 'refund':
      if (state === 'locked' || (state === 'open' && expired)) return []
      if (state === 'open') {
        return [
          problem(
            'ESCROW_REFUND_BEFORE_EXPIRY',
            `${where} can be refunded only once disputed or after the escrow expires (${terms.expiresAt.toISOString()}) — dispute it first, or wait.`,
          ),
        ]
      }
      return [wrong(state)]
    default:
      return assertNever(op, 'escrow op')
  }
}

function problem(code: ErrorCode, message: string): EscrowRailProblem & { code: ErrorCode } {
  return { code, message }
}
