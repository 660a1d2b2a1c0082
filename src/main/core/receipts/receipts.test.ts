/**
 * Receipts in process, on a real workspace (SQLite file; PostgreSQL under COUNTERSIGN_TEST_DB):
 * confirmed payouts (played through the engine's own state moves, receiptTestKit.ts) get one
 * receipt each, numbered 1..N in booking order, with the evidence, timeline and ledger facts of
 * their confirmation; a receipt verifies, and stops verifying when one byte changes or when it is
 * checked against another key; a rotation keeps old receipts verifiable through the hand-over;
 * the search finds a payee by name, word, reference, tx hash and receipt number.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { canonicalJson } from '../util/canonicalJson'
import { ALICE, BOB, DANA, failure, TREASURY_ADDRESS, type Desk } from '../payouts/batches/testKit'
import { createMemorySecretStore, type SecretStore } from '../secrets/SecretStore'
import { openReceiptDesk, payBatch, payeeAddress } from './receiptTestKit'
import { RECEIPT_SECRET_NAME } from './receiptKeys'
import { receiptHash } from './receiptCrypto'
import { verifyReceiptFile } from './verifyReceiptFile'
import { renderReceiptPdf } from './pdf/renderReceiptPdf'
import type { ReceiptFile } from '../../../shared/receiptTypes'

let desk: Desk & { secrets: SecretStore; dir: string }

beforeEach(async () => {
  desk = await openReceiptDesk()
})
afterEach(async () => {
  await desk.close()
})

const ROWS = [
  { amount: '1250.000001', name: 'Acme Supplies Ltd', reference: 'INV-2026-0001, INV-2026-0002' },
  { amount: '99.5', name: 'Globex Ltd', reference: 'PO 7781' },
  { amount: '0.000001', name: 'Initech Contractors', reference: 'INV-9' },
]

async function fileOf(number: number): Promise<ReceiptFile> {
  return (await desk.as(ALICE, 'receipts.get', { number })).file as ReceiptFile
}

function statusOf(v: { checks: { name: string; status: string }[] }): Record<string, string> {
  return Object.fromEntries(v.checks.map((c) => [c.name, c.status]))
}

describe('issuing receipts', () => {
  it('gives every confirmed payout one receipt, numbered in booking order, with its evidence', async () => {
    await desk.as(DANA, 'settings.organisation.set', {
      name: 'Countersign Test GmbH',
      address: 'Hauptstr. 1\n10115 Berlin',
      registrationNumber: 'HRB 1234',
      logoPng: null,
    })
    const { batchId, payoutIds } = await payBatch(desk, ROWS, { perTx: 2 })
    const issued = await desk.as(ALICE, 'receipts.issue', {})
    expect(issued).toEqual({ issued: 3, first: 1, last: 3, waiting: 0, waitingFor: [] })
    // Again: nothing is due, nothing is issued twice.
    expect(await desk.as(ALICE, 'receipts.issue', {})).toEqual({ issued: 0, first: null, last: null, waiting: 0, waitingFor: [] })

    const files = await Promise.all([1, 2, 3].map(fileOf))
    expect(files.map((f) => f.receipt.subject.id)).toEqual(payoutIds)
    const [first, , third] = files
    const r = first!.receipt
    expect(r).toMatchObject({
      kind: 'payout',
      number: 1,
      displayNumber: 'CS-2026-000001',
      payer: {
        name: 'Countersign Test GmbH',
        address: 'Hauptstr. 1\n10115 Berlin',
        registrationNumber: 'HRB 1234',
        account: TREASURY_ADDRESS,
      },
      payee: { name: 'Acme Supplies Ltd', recipient: payeeAddress(0) },
      amount: { value: '1250.000001', minor: '1250000001', assetId: 'USDC@evm:8453', code: 'USDC', scale: 6 },
      net: null,
      subject: { id: payoutIds[0], batchId, reference: 'INV-2026-0001, INV-2026-0002' },
      previous: null,
    })
    // The first transaction carried two payouts: its fee is not split; the third paid alone.
    expect(r.fee).toBeNull()
    expect(r.subject.description.startsWith(`Payout ${payoutIds[0]} of `)).toBe(true)
    expect(r.subject.description).toMatch(/network fee of 0\.000021000000000000 ETH for the whole transaction \(2 payouts\)/)
    expect(third!.receipt.fee).toEqual({
      value: '0.000021000000000000',
      minor: '21000000000000',
      assetId: 'ETH@evm:8453',
      code: 'ETH',
      scale: 18,
    })

    const sub = await desk.core.ctx.db.first(desk.core.ctx.db.k.selectFrom('submissions').selectAll().where('id', '=', `${batchId}:c0:a1`))
    expect(r.evidence).toEqual({
      rail: 'evm',
      chainId: '8453',
      network: '8453',
      txHash: sub!.tx_hash,
      blockNumber: '1000',
      blockHash: sub!.block_hash,
      logIndex: 1,
      from: TREASURY_ADDRESS,
      to: '',
    })
    expect(files[1]!.receipt.evidence).toMatchObject({ txHash: sub!.tx_hash, logIndex: 3 })
    expect(r.timeline.map((e) => [e.kind, e.by])).toEqual([
      ['created', 'Alice Preparer (alice-preparer)'],
      ['approved', 'Bob Approver (bob-approver)'],
      ['signed', 'Carol Approver (carol-approver)'],
      ['broadcast', 'Countersign (system)'],
      ['confirmed', 'Countersign (system)'],
    ])
    // Final: the block, and how deep it was when receipted (the made-up node's head is 1,000,000).
    expect(r.timeline.at(-1)!.detail).toBe('block 1000; 999001 confirmations when receipted, past the 64-block reorg window')
    const entry = await desk.core.ctx.db.first(
      desk.core.ctx.db.k.selectFrom('entries').selectAll().where('id', '=', `payout:${payoutIds[0]}`),
    )
    const audit = await desk.core.ctx.db.first(desk.core.ctx.db.k.selectFrom('audit_log').selectAll().where('seq', '=', entry!.audit_seq!))
    expect(r.ledger).toEqual({ entryIds: [`payout:${payoutIds[0]}`], auditSeq: Number(audit!.seq), auditHash: audit!.hash })
    expect(first!.sha256).toBe(receiptHash(r))

    const issueRows = await desk.core.ctx.db.all(
      desk.core.ctx.db.k.selectFrom('audit_log').selectAll().where('action', '=', 'receipts.issue'),
    )
    expect(issueRows.map((a) => [a.subject, JSON.parse(a.change).count])).toEqual([['receipts:1-3', 3]])
  })

  it('verifies a receipt, and refuses it after one byte changes or against another key', async () => {
    await payBatch(desk, ROWS)
    await desk.as(ALICE, 'receipts.issue', {})
    const file = await fileOf(2)
    const text = canonicalJson(file)
    const ok = await desk.as(ALICE, 'receipts.verify', { content: text, encoding: 'text', online: false })
    expect(ok.ok).toBe(true)
    expect(statusOf(ok)).toEqual({
      schema: 'pass',
      hash: 'pass',
      signature: 'pass',
      handovers: 'pass',
      key: 'pass',
      'batch-attestation': 'skipped',
      'rail-evidence': 'skipped',
    })
    // One byte of the amount: 99.500000 → 99.500001 (the document still parses).
    const changed = text.replace('"minor":"99500000"', '"minor":"99500001"')
    expect(changed).not.toBe(text)
    const tampered = await verifyReceiptFile(desk.core.ctx, changed, { online: false })
    expect(tampered.ok).toBe(false)
    expect(statusOf(tampered)).toMatchObject({ hash: 'fail', signature: 'pass' })
    // Every single byte of the file, flipped: never ok.
    const bytes = Buffer.from(text, 'utf8')
    for (let i = 0; i < bytes.length; i += 97) {
      const copy = Buffer.from(bytes)
      copy[i] = copy[i]! ^ 0x01
      expect((await verifyReceiptFile(desk.core.ctx, copy, { online: false })).ok, `byte ${i}`).toBe(false)
    }
    // Another workspace's key: the signature holds, the key is not trusted.
    const other = await openReceiptDesk()
    try {
      await payBatch(other, ROWS.slice(0, 1))
      await other.as(ALICE, 'receipts.issue', {})
      const otherKey = (await other.as(ALICE, 'receipts.key.get', {})).publicKeyFile!
      const wrong = await verifyReceiptFile(null, text, {
        online: false,
        publicKeyFile: JSON.stringify({ ...otherKey, workspaceId: file.receipt.workspaceId }),
      })
      expect(wrong.ok).toBe(false)
      expect(statusOf(wrong)).toMatchObject({ signature: 'pass', key: 'fail' })
      // And this workspace's own key file trusts it, with no database at all.
      const own = (await desk.as(ALICE, 'receipts.key.get', {})).publicKeyFile!
      expect((await verifyReceiptFile(null, text, { online: false, publicKeyFile: JSON.stringify(own) })).ok).toBe(true)
      // Without a key to compare with, nothing fails but nothing vouches: not ok.
      const alone = await verifyReceiptFile(null, text, { online: false })
      expect([alone.ok, statusOf(alone).key]).toEqual([false, 'skipped'])
    } finally {
      await other.close()
    }
  })

  it('verifies the receipt PDF by its embedded file, and refuses it when any byte of that file changes', async () => {
    await payBatch(desk, ROWS.slice(0, 2))
    await desk.as(ALICE, 'receipts.issue', {})
    const file = await fileOf(1)
    const pdf = Buffer.from(await renderReceiptPdf(file))
    const good = await desk.as(ALICE, 'receipts.verify', { content: pdf.toString('base64'), encoding: 'base64', online: false })
    expect([good.ok, good.receipt?.number]).toEqual([true, 1])
    const json = Buffer.from(canonicalJson(file), 'utf8')
    const at = pdf.indexOf(json)
    expect(at).toBeGreaterThan(0)
    // Every byte of the embedded file, one at a time (a sample across it, first and last included).
    const positions = [0, json.length - 1, ...Array.from({ length: 40 }, (_, i) => Math.floor(((i + 1) * json.length) / 41))]
    for (const i of positions) {
      const copy = Buffer.from(pdf)
      copy[at + i] = copy[at + i] === 0x30 ? 0x31 : 0x30
      const v = await verifyReceiptFile(desk.core.ctx, copy, { online: false })
      expect(v.ok, `byte ${i} of the embedded file`).toBe(false)
    }
    // A PDF that carries no receipt is not one.
    const bare = await verifyReceiptFile(desk.core.ctx, Buffer.from('%PDF-1.7\n%%EOF\n'), { online: false })
    expect([bare.ok, bare.checks[0]!.status]).toEqual([false, 'fail'])
  })

  it('rotates the key: new receipts are signed by the new key, old ones still verify through the hand-over', async () => {
    await payBatch(desk, ROWS.slice(0, 1), { name: 'Before rotation' })
    await desk.as(ALICE, 'receipts.issue', {})
    const before = await desk.as(ALICE, 'receipts.key.get', {})
    expect((await failure(desk.as(ALICE, 'receipts.key.rotate', {}))).code).toBe('ROLE_REQUIRED')
    const after = await desk.as(DANA, 'receipts.key.rotate', {})
    expect(after.keys.map((k) => [k.keyId, k.retiredAt === null])).toEqual([
      [before.current!.keyId, false],
      [after.current!.keyId, true],
    ])
    expect(after.publicKeyFile!.handovers).toHaveLength(1)
    expect(await desk.secrets.get(RECEIPT_SECRET_NAME)).not.toBeNull()

    await payBatch(desk, ROWS.slice(1, 2), { name: 'After rotation' })
    await desk.as(ALICE, 'receipts.issue', {})
    const old = await fileOf(1)
    const fresh = await fileOf(2)
    expect(old.workspaceSignature.keyId).toBe(before.current!.keyId)
    expect(old.handovers).toEqual([])
    expect(fresh.workspaceSignature.keyId).toBe(after.current!.keyId)
    expect(fresh.handovers).toHaveLength(1)
    // The new key file vouches for the old receipt (its key is in the chain), the old key file for the new one.
    for (const [file, keyFile] of [
      [old, after.publicKeyFile!],
      [fresh, before.publicKeyFile!],
    ] as const) {
      const v = await verifyReceiptFile(null, canonicalJson(file), { online: false, publicKeyFile: JSON.stringify(keyFile) })
      expect(v.ok, JSON.stringify(v.checks)).toBe(true)
    }
    // A forged hand-over (signed by nobody) is caught.
    const forged = { ...fresh, handovers: [{ ...fresh.handovers[0]!, signature: '00'.repeat(64) }] }
    const v = await verifyReceiptFile(desk.core.ctx, canonicalJson(forged), { online: false })
    expect(statusOf(v)).toMatchObject({ handovers: 'fail' })
    expect(v.ok).toBe(false)
  })

  it('finishes a rotation a crash interrupted after its commit', async () => {
    await payBatch(desk, ROWS.slice(0, 1))
    await desk.as(ALICE, 'receipts.issue', {})
    const store = desk.secrets
    const before = await store.get(RECEIPT_SECRET_NAME)
    await desk.as(DANA, 'receipts.key.rotate', {})
    const after = await store.get(RECEIPT_SECRET_NAME)
    // As a crash between the commit and the swap leaves it: the old key under the name, the new one as "next".
    await store.set(RECEIPT_SECRET_NAME, before!)
    await store.set('receipts.nextSigningKey', after!)
    await payBatch(desk, ROWS.slice(1, 2))
    expect((await desk.as(ALICE, 'receipts.issue', {})).issued).toBe(1)
    expect(await store.get(RECEIPT_SECRET_NAME)).toBe(after)
    expect(await store.get('receipts.nextSigningKey')).toBeNull()
  })

  it('refuses to issue with a key that is not the workspace key', async () => {
    await payBatch(desk, ROWS.slice(0, 1))
    await desk.as(ALICE, 'receipts.issue', {})
    await desk.secrets.set(RECEIPT_SECRET_NAME, 'ab'.repeat(32))
    await payBatch(desk, ROWS.slice(1, 2))
    expect((await failure(desk.as(ALICE, 'receipts.issue', {}))).code).toBe('RECEIPT_KEY_MISMATCH')
  })
})

describe('searching receipts', () => {
  it('finds a payee by name, word, reference, tx hash and receipt number; pages; totals per asset', async () => {
    await payBatch(desk, ROWS, { perTx: 1 })
    await payBatch(desk, [{ amount: '10', name: 'Acme Supplies Ltd', reference: 'INV-2026-0100', recipient: payeeAddress(0) }], {
      name: 'Second',
    })
    await desk.as(ALICE, 'receipts.issue', {})
    const numbers = async (input: Parameters<typeof list>[0]) => (await list(input)).items.map((i) => i.number)
    const list = (input: { query?: string; payee?: string; cursor?: string; limit?: number }) => desk.as(ALICE, 'receipts.list', input)
    expect(await numbers({})).toEqual([4, 3, 2, 1])
    expect(await numbers({ query: 'acme' })).toEqual([4, 1])
    expect(await numbers({ query: 'SUPPLIES' })).toEqual([4, 1])
    expect(await numbers({ query: 'acme sup' })).toEqual([4, 1])
    expect(await numbers({ query: 'cme' })).toEqual([]) // inside a word: not a prefix
    expect(await numbers({ query: 'INV-2026-0002' })).toEqual([1])
    expect(await numbers({ query: 'inv-2026' })).toEqual([4, 1])
    expect(await numbers({ query: 'CS-2026-000003' })).toEqual([3])
    expect(await numbers({ query: '2' })).toEqual([2])
    const tx = (await fileOf(2)).receipt.evidence
    expect(await numbers({ query: tx.rail === 'evm' ? tx.txHash.slice(0, 12).toUpperCase() : '' })).toEqual([2])
    expect(await numbers({ query: payeeAddress(1).toLowerCase() })).toEqual([2])
    expect(await numbers({ payee: payeeAddress(0).toLowerCase() })).toEqual([4, 1])
    expect(await numbers({ payee: 'Globex Ltd' })).toEqual([2])

    const first = await list({ limit: 3 })
    expect(first.items.map((i) => i.number)).toEqual([4, 3, 2])
    expect(first.totals).toEqual([
      {
        assetId: 'USDC@evm:8453',
        code: 'USDC',
        count: 4,
        paid: '1359.500002',
        reversed: '0.000000',
        refunded: '0.000000',
        net: '1359.500002',
      },
    ])
    const second = await list({ limit: 3, cursor: first.nextCursor! })
    expect([second.items.map((i) => i.number), second.nextCursor, second.totals]).toEqual([[1], null, null])
    // The rows at once without their totals, then the totals in their own call: the same sums.
    const rowsOnly = await desk.as(ALICE, 'receipts.list', { limit: 3, totals: false })
    expect([rowsOnly.items.map((i) => i.number), rowsOnly.totals]).toEqual([[4, 3, 2], null])
    expect((await desk.as(BOB, 'receipts.totals', {})).totals).toEqual(first.totals)
    const acme = await desk.as(BOB, 'receipts.totals', { query: 'acme' })
    expect(acme.totals.map((t) => [t.count, t.paid])).toEqual([[2, '1260.000001']])

    const history = await desk.as(BOB, 'receipts.payee', { payee: payeeAddress(0) })
    expect(history.names).toEqual(['Acme Supplies Ltd'])
    expect(history.page.items.map((i) => i.number)).toEqual([4, 1])
    expect(history.totals.map((t) => [t.count, t.paid])).toEqual([[2, '1260.000001']])
    expect(history.months.map((m) => [m.month, m.paid])).toEqual([['2026-03', '1260.000001']])
  })
})

describe('organisation settings', () => {
  it('keeps name, address and a PNG logo; refuses what is not a PNG; admin only; audited', async () => {
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
      Buffer.from('IHDR', 'latin1'),
      Buffer.alloc(17),
    ])
    const set = await desk.as(DANA, 'settings.organisation.set', {
      name: 'Acme Payer Inc.',
      address: '1 Main St',
      registrationNumber: '',
      logoPng: png.toString('base64'),
    })
    expect(set).toMatchObject({ name: 'Acme Payer Inc.', logoPng: png.toString('base64'), updatedBy: DANA })
    const notPng = await failure(
      desk.as(DANA, 'settings.organisation.set', {
        name: 'X',
        address: '',
        registrationNumber: '',
        logoPng: Buffer.from('GIF89a-not-a-png-at-all-really-no').toString('base64'),
      }),
    )
    expect(notPng.code).toBe('ORGANISATION_INVALID')
    const big = Buffer.concat([png, Buffer.alloc(256 * 1024)])
    expect(
      (
        await failure(
          desk.as(DANA, 'settings.organisation.set', { name: 'X', address: '', registrationNumber: '', logoPng: big.toString('base64') }),
        )
      ).code,
    ).toBe('INVALID_INPUT')
    expect(
      (await failure(desk.as(ALICE, 'settings.organisation.set', { name: 'X', address: '', registrationNumber: '', logoPng: null }))).code,
    ).toBe('ROLE_REQUIRED')
    expect(
      (
        await failure(
          desk.as(DANA, 'settings.organisation.set', { name: 'x'.repeat(201), address: '', registrationNumber: '', logoPng: null }),
        )
      ).code,
    ).toBe('INVALID_INPUT')
    expect(await desk.as(ALICE, 'settings.organisation.get', {})).toMatchObject({ name: 'Acme Payer Inc.', address: '1 Main St' })
    const audited = await desk.core.ctx.db.all(
      desk.core.ctx.db.k.selectFrom('audit_log').select('change').where('action', '=', 'settings.organisation.set'),
    )
    expect(audited).toHaveLength(1)
    expect(JSON.parse(audited[0]!.change).after.logo).toEqual({ bytes: png.length, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) })
  })
})

describe('the receipt key', () => {
  it('is made on the first receipt, in the secret store only, audited', async () => {
    expect((await desk.as(ALICE, 'receipts.key.get', {})).current).toBeNull()
    await payBatch(desk, ROWS.slice(0, 1))
    await desk.as(ALICE, 'receipts.issue', {})
    const state = await desk.as(ALICE, 'receipts.key.get', {})
    const secret = await desk.secrets.get(RECEIPT_SECRET_NAME)
    expect(secret).toMatch(/^[0-9a-f]{64}$/)
    const everything = JSON.stringify(await desk.core.ctx.db.all(desk.core.ctx.db.k.selectFrom('audit_log').selectAll()))
    expect(everything).not.toContain(secret!)
    expect(JSON.stringify(await desk.core.ctx.db.all(desk.core.ctx.db.k.selectFrom('receipt_keys').selectAll()))).not.toContain(secret!)
    expect(everything).toContain(`receipt-key:${state.current!.keyId}`)
  })

  it('is not made where the secret store cannot keep it (the environment): RECEIPT_KEY_MISSING', async () => {
    const envDesk = await openReceiptDesk({ secrets: { ...createMemorySecretStore(), writable: false, protection: 'environment' } })
    try {
      await payBatch(envDesk, ROWS.slice(0, 1))
      const f = await failure(envDesk.as(ALICE, 'receipts.issue', {}))
      expect(f.code).toBe('RECEIPT_KEY_MISSING')
      expect(f.message).toContain('COUNTERSIGN_SECRET_RECEIPTS_SIGNING_KEY')
    } finally {
      await envDesk.close()
    }
    void BOB
  })
})
