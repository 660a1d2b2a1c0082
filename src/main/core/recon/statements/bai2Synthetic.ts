/**
 * A valid BAI2 file of any size, for benchmarks and tests: one group, accounts of at most 25,000
 * detail records, each with opening (010) and closing (015) ledger and total credit/debit (100/400)
 * summaries that agree with its 16 records, funds types "", 0, V and S, 88 continuations in the
 * Goldman Sachs sub-field style, and 49/98/99 trailers whose control totals and record counts hold.
 * Deterministic: the same (entries, seed) always gives the same text.
 */
import { invariant } from '../../util/invariant'
import { seededRandom } from '../../util/seededRandom'

const ENTRIES_PER_ACCOUNT_MAX = 25_000
const AMOUNT_CENTS_MAX = 5_000_000
const CREDIT_CODES = ['195', '165', '108', '142'] as const
const DEBIT_CODES = ['495', '451', '409', '475'] as const

interface Account {
  lines: string[]
  total: bigint
}

function account(number: string, count: number, startIndex: number, random: () => number): Account {
  const details: string[] = []
  let detailTotal = 0n
  let credits = 0n
  let debits = 0n
  let creditCount = 0
  for (let i = 0; i < count; i += 1) {
    const n = startIndex + i
    const cents = BigInt(1 + Math.floor(random() * AMOUNT_CENTS_MAX))
    const credit = random() < 0.5
    const codes = credit ? CREDIT_CODES : DEBIT_CODES
    const code = codes[n % codes.length]!
    if (credit) {
      credits += cents
      creditCount += 1
    } else debits += cents
    detailTotal += cents
    const funds = ['', '0', 'V,240102,', 'S,0,0,0'][n % 4]!
    details.push(`16,${code},${cents},${funds},B${n},C${n},Payment ${n}, reference INV-${n}/`)
    if (n % 3 === 0) details.push(`88,EREF: E2E${n}`, `88,${credit ? 'DBNM' : 'CRNM'}: Counterparty ${n % 97}`, `88,REMI: Invoice ${n}`)
  }
  const opening = BigInt(Math.floor(random() * AMOUNT_CENTS_MAX)) - BigInt(AMOUNT_CENTS_MAX / 2)
  const closing = opening + credits - debits
  const signed = (value: bigint): string => (value < 0n ? `${value}` : `+${value}`)
  const header = [
    `03,${number},USD,010,${signed(opening)},,,015,${signed(closing)},,/`,
    `88,100,${credits},${creditCount},,400,${debits},${count - creditCount},/`,
  ]
  const total = opening + closing + credits + debits + detailTotal
  const records = header.length + details.length + 1
  return { lines: [...header, ...details, `49,${total},${records}/`], total }
}

/** `entries` 16 records over accounts of at most 25,000, every trailer total and count consistent. */
export function syntheticBai2(entries: number, seed: number): string {
  invariant(Number.isInteger(entries) && entries >= 0, 'syntheticBai2: entries must be a whole number')
  const random = seededRandom(seed)
  const lines = ['01,SENDER,RECEIVER,240102,0800,' + `F${seed},80,,2/`, '02,RECEIVER,SENDER,1,240101,2400,USD,2/']
  let groupTotal = 0n
  let accounts = 0
  for (let written = 0; written < entries || accounts === 0; accounts += 1) {
    const count = Math.min(ENTRIES_PER_ACCOUNT_MAX, entries - written)
    const result = account(`10000${accounts}`, count, written, random)
    lines.push(...result.lines)
    groupTotal += result.total
    written += count
  }
  lines.push(`98,${groupTotal},${accounts},${lines.length}/`)
  lines.push(`99,${groupTotal},1,${lines.length + 1}/`)
  return `${lines.join('\n')}\n`
}
