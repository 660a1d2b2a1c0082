/**
 * CSV text (or bytes) -> raw payout rows, with every structural problem listed at once.
 * No database, no asset registry: this is only about the file's shape. Values stay strings
 * (trimmed); validatePayoutRows decides what they mean.
 *
 * Accepted: UTF-8 with or without BOM; `,` `;` or tab as separator (detected from the header line,
 * or given by an Excel `sep=;` first line); RFC 4180 quoting (commas, quotes as "", newlines inside
 * quotes); CRLF, LF or lone CR line ends; blank lines (skipped, but still counted so row numbers
 * match the spreadsheet); header names in any case, with spaces around them.
 *
 * Row numbers: see src/shared/payoutImport.ts — the spreadsheet row, header = row 1.
 */
import { createHash } from 'node:crypto'
import { csvCharsMax, type RowIssue, type RowWarning } from '../../../../shared/payoutImport'
import { rowIssue, rowWarning } from './rowIssues'

/** Longest single value, in characters: no payout field is anywhere near this; longer is a broken file. */
export const cellCharsMax = 1_000
/**
 * Data rows parsed at most. A batch holds 10,000 (checked in validatePayoutRows, where every row is
 * still validated so the user sees all problems); past this we stop reading: it is not a payout list.
 */
export const rowsParsedMax = 200_000

/** The payout fields every layout maps onto. */
export const PAYOUT_FIELDS = ['id', 'rail', 'network', 'asset', 'recipient', 'amount', 'memo', 'reference', 'name'] as const
export type PayoutField = (typeof PAYOUT_FIELDS)[number]
const REQUIRED_FIELDS: readonly PayoutField[] = ['id', 'rail', 'network', 'asset', 'recipient', 'amount']

/**
 * Safe{Wallet} "CSV Airdrop" app layout. Its `id` is the NFT token id (empty for native and ERC-20
 * rows); we read a non-empty one as the payout id, and otherwise derive one (see deriveSafeId).
 */
const SAFE_COLUMNS = ['token_type', 'token_address', 'receiver', 'amount', 'id'] as const
const SAFE_REQUIRED = ['token_type', 'receiver', 'amount'] as const

export type CsvLayout = 'countersign' | 'safe-airdrop'

/** The column each field is read from, per layout, for messages ("Row 4, receiver: …"). */
export const FIELD_LABELS: Readonly<Record<CsvLayout, Readonly<Record<PayoutField, string>>>> = {
  countersign: {
    id: 'id',
    rail: 'rail',
    network: 'network',
    asset: 'asset',
    recipient: 'recipient',
    amount: 'amount',
    memo: 'memo',
    reference: 'reference',
    name: 'name',
  },
  'safe-airdrop': {
    id: 'id',
    rail: 'token_type',
    network: 'network',
    asset: 'token_address',
    recipient: 'receiver',
    amount: 'amount',
    memo: 'memo',
    reference: 'reference',
    name: 'name',
  },
}

/** Asset value meaning "the network's native coin" (Safe `token_type` native; also accepted in our layout). */
export const NATIVE_ASSET = 'native'

export interface RawRow {
  /** Spreadsheet row (header = row 1). */
  row: number
  layout: CsvLayout
  id: string
  rail: string
  network: string
  /** Asset code ("USDC"), an EVM token contract address, or NATIVE_ASSET. */
  asset: string
  recipient: string
  amount: string
  /** '' when the column is absent or the cell empty. */
  memo: string
  reference: string
  name: string
  /** The id was derived from the row (Safe layout without ids), not given by the user. */
  idDerived: boolean
}

export interface ParsePayoutCsvOptions {
  fileName?: string | undefined
  /** Chain id for the Safe airdrop layout, which carries none ("8453"). Ignored for our layout. */
  network?: string | undefined
}

export interface ParsePayoutCsvReturnType {
  rows: RawRow[]
  issues: RowIssue[]
  warnings: RowWarning[]
  layout: CsvLayout | null
  /** Data rows found (blank lines not counted), including rows too broken to return. */
  rowsTotal: number
  separator: ',' | ';' | '\t' | null
}

const COMMA = 44
const SEMICOLON = 59
const TAB = 9
const QUOTE = 34
const LF = 10
const CR = 13
const REPLACEMENT_CHAR = '\uFFFD'

interface Record_ {
  row: number
  cells: string[]
}

export function parsePayoutCsv(input: Buffer | Uint8Array | string, options: ParsePayoutCsvOptions = {}): ParsePayoutCsvReturnType {
  const issues: RowIssue[] = []
  const warnings: RowWarning[] = []
  const empty = (): ParsePayoutCsvReturnType => ({ rows: [], issues, warnings, layout: null, rowsTotal: 0, separator: null })

  const decoded = decode(input, issues)
  if (decoded === null) return empty()
  let text = decoded
  if (text.length > csvCharsMax) {
    issues.push(
      rowIssue(
        null,
        null,
        'FILE_TOO_LARGE',
        `The file has ${text.length} characters — the limit is ${csvCharsMax}; split it into smaller files.`,
      ),
    )
    return empty()
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)

  // Excel's "sep=;" hint line: honour it, and count it as a row (it is one in the file).
  let start = 0
  let firstRow = 1
  let separator: ',' | ';' | '\t' | null = null
  const sepLine = /^sep=([,;\t])[ \t]*(\r\n|\n|\r|$)/i.exec(text)
  if (sepLine) {
    separator = sepLine[1] as ',' | ';' | '\t'
    start = sepLine[0].length
    firstRow = 2
  }
  separator ??= detectSeparator(text, start)
  const sepCode = separator.charCodeAt(0)

  // Tokenize. Quoted values with newlines stay one row (as in a spreadsheet).
  const records: Record_[] = []
  let rowsTotal = 0
  let headerSeen = false
  let stopped = false
  tokenize(text, start, firstRow, sepCode, issues, (rec) => {
    if (isBlank(rec.cells)) return true
    if (headerSeen) rowsTotal++
    headerSeen = true
    if (rowsTotal > rowsParsedMax) {
      stopped = true
      return false
    }
    records.push(rec)
    return true
  })
  if (stopped) {
    issues.push(
      rowIssue(
        null,
        null,
        'ROWS_TOO_MANY',
        `The file has more than ${rowsParsedMax} rows — it is not a payout list Countersign can read; a batch holds at most 10,000 payouts.`,
      ),
    )
    return { ...empty(), rowsTotal }
  }
  const header = records[0]
  if (!header) {
    issues.push(rowIssue(null, null, 'FILE_EMPTY', 'The file has no rows — export the payout list again, with its header row.'))
    return empty()
  }

  const names = header.cells.map((c) => c.trim().toLowerCase())
  const layout: CsvLayout = names.includes('token_type') && names.includes('receiver') ? 'safe-airdrop' : 'countersign'
  const known: readonly string[] = layout === 'safe-airdrop' ? SAFE_COLUMNS : PAYOUT_FIELDS
  const required: readonly string[] = layout === 'safe-airdrop' ? SAFE_REQUIRED : REQUIRED_FIELDS

  // Header problems. A missing required column makes every row unreadable: one issue, no rows.
  // A first row that holds data (an address, a number) is not a header at all: say only that.
  const columnIndex = new Map<string, number>()
  names.forEach((name, i) => {
    if (name !== '' && !columnIndex.has(name)) columnIndex.set(name, i)
  })
  const missing = required.filter((r) => !columnIndex.has(r))
  const looksLikeData = names.some((n) => /^0x[0-9a-f]{40}$/.test(n) || /^g[a-z2-7]{55}$/.test(n) || /^\d+(\.\d+)?$/.test(n))
  if (missing.length > 0 && looksLikeData) {
    issues.push(
      rowIssue(
        header.row,
        null,
        'HEADER_MISSING_COLUMNS',
        `the first row is not a header — add a header row naming the columns (${required.join(', ')}) above the payouts.`,
      ),
    )
    return { rows: [], issues, warnings, layout, rowsTotal, separator }
  }
  const seenNames = new Set<string>()
  names.forEach((name, i) => {
    const shown = header.cells[i]!.trim()
    if (name === '') return // Trailing empty columns (",,,") are common in exports; values under them are checked per row.
    if (seenNames.has(name)) {
      issues.push(rowIssue(header.row, shown, 'HEADER_DUPLICATE_COLUMN', 'the column appears twice in the header — delete one of them.'))
      return
    }
    seenNames.add(name)
    if (!known.includes(name)) {
      issues.push(
        rowIssue(
          header.row,
          shown,
          'HEADER_UNKNOWN_COLUMN',
          `"${shown}" is not a column Countersign knows — the columns are ${known.join(', ')}; rename or delete it.`,
        ),
      )
    }
  })
  if (missing.length > 0) {
    issues.push(
      rowIssue(
        header.row,
        null,
        'HEADER_MISSING_COLUMNS',
        `the header lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} — add ${missing.length > 1 ? 'them' : 'it'} (the header must name ${required.join(', ')}).`,
      ),
    )
    return { rows: [], issues, warnings, layout, rowsTotal, separator }
  }
  const safeNetwork = options.network?.trim() ?? ''
  if (layout === 'safe-airdrop' && safeNetwork === '') {
    issues.push(
      rowIssue(
        header.row,
        null,
        'NETWORK_REQUIRED',
        'this is a Safe CSV-airdrop file, which does not say which chain it is for — choose the network (chain id, e.g. 8453 for Base) and import it again.',
      ),
    )
    return { rows: [], issues, warnings, layout, rowsTotal, separator }
  }

  const rows: RawRow[] = []
  const safeOccurrences = new Map<string, number>()
  let derivedIds = 0
  for (let r = 1; r < records.length; r++) {
    const rec = records[r]!
    if (!checkCells(rec, header.cells.length, names, issues)) continue
    const cell = (name: string): string => {
      const i = columnIndex.get(name)
      return i === undefined ? '' : (rec.cells[i] ?? '').trim()
    }
    if (layout === 'countersign') {
      rows.push({
        row: rec.row,
        layout,
        id: cell('id'),
        rail: cell('rail'),
        network: cell('network'),
        asset: cell('asset'),
        recipient: cell('recipient'),
        amount: cell('amount'),
        memo: cell('memo'),
        reference: cell('reference'),
        name: cell('name'),
        idDerived: false,
      })
      continue
    }
    const mapped = mapSafeRow(rec.row, cell, safeNetwork, safeOccurrences, issues)
    if (mapped) {
      if (mapped.idDerived) derivedIds++
      rows.push(mapped)
    }
  }
  if (derivedIds > 0) {
    warnings.push(
      rowWarning(
        null,
        null,
        'ID_DERIVED',
        `${derivedIds} row${derivedIds > 1 ? 's have' : ' has'} no id, as usual in Safe files: Countersign derived each payout's id from its chain, token, receiver and amount, so importing the same payment again is refused as a duplicate. To pay the same amount to the same receiver again, put a new value in the id column.`,
      ),
    )
  }
  return { rows, issues, warnings, layout, rowsTotal, separator }
}

/** Bytes -> text, refusing anything that is not UTF-8 (a Windows-1252 export would corrupt names and addresses). */
function decode(input: Buffer | Uint8Array | string, issues: RowIssue[]): string | null {
  if (typeof input === 'string') return input
  if ((input[0] === 0xff && input[1] === 0xfe) || (input[0] === 0xfe && input[1] === 0xff)) {
    issues.push(
      rowIssue(null, null, 'FILE_ENCODING', 'The file is saved as UTF-16 — save it as "CSV UTF-8 (comma delimited)" and import it again.'),
    )
    return null
  }
  if (input.length > csvCharsMax * 4) {
    issues.push(rowIssue(null, null, 'FILE_TOO_LARGE', `The file is ${input.length} bytes — split it into smaller files.`))
    return null
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(input)
  } catch {
    // Decode again leniently so the bad bytes show as U+FFFD and can be pinned to a row and column.
    return new TextDecoder('utf-8').decode(input)
  }
}

/** The separator used most in the header line (outside quotes); ',' when none or tied. */
function detectSeparator(text: string, start: number): ',' | ';' | '\t' {
  let commas = 0
  let semicolons = 0
  let tabs = 0
  let quoted = false
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === QUOTE) quoted = !quoted
    else if (quoted) continue
    else if (c === LF || c === CR) {
      if (commas + semicolons + tabs > 0) break // else a leading blank line: keep looking
    } else if (c === COMMA) commas++
    else if (c === SEMICOLON) semicolons++
    else if (c === TAB) tabs++
  }
  if (semicolons > commas && semicolons >= tabs) return ';'
  if (tabs > commas && tabs > semicolons) return '\t'
  return ','
}

/**
 * RFC 4180 tokenizer over the whole text. Calls `onRecord` per record (return false to stop).
 * A quote is special only at the start of a value; `5" pipe` stays literal text. Text after a
 * closing quote, or a quote never closed, is a ROW_MALFORMED issue and that record is dropped.
 */
function tokenize(
  text: string,
  start: number,
  firstRow: number,
  sep: number,
  issues: RowIssue[],
  onRecord: (rec: Record_) => boolean,
): void {
  const n = text.length
  let i = start
  let row = firstRow - 1
  while (i < n) {
    row++
    const cells: string[] = []
    let broken = false
    for (;;) {
      let value: string
      if (text.charCodeAt(i) === QUOTE) {
        let j = i + 1
        let buf = ''
        for (;;) {
          const k = text.indexOf('"', j)
          if (k === -1) {
            issues.push(
              rowIssue(
                row,
                null,
                'ROW_MALFORMED',
                'a quoted value is never closed — add the missing " (everything after it was unreadable).',
              ),
            )
            return
          }
          buf += text.slice(j, k)
          if (text.charCodeAt(k + 1) === QUOTE) {
            buf += '"'
            j = k + 2
            continue
          }
          i = k + 1
          break
        }
        // Line ends inside a quoted value become \n whatever the file used (CRLF from Excel).
        value = buf.includes('\r') ? buf.replace(/\r\n?/g, '\n') : buf
        const c = text.charCodeAt(i)
        if (i < n && c !== sep && c !== LF && c !== CR) {
          if (!broken) {
            issues.push(
              rowIssue(
                row,
                null,
                'ROW_MALFORMED',
                'there is text after a closing quote — a value in quotes must end at the separator; write a quote inside a value as "".',
              ),
            )
          }
          broken = true
          while (i < n && text.charCodeAt(i) !== sep && text.charCodeAt(i) !== LF && text.charCodeAt(i) !== CR) i++
        }
      } else {
        let j = i
        while (j < n) {
          const c = text.charCodeAt(j)
          if (c === sep || c === LF || c === CR) break
          j++
        }
        value = text.slice(i, j)
        i = j
      }
      cells.push(value)
      if (i >= n) break
      const c = text.charCodeAt(i)
      if (c === sep) {
        i++
        if (i >= n) {
          cells.push('')
          break
        }
        continue
      }
      if (c === CR) {
        i++
        if (text.charCodeAt(i) === LF) i++
        break
      }
      // LF
      i++
      break
    }
    if (broken) continue
    if (!onRecord({ row, cells })) return
  }
}

function isBlank(cells: string[]): boolean {
  for (const c of cells) if (c.trim() !== '') return false
  return true
}

/**
 * Shape checks of one data row. More cells than header columns usually means an unquoted comma
 * inside a value (1,000.00): the values are shifted, so the row is dropped rather than misread.
 */
function checkCells(rec: Record_, headerCells: number, names: string[], issues: RowIssue[]): boolean {
  let ok = true
  if (rec.cells.length > headerCells && rec.cells.slice(headerCells).some((c) => c.trim() !== '')) {
    issues.push(
      rowIssue(
        rec.row,
        null,
        'ROW_MALFORMED',
        `the row has ${rec.cells.length} values but the header has ${headerCells} columns — a value probably contains an unquoted separator (such as 1,000.00); put quotes around it or remove the separator.`,
      ),
    )
    return false
  }
  rec.cells.forEach((value, i) => {
    const column = i < names.length && names[i] !== '' ? names[i]! : `column ${i + 1}`
    if (value.includes(REPLACEMENT_CHAR)) {
      issues.push(
        rowIssue(
          rec.row,
          column,
          'FILE_ENCODING',
          'the value contains characters that are not valid UTF-8 (shown as �) — the file was probably saved as Windows-1252 or Latin-1; save it as "CSV UTF-8" and import it again.',
        ),
      )
      ok = false
    } else if (value.length > cellCharsMax) {
      issues.push(
        rowIssue(
          rec.row,
          column,
          'CELL_TOO_LONG',
          `the value has ${value.length} characters — no payout field takes more than ${cellCharsMax}.`,
        ),
      )
      ok = false
    } else if (i < names.length && names[i] === '' && value.trim() !== '') {
      issues.push(
        rowIssue(rec.row, column, 'ROW_MALFORMED', 'there is a value under a column with no name — name the column or clear the value.'),
      )
      ok = false
    }
  })
  return ok
}

function mapSafeRow(
  row: number,
  cell: (name: string) => string,
  network: string,
  occurrences: Map<string, number>,
  issues: RowIssue[],
): RawRow | null {
  const tokenType = cell('token_type').toLowerCase()
  const tokenAddress = cell('token_address')
  let asset: string
  if (tokenType === 'native') {
    if (tokenAddress !== '') {
      issues.push(
        rowIssue(
          row,
          'token_address',
          'TOKEN_TYPE_UNSUPPORTED',
          'token_type is native but a token address is given — clear the address for the chain’s own coin, or set token_type to erc20.',
        ),
      )
      return null
    }
    asset = NATIVE_ASSET
  } else if (tokenType === 'erc20') {
    asset = tokenAddress // '' is reported by validation as an unknown asset, with the column named
  } else {
    const what =
      tokenType === 'erc721' || tokenType === 'erc1155' || tokenType === 'nft' ? 'NFT transfers are not payouts' : 'unknown token type'
    issues.push(
      rowIssue(
        row,
        'token_type',
        'TOKEN_TYPE_UNSUPPORTED',
        `"${tokenType.slice(0, 20)}" — ${what}; use native or erc20, or remove the row.`,
      ),
    )
    return null
  }
  const given = cell('id')
  const recipient = cell('receiver')
  const amount = cell('amount')
  let id = given
  let idDerived = false
  if (given === '') {
    const base = `${network}|${asset.toLowerCase()}|${recipient.toLowerCase()}|${normalizeDecimal(amount)}`
    const n = (occurrences.get(base) ?? 0) + 1
    occurrences.set(base, n)
    id = deriveSafeId(base, n)
    idDerived = true
  }
  return {
    row,
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
