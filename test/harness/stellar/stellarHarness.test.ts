/**
 * The harness against the REAL @stellar/stellar-sdk client: if Horizon.Server can load accounts,
 * submit, read transactions and page payments here, the rail's own client can too. Each refusal
 * and fault is checked for what real Stellar does with it (sequence and fee consumed or not).
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Asset, Horizon, Keypair, Memo, Networks, Operation, TransactionBuilder, type Transaction } from '@stellar/stellar-sdk'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startStellarHarness, type StellarHarness } from './index'

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/horizon')
const XLM = 10_000_000n

let h: StellarHarness
let server: Horizon.Server
const issuer = Keypair.random()
const treasury = Keypair.random()
const payee = Keypair.random()
const noTrust = Keypair.random()
const USDC = new Asset('USDC', issuer.publicKey())
const usdc = { code: 'USDC', issuer: issuer.publicKey() }
const T0 = new Date('2026-11-22T10:00:00Z')

beforeAll(async () => {
  h = await startStellarHarness()
  h.setTime(T0)
  server = new Horizon.Server(h.url, { allowHttp: true })
  h.createAccount(issuer.publicKey(), 100n * XLM)
  h.createAccount(treasury.publicKey(), 1_000n * XLM)
  h.createAccount(payee.publicKey(), 10n * XLM)
  h.createAccount(noTrust.publicKey(), 10n * XLM)
  h.addTrustline(treasury.publicKey(), usdc)
  h.addTrustline(payee.publicKey(), usdc)
  h.issue(usdc, treasury.publicKey(), 500n * XLM)
})
afterAll(async () => h?.stop())
afterEach(() => h.faults.clear())

async function build(
  ops: ReturnType<typeof Operation.payment>[],
  opts: { fee?: string; seqOffset?: bigint; maxTime?: number; passphrase?: string; signer?: Keypair } = {},
): Promise<Transaction> {
  const account = await server.loadAccount(treasury.publicKey())
  if (opts.seqOffset) for (let i = 0n; i < opts.seqOffset; i++) account.incrementSequenceNumber()
  const b = new TransactionBuilder(account, {
    fee: opts.fee ?? '100',
    networkPassphrase: opts.passphrase ?? h.networkPassphrase,
    timebounds: { minTime: 0, maxTime: opts.maxTime ?? Math.floor(T0.getTime() / 1000) + 300 },
  })
  for (const op of ops) b.addOperation(op)
  const tx = b.addMemo(Memo.text('batch 1')).build()
  tx.sign(opts.signer ?? treasury)
  return tx
}

function codesOf(error: unknown): { transaction: string; operations?: string[] } {
  const e = error as { response?: { data?: { extras?: { result_codes?: { transaction: string; operations?: string[] } } } } }
  const codes = e.response?.data?.extras?.result_codes
  if (!codes) throw error
  return codes
}

describe('Stellar harness with the real SDK', () => {
  it('applies native and issued payments and answers in Horizon shapes', async () => {
    const seq = h.sequence(treasury.publicKey())
    const tx = await build([
      Operation.payment({ destination: payee.publicKey(), asset: Asset.native(), amount: '1.2345678' }),
      Operation.payment({ destination: payee.publicKey(), asset: USDC, amount: '20.0000001' }),
    ])
    const res = await server.submitTransaction(tx)
    expect(res.successful).toBe(true)
    expect(h.balance(payee.publicKey(), 'native')).toBe(10n * XLM + 12_345_678n)
    expect(h.balance(payee.publicKey(), usdc)).toBe(200_000_001n)
    expect(h.sequence(treasury.publicKey())).toBe(seq + 1n)
    const record = await server.transactions().transaction(res.hash).call()
    expect(record.fee_charged).toBe('200')
    expect(record.memo).toBe('batch 1')
    const real = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'stellar_docs_RetrieveATransaction.json'), 'utf8')) as Record<
      string,
      unknown
    >
    for (const key of Object.keys(real)) expect(Object.keys(record), key).toContain(key)
    const page = await server.payments().forAccount(payee.publicKey()).call()
    expect(page.records.map((r) => r.transaction_hash)).toEqual([res.hash, res.hash])
    const realPage = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'stellar_docs_RetrieveAnAccountsPayments.json'), 'utf8')) as {
      _embedded: { records: Record<string, unknown>[] }
    }
    const realPayment = realPage._embedded.records.find((r) => r.type === 'payment' && r.asset_type !== 'native')!
    const ours = page.records.find((r) => r.type === 'payment' && r.asset_type !== 'native') as unknown as Record<string, unknown>
    for (const key of [
      'id',
      'paging_token',
      'transaction_successful',
      'source_account',
      'type',
      'type_i',
      'created_at',
      'transaction_hash',
      'asset_type',
      'asset_code',
      'asset_issuer',
      'from',
      'to',
      'amount',
    ]) {
      expect(Object.keys(realPayment)).toContain(key)
      expect(Object.keys(ours)).toContain(key)
    }
    const fees = await server.feeStats()
    expect(fees.last_ledger_base_fee).toBe('100')
    const ledgers = await server.ledgers().order('desc').limit(1).call()
    expect(ledgers.records[0]!.sequence).toBeGreaterThan(1)
  })

  it('pages payments from a cursor', async () => {
    const first = await server.payments().forAccount(payee.publicKey()).limit(1).call()
    const rest = await server.payments().forAccount(payee.publicKey()).cursor(first.records[0]!.paging_token).call()
    expect(rest.records.length).toBeGreaterThanOrEqual(1)
    expect(rest.records[0]!.paging_token).not.toBe(first.records[0]!.paging_token)
  })

  it('refuses without consuming: bad sequence, too late, low fee, wrong passphrase', async () => {
    const seq = h.sequence(treasury.publicKey())
    const before = h.balance(treasury.publicKey(), 'native')
    const pay = (): ReturnType<typeof Operation.payment> =>
      Operation.payment({ destination: payee.publicKey(), asset: Asset.native(), amount: '1' })
    const cases: [Promise<Transaction>, string][] = [
      [build([pay()], { seqOffset: 1n }), 'tx_bad_seq'],
      [build([pay()], { maxTime: Math.floor(T0.getTime() / 1000) - 1 }), 'tx_too_late'],
      [build([pay(), pay()], { fee: '50' }), 'tx_insufficient_fee'],
      [build([pay()], { passphrase: Networks.TESTNET }), 'tx_bad_auth'],
      [build([pay()], { signer: Keypair.random() }), 'tx_bad_auth'],
    ]
    for (const [txp, code] of cases) {
      const err = await server.submitTransaction(await txp).then(
        () => null,
        (e: unknown) => e,
      )
      expect(codesOf(err).transaction).toBe(code)
    }
    expect(h.sequence(treasury.publicKey())).toBe(seq)
    expect(h.balance(treasury.publicKey(), 'native')).toBe(before)
  })

  it('a failed transaction applies no operation but consumes its sequence and fee', async () => {
    const seq = h.sequence(treasury.publicKey())
    const native = h.balance(treasury.publicKey(), 'native')!
    const usdcBefore = h.balance(treasury.publicKey(), usdc)
    const tx = await build([
      Operation.payment({ destination: payee.publicKey(), asset: USDC, amount: '1' }),
      Operation.payment({ destination: noTrust.publicKey(), asset: USDC, amount: '1' }),
      Operation.payment({ destination: Keypair.random().publicKey(), asset: Asset.native(), amount: '1' }),
      Operation.payment({ destination: payee.publicKey(), asset: USDC, amount: '100000' }),
    ])
    const err = await server.submitTransaction(tx).then(
      () => null,
      (e: unknown) => e,
    )
    expect(codesOf(err)).toEqual({
      transaction: 'tx_failed',
      operations: ['op_success', 'op_no_trust', 'op_no_destination', 'op_underfunded'],
    })
    expect(h.sequence(treasury.publicKey())).toBe(seq + 1n)
    expect(h.balance(treasury.publicKey(), 'native')).toBe(native - 400n)
    expect(h.balance(treasury.publicKey(), usdc)).toBe(usdcBefore)
    expect(h.applied().at(-1)).toMatchObject({ hash: tx.hash().toString('hex'), successful: false })
  })

  it('create_account funds a new account; low reserve and existing accounts are refused', async () => {
    const fresh = Keypair.random().publicKey()
    await server.submitTransaction(await build([Operation.createAccount({ destination: fresh, startingBalance: '2.5' })]))
    expect(h.balance(fresh, 'native')).toBe(25_000_000n)
    const err = await server
      .submitTransaction(await build([Operation.createAccount({ destination: Keypair.random().publicKey(), startingBalance: '0.5' })]))
      .then(
        () => null,
        (e: unknown) => e,
      )
    expect(codesOf(err).operations).toEqual(['op_low_reserve'])
    const err2 = await server.submitTransaction(await build([Operation.createAccount({ destination: fresh, startingBalance: '2' })])).then(
      () => null,
      (e: unknown) => e,
    )
    expect(codesOf(err2).operations).toEqual(['op_already_exists'])
  })

  it('a duplicate submission is applied once', async () => {
    const tx = await build([Operation.payment({ destination: payee.publicKey(), asset: Asset.native(), amount: '3' })])
    const before = h.balance(payee.publicKey(), 'native')!
    const a = await server.submitTransaction(tx)
    const b = await server.submitTransaction(tx)
    expect(b.hash).toBe(a.hash)
    expect(h.balance(payee.publicKey(), 'native')).toBe(before + 3n * XLM)
    expect(h.applied().filter((t) => t.hash === a.hash)).toHaveLength(1)
  })

  it('faults: dropped answer after apply, 504 not applied, 504 applied', async () => {
    const hashOf = (t: Transaction): string => t.hash().toString('hex')
    const firedBefore = h.faults.fired()
    const t1 = await build([Operation.payment({ destination: payee.publicKey(), asset: Asset.native(), amount: '1' })])
    h.faults.dropResponseAfterApply(1)
    await expect(server.submitTransaction(t1)).rejects.toBeTruthy()
    expect((await server.transactions().transaction(hashOf(t1)).call()).successful).toBe(true)

    const t2 = await build([Operation.payment({ destination: payee.publicKey(), asset: Asset.native(), amount: '1' })])
    h.faults.fail504(1)
    const e2 = await server.submitTransaction(t2).then(
      () => null,
      (e: unknown) => e as { response?: { status?: number } },
    )
    expect(e2?.response?.status).toBe(504)
    await expect(server.transactions().transaction(hashOf(t2)).call()).rejects.toMatchObject({ response: { status: 404 } })
    // The same bytes again land.
    expect((await server.submitTransaction(t2)).hash).toBe(hashOf(t2))

    const t3 = await build([Operation.payment({ destination: payee.publicKey(), asset: Asset.native(), amount: '1' })])
    h.faults.fail504(1, { applied: true })
    await expect(server.submitTransaction(t3)).rejects.toBeTruthy()
    expect((await server.transactions().transaction(hashOf(t3)).call()).hash).toBe(hashOf(t3))
    expect(h.applied().filter((t) => [hashOf(t1), hashOf(t2), hashOf(t3)].includes(t.hash))).toHaveLength(3)
    // fired() counts the submissions each fault hit (the chaos campaign reports it); one scheduled and cleared is not counted.
    h.faults.fail504(3)
    h.faults.clear()
    expect(h.faults.fired()).toEqual({
      dropResponseAfterApply: firedBefore.dropResponseAfterApply + 1,
      fail504: firedBefore.fail504 + 2,
    })
  })

  it('async submissions wait for the next ledger when auto-close is off', async () => {
    const manual = await startStellarHarness({ autoClose: false })
    try {
      manual.setTime(T0)
      const kp = Keypair.random()
      manual.createAccount(kp.publicKey(), 100n * XLM)
      const s = new Horizon.Server(manual.url, { allowHttp: true })
      const acc = await s.loadAccount(kp.publicKey())
      const tx = new TransactionBuilder(acc, {
        fee: '100',
        networkPassphrase: manual.networkPassphrase,
        timebounds: { minTime: 0, maxTime: 0 },
      })
        .addOperation(Operation.createAccount({ destination: Keypair.random().publicKey(), startingBalance: '5' }))
        .build()
      tx.sign(kp)
      const r = await s.submitAsyncTransaction(tx)
      expect(r.tx_status).toBe('PENDING')
      expect(manual.applied()).toHaveLength(0)
      await manual.closeLedger()
      expect(manual.applied()).toHaveLength(1)
    } finally {
      await manual.stop()
    }
  })
})
