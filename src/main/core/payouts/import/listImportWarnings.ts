/**
 * Warnings on the valid rows of an import. They never block; each asks the person to look twice:
 * - PAYEE_NEW: a recipient never paid before (no confirmed payout on that rail and network);
 * - PAYEE_LOOKALIKE: same first and last 4 characters as a known payee, an address paid before or
 *   another recipient of the file, but a different address — address poisoning;
 * - ADDRESS_NO_CHECKSUM: an EVM address in one case that is not known, where a typo goes unseen;
 * - PAYMENT_REPEATED: the same recipient, asset and amount as an earlier row.
 *
 * What is known is read once per rail and network the file pays on, not once per row. Every row
 * is looked at, but the sentences are written only for the warnings that are listed: the list is
 * cut at IMPORT_ISSUES_MAX (a file of 100,000 new payees would otherwise build 100,000 sentences to
 * throw 90,000 away), in the order sortWarnings gives, with the same closing line.
 */
import { IMPORT_ISSUES_MAX } from '../../../../shared/limits'
import type { RowWarning } from '../../../../shared/payoutImport'
import type { CoreContext } from '../../context'
import { invariant } from '../../util/invariant'
import { addressBookKnownPayees } from './addressBookKnownPayees'
import { addressKey } from './checkRecipient'
import { networksSetUp, notSetUpSentence } from './networksSetUp'
import { fingerprint, type NetworkScope } from './openImportScope'
import type { PayoutCandidates } from './payoutCandidates'
import { FIELD_LABELS } from './payoutCsvLayouts'
import { rowWarning, truncatedWarnings } from './rowIssues'

interface KnownAddress {
  key: string
  address: string
  label: string
}

/** What one rail and network already know, and the file's recipients seen so far there. */
interface KnownOnNetwork {
  paid: Set<string>
  book: Set<string>
  /**
   * At most two distinct addresses per fingerprint: whatever address is checked, one of two
   * distinct ones differs from it, which is all a look-alike warning needs. Keeps each lookup O(1)
   * even when a file (or an attacker) puts thousands of addresses behind one fingerprint.
   */
  byPrint: Map<string, KnownAddress[]>
  /** The file's first and second distinct recipient per fingerprint, as candidate indexes (the same rule). */
  fileFirst: Map<string, number>
  fileSecond: Map<string, number>
}

/** The address a recipient looks like: a known one, or another candidate's (its index). */
type LookAlike = KnownAddress | number

/** What the warnings of each candidate are, by index: worked out for all rows, written for the listed ones. */
interface Findings {
  /** Bits: FLAG_NEW, FLAG_IN_BOOK, FLAG_NO_CHECKSUM. */
  flags: Uint8Array
  similar: (LookAlike | null)[]
  /** The earlier row with the same payment, or 0. */
  repeatOf: Int32Array
  count: number
}

const FLAG_NEW = 1
const FLAG_IN_BOOK = 2
const FLAG_NO_CHECKSUM = 4
const FLAG_NOT_SET_UP = 8
const NONE: readonly KnownAddress[] = []

/** The warnings of the candidates, sorted and cut as sortWarnings would. */
export async function listImportWarnings(ctx: CoreContext, candidates: PayoutCandidates): Promise<RowWarning[]> {
  // Found in the order given ("as on row N" names the row met first), written in row order.
  const found = await findWarnings(ctx, candidates)
  return writeWarnings(candidates, rowOrder(candidates), found)
}

/** Indexes of the candidates by row (rows are distinct); a file's rows come in order already. */
function rowOrder(candidates: PayoutCandidates): Int32Array {
  const raws = candidates.raws
  const order = new Int32Array(candidates.length)
  let sorted = true
  for (let i = 0; i < order.length; i++) {
    order[i] = i
    if (i > 0 && raws[i - 1]!.row >= raws[i]!.row) sorted = false
  }
  if (!sorted) order.sort((a, b) => raws[a]!.row - raws[b]!.row)
  return order
}

async function findWarnings(ctx: CoreContext, candidates: PayoutCandidates): Promise<Findings> {
  const n = candidates.length
  const found: Findings = { flags: new Uint8Array(n), similar: new Array<null>(n).fill(null), repeatOf: new Int32Array(n), count: 0 }
  const perNetwork = new Map<NetworkScope, KnownOnNetwork>()
  const setUp = n > 0 ? await networksSetUp(ctx) : new Set<string>()
  for (let i = 0; i < n; i++) {
    const net = candidates.nets[i]!
    const recipient = candidates.recipients[i]!
    let k = perNetwork.get(net)
    if (k === undefined) {
      k = await loadKnownOn(ctx, net)
      perNetwork.set(net, k)
    }
    const key = recipient.key
    let flags = 0
    if (!k.paid.has(key)) flags |= FLAG_NEW
    if (k.book.has(key)) flags |= FLAG_IN_BOOK
    if (candidates.noChecksum[i] === 1 && !k.paid.has(key) && !k.book.has(key)) flags |= FLAG_NO_CHECKSUM
    if (!setUp.has(`${net.rail}:${net.network}`)) flags |= FLAG_NOT_SET_UP
    found.flags[i] = flags
    if (net.rail !== 'stripe') found.similar[i] = lookAlike(k, candidates, i)
    found.repeatOf[i] = firstSamePayment(candidates, i)
    found.count += countOf(found, i)
  }
  return found
}

function countOf(found: Findings, i: number): number {
  const flags = found.flags[i]!
  return (
    (found.similar[i] !== null ? 1 : 0) +
    (flags & FLAG_NEW ? 1 : 0) +
    (flags & FLAG_NO_CHECKSUM ? 1 : 0) +
    (flags & FLAG_NOT_SET_UP ? 1 : 0) +
    (found.repeatOf[i] !== 0 ? 1 : 0)
  )
}

/**
 * Per row, in sortWarnings' order: the row-wide one (PAYMENT_REPEATED, no column) first, then the
 * recipient's in the order they are found. Stops at the cap and adds the closing line.
 */
function writeWarnings(candidates: PayoutCandidates, order: Int32Array, found: Findings): RowWarning[] {
  const listed = found.count <= IMPORT_ISSUES_MAX ? found.count : IMPORT_ISSUES_MAX - 1
  const out: RowWarning[] = []
  for (let n = 0; n < order.length && out.length < listed; n++) {
    const i = order[n]!
    const raw = candidates.raws[i]!
    const net = candidates.nets[i]!
    const recipient = candidates.recipients[i]!.canonical
    const column = FIELD_LABELS[raw.layout].recipient
    const flags = found.flags[i]!
    const repeatOf = found.repeatOf[i]!
    const similar = found.similar[i]!
    if (flags & FLAG_NOT_SET_UP) out.push(rowWarning(raw.row, null, 'NETWORK_NOT_SET_UP', notSetUpSentence(net.rail, net.network)))
    if (repeatOf !== 0) {
      const sentence = `the same amount of the same asset goes to the same recipient as on row ${repeatOf} — remove one if it is paid twice by mistake.`
      out.push(rowWarning(raw.row, null, 'PAYMENT_REPEATED', sentence))
    }
    if (similar !== null) {
      const [label, address] =
        typeof similar === 'number'
          ? [`the recipient of row ${candidates.raws[similar]!.row}`, candidates.recipients[similar]!.canonical]
          : [similar.label, similar.address]
      const sentence = `${recipient} looks like ${label} (${address}) but is a different address — address-poisoning scams use look-alikes; compare every character with the payee’s own record before approving.`
      out.push(rowWarning(raw.row, column, 'PAYEE_LOOKALIKE', sentence))
    }
    if (flags & FLAG_NEW) {
      const sentence = `${recipient} has never been paid on ${net.rail} ${net.network}${flags & FLAG_IN_BOOK ? ' (it is in the address book)' : ''} — confirm it with the payee through another channel than this file.`
      out.push(rowWarning(raw.row, column, 'PAYEE_NEW', sentence))
    }
    if (flags & FLAG_NO_CHECKSUM) {
      const sentence =
        'the address is written without a checksum (all one case), so a typo in it cannot be detected — check it character by character.'
      out.push(rowWarning(raw.row, column, 'ADDRESS_NO_CHECKSUM', sentence))
    }
  }
  // A row's warnings may straddle the cut: keep exactly `listed` (sortWarnings keeps IMPORT_ISSUES_MAX - 1).
  out.length = Math.min(out.length, listed)
  invariant(out.length === listed, () => `${listed} warnings counted but ${out.length} written`)
  return found.count <= IMPORT_ISSUES_MAX ? out : truncatedWarnings(out, found.count - listed)
}

async function loadKnownOn(ctx: CoreContext, net: NetworkScope): Promise<KnownOnNetwork> {
  const k: KnownOnNetwork = { paid: new Set(), book: new Set(), byPrint: new Map(), fileFirst: new Map(), fileSecond: new Map() }
  const add = (address: string, label: string): void => {
    const print = fingerprint(net.rail, address)
    k.byPrint.set(print, keepTwo(k.byPrint.get(print), { key: addressKey(net.rail, address), address, label }))
  }
  for (const p of await addressBookKnownPayees(ctx, net.rail, net.network)) {
    k.book.add(addressKey(net.rail, p.address))
    add(p.address, `known payee "${p.name}"`)
  }
  for (const r of await paidRecipients(ctx, net)) {
    k.paid.add(addressKey(net.rail, r.recipient))
    add(r.recipient, 'an address paid before')
  }
  return k
}

/**
 * Recipients of confirmed payouts on this rail and network, once each, in code-unit order (the
 * order SQLite's index gave): sorted here, not by the database, whose text collation may differ.
 */
async function paidRecipients(ctx: CoreContext, net: NetworkScope): Promise<{ recipient: string }[]> {
  const rows = await ctx.db.all(
    ctx.db.k
      .selectFrom('payouts')
      .select('recipient')
      .distinct()
      .where('rail', '=', net.rail)
      .where('network', '=', net.network)
      .where('state', '=', 'confirmed'),
  )
  return rows.sort((a, b) => (a.recipient < b.recipient ? -1 : a.recipient > b.recipient ? 1 : 0))
}

function keepTwo(list: KnownAddress[] | undefined, entry: KnownAddress): KnownAddress[] {
  if (list === undefined) return [entry]
  if (list.length < 2 && !list.some((x) => x.key === entry.key)) list.push(entry)
  return list
}

/** A known address, else an earlier recipient of the file, with the same fingerprint but another address. */
function lookAlike(k: KnownOnNetwork, candidates: PayoutCandidates, i: number): LookAlike | null {
  const { key, print } = candidates.recipients[i]!
  let similar: LookAlike | null = null
  const known = k.byPrint.size === 0 ? NONE : (k.byPrint.get(print) ?? NONE)
  for (const x of known) if (similar === null && x.key !== key) similar = x
  const first = k.fileFirst.get(print)
  const second = first === undefined ? undefined : k.fileSecond.get(print)
  if (similar === null && first !== undefined && candidates.recipients[first]!.key !== key) similar = first
  if (similar === null && second !== undefined && candidates.recipients[second]!.key !== key) similar = second
  if (first === undefined) k.fileFirst.set(print, i)
  else if (second === undefined && candidates.recipients[first]!.key !== key) k.fileSecond.set(print, i)
  return similar
}

/**
 * The first row paying the same asset and amount to the same recipient, or 0 (this is the first).
 * Kept on the payee (one per distinct address): no key to build or look up per row.
 */
function firstSamePayment(candidates: PayoutCandidates, i: number): number {
  const payee = candidates.recipients[i]!
  const assetId = candidates.targets[i]!.asset.id
  const amountMinor = candidates.amounts[i]!
  if (payee.firstAssetId === null) {
    payee.firstAssetId = assetId
    payee.firstAmountMinor = amountMinor
    payee.firstRow = candidates.raws[i]!.row
    return 0
  }
  if (payee.firstAssetId === assetId && payee.firstAmountMinor === amountMinor) return payee.firstRow
  payee.otherPayments ??= new Map()
  const payment = `${assetId} ${amountMinor}`
  const first = payee.otherPayments.get(payment)
  if (first !== undefined) return first
  payee.otherPayments.set(payment, candidates.raws[i]!.row)
  return 0
}
