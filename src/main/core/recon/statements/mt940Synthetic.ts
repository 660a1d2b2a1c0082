/**
 * A valid MT940 file of any size, for benchmarks and tests: daily statements in SWIFT envelopes,
 * each opening where the one before closed, with the three :86: layouts the parser reads (SEPA
 * `?NN` sub-fields, `/TAG/` keys, free text), entry dates, reversals and supplementary details.
 * Deterministic: the same (entries, seed) always gives the same text.
 */
import { seededRandom } from '../../util/seededRandom'
import { invariant } from '../../util/invariant'

/** Statement lines per daily message (a busy account's day). */
const ENTRIES_PER_MESSAGE_MAX = 500
/** Largest synthetic amount, in cents. */
const AMOUNT_CENTS_MAX = 5_000_000
const DAY_MS = 86_400_000
const START_DAY_MS = Date.UTC(2024, 0, 1)
const ACCOUNT = 'DE89370400440532013000'

function yymmdd(dayMs: number): string {
  return new Date(dayMs).toISOString().slice(2, 10).replace(/-/g, '')
}

/** Cents → "1234,56" (MT940's decimal comma). */
function swiftAmount(cents: bigint): string {
  const text = cents.toString().padStart(3, '0')
  return `${text.slice(0, -2)},${text.slice(-2)}`
}

function balance(tag: string, cents: bigint, dayMs: number): string {
  return `:${tag}:${cents < 0n ? 'D' : 'C'}${yymmdd(dayMs)}EUR${swiftAmount(cents < 0n ? -cents : cents)}`
}

function information(n: number, random: () => number): string[] {
  const ref = `INV-${n}-${Math.floor(random() * 1e6)}`
  switch (n % 3) {
    case 0:
      return [`166?00GUTSCHRIFT?100399?20EREF+E2E${n}?21SVWZ+${ref}`, `?30COBADEFFXXX?31DE02100100109307118603?32Muster GmbH`]
    case 1:
      return [`/EREF/E2E${n}//BENM//NAME/Acme B.V./REMI/USTD//${ref}/`]
    default:
      return [`Payment ${ref} thank you`, 'Second line of free text']
  }
}

/** `entries` statement lines over daily messages of at most 500, with consistent balances. */
export function syntheticMt940(entries: number, seed: number): string {
  invariant(Number.isInteger(entries) && entries >= 0, 'syntheticMt940: entries must be a whole number')
  const random = seededRandom(seed)
  const out: string[] = []
  let closing = BigInt(Math.floor(random() * AMOUNT_CENTS_MAX))
  let written = 0
  for (let day = 0; written < entries || day === 0; day += 1) {
    const dayMs = START_DAY_MS + day * DAY_MS
    const count = Math.min(ENTRIES_PER_MESSAGE_MAX, entries - written)
    out.push('{1:F01COBADEFFAXXX0000000000}{2:O940COBADEFFXXXXN}{3:}{4:', `:20:STMT${seed}-${day}`, `:25:${ACCOUNT}`)
    out.push(`:28C:${day + 1}/1`, balance('60F', closing, dayMs - DAY_MS))
    for (let i = 0; i < count; i += 1) {
      const cents = BigInt(1 + Math.floor(random() * AMOUNT_CENTS_MAX))
      const reversal = random() < 0.02
      const credit = random() < 0.5
      // RD = a debit reversed: money back in. RC = a credit reversed: money out.
      const mark = reversal ? (credit ? 'RD' : 'RC') : credit ? 'C' : 'D'
      closing += credit ? cents : -cents
      const entryDate = i % 4 === 0 ? yymmdd(dayMs).slice(2) : ''
      const n = written + i
      out.push(`:61:${yymmdd(dayMs)}${entryDate}${mark}${swiftAmount(cents)}NTRF${n % 5 === 0 ? 'NONREF' : `REF${n}`}//B${n}`)
      if (n % 7 === 0) out.push('Supplementary details')
      out.push(`:86:${information(n, random).join('\r\n')}`)
    }
    written += count
    out.push(balance('62F', closing, dayMs), '-}{5:}')
  }
  return `${out.join('\r\n')}\r\n`
}
