/**
 * What a failed Stellar transaction says, as data and as a sentence: the result XDR decoded into
 * Horizon's result codes (tx_failed, op_no_trust, …), and each operation failure turned into our
 * code and a sentence that names the payee and the asset and says what to do. Pure.
 */
import { xdr } from '@stellar/stellar-base'

/** Horizon's per-operation result names (as decoded from result XDR) → its result codes. */
const OP_RESULT_CODES: Record<string, string> = {
  paymentSuccess: 'op_success',
  paymentMalformed: 'op_malformed',
  paymentUnderfunded: 'op_underfunded',
  paymentSrcNoTrust: 'op_src_no_trust',
  paymentSrcNotAuthorized: 'op_src_not_authorized',
  paymentNoDestination: 'op_no_destination',
  paymentNoTrust: 'op_no_trust',
  paymentNotAuthorized: 'op_not_authorized',
  paymentLineFull: 'op_line_full',
  paymentNoIssuer: 'op_no_issuer',
  createAccountSuccess: 'op_success',
  createAccountMalformed: 'op_malformed',
  createAccountUnderfunded: 'op_underfunded',
  createAccountLowReserve: 'op_low_reserve',
  createAccountAlreadyExist: 'op_already_exists',
  createClaimableBalanceSuccess: 'op_success',
  createClaimableBalanceMalformed: 'op_malformed',
  createClaimableBalanceLowReserve: 'op_low_reserve',
  createClaimableBalanceNoTrust: 'op_no_trust',
  createClaimableBalanceNotAuthorized: 'op_not_authorized',
  createClaimableBalanceUnderfunded: 'op_underfunded',
  claimClaimableBalanceSuccess: 'op_success',
  claimClaimableBalanceDoesNotExist: 'op_does_not_exist',
  claimClaimableBalanceCannotClaim: 'op_cannot_claim',
  claimClaimableBalanceLineFull: 'op_line_full',
  claimClaimableBalanceNoTrust: 'op_no_trust',
  claimClaimableBalanceNotAuthorized: 'op_not_authorized',
}

/** Reads the transaction and per-operation codes out of a TransactionResult XDR. */
export function decodeResultCodes(resultXdr: string): { transaction: string; operations: string[] } {
  const result = xdr.TransactionResult.fromXDR(resultXdr, 'base64').result()
  const name = result.switch().name
  const transaction = `tx_${name.replace(/^tx/, '').replace(/[A-Z]/g, (c, i: number) => (i === 0 ? c.toLowerCase() : `_${c.toLowerCase()}`))}`
  const operations: string[] = []
  if (name === 'txFailed' || name === 'txSuccess') {
    for (const r of result.results()) {
      if (r.switch().name !== 'opInner') {
        operations.push(`op_${r.switch().name.replace(/^op/, '').toLowerCase()}`)
        continue
      }
      const inner = r.tr().value() as { switch(): { name: string } }
      operations.push(OP_RESULT_CODES[inner.switch().name] ?? `op_${inner.switch().name}`)
    }
  }
  return { transaction, operations }
}

/** The sentence and code for a failed operation, naming the payee and the asset. */
export function describeOperationFailure(code: string, payee: string, assetCode: string): { code: string; sentence: string } {
  switch (code) {
    case 'op_no_trust':
      return {
        code: 'STELLAR_NO_TRUST',
        sentence: `${payee} has no trustline for ${assetCode} — ask the payee to add one, then retry.`,
      }
    case 'op_no_destination':
      return {
        code: 'STELLAR_NO_DESTINATION',
        sentence: `${payee} does not exist on the network — ask the payee to fund it, or allow create_account for XLM, then retry.`,
      }
    case 'op_underfunded':
      return {
        code: 'STELLAR_UNDERFUNDED',
        sentence: `The treasury did not hold enough ${assetCode} (above its reserve) to pay ${payee} — fund it, then retry.`,
      }
    case 'op_low_reserve':
      return {
        code: 'STELLAR_UNDERFUNDED',
        sentence: `Creating ${payee} needs at least 1 XLM (the minimum reserve) — raise the amount, then retry.`,
      }
    default:
      return { code: 'STELLAR_TX_FAILED', sentence: `The payment to ${payee} failed with ${code}.` }
  }
}
