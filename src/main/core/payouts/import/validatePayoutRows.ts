/**
 * Raw rows -> payouts ready to store, or the list of every problem (row and column) at once.
 * Reads the asset registry, the treasury accounts, earlier payouts and the address book; writes
 * nothing, so it can run before any import and again when a draft's rows are edited.
 *
 * Decisions:
 * - More than rowsPerBatchMax rows: one whole-file issue, and every row is still validated so the
 *   person can fix the whole file before splitting it (the import then stores nothing at all).
 * - Memo: EVM transfers have no memo field, so a memo on an EVM row is refused rather than
 *   silently dropped (use `reference` for text shown on receipts). Stellar: a text memo of at most
 *   28 bytes (UTF-8), the protocol's limit. Stripe: at most stripeMemoCharsMax characters, sent as
 *   the transfer description.
 * - A recipient equal to one of our own treasury or escrow addresses on that network is refused;
 *   so is the asset's own token contract (EVM) or issuer (Stellar), where funds are lost or burnt.
 * - Warnings never block: a recipient never paid before (no confirmed payout on that rail and
 *   network), a look-alike of a known payee (same first and last 4 characters, different
 *   address: address poisoning), an EVM address without checksum that is not known, and a repeat
 *   of an earlier row's recipient, asset and amount.
 */
import { RAILS, type Asset, type Rail } from '../../../../shared/api'
import { hasErrorCode } from '../../../../shared/errors'
import { formatAmount, parseAmount, SCALE_MAX } from '../../../../shared/money'
import { rowsPerBatchMax, type ParsedPayoutRow, type RowIssue, type RowIssueCode, type RowWarning } from '../../../../shared/payoutImport'
import type { CoreContext } from '../../context'
import { listAssets } from '../../ledger/listAssets'
import { isRef, REF_CHARS_MAX } from '../../ledger/ids'
import { addressBookKnownPayees } from './addressBookKnownPayees'
import { addressKey, checkRecipient, type CheckRecipientReturnType } from './checkRecipient'
import { FIELD_LABELS, NATIVE_ASSET, type PayoutField, type RawRow } from './parsePayoutCsv'
import { rowIssue, rowWarning, sortIssues, sortWarnings } from './rowIssues'

/** Stellar text memo: the protocol's limit, in UTF-8 bytes. */
export const stellarMemoBytesMax = 28
/** Stripe transfer description: our cap, in characters, so receipts and the dashboard stay legible. */
export const stripeMemoCharsMax = 350
export const referenceCharsMax = 140
export const nameCharsMax = 120
/** Characters of the look-alike fingerprint taken from each end of an address (after 0x on EVM). */
export const lookAlikeEndChars = 4
/** Ids per duplicate lookup statement (one JSON parameter; keeps each query's memory bounded). */
const idsPerLookupMax = 10_000

/** C0/C1 controls (newline and tab allowed in free text) and bidi overrides, which can disguise text on a receipt. */
const CONTROL_RE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/
const EVM_CONTRACT_RE = /^0x[0-9a-fA-F]{40}$/
const CHAIN_ID_RE = /^[1-9]\d{0,19}$/
/** How people write Stellar networks in files -> the registry's network. */
const STELLAR_NETWORK_ALIASES: Readonly<Record<string, string>> = {
  'stellar-testnet': 'testnet',
  'stellar-pubnet': 'pubnet',
  testnet: 'testnet',
  pubnet: 'pubnet',
}
const FIELD_CHECK_ORDER: readonly PayoutField[] = ['memo', 'reference', 'name']

/** A row ready to store: the contract's view plus the exact minor units the core uses. */
export interface ValidPayoutRow extends ParsedPayoutRow {
  amountMinor: bigint
  scale: number
}

export interface ValidatePayoutRowsOptions {
  /** Re-validating the rows of this batch: its own stored ids are not duplicates. */
  batchIdForEdit?: string | undefined
}

export interface ValidatePayoutRowsReturnType {
  valid: ValidPayoutRow[]
  issues: RowIssue[]
  warnings: RowWarning[]
}

interface Registry {
  byCode: Map<string, Asset>
  byContract: Map<string, Asset>
  native: Map<string, Asset>
  networks: Map<Rail, Set<string>>
  codesOn: Map<string, string[]>
}

export function validatePayoutRows(
  ctx: CoreContext,
  rows: readonly RawRow[],
  options: ValidatePayoutRowsOptions = {},
): ValidatePayoutRowsReturnType {
  const issues: RowIssue[] = []
  const warnings: RowWarning[] = []
  const registry = loadRegistry(ctx)
  const ownAddresses = loadOwnAddresses(ctx)

  if (rows.length > rowsPerBatchMax) {
    issues.push(
      rowIssue(
        null,
        null,
        'ROWS_TOO_MANY',
        `The file has ${rows.length} payouts — a batch holds at most ${rowsPerBatchMax}; split it into files of ${rowsPerBatchMax} rows or fewer. Nothing was imported.`,
      ),
    )
  }

  const bad = new Set<number>()
  const firstRowOfId = new Map<string, number>()
  const candidates: ValidPayoutRow[] = []
  const idsToLookUp: string[] = []
  const noChecksumRows = new Set<number>()
  const recipientChecks = new Map<string, CheckRecipientReturnType>()

  for (const raw of rows) {
    const label = FIELD_LABELS[raw.layout]
    const fail = (field: PayoutField | null, code: RowIssueCode, sentence: string): void => {
      issues.push(rowIssue(raw.row, field === null ? null : label[field], code, sentence))
      bad.add(raw.row)
    }

    // id
    if (raw.id === '')
      fail('id', 'ID_INVALID', 'the id is empty — give every payout a unique reference (it protects against paying twice).')
    else if (!isRef(raw.id, REF_CHARS_MAX))
      fail(
        'id',
        'ID_INVALID',
        `"${String(raw.id).slice(0, 40)}" is not a valid id — use up to ${REF_CHARS_MAX} letters, digits and . _ : / @ - (no spaces), starting with a letter or digit.`,
      )
    else {
      const first = firstRowOfId.get(raw.id)
      if (first !== undefined)
        fail(
          'id',
          'ID_DUPLICATE_IN_FILE',
          `"${raw.id}" is also the id of row ${first} — each payout needs its own id; change one of them or remove the repeated row.`,
        )
      else {
        firstRowOfId.set(raw.id, raw.row)
        idsToLookUp.push(raw.id)
      }
    }

    // rail -> network -> asset
    const railText = raw.rail.toLowerCase()
    const rail = (RAILS as readonly string[]).includes(railText) ? (railText as Rail) : null
    if (rail === null) fail('rail', 'RAIL_UNKNOWN', `"${raw.rail.slice(0, 20)}" is not a rail — use evm, stellar or stripe.`)
    let network: string | null = null
    if (rail !== null) {
      network = normalizeNetwork(rail, raw.network)
      const known = registry.networks.get(rail) ?? new Set<string>()
      if (network === null || !known.has(network)) {
        const list = [...known].map((n) => (rail === 'stellar' ? `stellar-${n}` : n)).join(', ')
        fail(
          'network',
          'NETWORK_UNKNOWN',
          `"${raw.network.slice(0, 30)}" is not a ${rail} network Countersign knows — use ${list || 'one registered by an admin'}${rail === 'evm' ? ' (the chain id)' : ''}.`,
        )
        network = null
      }
    }
    let asset: Asset | null = null
    if (rail !== null && network !== null) {
      asset = resolveAsset(registry, rail, network, raw.asset)
      if (asset === null) {
        const known = registry.codesOn.get(`${rail}|${network}`) ?? []
        const what = raw.asset === '' ? 'the asset is empty' : `"${raw.asset.slice(0, 42)}" is not an asset on ${rail} ${network}`
        fail(
          'asset',
          'ASSET_UNKNOWN',
          `${what} — known there: ${known.join(', ') || 'none'}; pick one of them, or ask an admin to add the token to the assets registry.`,
        )
      }
    }

    // recipient
    let recipient: string | null = null
    let noChecksum = false
    if (rail !== null) {
      // Payees repeat within a file; the EVM checksum (keccak) is the costliest check per row.
      const cacheKey = `${rail}|${raw.recipient}`
      let checked = recipientChecks.get(cacheKey)
      if (checked === undefined) {
        checked = checkRecipient(rail, raw.recipient)
        recipientChecks.set(cacheKey, checked)
      }
      if (!checked.ok) fail('recipient', checked.code, checked.sentence)
      else {
        recipient = checked.canonical
        noChecksum = checked.noChecksum
        const key = addressKey(rail, recipient)
        if (network !== null) {
          const own = ownAddresses.get(`${rail}|${network}|${key}`)
          if (own !== undefined)
            fail(
              'recipient',
              'RECIPIENT_IS_TREASURY',
              `${recipient} is your own account "${own}" — a payout to yourself is almost always a mistake; remove the row (move funds between your accounts with a ledger transfer).`,
            )
        }
        if (asset?.issuer && addressKey(rail, asset.issuer) === key)
          fail(
            'recipient',
            'RECIPIENT_FORBIDDEN',
            `${recipient} is the ${asset.code} ${rail === 'evm' ? 'token contract' : 'issuer'} itself — funds sent there are lost; enter the payee’s address.`,
          )
      }
    }

    // amount: exact at the asset's scale; without an asset, still catch non-numbers, zero and negatives.
    let amountMinor: bigint | null = null
    try {
      if (asset !== null) amountMinor = parseAmount(raw.amount, asset.scale, { assetLabel: asset.code })
      else parseAmount(raw.amount, SCALE_MAX)
    } catch (error) {
      const code = (['AMOUNT_INVALID', 'AMOUNT_PRECISION', 'AMOUNT_RANGE'] as const).find((c) => hasErrorCode(error, c))
      if (code === undefined) throw error
      fail('amount', code, (error as Error).message)
    }

    // free text: memo per rail, reference, name
    for (const field of FIELD_CHECK_ORDER) {
      const value = raw[field]
      if (value === '') continue
      if (CONTROL_RE.test(value) || (field === 'memo' && /[\n\t]/.test(value))) {
        fail(field, 'TEXT_INVALID', 'the text contains control or direction-changing characters — retype it as plain text.')
        continue
      }
      if (field === 'memo' && rail === 'evm')
        fail(
          'memo',
          'MEMO_NOT_SUPPORTED',
          'EVM transfers carry no memo, so it would never reach the payee — move the text to reference (shown on receipts) or clear it.',
        )
      else if (field === 'memo' && rail === 'stellar' && Buffer.byteLength(value, 'utf8') > stellarMemoBytesMax)
        fail(
          'memo',
          'MEMO_TOO_LONG',
          `the memo is ${Buffer.byteLength(value, 'utf8')} bytes — a Stellar text memo holds at most ${stellarMemoBytesMax} (accented letters take 2); shorten it.`,
        )
      else if (field === 'memo' && rail === 'stripe' && value.length > stripeMemoCharsMax)
        fail('memo', 'MEMO_TOO_LONG', `the memo is ${value.length} characters — at most ${stripeMemoCharsMax}; shorten it.`)
      else if (field === 'reference' && value.length > referenceCharsMax)
        fail('reference', 'TEXT_INVALID', `the reference is ${value.length} characters — at most ${referenceCharsMax}; shorten it.`)
      else if (field === 'name' && value.length > nameCharsMax)
        fail('name', 'TEXT_INVALID', `the name is ${value.length} characters — at most ${nameCharsMax}; shorten it.`)
    }

    if (bad.has(raw.row) || rail === null || network === null || asset === null || recipient === null || amountMinor === null) continue
    candidates.push({
      row: raw.row,
      id: raw.id,
      rail,
      network,
      assetId: asset.id,
      recipient,
      amount: formatAmount(amountMinor, asset.scale),
      ...(raw.memo !== '' ? { memo: raw.memo } : {}),
      ...(raw.reference !== '' ? { reference: raw.reference } : {}),
      ...(raw.name !== '' ? { name: raw.name } : {}),
      amountMinor,
      scale: asset.scale,
    })
    if (noChecksum) noChecksumRows.add(raw.row)
  }

  // ids already stored, in any batch, ever (except the batch being edited).
  const rowById = new Map<string, RawRow>()
  for (const raw of rows) if (!rowById.has(raw.id)) rowById.set(raw.id, raw)
  for (const hit of lookUpStoredIds(ctx, idsToLookUp)) {
    if (options.batchIdForEdit !== undefined && hit.batchId === options.batchIdForEdit) continue
    const raw = rowById.get(hit.id)!
    issues.push(
      rowIssue(
        raw.row,
        FIELD_LABELS[raw.layout].id,
        'ID_DUPLICATE_STORED',
        raw.idDerived
          ? `the same payment (chain, token, receiver and amount) is already in batch "${hit.batchName}" (${hit.batchId}, ${hit.batchState.replace('_', ' ')}) — remove the row; if it is a new payment, put a new value in the id column.`
          : `"${hit.id}" is already used by a payout in batch "${hit.batchName}" (${hit.batchId}, ${hit.batchState.replace('_', ' ')}) — ids are unique forever; remove the row, or give it a new id if it is a different payment.`,
      ),
    )
    bad.add(raw.row)
  }
  const valid = candidates.filter((c) => !bad.has(c.row))

  addWarnings(ctx, valid, rows, noChecksumRows, warnings)
  return { valid, issues: sortIssues(issues), warnings: sortWarnings(warnings) }
}

function normalizeNetwork(rail: Rail, text: string): string | null {
  const t = text.trim().toLowerCase()
  switch (rail) {
    case 'evm':
      return CHAIN_ID_RE.test(t) ? t : null
    case 'stellar':
      // Also a network an admin registered assets on (a local "standalone" one), with or without "stellar-".
      return STELLAR_NETWORK_ALIASES[t] ?? (/^(stellar-)?[a-z][a-z0-9-]{0,31}$/.test(t) ? t.replace(/^stellar-/, '') : null)
    case 'stripe':
      return t === 'stripe' ? t : null
  }
}

function loadRegistry(ctx: CoreContext): Registry {
  const reg: Registry = { byCode: new Map(), byContract: new Map(), native: new Map(), networks: new Map(), codesOn: new Map() }
  for (const a of listAssets(ctx)) {
    const on = `${a.rail}|${a.network}`
    reg.byCode.set(`${on}|${a.code.toUpperCase()}`, a)
    if (a.issuer === null) {
      if (a.rail === 'evm' || a.rail === 'stellar') reg.native.set(on, a)
    } else if (a.rail === 'evm') reg.byContract.set(`${on}|${a.issuer.toLowerCase()}`, a)
    if (!reg.networks.has(a.rail)) reg.networks.set(a.rail, new Set())
    reg.networks.get(a.rail)!.add(a.network)
    reg.codesOn.set(on, [...(reg.codesOn.get(on) ?? []), a.code])
  }
  return reg
}

/** By code ("USDC", any case), by token contract (EVM, any case), or `native`. */
function resolveAsset(reg: Registry, rail: Rail, network: string, text: string): Asset | null {
  const on = `${rail}|${network}`
  if (text === '') return null
  if (text.toLowerCase() === NATIVE_ASSET) return reg.native.get(on) ?? null
  if (rail === 'evm' && EVM_CONTRACT_RE.test(text)) return reg.byContract.get(`${on}|${text.toLowerCase()}`) ?? null
  return reg.byCode.get(`${on}|${text.toUpperCase()}`) ?? null
}

/** Our own addresses (treasury and escrow accounts) per rail|network|addressKey -> account name. */
function loadOwnAddresses(ctx: CoreContext): Map<string, string> {
  const rows = ctx.db.all(
    ctx.db.k
      .selectFrom('accounts')
      .innerJoin('assets', 'assets.id', 'accounts.asset_id')
      .select(['accounts.name as name', 'accounts.address as address', 'assets.rail as rail', 'assets.network as network'])
      .where('accounts.kind', 'in', ['treasury', 'escrow'])
      .where('accounts.address', 'is not', null),
  )
  const out = new Map<string, string>()
  for (const r of rows) out.set(`${r.rail}|${r.network}|${addressKey(r.rail, r.address!)}`, r.name)
  return out
}

interface StoredIdHit {
  id: string
  batchId: string
  batchName: string
  batchState: string
}

function lookUpStoredIds(ctx: CoreContext, ids: readonly string[]): StoredIdHit[] {
  const stmt = ctx.db.prepare(
    `SELECT p.id AS id, p.batch_id AS batchId, b.name AS batchName, b.state AS batchState
       FROM json_each(?) AS j JOIN payouts AS p ON p.id = j.value JOIN batches AS b ON b.id = p.batch_id`,
  )
  const hits: StoredIdHit[] = []
  for (let i = 0; i < ids.length; i += idsPerLookupMax) {
    hits.push(...(stmt.all(JSON.stringify(ids.slice(i, i + idsPerLookupMax))) as StoredIdHit[]))
  }
  return hits
}

/** First and last characters of an address, case-insensitive: what a hurried eye compares. */
function fingerprint(rail: string, address: string): string {
  const body = rail === 'evm' ? address.slice(2).toLowerCase() : address
  return body.slice(0, lookAlikeEndChars) + '…' + body.slice(-lookAlikeEndChars)
}

interface KnownAddress {
  key: string
  address: string
  label: string
}

/**
 * At most two distinct addresses per fingerprint: whatever address is checked, one of two distinct
 * ones differs from it, which is all a look-alike warning needs. Keeps each lookup O(1) even when a
 * file (or an attacker) puts thousands of addresses behind one fingerprint.
 */
function keepTwo(list: KnownAddress[] | undefined, entry: KnownAddress): KnownAddress[] {
  if (list === undefined) return [entry]
  if (list.length < 2 && !list.some((x) => x.key === entry.key)) list.push(entry)
  return list
}

function addWarnings(
  ctx: CoreContext,
  valid: readonly ValidPayoutRow[],
  rows: readonly RawRow[],
  noChecksumRows: ReadonlySet<number>,
  warnings: RowWarning[],
): void {
  const labelOf = new Map<number, string>()
  for (const r of rows) labelOf.set(r.row, FIELD_LABELS[r.layout].recipient)
  const paidStmt = ctx.db.prepare(`SELECT DISTINCT recipient FROM payouts WHERE rail = ? AND network = ? AND state = 'confirmed'`)
  const perNetwork = new Map<string, { paid: Set<string>; book: Set<string>; byPrint: Map<string, KnownAddress[]> }>()
  const knownOn = (rail: string, network: string) => {
    const on = `${rail}|${network}`
    let k = perNetwork.get(on)
    if (k) return k
    k = { paid: new Set(), book: new Set(), byPrint: new Map() }
    const add = (address: string, label: string): void => {
      const print = fingerprint(rail, address)
      k!.byPrint.set(print, keepTwo(k!.byPrint.get(print), { key: addressKey(rail, address), address, label }))
    }
    for (const p of addressBookKnownPayees(ctx, rail, network)) {
      k.book.add(addressKey(rail, p.address))
      add(p.address, `known payee "${p.name}"`)
    }
    for (const r of paidStmt.all(rail, network) as { recipient: string }[]) {
      k.paid.add(addressKey(rail, r.recipient))
      add(r.recipient, 'an address paid before')
    }
    perNetwork.set(on, k)
    return k
  }

  const firstPayment = new Map<string, number>()
  // Recipients seen earlier in this file, for look-alikes inside one file too.
  const fileByPrint = new Map<string, KnownAddress[]>()
  for (const v of valid) {
    const column = labelOf.get(v.row) ?? 'recipient'
    const k = knownOn(v.rail, v.network)
    const key = addressKey(v.rail, v.recipient)
    const isKnown = k.paid.has(key) || k.book.has(key)
    if (v.rail !== 'stripe') {
      const print = `${v.rail}|${v.network}|${fingerprint(v.rail, v.recipient)}`
      const similar = [...(k.byPrint.get(fingerprint(v.rail, v.recipient)) ?? []), ...(fileByPrint.get(print) ?? [])].find(
        (x) => x.key !== key,
      )
      if (similar)
        warnings.push(
          rowWarning(
            v.row,
            column,
            'PAYEE_LOOKALIKE',
            `${v.recipient} looks like ${similar.label} (${similar.address}) but is a different address — address-poisoning scams use look-alikes; compare every character with the payee’s own record before approving.`,
          ),
        )
      fileByPrint.set(print, keepTwo(fileByPrint.get(print), { key, address: v.recipient, label: `the recipient of row ${v.row}` }))
    }
    if (!k.paid.has(key))
      warnings.push(
        rowWarning(
          v.row,
          column,
          'PAYEE_NEW',
          `${v.recipient} has never been paid on ${v.rail} ${v.network}${k.book.has(key) ? ' (it is in the address book)' : ''} — confirm it with the payee through another channel than this file.`,
        ),
      )
    if (noChecksumRows.has(v.row) && !isKnown)
      warnings.push(
        rowWarning(
          v.row,
          column,
          'ADDRESS_NO_CHECKSUM',
          'the address is written without a checksum (all one case), so a typo in it cannot be detected — check it character by character.',
        ),
      )
    const payment = `${v.assetId}|${key}|${v.amountMinor}`
    const first = firstPayment.get(payment)
    if (first !== undefined)
      warnings.push(
        rowWarning(
          v.row,
          null,
          'PAYMENT_REPEATED',
          `the same amount of the same asset goes to the same recipient as on row ${first} — remove one if it is paid twice by mistake.`,
        ),
      )
    else firstPayment.set(payment, v.row)
  }
}
