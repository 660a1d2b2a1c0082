/**
 * The Safe{Wallet} CSV-airdrop layout (`token_type,token_address,receiver,amount,id`) -> our raw
 * rows. The file names no chain, so the person chooses one; it carries no payout id for native and
 * ERC-20 rows, so one is derived from the payment itself (deriveSafeId) to keep duplicate protection.
 * NFT rows are refused: they are not payouts.
 */
import { createHash } from 'node:crypto'
import type { RowIssue, RowWarning } from '../../../../shared/payoutImport'
import type { CsvHeader } from './detectCsvLayout'
import { fieldCellIndex } from './detectCsvLayout'
import { NATIVE_ASSET, type RawRow } from './payoutCsvLayouts'
import { rowIssue, rowWarning } from './rowIssues'
import { cellAt, type CsvRecord } from './tokenizeCsv'

/** Characters of a token type echoed back in a message. */
const tokenTypeEchoCharsMax = 20

/** Reads the rows of one Safe file: where its columns are, its chain, and the ids derived so far. */
export interface SafeRowReader {
  network: string
  tokenType: number
  tokenAddress: number
  receiver: number
  amount: number
  id: number
  /** How often each payment (chain, token, receiver, amount) was seen: the n-th repeat gets its own id. */
  occurrences: Map<string, number>
  derivedIds: number
}

/** A reader for the file, or null (with the issue) when no network was chosen. */
export function openSafeRowReader(header: CsvHeader, network: string | undefined, issues: RowIssue[]): SafeRowReader | null {
  const chain = network?.trim() ?? ''
  if (chain === '') {
    const sentence =
      'this is a Safe CSV-airdrop file, which does not say which chain it is for — choose the network (chain id, e.g. 8453 for Base) and import it again.'
    issues.push(rowIssue(header.row, null, 'NETWORK_REQUIRED', sentence))
    return null
  }
  return {
    network: chain,
    tokenType: fieldCellIndex(header, 'token_type'),
    tokenAddress: fieldCellIndex(header, 'token_address'),
    receiver: fieldCellIndex(header, 'receiver'),
    amount: fieldCellIndex(header, 'amount'),
    id: fieldCellIndex(header, 'id'),
    occurrences: new Map(),
    derivedIds: 0,
  }
}

export function readSafeAirdropRow(reader: SafeRowReader, rec: CsvRecord, issues: RowIssue[]): RawRow | null {
  const asset = safeAsset(rec, cellAt(rec, reader.tokenType).toLowerCase(), cellAt(rec, reader.tokenAddress), issues)
  if (asset === null) return null
  const given = cellAt(rec, reader.id)
  const recipient = cellAt(rec, reader.receiver)
  const amount = cellAt(rec, reader.amount)
  let id = given
  if (given === '') {
    const base = `${reader.network}|${asset.toLowerCase()}|${recipient.toLowerCase()}|${normalizeDecimal(amount)}`
    const n = (reader.occurrences.get(base) ?? 0) + 1
    reader.occurrences.set(base, n)
    id = deriveSafeId(base, n)
    reader.derivedIds++
  }
  const network = reader.network
  const idDerived = given === ''
  return {
    row: rec.row,
    layout: 'safe-airdrop',
    id,
    rail: 'evm',
    network,
    asset,
    recipient,
    amount,
    memo: '',
    reference: '',
    name: '',
    idDerived,
  }
}

/** The one warning that says how many ids were derived, or null when none were. */
export function safeDerivedIdsWarning(reader: SafeRowReader): RowWarning | null {
  const n = reader.derivedIds
  if (n === 0) return null
  return rowWarning(
    null,
    null,
    'ID_DERIVED',
    `${n} row${n > 1 ? 's have' : ' has'} no id, as usual in Safe files: Countersign derived each payout's id from its chain, token, receiver and amount, so importing the same payment again is refused as a duplicate. To pay the same amount to the same receiver again, put a new value in the id column.`,
  )
}

/** token_type + token_address -> our asset value (NATIVE_ASSET or the token contract); null when refused. */
function safeAsset(rec: CsvRecord, tokenType: string, tokenAddress: string, issues: RowIssue[]): string | null {
  if (tokenType === 'erc20') return tokenAddress // '' is reported by validation as an unknown asset, with the column named
  if (tokenType === 'native') {
    if (tokenAddress === '') return NATIVE_ASSET
    const sentence =
      'token_type is native but a token address is given — clear the address for the chain’s own coin, or set token_type to erc20.'
    issues.push(rowIssue(rec.row, 'token_address', 'TOKEN_TYPE_UNSUPPORTED', sentence))
    return null
  }
  const nft = tokenType === 'erc721' || tokenType === 'erc1155' || tokenType === 'nft'
  const what = nft ? 'NFT transfers are not payouts' : 'unknown token type'
  const sentence = `"${tokenType.slice(0, tokenTypeEchoCharsMax)}" — ${what}; use native or erc20, or remove the row.`
  issues.push(rowIssue(rec.row, 'token_type', 'TOKEN_TYPE_UNSUPPORTED', sentence))
  return null
}

/**
 * A stable id for a Safe row without one: the same payment (chain, token, receiver, amount, and
 * which repeat of it within the file) always gets the same id, so importing the file again — or a
 * corrected copy of it after keeping the valid rows as a draft — is caught as a duplicate instead
 * of paying twice. A file-wide hash would change with any edit and lose that protection.
 */
export function deriveSafeId(base: string, occurrence: number): string {
  return 'safe-' + createHash('sha256').update(`${base}|${occurrence}`).digest('hex').slice(0, 24)
}

/** "1.50" and "1.5" are the same payment; anything not decimal is kept as is (validation refuses it). */
function normalizeDecimal(amount: string): string {
  const m = /^(\d+)(?:\.(\d*?)0*)?$/.exec(amount)
  if (!m) return amount
  const whole = m[1]!.replace(/^0+(?=\d)/, '')
  return m[2] ? `${whole}.${m[2]}` : whole
}
