/**
 * A valid camt.053.001.02 file of `entries` entries for tests and benchmarks, the same for the same
 * seed. Entries look like a bank's (indented, references, related parties, remittance, a batch
 * booking every BATCH_EVERY entries, some reversals); the balances and TxsSummry add up:
 * opening + sum(entries) = closing. Amounts are made as bigint minor units, never JS numbers.
 * The entries are written into one growing byte buffer rather than kept as 100,000 strings until
 * a final join (less for the garbage collector to copy).
 */
import { seededUint32 } from '../../util/seededRandom'
import { Buffer } from 'node:buffer'
import { invariant } from '../../util/invariant'

/** Every this many entries, one is a batch booking of BATCH_SIZE transactions. */
const BATCH_EVERY = 50
const BATCH_SIZE = 3
/** Every this many entries, one is a reversal. */
const REVERSAL_EVERY = 97
/** Entry amounts run from 0.01 to this many cents. */
const AMOUNT_CENTS_MAX = 10_000_000
const DAYS_IN_PERIOD = 365
const PERIOD_START_MS = Date.UTC(2024, 0, 1)
const DAY_MS = 86_400_000
const ACCOUNT_IBAN = 'DE89370400440532013000'
const NAMES = ['Müller GmbH', 'Smith &amp; Sons Ltd', 'Acme Payments BV', 'Dupont SARL', 'Rossi S.p.A.', 'Nordic Supplies AB']

export function syntheticCamt053(entries: number, seed: number): string {
  invariant(Number.isInteger(entries) && entries >= 0, () => `entries must be a count, got ${entries}`)
  const random = seededUint32(seed)
  const openingSign = random() % 2 === 0 ? 1n : -1n
  const opening = openingSign * BigInt(random() % AMOUNT_CENTS_MAX) * 100n
  const body = new TextWriter()
  let net = 0n
  let sumAbs = 0n
  for (let i = 0; i < entries; i++) {
    const cents = BigInt((random() % AMOUNT_CENTS_MAX) + 1)
    const credit = random() % 5 < 3
    net += credit ? cents : -cents
    sumAbs += cents
    body.write(entryXml(i, Math.floor((i * DAYS_IN_PERIOD) / entries), cents, credit, random))
  }
  const closing = opening + net
  // One decode of one buffer: a flat string, as a decoded file is (`header + body` would be a rope
  // that the parser's first search has to copy).
  return body.toStringBetween(header(opening, closing, entries, sumAbs, net), FOOTER)
}

function header(opening: bigint, closing: bigint, count: number, sumAbs: bigint, net: bigint): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <BkToCstmrStmt>
    <GrpHdr>
      <MsgId>SYNTH-${count}</MsgId>
      <CreDtTm>2025-01-01T06:00:00</CreDtTm>
    </GrpHdr>
    <Stmt>
      <Id>SYNTH-STMT-${count}</Id>
      <ElctrncSeqNb>1</ElctrncSeqNb>
      <CreDtTm>2025-01-01T06:00:00</CreDtTm>
      <FrToDt>
        <FrDtTm>2024-01-01T00:00:00</FrDtTm>
        <ToDtTm>2024-12-31T23:59:59</ToDtTm>
      </FrToDt>
      <Acct>
        <Id>
          <IBAN>${ACCOUNT_IBAN}</IBAN>
        </Id>
        <Ccy>EUR</Ccy>
        <Ownr>
          <Nm>Countersign Treasury</Nm>
        </Ownr>
        <Svcr>
          <FinInstnId>
            <BIC>COBADEFFXXX</BIC>
          </FinInstnId>
        </Svcr>
      </Acct>
${balance('OPBD', opening, '2024-01-01')}${balance('CLBD', closing, '2024-12-31')}      <TxsSummry>
        <TtlNtries>
          <NbOfNtries>${count}</NbOfNtries>
          <Sum>${decimal(sumAbs)}</Sum>
          <TtlNetNtryAmt>${decimal(net < 0n ? -net : net)}</TtlNetNtryAmt>
          <CdtDbtInd>${net < 0n ? 'DBIT' : 'CRDT'}</CdtDbtInd>
        </TtlNtries>
      </TxsSummry>
`
}

function balance(code: string, amount: bigint, date: string): string {
  return `      <Bal>
        <Tp>
          <CdOrPrtry>
            <Cd>${code}</Cd>
          </CdOrPrtry>
        </Tp>
        <Amt Ccy="EUR">${decimal(amount < 0n ? -amount : amount)}</Amt>
        <CdtDbtInd>${amount < 0n ? 'DBIT' : 'CRDT'}</CdtDbtInd>
        <Dt>
          <Dt>${date}</Dt>
        </Dt>
      </Bal>
`
}

const FOOTER = `    </Stmt>
  </BkToCstmrStmt>
</Document>
`

function entryXml(i: number, day: number, cents: bigint, credit: boolean, random: () => number): string {
  const date = new Date(PERIOD_START_MS + day * DAY_MS).toISOString().slice(0, 10)
  const batch = i % BATCH_EVERY === BATCH_EVERY - 1 && cents >= BigInt(BATCH_SIZE)
  const family = credit ? 'RCDT' : 'ICDT'
  const details = batch ? batchDetails(i, cents, credit, random) : transactionXml(i, 0, null, credit, random)
  return `      <Ntry>
        <NtryRef>${i + 1}</NtryRef>
        <Amt Ccy="EUR">${decimal(cents)}</Amt>
        <CdtDbtInd>${credit ? 'CRDT' : 'DBIT'}</CdtDbtInd>
${i % REVERSAL_EVERY === REVERSAL_EVERY - 1 ? '        <RvslInd>true</RvslInd>\n' : ''}        <Sts>BOOK</Sts>
        <BookgDt>
          <Dt>${date}</Dt>
        </BookgDt>
        <ValDt>
          <Dt>${date}</Dt>
        </ValDt>
        <AcctSvcrRef>SYN${String(i).padStart(10, '0')}</AcctSvcrRef>
        <BkTxCd>
          <Domn>
            <Cd>PMNT</Cd>
            <Fmly>
              <Cd>${family}</Cd>
              <SubFmlyCd>ESCT</SubFmlyCd>
            </Fmly>
          </Domn>
        </BkTxCd>
        <NtryDtls>
${details}        </NtryDtls>
      </Ntry>
`
}

/** BATCH_SIZE transactions whose amounts add up to the entry's. */
function batchDetails(i: number, cents: bigint, credit: boolean, random: () => number): string {
  const size = BigInt(BATCH_SIZE)
  const share = cents / size
  let xml = `          <Btch>
            <PmtInfId>BATCH-${i + 1}</PmtInfId>
            <NbOfTxs>${BATCH_SIZE}</NbOfTxs>
          </Btch>
`
  for (let k = 0; k < BATCH_SIZE; k++) {
    const amount = k === BATCH_SIZE - 1 ? cents - share * (size - 1n) : share
    xml += transactionXml(i, k, amount, credit, random)
  }
  return xml
}

function transactionXml(i: number, k: number, amount: bigint | null, credit: boolean, random: () => number): string {
  const side = credit ? 'Dbtr' : 'Cdtr'
  const name = NAMES[random() % NAMES.length]!
  const iban = syntheticIban(random())
  const amountXml =
    amount === null
      ? ''
      : `            <AmtDtls>
              <TxAmt>
                <Amt Ccy="EUR">${decimal(amount)}</Amt>
              </TxAmt>
            </AmtDtls>
`
  return `          <TxDtls>
            <Refs>
              <AcctSvcrRef>SYN${String(i).padStart(10, '0')}-${k}</AcctSvcrRef>
              <EndToEndId>E2E-${i + 1}-${k + 1}</EndToEndId>
            </Refs>
${amountXml}            <RltdPties>
              <${side}>
                <Nm>${name}</Nm>
              </${side}>
              <${side}Acct>
                <Id>
                  <IBAN>${iban}</IBAN>
                </Id>
              </${side}Acct>
            </RltdPties>
            <RmtInf>
              <Ustrd>Invoice ${100000 + i} payment ${k + 1}</Ustrd>
            </RmtInf>
          </TxDtls>
`
}

/** A German-style IBAN with correct check digits (ISO 13616 mod 97) for a bank code and account number from `n`. */
function syntheticIban(n: number): string {
  const bban = `37040044${String(n % 10_000_000_000).padStart(10, '0')}`
  // "DE" = 13 14, then "00" for the check digits being computed.
  const remainder = BigInt(`${bban}131400`) % 97n
  return `DE${String(98n - remainder).padStart(2, '0')}${bban}`
}

function decimal(cents: bigint): string {
  return `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`
}

/** UTF-8 text appended to a buffer that doubles when full. */
class TextWriter {
  private buffer = Buffer.allocUnsafe(1 << 20)
  private used = 0

  write(text: string): void {
    // A UTF-16 code unit is at most 3 UTF-8 bytes.
    const needed = this.used + text.length * 3
    if (needed > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2))
      this.buffer.copy(grown, 0, 0, this.used)
      this.buffer = grown
    }
    this.used += this.buffer.write(text, this.used, 'utf8')
  }

  /** `before`, the text written, then `after`, as one string. */
  toStringBetween(before: string, after: string): string {
    const whole = Buffer.concat([Buffer.from(before, 'utf8'), this.buffer.subarray(0, this.used), Buffer.from(after, 'utf8')])
    return whole.toString('utf8')
  }
}
