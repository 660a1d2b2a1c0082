/**
 * A small camt.053.001.08 statement for tests: one EUR account, booked entries with an end-to-end
 * id and a bank reference each; the balances are written as given, so a test can also make one
 * that does not add up.
 */
export const CAMT_TEST_IBAN = 'DE89370400440532013000'

export interface CamtLine {
  amount: string
  dir: 'CRDT' | 'DBIT'
  e2e?: string
  ref?: string
  /** Booking date (default: a day of the month from the line's position). */
  date?: string
  /** Unstructured remittance (default "Invoice <n>"). */
  text?: string
}

export interface CamtStatement {
  id: string
  seq: number
  opening: string
  closing: string
  lines: CamtLine[]
  closingDir?: 'CRDT' | 'DBIT'
  /** YYYY-MM of the statement (default 2026-11). */
  month?: string
  iban?: string
  /** ISO currency of the account (default EUR). */
  ccy?: string
}

function day(n: number): string {
  return String(n).padStart(2, '0')
}

export function camtText(o: CamtStatement): string {
  const m = o.month ?? '2026-11'
  const ccy = o.ccy ?? 'EUR'
  const entries = o.lines
    .map(
      (l, i) => `<Ntry><NtryRef>${i + 1}</NtryRef><Amt Ccy="${ccy}">${l.amount}</Amt><CdtDbtInd>${l.dir}</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
<BookgDt><Dt>${l.date ?? `${m}-${day((i % 9) + 1)}`}</Dt></BookgDt><ValDt><Dt>${l.date ?? `${m}-${day((i % 9) + 2)}`}</Dt></ValDt><AcctSvcrRef>${l.ref ?? `BANK-${o.seq}-${i + 1}`}</AcctSvcrRef>
<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
<NtryDtls><TxDtls><Refs><EndToEndId>${l.e2e ?? 'NOTPROVIDED'}</EndToEndId></Refs><RmtInf><Ustrd>${l.text ?? `Invoice ${i + 1}`}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>`,
    )
    .join('\n')
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
<BkToCstmrStmt><GrpHdr><MsgId>${o.id}</MsgId><CreDtTm>${m}-28T18:00:00</CreDtTm></GrpHdr>
<Stmt><Id>${o.id}</Id><ElctrncSeqNb>${o.seq}</ElctrncSeqNb><CreDtTm>${m}-28T18:00:00</CreDtTm>
<FrToDt><FrDtTm>${m}-01T00:00:00</FrDtTm><ToDtTm>${m}-28T23:59:59</ToDtTm></FrToDt>
<Acct><Id><IBAN>${o.iban ?? CAMT_TEST_IBAN}</IBAN></Id><Ccy>${ccy}</Ccy><Ownr><Nm>Countersign Demo GmbH</Nm></Ownr></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="${ccy}">${o.opening}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>${m}-01</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="${ccy}">${o.closing}</Amt><CdtDbtInd>${o.closingDir ?? 'CRDT'}</CdtDbtInd><Dt><Dt>${m}-28</Dt></Dt></Bal>
${entries}
</Stmt></BkToCstmrStmt></Document>
`
}
