/**
 * One raw row -> a candidate payout (payoutCandidates), or its problems, each under the column the
 * person sees. Every check runs even after one failed, so the person fixes the whole row at once.
 * Values that repeat from row to row (rail, network, asset, recipient) are answered from the
 * ImportScope.
 *
 * Decisions: a recipient equal to one of our own treasury or escrow addresses on that network is
 * refused; so is the asset's own token contract (EVM) or issuer (Stellar), where funds are lost or
 * burnt. An amount is exact at the asset's scale (surplus decimals are refused, never rounded);
 * without a known asset it is still checked for non-numbers, zero and negatives.
 */
import type { Rail } from '../../../../shared/blocks'
import { hasErrorCode } from '../../../../shared/errors'
import { parseAmount, SCALE_MAX } from '../../../../shared/money'
import type { RowIssue, RowIssueCode } from '../../../../shared/payoutImport'
import { isRef, REF_CHARS_MAX } from '../../ledger/ids'
import { checkFreeText } from './checkFreeText'
import {
  assetOn,
  networkOf,
  railOf,
  recipientOf,
  type AssetTarget,
  type ImportScope,
  type Payee,
  type NetworkScope,
} from './openImportScope'
import type { PayoutCandidates } from './payoutCandidates'
import type { IdsSeen } from './idsSeen'
import { FIELD_LABELS, type PayoutField, type RawRow } from './payoutCsvLayouts'
import { rowIssue } from './rowIssues'

/** Characters of a bad value echoed back in a message, per field. */
const idEchoCharsMax = 40
const railEchoCharsMax = 20
const networkEchoCharsMax = 30
const assetEchoCharsMax = 42
const AMOUNT_CODES = ['AMOUNT_INVALID', 'AMOUNT_PRECISION', 'AMOUNT_RANGE'] as const

/** Checks one row: its problems go to `issues`, or it joins `candidates`. */
export function checkPayoutRow(scope: ImportScope, raw: RawRow, idsSeen: IdsSeen, issues: RowIssue[], candidates: PayoutCandidates): void {
  const issuesBefore = issues.length
  checkId(raw, idsSeen, issues)
  const rail = railOf(scope, raw.rail)
  if (rail === null)
    fail(issues, raw, 'rail', 'RAIL_UNKNOWN', `"${raw.rail.slice(0, railEchoCharsMax)}" is not a rail — use evm, stellar or stripe.`)
  const net = rail === null ? null : checkNetwork(scope, rail, raw, issues)
  const target = net === null ? null : checkAsset(net, raw, issues)
  const recipient = rail === null ? null : checkRecipientCell(scope, rail, net, target, raw, issues)
  const amountMinor = checkAmount(raw, target, issues)
  checkFreeText(raw, rail, FIELD_LABELS[raw.layout], issues)
  if (issues.length !== issuesBefore || net === null || target === null || recipient === null || amountMinor === null) return
  candidates.add(raw, net, target, recipient, recipient.noChecksumIn(raw.recipient), amountMinor)
}

/** One problem of the row, under the column the person sees for `field`. */
function fail(issues: RowIssue[], raw: RawRow, field: PayoutField, code: RowIssueCode, sentence: string): void {
  issues.push(rowIssue(raw.row, FIELD_LABELS[raw.layout][field], code, sentence))
}

function checkId(raw: RawRow, idsSeen: IdsSeen, issues: RowIssue[]): void {
  if (raw.id === '') {
    fail(issues, raw, 'id', 'ID_INVALID', 'the id is empty — give every payout a unique reference (it protects against paying twice).')
    return
  }
  if (!isRef(raw.id, REF_CHARS_MAX)) {
    const sentence = `"${String(raw.id).slice(0, idEchoCharsMax)}" is not a valid id — use up to ${REF_CHARS_MAX} letters, digits and . _ : / @ - (no spaces), starting with a letter or digit.`
    fail(issues, raw, 'id', 'ID_INVALID', sentence)
    return
  }
  const first = idsSeen.add(raw)
  if (first === null) return
  const sentence = `"${raw.id}" is also the id of row ${first.row} — each payout needs its own id; change one of them or remove the repeated row.`
  fail(issues, raw, 'id', 'ID_DUPLICATE_IN_FILE', sentence)
}

function checkNetwork(scope: ImportScope, rail: Rail, raw: RawRow, issues: RowIssue[]): NetworkScope | null {
  const net = networkOf(scope, rail, raw.network)
  if (net !== null) return net
  const known = [...scope.networks.get(rail)!.keys()].map((n) => (rail === 'stellar' ? `stellar-${n}` : n)).join(', ')
  const sentence = `"${raw.network.slice(0, networkEchoCharsMax)}" is not a ${rail} network Countersign knows — use ${known || 'one registered by an admin'}${rail === 'evm' ? ' (the chain id)' : ''}.`
  fail(issues, raw, 'network', 'NETWORK_UNKNOWN', sentence)
  return null
}

function checkAsset(net: NetworkScope, raw: RawRow, issues: RowIssue[]): AssetTarget | null {
  const target = assetOn(net, raw.asset)
  if (target !== null) return target
  const what =
    raw.asset === '' ? 'the asset is empty' : `"${raw.asset.slice(0, assetEchoCharsMax)}" is not an asset on ${net.rail} ${net.network}`
  const sentence = `${what} — known there: ${net.codes.join(', ') || 'none'}; pick one of them, or ask an admin to add the token to the assets registry.`
  fail(issues, raw, 'asset', 'ASSET_UNKNOWN', sentence)
  return null
}

/** The recipient when it is well-formed (even if refused here as our own account or the issuer). */
function checkRecipientCell(
  scope: ImportScope,
  rail: Rail,
  net: NetworkScope | null,
  target: AssetTarget | null,
  raw: RawRow,
  issues: RowIssue[],
): Payee | null {
  const payee = recipientOf(scope, rail, raw.recipient)
  if (!payee.ok) {
    fail(issues, raw, 'recipient', payee.code, payee.sentence)
    return null
  }
  // Below: well-formed, but refused when it is one of our own accounts or the asset's issuer.
  const own = net === null || net.own.size === 0 ? undefined : net.own.get(payee.key)
  if (own !== undefined) {
    const sentence = `${payee.canonical} is your own account "${own}" — a payout to yourself is almost always a mistake; remove the row (move funds between your accounts with a ledger transfer).`
    fail(issues, raw, 'recipient', 'RECIPIENT_IS_TREASURY', sentence)
  }
  if (target !== null && target.issuerKey === payee.key) {
    const sentence = `${payee.canonical} is the ${target.asset.code} ${rail === 'evm' ? 'token contract' : 'issuer'} itself — funds sent there are lost; enter the payee’s address.`
    fail(issues, raw, 'recipient', 'RECIPIENT_FORBIDDEN', sentence)
  }
  return payee
}

/** Exact minor units at the asset's scale; null when refused or when there is no asset to scale by. */
function checkAmount(raw: RawRow, target: AssetTarget | null, issues: RowIssue[]): bigint | null {
  try {
    if (target !== null) return parseAmount(raw.amount, target.asset.scale, target.parseOptions)
    parseAmount(raw.amount, SCALE_MAX)
  } catch (error) {
    const code = AMOUNT_CODES.find((c) => hasErrorCode(error, c))
    if (code === undefined) throw error
    fail(issues, raw, 'amount', code, (error as Error).message)
  }
  return null
}
