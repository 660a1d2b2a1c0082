/**
 * The CSV reader on its own (no database): an amount cut in two by an unquoted thousands separator
 * is refused with the row named, never read as a smaller amount; values the person quoted, and
 * references that only start like a number, are taken as written. Plus the tokenizer's edges the
 * import tests do not reach (lone CR line ends, a trailing separator, quotes past the 32nd column).
 */
import { describe, expect, it } from 'vitest'
import { parsePayoutCsv } from './parsePayoutCsv'

const ADDRESS = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const SHORT_HEADER = 'id,rail,network,asset,recipient,amount,reference'
const FULL_HEADER = 'id,rail,network,asset,recipient,amount,memo,reference,name'

const issuesOf = (text: string, network?: string) =>
  parsePayoutCsv(text, { network }).issues.map((i) => ({ row: i.row, column: i.column, code: i.code }))

describe('an amount cut in two by an unquoted separator', () => {
  it('refuses the row of the issue (1,000.00 read as 1 with reference 000.00) and says how to write it', () => {
    const parsed = parsePayoutCsv([SHORT_HEADER, `th-1,evm,31337,USDC,${ADDRESS},1,000.00`].join('\n'))
    expect(parsed.rows).toEqual([])
    expect(parsed.rowsTotal).toBe(1)
    expect(parsed.issues).toHaveLength(1)
    const issue = parsed.issues[0]!
    expect(issue).toMatchObject({ row: 2, column: 'amount', code: 'AMOUNT_INVALID' })
    expect(issue.message).toMatch(/^Row 2, amount: "1" followed by "000\.00" under reference reads as one amount cut in two/)
    expect(issue.message).toContain('put the amount in quotes')
    expect(issue.message).toContain('without the thousands separator')
    expect(issue.message).toMatch(/\.$/)
  })

  it('catches every shape of the rest of a number, whatever column follows the amount', () => {
    const rows = [
      `a-1,evm,8453,USDC,${ADDRESS},1,000`, // 1,000
      `a-2,evm,8453,USDC,${ADDRESS},12,500.25`, // 12,500.25
      `a-3,evm,8453,USDC,${ADDRESS},1,000,000.00`, // 1,000,000.00: more values than columns
      `a-4,evm,8453,USDC,${ADDRESS},-1,000`, // the sign does not hide it
    ]
    expect(issuesOf([SHORT_HEADER, ...rows].join('\n'))).toEqual([
      { row: 2, column: 'amount', code: 'AMOUNT_INVALID' },
      { row: 3, column: 'amount', code: 'AMOUNT_INVALID' },
      { row: 4, column: null, code: 'ROW_MALFORMED' },
      { row: 5, column: 'amount', code: 'AMOUNT_INVALID' },
    ])
    // Under memo (our full layout, empty trailing cells): the row still fits the header.
    expect(issuesOf([FULL_HEADER, `b-1,stripe,stripe,EUR,acct_1AbCdEfGhIjKlMnOp,2,500,,`].join('\n'))).toEqual([
      { row: 2, column: 'amount', code: 'AMOUNT_INVALID' },
    ])
  })

  it('catches the continental forms: 500,25 after the amount, and 1.500 followed by its cents', () => {
    const semicolon = ['id;rail;network;asset;recipient;amount;reference', `c-1;evm;8453;USDC;${ADDRESS};1;500,25`].join('\n')
    expect(issuesOf(semicolon)).toEqual([{ row: 2, column: 'amount', code: 'AMOUNT_INVALID' }])
    expect(parsePayoutCsv(semicolon).issues[0]!.message).toContain('(1;500,25)')
    const comma = [SHORT_HEADER, `c-2,evm,8453,USDC,${ADDRESS},1.500,25`].join('\n')
    expect(issuesOf(comma)).toEqual([{ row: 2, column: 'amount', code: 'AMOUNT_INVALID' }])
  })

  it('flags a row with more values than the header has columns, naming the row', () => {
    const parsed = parsePayoutCsv([FULL_HEADER, `d-1,evm,8453,USDC,${ADDRESS},1,000.00,,inv-1,Payee`].join('\n'))
    expect(parsed.rows).toEqual([])
    expect(parsed.issues.map((i) => [i.row, i.column, i.code])).toEqual([[2, null, 'ROW_MALFORMED']])
    expect(parsed.issues[0]!.message).toMatch(
      /^Row 2: the row has 10 values but the header has 9 columns .* put quotes around it or remove the separator\.$/,
    )
  })

  it('takes a genuine reference after an amount as written (INV-000, 12 after 12.50, a text)', () => {
    const parsed = parsePayoutCsv(
      [
        SHORT_HEADER,
        `e-1,evm,8453,USDC,${ADDRESS},1,INV-000`,
        `e-2,evm,8453,USDC,${ADDRESS},12.50,000`,
        `e-3,evm,8453,USDC,${ADDRESS},1000.00,000.00`,
        `e-4,evm,8453,USDC,${ADDRESS},5,00`,
        `e-5,evm,8453,USDC,${ADDRESS},0.125,25`,
        `e-6,evm,8453,USDC,${ADDRESS},7,`,
      ].join('\n'),
    )
    expect(parsed.issues).toEqual([])
    expect(parsed.rows.map((r) => [r.amount, r.reference])).toEqual([
      ['1', 'INV-000'],
      ['12.50', '000'],
      ['1000.00', '000.00'],
      ['5', '00'],
      ['0.125', '25'],
      ['7', ''],
    ])
  })

  it('takes a quoted amount or a quoted next value as written: the person said which it is', () => {
    const parsed = parsePayoutCsv(
      [
        SHORT_HEADER,
        `f-1,evm,8453,USDC,${ADDRESS},"1,000.00",INV-1`,
        `f-2,evm,8453,USDC,${ADDRESS},1,"000"`,
        `f-3,evm,8453,USDC,${ADDRESS},"1",000`,
      ].join('\n'),
    )
    expect(parsed.issues).toEqual([])
    expect(parsed.rows.map((r) => [r.amount, r.reference])).toEqual([
      ['1,000.00', 'INV-1'], // validation then refuses "1,000.00" as not a decimal amount (non-numeric-amount.csv)
      ['1', '000'],
      ['1', '000'],
    ])
  })

  it('checks the Safe layout too (the id column follows the amount)', () => {
    const safe = ['token_type,token_address,receiver,amount,id', `native,,${ADDRESS},1,000`, `native,,${ADDRESS},2,pay-7`].join('\n')
    const parsed = parsePayoutCsv(safe, { network: '8453' })
    expect(parsed.issues.map((i) => [i.row, i.column, i.code])).toEqual([[2, 'amount', 'AMOUNT_INVALID']])
    expect(parsed.rows.map((r) => [r.row, r.id, r.amount])).toEqual([[3, 'pay-7', '2']])
  })
})

describe('tokenizer edges', () => {
  it('reads lone CR line ends, a trailing separator and blank lines with spreadsheet row numbers', () => {
    const parsed = parsePayoutCsv(`${SHORT_HEADER}\r\rg-1,evm,8453,USDC,${ADDRESS},5,\rg-2,evm,8453,USDC,${ADDRESS},6,r`)
    expect(parsed.issues).toEqual([])
    expect(parsed.rows.map((r) => [r.row, r.id, r.reference])).toEqual([
      [3, 'g-1', ''],
      [4, 'g-2', 'r'],
    ])
  })

  it('past the 32nd column, never takes a value for quoted because another one was', () => {
    // 40 columns, the amount at index 35. Quoting is kept as one bit per cell for the first 32;
    // without the guard, cell 35 would read bit 3 (35 mod 32: the quoted asset) and pass unflagged.
    const names = Array.from({ length: 40 }, (_, i) => `c${i}`)
    names.splice(0, 6, 'id', 'rail', 'network', 'asset', 'recipient', 'reference')
    names[35] = 'amount'
    names[36] = 'name'
    const cells = Array.from({ length: 40 }, () => '"q"')
    cells.splice(0, 6, 'h-1', 'evm', '8453', '"USDC"', ADDRESS, 'r')
    cells[35] = '1'
    cells[36] = '000'
    const parsed = parsePayoutCsv([names.join(','), cells.join(',')].join('\n'))
    expect(parsed.issues.filter((i) => i.code === 'AMOUNT_INVALID').map((i) => [i.row, i.column])).toEqual([[2, 'amount']])
  })
})
