/**
 * The refusals and the fault the first harness test leaves out, against the REAL SDK client:
 * unknown source, a time bound not yet open (and one closed by advancing the clock), a source
 * that cannot pay the fee, a full trustline, and a slow ledger close. Each checks what real
 * Stellar does with the sequence and the fee, not only the code.
 */
import { Account, Asset, Horizon, Keypair, Operation, TransactionBuilder, type Transaction } from '@stellar/stellar-sdk'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startStellarHarness, type StellarHarness } from './index'

const XLM = 10_000_000n
const T0 = new Date('2026-11-22T10:00:00Z')
const T0_S = Math.floor(T0.getTime() / 1000)
const SLOW_CLOSE_MS = 150

let h: StellarHarness
let server: Horizon.Server
const issuer = Keypair.random()
const source = Keypair.random()
const payee = Keypair.random()
const usdc = { code: 'USDC', issuer: issuer.publicKey() }

beforeAll(async () => {
  h = await startStellarHarness()
  h.setTime(T0)
  server = new Horizon.Server(h.url, { allowHttp: true })
  h.createAccount(issuer.publicKey(), 100n * XLM)
  h.createAccount(source.publicKey(), 100n * XLM)
  h.createAccount(payee.publicKey(), 10n * XLM)
  h.addTrustline(source.publicKey(), usdc)
  h.addTrustline(payee.publicKey(), usdc, 10n * XLM)
  h.issue(usdc, source.publicKey(), 50n * XLM)
})
afterAll(async () => h?.stop())
afterEach(() => {
  h.faults.clear()
  h.setTime(T0)
})

function sign(
  account: Account,
  kp: Keypair,
  op: ReturnType<typeof Operation.payment>,
  bounds = { minTime: 0, maxTime: T0_S + 300 },
): Transaction {
  const tx = new TransactionBuilder(account, { fee: '100', networkPassphrase: h.networkPassphrase, timebounds: bounds })
    .addOperation(op)
    .build()
  tx.sign(kp)
  return tx
}

async function codesOf(p: Promise<unknown>): Promise<{ transaction: string; operations?: string[] }> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  )
  const codes = (err as { response?: { data?: { extras?: { result_codes?: { transaction: string; operations?: string[] } } } } } | null)
    ?.response?.data?.extras?.result_codes
  if (!codes) throw new Error(`expected a refused transaction, got ${String(err)}`)
  return codes
}

const payXlm = (amount = '1'): ReturnType<typeof Operation.payment> =>
  Operation.payment({ destination: payee.publicKey(), asset: Asset.native(), amount })

describe('Stellar harness refusals', () => {
  it('tx_no_account: a source the ledger does not know', async () => {
    const ghost = Keypair.random()
    const codes = await codesOf(server.submitTransaction(sign(new Account(ghost.publicKey(), '0'), ghost, payXlm())))
    expect(codes.transaction).toBe('tx_no_account')
    expect(h.balance(ghost.publicKey(), 'native')).toBeNull()
  })

  it('tx_too_early, and tx_too_late once the clock passes maxTime; neither consumes anything', async () => {
    const seq = h.sequence(source.publicKey())
    const before = h.balance(source.publicKey(), 'native')
    const early = sign(await server.loadAccount(source.publicKey()), source, payXlm(), { minTime: T0_S + 60, maxTime: 0 })
    expect((await codesOf(server.submitTransaction(early))).transaction).toBe('tx_too_early')

    const late = sign(await server.loadAccount(source.publicKey()), source, payXlm(), { minTime: 0, maxTime: T0_S + 30 })
    h.advanceTime(31_000)
    expect((await codesOf(server.submitTransaction(late))).transaction).toBe('tx_too_late')
    expect(h.sequence(source.publicKey())).toBe(seq)
    expect(h.balance(source.publicKey(), 'native')).toBe(before)

    // The same envelope is good again once its window is open (the clock moved back to T0).
    h.setTime(T0)
    const ok = await server.submitTransaction(late)
    expect(ok.successful).toBe(true)
    expect(h.sequence(source.publicKey())).toBe(seq + 1n)
  })

  it('tx_insufficient_balance: a source that cannot pay the fee', async () => {
    const poor = Keypair.random()
    h.createAccount(poor.publicKey(), 50n)
    const tx = sign(await server.loadAccount(poor.publicKey()), poor, payXlm('0.0000001'))
    expect((await codesOf(server.submitTransaction(tx))).transaction).toBe('tx_insufficient_balance')
    expect(h.balance(poor.publicKey(), 'native')).toBe(50n)
  })

  it('op_line_full: the payee trustline limit is exceeded; the fee and sequence are still taken', async () => {
    const seq = h.sequence(source.publicKey())
    const before = h.balance(source.publicKey(), 'native')!
    const op = Operation.payment({ destination: payee.publicKey(), asset: new Asset('USDC', issuer.publicKey()), amount: '10.0000001' })
    const codes = await codesOf(server.submitTransaction(sign(await server.loadAccount(source.publicKey()), source, op)))
    expect(codes).toEqual({ transaction: 'tx_failed', operations: ['op_line_full'] })
    expect(h.sequence(source.publicKey())).toBe(seq + 1n)
    expect(h.balance(source.publicKey(), 'native')).toBe(before - 100n)
    expect(h.balance(payee.publicKey(), usdc)).toBe(0n)
    expect(h.balance(source.publicKey(), usdc)).toBe(50n * XLM)

    // Exactly up to the limit fits.
    const fits = Operation.payment({ destination: payee.publicKey(), asset: new Asset('USDC', issuer.publicKey()), amount: '10' })
    await server.submitTransaction(sign(await server.loadAccount(source.publicKey()), source, fits))
    expect(h.balance(payee.publicKey(), usdc)).toBe(10n * XLM)
  })

  it('slowClose delays the synchronous answer but still applies once', async () => {
    h.faults.slowClose(SLOW_CLOSE_MS)
    const tx = sign(await server.loadAccount(source.publicKey()), source, payXlm())
    const started = Date.now()
    const r = await server.submitTransaction(tx)
    expect(Date.now() - started).toBeGreaterThanOrEqual(SLOW_CLOSE_MS - 10)
    expect(r.successful).toBe(true)
    expect(h.applied().filter((a) => a.hash === r.hash)).toHaveLength(1)
    const record = await server.transactions().transaction(r.hash).call()
    expect(record.ledger_attr).toBe(r.ledger)
  })
})
