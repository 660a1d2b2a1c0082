/**
 * The last check of `receipts verify`, online only: the payment is on its rail as the receipt
 * says. A rail that cannot be reached (no connection, no URL configured, no Stripe key here) is
 * "not checked", never a failure of the receipt — the receipt verifies offline; this only adds
 * the rail's own word when it can be had.
 *
 *   evm      the transaction receipt exists, succeeded, is in the stated block (number and hash),
 *            from the stated account to the stated contract; for a payout, the log at the stated
 *            index is the contract's Paid event for this recipient and exact amount
 *   stellar  Horizon has the transaction, successful, in the stated ledger, from the stated source;
 *            for a payout, the operation at the stated index pays this payee this exact amount
 *   stripe   the transfer (or refund) exists with the stated destination and, for a payout, the
 *            exact amount; a reversal's transfer shows at least that much reversed
 */
import { Networks, TransactionBuilder, type Transaction } from '@stellar/stellar-base'
import type Stripe from 'stripe'
import { decodeEventLog, getAddress, type Hex } from 'viem'
import { hasErrorCode } from '../../../shared/errors'
import { parseAmount } from '../../../shared/money'
import type { ReceiptCheck } from '../../../shared/receiptsApi'
import type { ReceiptDocument } from '../../../shared/receiptTypes'
import { countersignBatchAbi } from '../rails/evm/abi'
import { rpcCall, RpcTransportError } from '../rails/evm/jsonRpc'
import type { EvmReceipt } from '../rails/evm/lookupEvmSubmissions'
import { createHorizonClient, HorizonError, type HorizonTransaction } from '../rails/stellar/horizon'
import { assertNever } from '../util/invariant'

/** Where the rails can be asked; each null when this desk cannot reach that rail. */
export interface EvidenceSources {
  evmRpcUrl(chainId: string): string | null
  horizonUrl(network: string): string | null
  stripe(): Promise<Stripe | null>
}

type Verdict = { status: 'pass' | 'fail' | 'skipped'; detail: string }

export async function checkRailEvidence(receipt: ReceiptDocument, sources: EvidenceSources): Promise<ReceiptCheck> {
  let verdict: Verdict
  try {
    verdict = await lookUp(receipt, sources)
  } catch (error) {
    verdict = offline(error)
      ? { status: 'skipped', detail: `not checked (offline): ${(error as Error).message}` }
      : { status: 'fail', detail: (error as Error).message }
  }
  return { name: 'rail-evidence', ...verdict }
}

async function lookUp(receipt: ReceiptDocument, sources: EvidenceSources): Promise<Verdict> {
  const e = receipt.evidence
  switch (e.rail) {
    case 'evm': {
      const url = sources.evmRpcUrl(e.chainId)
      if (url === null) return { status: 'skipped', detail: `not checked (offline): no node for chain ${e.chainId} is configured here` }
      return evmVerdict(receipt, await rpcCall<EvmReceipt | null>(url, 'eth_getTransactionReceipt', [e.txHash]))
    }
    case 'stellar': {
      const url = sources.horizonUrl(e.network)
      if (url === null) return { status: 'skipped', detail: `not checked (offline): no Horizon for ${e.network} is configured here` }
      const tx = (await createHorizonClient(url).transaction(e.txHash)) as (HorizonTransaction & { envelope_xdr?: string }) | null
      if (tx === null) return { status: 'fail', detail: `Horizon has no transaction ${e.txHash}` }
      const problems = [
        tx.successful ? null : 'it failed',
        String(tx.ledger) === e.ledger ? null : `it is in ledger ${tx.ledger}, not ${e.ledger}`,
        tx.source_account === e.source ? null : `its source is ${tx.source_account}, not ${e.source}`,
        receipt.kind === 'payout' && tx.envelope_xdr !== undefined
          ? stellarOperationProblem(receipt, tx.envelope_xdr, e.operationIndex)
          : null,
      ].filter((p) => p !== null)
      return problems.length > 0
        ? { status: 'fail', detail: `Stellar transaction ${e.txHash}: ${problems.join('; ')}` }
        : {
            status: 'pass',
            detail: `Horizon has transaction ${e.txHash}, successful, in ledger ${e.ledger}, operation ${e.operationIndex} paying ${receipt.payee.recipient}`,
          }
    }
    case 'stripe': {
      const client = await sources.stripe()
      if (client === null) return { status: 'skipped', detail: 'not checked (offline): no Stripe key on this desk' }
      return await stripeVerdict(receipt, e, client)
    }
    default:
      return assertNever(e, 'evidence')
  }
}

function evmVerdict(receipt: ReceiptDocument, r: EvmReceipt | null): Verdict {
  const e = receipt.evidence
  if (e.rail !== 'evm') return assertNever(e as never)
  if (r === null) return { status: 'fail', detail: `the chain has no transaction ${e.txHash}` }
  const same = (a: string | null | undefined, b: string) => (a ?? '').toLowerCase() === b.toLowerCase()
  const receiptOf = r as EvmReceipt & { from?: string; to?: string | null }
  const problems = [
    BigInt(r.status) === 1n ? null : 'it reverted',
    BigInt(r.blockNumber).toString() === e.blockNumber ? null : `it is in block ${BigInt(r.blockNumber)}, not ${e.blockNumber}`,
    same(r.blockHash, e.blockHash) ? null : 'its block hash differs (the block was replaced)',
    receiptOf.from === undefined || same(receiptOf.from, e.from) ? null : `it was sent by ${receiptOf.from}, not ${e.from}`,
    e.to === '' || receiptOf.to === undefined || same(receiptOf.to, e.to) ? null : `it called ${receiptOf.to}, not ${e.to}`,
    receipt.kind === 'payout' && e.logIndex !== null ? paidLogProblem(receipt, r, e.logIndex, e.to) : null,
  ].filter((p) => p !== null)
  return problems.length > 0
    ? { status: 'fail', detail: `transaction ${e.txHash}: ${problems.join('; ')}` }
    : {
        status: 'pass',
        detail: `the chain has transaction ${e.txHash} in block ${e.blockNumber}${e.logIndex === null ? '' : `, log ${e.logIndex}`}`,
      }
}

function paidLogProblem(receipt: ReceiptDocument, r: EvmReceipt, logIndex: number, contract: string): string | null {
  const log = r.logs.find((l) => Number(BigInt(l.logIndex)) === logIndex)
  if (!log) return `it has no log ${logIndex}`
  if (contract !== '' && getAddress(log.address) !== getAddress(contract)) return `log ${logIndex} is not from ${contract}`
  try {
    const d = decodeEventLog({ abi: countersignBatchAbi, eventName: 'Paid', topics: log.topics as [Hex, ...Hex[]], data: log.data })
    if (getAddress(d.args.recipient) !== getAddress(receipt.payee.recipient))
      return `log ${logIndex} paid ${d.args.recipient}, not ${receipt.payee.recipient}`
    if (d.args.amount.toString() !== receipt.amount.minor)
      return `log ${logIndex} paid ${d.args.amount} minor units, not ${receipt.amount.minor}`
    return null
  } catch {
    return `log ${logIndex} is not a Paid event`
  }
}

async function stripeVerdict(
  receipt: ReceiptDocument,
  e: Extract<ReceiptDocument['evidence'], { rail: 'stripe' }>,
  client: Stripe,
): Promise<Verdict> {
  const id = e.transferId
  if (id.startsWith('re_')) {
    const refund = await client.refunds.retrieve(id)
    return refund.status === 'succeeded' || refund.status === 'pending'
      ? { status: 'pass', detail: `Stripe has refund ${id} (${refund.status})` }
      : { status: 'fail', detail: `Stripe's refund ${id} is ${refund.status}` }
  }
  const t = await client.transfers.retrieve(id)
  const destination = typeof t.destination === 'string' ? t.destination : (t.destination?.id ?? '')
  const problems = [
    e.destination === 'platform' || destination === e.destination ? null : `it went to ${destination}, not ${e.destination}`,
    receipt.kind === 'payout' && String(t.amount) !== receipt.amount.minor
      ? `its amount is ${t.amount}, not ${receipt.amount.minor}`
      : null,
    receipt.kind === 'reversal' && BigInt(t.amount_reversed) < BigInt(receipt.amount.minor)
      ? `only ${t.amount_reversed} of it is reversed, not ${receipt.amount.minor}`
      : null,
  ].filter((p) => p !== null)
  return problems.length > 0
    ? { status: 'fail', detail: `Stripe transfer ${id}: ${problems.join('; ')}` }
    : { status: 'pass', detail: `Stripe has transfer ${id} to ${destination}` }
}

/** The payout's operation: a payment (or account creation) to the payee of exactly the amount. */
function stellarOperationProblem(receipt: ReceiptDocument, envelopeXdr: string, index: number): string | null {
  let ops: readonly { type: string; destination?: string; amount?: string; startingBalance?: string }[]
  try {
    // The passphrase only enters the hash; the operations read the same under any.
    ops = (TransactionBuilder.fromXDR(envelopeXdr, Networks.PUBLIC) as Transaction).operations
  } catch {
    return 'its envelope cannot be read'
  }
  const op = ops[index]
  if (!op) return `it has no operation ${index}`
  const amount = op.amount ?? op.startingBalance
  if (op.destination !== receipt.payee.recipient)
    return `operation ${index} pays ${op.destination ?? 'nobody'}, not ${receipt.payee.recipient}`
  if (amount === undefined || parseAmount(amount, receipt.amount.scale).toString() !== receipt.amount.minor)
    return `operation ${index} pays ${amount ?? 'nothing'}, not ${receipt.amount.value}`
  return null
}

/** The rail could not be asked (as opposed to: it answered, and the answer disagrees). */
function offline(error: unknown): boolean {
  if (error instanceof RpcTransportError || error instanceof HorizonError) return true
  if (hasErrorCode(error, 'RAIL_UNAVAILABLE') || hasErrorCode(error, 'RAIL_URL_REFUSED') || hasErrorCode(error, 'STRIPE_KEY_MISSING'))
    return true
  const e = error as { type?: unknown; statusCode?: unknown }
  return e.type === 'StripeConnectionError' || (typeof e.type === 'string' && e.type.startsWith('Stripe') && e.statusCode === undefined)
}
