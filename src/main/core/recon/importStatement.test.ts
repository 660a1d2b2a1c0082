/**
 * Importing statements, in process on a real SQLite file (PostgreSQL under
 * COUNTERSIGN_TEST_DB=postgres): every line stored exactly as the bank wrote it, the file's own
 * balances checked, the same file refused the second time, and a file that fails any check
 * leaves nothing behind (no file, no account, no line, no audit row). Gaps in the statement
 * sequence and an opening balance that differs from the last closing are kept as warnings.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sqlAll } from '../../../../test/dbSql'
import { CAMT_TEST_IBAN, camtText } from '../../../../test/recon/camtText'
import { ALICE, BOB, DANA, failure, openDesk, type Desk } from '../payouts/batches/testKit'

let desk: Desk
const IBAN = CAMT_TEST_IBAN
const camt = camtText

const NOVEMBER = camt({
  id: 'STMT-2026-11',
  seq: 11,
  opening: '1000.00',
  closing: '1234567891103.17',
  lines: [
    { amount: '19.99', dir: 'DBIT', e2e: 'pay_001' },
    { amount: '0.29', dir: 'DBIT', e2e: 'pay_002' },
    { amount: '1234567890123.45', dir: 'CRDT', e2e: 'INV-77' },
  ],
})

async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  for (const table of ['statement_files', 'statements', 'statement_lines', 'recon_accounts']) {
    const [row] = await sqlAll<{ n: number | string }>(desk.core.ctx.db, `SELECT COUNT(*) AS n FROM ${table}`)
    out[table] = Number(row!.n)
  }
  const [audit] = await sqlAll<{ n: number | string }>(desk.core.ctx.db, "SELECT COUNT(*) AS n FROM audit_log WHERE action LIKE 'recon.%'")
  out['audit'] = Number(audit!.n)
  return out
}

beforeEach(async () => {
  desk = await openDesk()
  await desk.as(DANA, 'ledger.accounts.add', { id: 'bank-eur', name: 'Bank EUR (main)', kind: 'external', assetId: 'EUR@stripe' })
})
afterEach(async () => {
  await desk.close()
})

describe('statement import', () => {
  it('stores every line exactly, with the balances checked, its warnings and one audit row', async () => {
    const r = await desk.as(ALICE, 'recon.import', { content: NOVEMBER, fileName: 'nov.xml' })
    expect(r).toMatchObject({ format: 'camt.053', dryRun: false, lines: 3 })
    expect(r.statements).toHaveLength(1)
    expect(r.statements[0]).toMatchObject({
      accountId: `${IBAN}:EUR`,
      statementRef: 'STMT-2026-11',
      sequence: '11',
      opening: '1000.00',
      closing: '1234567891103.17',
      credits: '1234567890123.45',
      debits: '-20.28',
      lines: 3,
      unmatched: 3,
    })
    expect(r.warnings.map((w) => w.code)).toEqual(['ACCOUNT_UNLINKED'])

    const page = await desk.as(ALICE, 'recon.lines', { statementId: r.statements[0]!.id })
    expect(page.total).toBe(3)
    expect(page.lines.map((l) => [l.amount, l.endToEndId, l.bankRef, l.state])).toEqual([
      ['-19.99', 'pay_001', 'BANK-11-1', 'unmatched'],
      ['-0.29', 'pay_002', 'BANK-11-2', 'unmatched'],
      ['1234567890123.45', 'INV-77', 'BANK-11-3', 'unmatched'],
    ])
    // Stored as exact minor units, not as text that went through a float.
    const stored = await sqlAll<{ amount: string }>(desk.core.ctx.db, 'SELECT amount FROM statement_lines ORDER BY idx')
    expect(stored.map((s) => s.amount)).toEqual(['-1999', '-29', '123456789012345'])
    const audit = await sqlAll<{ action: string; subject: string }>(
      desk.core.ctx.db,
      "SELECT action, subject FROM audit_log WHERE action LIKE 'recon.%'",
    )
    expect(audit).toEqual([{ action: 'recon.import', subject: `statement-file:${r.fileId}` }])
    expect(await desk.as(ALICE, 'recon.statements', {})).toMatchObject({ statements: [{ id: r.statements[0]!.id, fileName: 'nov.xml' }] })
  })

  it('refuses the same file a second time, naming the first import, and stores nothing more', async () => {
    const first = await desk.as(ALICE, 'recon.import', { content: NOVEMBER, fileName: 'nov.xml' })
    const before = await counts()
    const again = await failure(desk.as(ALICE, 'recon.import', { content: NOVEMBER, fileName: 'nov-copy.xml' }))
    expect(again.code).toBe('STATEMENT_DUPLICATE')
    expect(again.message).toMatch(/nov-copy\.xml was imported already \(as nov\.xml/)
    expect(again.details).toMatchObject({ fileId: first.fileId })
    expect(await counts()).toEqual(before)
  })

  it('refuses a statement whose lines do not add up to its closing balance, and a damaged file; nothing is stored', async () => {
    const empty = await counts()
    const unbalanced = camt({ id: 'BAD', seq: 1, opening: '100.00', closing: '80.00', lines: [{ amount: '19.99', dir: 'DBIT' }] })
    const e1 = await failure(desk.as(ALICE, 'recon.import', { content: unbalanced, fileName: 'bad.xml' }))
    expect(e1.code).toBe('STATEMENT_UNBALANCED')
    expect(e1.message).toMatch(/opening 100\.00 EUR \+ booked lines -19\.99 EUR = 80\.01 EUR, but the closing balance is 80\.00 EUR/)
    const truncated = NOVEMBER.slice(0, NOVEMBER.indexOf('<Ntry>') + 200)
    const e2 = await failure(desk.as(ALICE, 'recon.import', { content: truncated, fileName: 'cut.xml' }))
    expect(e2.code).toBe('STATEMENT_INVALID')
    expect(e2.details?.['where']).toEqual(expect.any(String))
    const e3 = await failure(desk.as(ALICE, 'recon.import', { content: 'hello, world\n', fileName: 'notes.txt' }))
    expect(e3.code).toBe('STATEMENT_MAPPING_INVALID')
    const e4 = await failure(desk.as(ALICE, 'recon.import', { content: 'PK\u0003\u0004 binary', fileName: 'x.zip' }))
    expect(e4.code).toBe('STATEMENT_FORMAT_UNKNOWN')
    expect(await counts()).toEqual(empty)
  })

  it('a dry run checks and reports, storing nothing', async () => {
    const empty = await counts()
    const r = await desk.as(ALICE, 'recon.import', { content: NOVEMBER, fileName: 'nov.xml', dryRun: true })
    expect(r).toMatchObject({ dryRun: true, lines: 3 })
    expect(await counts()).toEqual(empty)
  })

  it('reports a gap in the statement sequence and an opening that differs from the last closing', async () => {
    await desk.as(ALICE, 'recon.import', { content: NOVEMBER, fileName: 'nov.xml', ledgerAccountId: 'bank-eur' })
    const january = camt({ id: 'STMT-2027-01', seq: 13, opening: '5.00', closing: '6.00', lines: [{ amount: '1.00', dir: 'CRDT' }] })
    const r = await desk.as(ALICE, 'recon.import', { content: january, fileName: 'jan.xml' })
    expect(r.warnings.map((w) => w.code)).toEqual(['SEQUENCE_GAP', 'OPENING_DIFFERS'])
    expect(r.warnings[0]!.message).toMatch(/Statement 13 follows 11 .*statement 12 is missing/)
    expect(r.warnings[1]!.message).toMatch(/opening balance 5\.00 differs from the closing balance 1234567891103\.17/)
    // The warnings stay with the statement for whoever reconciles later.
    const list = await desk.as(BOB, 'recon.statements', {})
    expect(list.statements[0]!.warnings.map((w) => w.code)).toEqual(['SEQUENCE_GAP', 'OPENING_DIFFERS'])
  })

  it('links a statement account only to a ledger account in its currency; linking is audited', async () => {
    await desk.as(DANA, 'ledger.accounts.add', { id: 'bank-usd', name: 'Bank USD', kind: 'external', assetId: 'USD@stripe' })
    const wrong = await failure(desk.as(ALICE, 'recon.import', { content: NOVEMBER, fileName: 'nov.xml', ledgerAccountId: 'bank-usd' }))
    expect(wrong.code).toBe('RECON_ACCOUNT_MISMATCH')
    expect(await counts()).toMatchObject({ statement_files: 0, recon_accounts: 0 })
    await desk.as(ALICE, 'recon.import', { content: NOVEMBER, fileName: 'nov.xml' })
    const linked = await desk.as(ALICE, 'recon.linkAccount', { accountId: `${IBAN}:EUR`, ledgerAccountId: 'bank-eur' })
    expect(linked).toMatchObject({ ledgerAccountId: 'bank-eur', statements: 1, lastSequence: '11', lastClosing: '1234567891103.17' })
    expect((await failure(desk.as(ALICE, 'recon.linkAccount', { accountId: `${IBAN}:EUR`, ledgerAccountId: 'bank-usd' }))).code).toBe(
      'RECON_ACCOUNT_MISMATCH',
    )
    const audit = await sqlAll<{ action: string }>(
      desk.core.ctx.db,
      "SELECT action FROM audit_log WHERE action LIKE 'recon.%' ORDER BY seq",
    )
    expect(audit.map((a) => a.action)).toEqual(['recon.import', 'recon.link'])
  })

  it('only preparers and admins import; anyone unlocked reads', async () => {
    expect((await failure(desk.as(BOB, 'recon.import', { content: NOVEMBER, fileName: 'nov.xml' }))).code).toBe('ROLE_REQUIRED')
    await desk.as(DANA, 'recon.import', { content: NOVEMBER, fileName: 'nov.xml' })
    expect((await desk.as(BOB, 'recon.accounts', {})).accounts).toHaveLength(1)
  })

  it('takes a large file in chunks through recon.upload, then imports it whole', async () => {
    const third = Math.ceil(NOVEMBER.length / 3)
    const a = await desk.as(ALICE, 'recon.upload', { chunk: NOVEMBER.slice(0, third), final: false })
    const b = await desk.as(ALICE, 'recon.upload', { uploadId: a.uploadId, chunk: NOVEMBER.slice(third, 2 * third), final: false })
    const c = await desk.as(ALICE, 'recon.upload', { uploadId: a.uploadId, chunk: NOVEMBER.slice(2 * third), final: true })
    expect([b.ready, c.ready, c.chars]).toEqual([false, true, NOVEMBER.length])
    const r = await desk.as(ALICE, 'recon.import', { uploadId: a.uploadId, fileName: 'nov.xml' })
    expect(r.lines).toBe(3)
    // An upload is taken once.
    expect((await failure(desk.as(ALICE, 'recon.import', { uploadId: a.uploadId, fileName: 'nov.xml' }))).code).toBe('UPLOAD_NOT_FOUND')
  })

  it('reads a CSV with a saved column mapping, and refuses a mapping that is not valid', async () => {
    const mapping = {
      name: 'Demo Bank DE',
      delimiter: ';',
      headerRows: 1,
      columns: { date: 'Buchungstag', amount: 'Betrag', reference: 'Referenz', description: 'Verwendungszweck', balance: 'Saldo' },
      dateFormat: 'DD.MM.YYYY',
      decimalSeparator: ',',
      thousandsSeparator: '.',
      negativeStyle: 'leadingMinus',
      account: { id: 'DE02120300000000202051', currency: 'EUR' },
    }
    const bad = await failure(desk.as(ALICE, 'recon.saveMapping', { name: 'broken', mapping: { ...mapping, decimalSeparator: '.' } }))
    expect(bad.code).toBe('STATEMENT_MAPPING_INVALID')
    const saved = await desk.as(ALICE, 'recon.saveMapping', { name: 'demo-de', mapping })
    expect(saved.name).toBe('demo-de')
    const csv = [
      'Buchungstag;Betrag;Referenz;Verwendungszweck;Saldo',
      '02.11.2026;-19,99;R1;Rechnung 1;980,01',
      '03.11.2026;1.234.567.890.123,45;R2;Zahlung;1.234.567.891.103,46',
    ].join('\n')
    const r = await desk.as(ALICE, 'recon.import', { content: csv, fileName: 'umsaetze.csv', mapping: 'demo-de' })
    expect(r.statements[0]).toMatchObject({ format: 'csv', opening: '1000.00', closing: '1234567891103.46', lines: 2 })
    const missing = await failure(desk.as(ALICE, 'recon.import', { content: csv + '\n', fileName: 'u2.csv', mapping: 'nope' }))
    expect(missing.code).toBe('STATEMENT_MAPPING_INVALID')
  })
})
