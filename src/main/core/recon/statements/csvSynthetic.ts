/**
 * A synthetic German-layout bank CSV of any size, with its mapping, for the parser's large-file
 * test and the statement benchmark. Deterministic for a seed. It uses what makes these files hard:
 * a preamble above the header, ";" delimiters, "1.234,56" amounts, descriptions quoted because
 * they hold the delimiter, CRLF, and a running balance on every row that adds up exactly:
 * SYNTHETIC_CSV_OPENING_MINOR + the amounts = the last row's balance.
 */
import { CSV_MAPPING_EXAMPLES, type CsvStatementMapping } from './csvStatementMapping'
import { seededUint32 } from '../../util/seededRandom'

/** The balance before the first row: 25.000,00 EUR. */
export const SYNTHETIC_CSV_OPENING_MINOR = 2_500_000n
const ROWS_PER_DAY = 40
const FIRST_DAY_MS = Date.UTC(2024, 0, 1)
const DAY_MS = 86_400_000
/** Largest synthetic amount in cents (below 1.000.000,00). */
const AMOUNT_CENTS_MAX = 100_000_000
const COUNTERPARTIES = ['Müller GmbH', 'Schmidt & Söhne KG', 'Stadtwerke Köln', 'Finanzamt Berlin', 'Bäckerei "Zum Korn"'] as const
const IBANS = ['DE44500105175407324931', 'DE89370400440532013000', 'DE02120300000000202051'] as const

/** The German example layout without its bank-reference column (the synthetic file has none). */
const { reference: _noReference, ...SYNTHETIC_COLUMNS } = CSV_MAPPING_EXAMPLES.germanBank.columns
const SYNTHETIC_MAPPING: CsvStatementMapping = {
  ...CSV_MAPPING_EXAMPLES.germanBank,
  name: 'Synthetic German bank',
  columns: SYNTHETIC_COLUMNS,
}

/** 1234567n → "12.345,67", -5n → "-0,05" (exact; no number involved). */
export function formatGermanAmount(minor: bigint): string {
  const negative = minor < 0n
  const digits = (negative ? -minor : minor).toString().padStart(3, '0')
  const whole = digits.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, '.')
  return `${negative ? '-' : ''}${whole},${digits.slice(-2)}`
}

function germanDate(dayIndex: number): string {
  const iso = new Date(FIRST_DAY_MS + dayIndex * DAY_MS).toISOString()
  return `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)}`
}

function quoted(text: string): string {
  return `"${text.replaceAll('"', '""')}"`
}

/** A CSV with `entries` rows on one EUR account, and the mapping that reads it. */
export function syntheticCsv(entries: number, seed: number): { text: string; mapping: CsvStatementMapping } {
  const next = seededUint32(seed)
  const parts: string[] = [
    `Kontonummer:;${SYNTHETIC_MAPPING.account.id}\r\n`,
    `Zeitraum:;${germanDate(0)} - ${germanDate(Math.max(0, Math.ceil(entries / ROWS_PER_DAY) - 1))}\r\n`,
    `Kontostand vom ${germanDate(0)}:;${formatGermanAmount(SYNTHETIC_CSV_OPENING_MINOR)} EUR\r\n`,
    '\r\n',
    'Buchungstag;Valuta;Auftraggeber / Empfänger;IBAN;Verwendungszweck;Kundenreferenz (End-to-End);Betrag;Währung;Saldo\r\n',
  ]
  let balance = SYNTHETIC_CSV_OPENING_MINOR
  for (let i = 0; i < entries; i++) {
    const cents = BigInt((next() % AMOUNT_CENTS_MAX) + 1)
    const amount = next() % 5 < 2 ? cents : -cents
    balance += amount
    const day = germanDate(Math.floor(i / ROWS_PER_DAY))
    const counterparty = COUNTERPARTIES[next() % COUNTERPARTIES.length]!
    const iban = IBANS[next() % IBANS.length]!
    const purpose = `Rechnung RE-${seed}-${i}; Kunde ${next() % 10_000}`
    const e2e = next() % 3 === 0 ? 'NOTPROVIDED' : `E2E-${seed}-${i}`
    parts.push(
      `${day};${day};${quoted(counterparty)};${iban};${quoted(purpose)};${e2e};${formatGermanAmount(amount)};EUR;${formatGermanAmount(balance)}\r\n`,
    )
  }
  return { text: parts.join(''), mapping: SYNTHETIC_MAPPING }
}
