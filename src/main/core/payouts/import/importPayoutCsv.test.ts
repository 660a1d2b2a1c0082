import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { verifyAudit } from '../../audit/verifyAudit'
import { importPayoutCsv } from './importPayoutCsv'
import {
  HEADER,
  LOOKALIKE_ACME,
  NEW_A,
  NEW_B,
  openImportWorld,
  PAID_BEFORE,
  PAYEE_ACME,
  readFixture,
  STELLAR_G1,
  type ImportWorld,
} from './importTestKit'
import { markNetworksSetUpForTest } from './networksTestKit'
import { parsePayoutCsv } from './parsePayoutCsv'
import { validatePayoutRows } from './validatePayoutRows'

let w: ImportWorld
let nextId = 0
const ids = () => `b_${(nextId++).toString(16).padStart(12, '0')}`
beforeEach(async () => {
  w = await openImportWorld()
})
afterEach(async () => {
  await w.close()
})

const csv = (...lines: string[]) => [HEADER, ...lines].join('\n') + '\n'
const run = async (text: string | Buffer, extra: { keepValidAsDraft?: boolean; network?: string; fileName?: string } = {}) =>
  await importPayoutCsv(w.core.ctx, w.operatorId, { csv: text, ...extra }, { newBatchId: ids })

describe('importPayoutCsv', () => {
  it('stores a clean file as one draft batch of pending payouts, with one audit row, atomically', async () => {
    const before = await w.counts()
    const r = await run(csv(`p-1,evm,8453,USDC,${NEW_A},1234.5,,INV-1,Anna`, `p-2,evm,8453,ETH,${NEW_B},0.000000000000000001,,,`), {
      fileName: 'C:\\Users\\ada\\january.csv',
    })
    expect(r.issues).toEqual([])
    expect(r.batchId).toMatch(/^b_[0-9a-f]{12}$/)
    expect(await w.counts()).toEqual({ batches: before.batches + 1, payouts: before.payouts + 2, audit: before.audit + 1 })
    const db = w.core.ctx.db
    const batch = await db.first(db.k.selectFrom('batches').selectAll().where('id', '=', r.batchId!))
    expect(batch).toMatchObject({
      name: 'january.csv',
      state: 'draft',
      version: 1,
      source: 'csv:january.csv',
      editors: JSON.stringify([w.operatorId]),
    })
    const payouts = await db.all(
      db.k.selectFrom('payouts').select(['id', 'row_no', 'amount', 'state', 'asset_id', 'network', 'recipient']).orderBy('row_no'),
    )
    expect(payouts).toEqual([
      { id: 'p-1', row_no: 2, amount: '1234500000', state: 'pending', asset_id: 'USDC@evm:8453', network: '8453', recipient: NEW_A },
      { id: 'p-2', row_no: 3, amount: '1', state: 'pending', asset_id: 'ETH@evm:8453', network: '8453', recipient: NEW_B },
    ])
    const audit = (await db.first(db.k.selectFrom('audit_log').select(['action', 'subject', 'change']).orderBy('seq', 'desc').limit(1)))!
    expect(audit.action).toBe('payouts.import')
    expect(audit.subject).toBe(`batch:${r.batchId}`)
    expect(JSON.parse(audit.change).totals).toEqual({ 'ETH@evm:8453': '1', 'USDC@evm:8453': '1234500000' })
    expect((await verifyAudit(w.core.ctx)).ok).toBe(true)
    expect(r.valid[0]!.amount).toBe('1234.500000')
  })

  it('parses BOM, ";" separator, quoted separators and newlines, CRLF and blank lines, keeping spreadsheet row numbers', async () => {
    const text = readFixture('excel-semicolon.csv').toString('utf8').replace(/\r?\n/g, '\r\n')
    expect(text.startsWith('\ufeff')).toBe(true)
    const r = await run(Buffer.from(text, 'utf8'), { keepValidAsDraft: true })
    // The quoted line break is read as part of row 4's reference (row 4 stays one row, the next is
    // still row 6) — and a reference is one line (src/shared/safeText.ts), so that row is refused
    // with where the break is.
    expect(r.issues.map((i) => [i.row, i.column, i.code, i.problem])).toEqual([
      [4, 'reference', 'TEXT_INVALID', 'position 9: a line break (U+000A) — remove it and retype it as plain text.'],
    ])
    expect(r.rowsTotal).toBe(3)
    expect(r.valid.map((v) => [v.row, v.id, v.assetId, v.amount])).toEqual([
      [2, 'p-1', 'USDC@evm:8453', '1234.500000'],
      [6, 'p-3', 'EUR@stripe', '99.90'],
    ])
    expect(r.valid[0]).toMatchObject({ reference: 'INV-1; INV-2', name: 'Müller, Anna' })
    expect(r.valid[1]!.name).toBe('O"Brien')
    expect(r.batchId).not.toBeNull()
  })

  it('reads the Safe CSV-airdrop layout, and requires the network for it', async () => {
    const file = readFixture('safe-airdrop.csv')
    const noNetwork = await run(file)
    expect(noNetwork.issues.map((i) => [i.row, i.code])).toEqual([[1, 'NETWORK_REQUIRED']])
    expect(noNetwork.batchId).toBeNull()
    const r = await run(file, { network: '8453' })
    expect(r.issues).toEqual([])
    expect(r.valid.map((v) => [v.row, v.assetId, v.recipient, v.amount])).toEqual([
      [2, 'USDC@evm:8453', NEW_A, '12.500000'],
      [3, 'ETH@evm:8453', NEW_B, '0.010000000000000000'],
      [4, 'USDC@evm:8453', NEW_B, '7.000000'],
    ])
    expect(r.valid[0]!.id).toMatch(/^safe-[0-9a-f]{24}$/)
    expect(r.valid[2]!.id).toBe('pay-77')
    expect(r.warnings.some((x) => x.code === 'ID_DERIVED' && x.row === null)).toBe(true)
    // The same file again: its derived ids are the same payments, so it is refused, not paid twice.
    const again = await run(file, { network: '8453' })
    expect(again.batchId).toBeNull()
    expect(again.issues.map((i) => [i.row, i.column, i.code])).toEqual([
      [2, 'id', 'ID_DUPLICATE_STORED'],
      [3, 'id', 'ID_DUPLICATE_STORED'],
      [4, 'id', 'ID_DUPLICATE_STORED'],
    ])
    expect(again.issues[0]!.message).toContain('same payment')
  })

  it('refuses an id used in an earlier batch and names that batch (but not when editing that batch)', async () => {
    await w.storePayout({ id: 'p-7', batchId: 'b_000000000abc', batchName: 'December payroll', recipient: PAID_BEFORE, state: 'confirmed' })
    const text = csv(`p-7,evm,8453,USDC,${NEW_A},5,,,`)
    const r = await run(text)
    expect(r.issues).toHaveLength(1)
    expect(r.issues[0]).toMatchObject({ row: 2, column: 'id', code: 'ID_DUPLICATE_STORED' })
    expect(r.issues[0]!.message).toContain('batch "December payroll" (b_000000000abc, completed)')
    const rows = parsePayoutCsv(text).rows
    expect((await validatePayoutRows(w.core.ctx, rows, { batchIdForEdit: 'b_000000000abc' })).issues).toEqual([])
  })

  it('refuses 10,001 rows as a whole, in one issue, and stores nothing even with keepValidAsDraft', async () => {
    const lines = Array.from({ length: 10_001 }, (_, i) => `p-${i},evm,8453,USDC,${NEW_A},${i + 1},,,`)
    const before = await w.counts()
    const r = await run(csv(...lines), { keepValidAsDraft: true })
    expect(r.rowsTotal).toBe(10_001)
    expect(r.issues).toHaveLength(1)
    expect(r.issues[0]).toMatchObject({ row: null, code: 'ROWS_TOO_MANY' })
    expect(r.issues[0]!.message).toContain('at most 10000')
    expect(r.batchId).toBeNull()
    expect(await w.counts()).toEqual(before)
    // 10,000 is fine.
    expect((await run(csv(...lines.slice(0, 10_000)))).issues).toEqual([])
  })

  it('flags each row on a network the workspace has not set up, with a sentence that says what to do in the app', async () => {
    // Only Stellar testnet is set up now: the Base rows import, each flagged, the Stellar row is not.
    await markNetworksSetUpForTest(w.core.ctx, { stellar: ['testnet'] })
    const r = await run(
      csv(`p-1,evm,8453,USDC,${NEW_A},5,,,`, `p-2,stellar,testnet,XLM,${STELLAR_G1},1,,,`, `p-3,evm,8453,USDC,${NEW_B},7,,,`),
    )
    expect(r.issues).toEqual([])
    expect(r.batchId).not.toBeNull()
    const notSetUp = r.warnings.filter((x) => x.code === 'NETWORK_NOT_SET_UP')
    expect(notSetUp.map((x) => [x.row, x.column])).toEqual([
      [2, null],
      [4, null],
    ])
    expect(notSetUp[0]!.problem).toBe(
      'Base is not set up in this workspace, so this row cannot be paid — ask an admin to set up Base for payouts, or remove the row before you submit.',
    )
    expect(notSetUp[0]!.message).toMatch(/^Row 2: Base is not set up/)
    expect(notSetUp.every((x) => !/countersign|CLI/i.test(x.message))).toBe(true)
    // Kept with the batch, so the approver sees it too.
    const stored = await w.core.ctx.db.all(
      w.core.ctx.db.k
        .selectFrom('batch_warnings')
        .select(['row_no', 'code'])
        .where('batch_id', '=', r.batchId!)
        .where('code', '=', 'NETWORK_NOT_SET_UP'),
    )
    expect(stored.map((x) => x.row_no).sort()).toEqual([2, 4])
    // Set up, the same rows import without it.
    await markNetworksSetUpForTest(w.core.ctx, { evm: [8453], stellar: ['testnet'] })
    const again = await run(csv(`p-9,evm,8453,USDC,${NEW_A},5,,,`))
    expect(again.warnings.map((x) => x.code)).not.toContain('NETWORK_NOT_SET_UP')
  })

  it('warns on a new payee and on a look-alike of a known payee, without blocking', async () => {
    await w.storePayout({ id: 'old-1', batchId: 'b_0000000000aa', batchName: 'Old', recipient: PAYEE_ACME, state: 'confirmed' })
    const r = await run(
      csv(
        `p-1,evm,8453,USDC,${PAYEE_ACME},5,,,`,
        `p-2,evm,8453,USDC,${LOOKALIKE_ACME},5,,,`,
        `p-3,evm,8453,USDC,${NEW_A.toLowerCase()},6,,,`,
        `p-4,evm,8453,USDC,${NEW_A},6,,,`,
      ),
    )
    expect(r.issues).toEqual([])
    expect(r.batchId).not.toBeNull()
    expect(r.warnings.map((x) => [x.row, x.code])).toEqual([
      [3, 'PAYEE_LOOKALIKE'],
      [3, 'PAYEE_NEW'],
      [4, 'PAYEE_NEW'],
      [4, 'ADDRESS_NO_CHECKSUM'],
      [5, 'PAYMENT_REPEATED'],
      [5, 'PAYEE_NEW'],
    ])
    expect(r.warnings[0]!.message).toContain(`known payee "ACME GmbH" (${PAYEE_ACME})`)
    // Lower-case input is stored checksummed.
    expect(r.valid[2]!.recipient).toBe(NEW_A)
  })

  it('warns on two look-alike recipients inside one file', async () => {
    const rows = parsePayoutCsv(csv(`p-1,evm,8453,USDC,${PAYEE_ACME},5,,,`, `p-2,evm,8453,USDC,${LOOKALIKE_ACME},5,,,`)).rows
    // Not in any table: the address book is empty for Ethereum mainnet, so only the file itself knows them.
    for (const r of rows) r.network = '1'
    const out = await validatePayoutRows(w.core.ctx, rows)
    expect(out.warnings.filter((x) => x.code === 'PAYEE_LOOKALIKE').map((x) => x.row)).toEqual([3])
    expect(out.warnings.find((x) => x.code === 'PAYEE_LOOKALIKE')!.message).toContain('the recipient of row 2')
  })

  it('keepValidAsDraft stores only the valid rows, and still lists every problem', async () => {
    const before = await w.counts()
    const r = await run(
      csv(`p-1,evm,8453,USDC,${NEW_A},5,,,`, `p-2,evm,8453,USDC,${NEW_A},5.0000001,,,`, `p-3,evm,8453,USDC,${NEW_B},7,,,`),
      {
        keepValidAsDraft: true,
      },
    )
    expect(r.issues.map((i) => [i.row, i.code])).toEqual([[3, 'AMOUNT_PRECISION']])
    expect(r.batchId).not.toBeNull()
    expect(await w.counts()).toEqual({ batches: before.batches + 1, payouts: before.payouts + 2, audit: before.audit + 1 })
    const db = w.core.ctx.db
    const stored = await db.all(db.k.selectFrom('payouts').select('id').where('batch_id', '=', r.batchId!).orderBy('row_no'))
    expect(stored).toEqual([{ id: 'p-1' }, { id: 'p-3' }])
    // Without it, the same file stores nothing.
    const refused = await run(csv(`p-9,evm,8453,USDC,${NEW_A},5.0000001,,,`, `p-10,evm,8453,USDC,${NEW_A},5,,,`))
    expect(refused.batchId).toBeNull()
  })

  it('refuses an amount cut by an unquoted thousands separator instead of importing it a thousand times smaller', async () => {
    const before = await w.counts()
    const text = [
      'id,rail,network,asset,recipient,amount,reference',
      `th-1,evm,8453,USDC,${NEW_A},1,000.00`,
      `th-2,evm,8453,USDC,${NEW_B},2,INV-000`,
    ].join('\n')
    const r = await run(text)
    expect(r.issues.map((i) => [i.row, i.column, i.code])).toEqual([[2, 'amount', 'AMOUNT_INVALID']])
    expect(r.issues[0]!.message).toMatch(/^Row 2, amount: .*put the amount in quotes, or write it without the thousands separator/)
    expect(r.batchId).toBeNull()
    expect(await w.counts()).toEqual(before)
    // Kept as a draft, only the genuine row goes in, with its reference as written.
    const kept = await run(text, { keepValidAsDraft: true })
    expect(kept.valid.map((v) => [v.id, v.amount, v.reference])).toEqual([['th-2', '2.000000', 'INV-000']])
    // Written without the separator, the same amount imports whole, and a reference of 000.00 with it.
    const quoted = await run(['id,rail,network,asset,recipient,amount,reference', `th-3,evm,8453,USDC,${NEW_A},1000.00,000.00`].join('\n'))
    expect(quoted.issues).toEqual([])
    expect(quoted.valid.map((v) => [v.amount, v.reference])).toEqual([['1000.000000', '000.00']])
  })

  it('names the first row of each repeated id, however many ids came between', async () => {
    const lines = ['a-1', 'a-2', 'a-1', 'a-2', 'a-3', 'a-1'].map((id, i) => `${id},evm,8453,USDC,${NEW_A},${i + 1},,,`)
    const r = await run(csv(...lines))
    expect(r.issues.map((i) => [i.row, i.column, i.code])).toEqual([
      [4, 'id', 'ID_DUPLICATE_IN_FILE'],
      [5, 'id', 'ID_DUPLICATE_IN_FILE'],
      [7, 'id', 'ID_DUPLICATE_IN_FILE'],
    ])
    expect(r.issues.map((i) => /is also the id of row (\d+)/.exec(i.message)![1])).toEqual(['2', '3', '2'])
  })

  it('lists warnings in row order and cuts them at the cap with one closing line, as sortWarnings does', async () => {
    const lines = Array.from({ length: 10_001 }, (_, i) => `w-${i},evm,8453,USDC,${NEW_A},${i + 1},,,`)
    const out = await validatePayoutRows(w.core.ctx, parsePayoutCsv(csv(...lines)).rows)
    expect(out.warnings).toHaveLength(10_000)
    expect(out.warnings.slice(0, -1).every((x, i) => x.code === 'PAYEE_NEW' && x.row === i + 2)).toBe(true)
    expect(out.warnings.at(-1)).toMatchObject({ row: null, code: 'WARNINGS_TRUNCATED', message: '2 more warnings are not listed.' })
  })

  it('round-trips any generated valid row set to exactly the same minor units (property)', async () => {
    const assets = [
      { rail: 'evm', network: '8453', code: 'USDC', scale: 6, recipient: NEW_A },
      { rail: 'evm', network: '1', code: 'ETH', scale: 18, recipient: NEW_B },
      { rail: 'stellar', network: 'stellar-pubnet', code: 'XLM', scale: 7, recipient: STELLAR_G1 },
      { rail: 'stripe', network: 'stripe', code: 'JPY', scale: 0, recipient: 'acct_1AbCdEfGhIjKlMnOp' },
      { rail: 'stripe', network: 'stripe', code: 'BHD', scale: 3, recipient: 'acct_1AbCdEfGhIjKlMnOp' },
    ] as const
    const row = fc.record({
      asset: fc.constantFrom(...assets),
      minor: fc.bigInt({ min: 1n, max: (1n << 200n) - 1n }),
      trailingZeros: fc.integer({ min: 0, max: 3 }),
    })
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 30 }), async (set) => {
        const lines = set.map((r, i) => {
          const digits = r.minor.toString().padStart(r.asset.scale + 1, '0')
          const whole = digits.slice(0, digits.length - r.asset.scale)
          const frac = digits.slice(digits.length - r.asset.scale) + '0'.repeat(r.trailingZeros)
          const text = frac.length > 0 ? `${whole}.${frac}` : whole
          return `q-${i},${r.asset.rail},${r.asset.network},${r.asset.code},${r.asset.recipient},${text},,,`
        })
        const parsed = parsePayoutCsv(csv(...lines))
        const out = await validatePayoutRows(w.core.ctx, parsed.rows)
        expect(out.issues).toEqual([])
        expect(out.valid.map((v) => v.amountMinor)).toEqual(set.map((r) => r.minor))
      }),
      { numRuns: 200 },
    )
  })
})
