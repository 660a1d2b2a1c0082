/**
 * Claimable balances in the harness, against the REAL @stellar/stellar-sdk client: the id the
 * SDK computes before signing is the harness's, predicates are judged at the ledger's close time
 * (moved with the clock control), relative deadlines become absolute at creation, the creator
 * pays the amount and sponsors a reserve per claimant, and each refusal carries Horizon's code.
 */
import {
  Asset,
  Claimant,
  Horizon,
  Keypair,
  Operation,
  TransactionBuilder,
  xdr,
  type Transaction,
  type xdr as Xdr,
} from '@stellar/stellar-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { advanceStellarHarnessClock, claimableBalanceId, HARNESS_CLOCK_ROUTE, startStellarHarness, type StellarHarness } from './index'

const XLM = 10_000_000n
const T0 = new Date('2026-11-22T10:00:00Z')
const T0_S = Math.floor(T0.getTime() / 1000)
const RELEASE_AFTER_S = T0_S + 3_600
const EXPIRES_S = T0_S + 86_400
const REL_SECONDS = 50

let h: StellarHarness
let server: Horizon.Server
const issuer = Keypair.random()
const treasury = Keypair.random()
const payee = Keypair.random()
const stranger = Keypair.random()
const noTrust = Keypair.random()
const USDC = new Asset('USDC', issuer.publicKey())
const usdc = { code: 'USDC', issuer: issuer.publicKey() }

beforeAll(async () => {
  h = await startStellarHarness()
  h.setTime(T0)
  server = new Horizon.Server(h.url, { allowHttp: true })
  h.createAccount(issuer.publicKey(), 100n * XLM)
  h.createAccount(treasury.publicKey(), 1_000n * XLM)
  for (const kp of [payee, stranger, noTrust]) h.createAccount(kp.publicKey(), 10n * XLM)
  for (const kp of [treasury, payee, stranger]) h.addTrustline(kp.publicKey(), usdc)
  h.issue(usdc, treasury.publicKey(), 500n * XLM)
})
afterAll(async () => h?.stop())

const payeeWindow = (): Xdr.ClaimPredicate =>
  Claimant.predicateAnd(
    Claimant.predicateNot(Claimant.predicateBeforeAbsoluteTime(String(RELEASE_AFTER_S))),
    Claimant.predicateBeforeAbsoluteTime(String(EXPIRES_S)),
  )

async function submitAs(kp: Keypair, ops: Xdr.Operation[]): Promise<{ tx: Transaction; codes: string[] | null }> {
  const account = await server.loadAccount(kp.publicKey())
  const b = new TransactionBuilder(account, { fee: '100', networkPassphrase: h.networkPassphrase, timebounds: { minTime: 0, maxTime: 0 } })
  for (const op of ops) b.addOperation(op)
  const tx = b.build()
  tx.sign(kp)
  const codes = await server.submitTransaction(tx).then(
    () => null,
    (e: { response?: { data?: { extras?: { result_codes?: { operations?: string[] } } } } }) => {
      const ops = e.response?.data?.extras?.result_codes?.operations
      if (!ops) throw e
      return ops
    },
  )
  return { tx, codes }
}

const claim = (balanceId: string): Xdr.Operation => Operation.claimClaimableBalance({ balanceId })

describe('claimable balances in the Stellar harness', () => {
  let escrowId = ''

  it('creates a balance whose id the SDK knew before signing, with predicates as Horizon shows them', async () => {
    const seq = h.sequence(treasury.publicKey())
    const nativeBefore = h.balance(treasury.publicKey(), 'native')!
    const { tx, codes } = await submitAs(treasury, [
      Operation.createClaimableBalance({
        asset: USDC,
        amount: '12.3456789',
        claimants: [
          new Claimant(payee.publicKey(), payeeWindow()),
          new Claimant(treasury.publicKey(), Claimant.predicateUnconditional()),
          new Claimant(stranger.publicKey(), Claimant.predicateBeforeRelativeTime(String(REL_SECONDS))),
        ],
      }),
    ])
    expect(codes).toBeNull()
    escrowId = tx.getClaimableBalanceId(0)
    expect(escrowId).toBe(claimableBalanceId(treasury.publicKey(), (seq + 1n).toString(), 0))
    expect(escrowId).toMatch(/^00000000[0-9a-f]{64}$/)
    expect(h.balance(treasury.publicKey(), usdc)).toBe(500n * XLM - 123_456_789n)
    expect(h.balance(treasury.publicKey(), 'native')).toBe(nativeBefore - 100n)

    const cb = await server.claimableBalances().claimableBalance(escrowId).call()
    const closeS = Math.floor(Date.parse((cb as unknown as { last_modified_time: string }).last_modified_time) / 1000)
    expect(cb).toMatchObject({
      id: escrowId,
      asset: `USDC:${issuer.publicKey()}`,
      amount: '12.3456789',
      sponsor: treasury.publicKey(),
      paging_token: `${cb.last_modified_ledger}-${escrowId}`,
    })
    expect(cb.claimants).toEqual([
      {
        destination: payee.publicKey(),
        predicate: {
          and: [
            { not: { abs_before: '2026-11-22T11:00:00Z', abs_before_epoch: String(RELEASE_AFTER_S) } },
            { abs_before: '2026-11-23T10:00:00Z', abs_before_epoch: String(EXPIRES_S) },
          ],
        },
      },
      { destination: treasury.publicKey(), predicate: { unconditional: true } },
      // Relative deadlines are stored absolute: the creating ledger's close time + 50 s.
      {
        destination: stranger.publicKey(),
        predicate: {
          abs_before: new Date((closeS + REL_SECONDS) * 1000).toISOString().replace('.000Z', 'Z'),
          abs_before_epoch: String(closeS + REL_SECONDS),
        },
      },
    ])
    const account = await server.loadAccount(treasury.publicKey())
    expect(account.num_sponsoring).toBe(3)
    for (const q of [
      server.claimableBalances().claimant(payee.publicKey()),
      server.claimableBalances().sponsor(treasury.publicKey()),
      server.claimableBalances().asset(USDC),
    ]) {
      expect((await q.call()).records.map((r) => r.id)).toEqual([escrowId])
    }
    expect((await server.claimableBalances().claimant(noTrust.publicKey()).call()).records).toEqual([])
  })

  it('refuses a claim before the payee window and by someone not listed; each failure costs only its fee', async () => {
    const payeeUsdc = h.balance(payee.publicKey(), usdc)
    expect((await submitAs(payee, [claim(escrowId)])).codes).toEqual(['op_cannot_claim'])
    expect((await submitAs(noTrust, [claim(escrowId)])).codes).toEqual(['op_cannot_claim'])
    expect(h.balance(payee.publicKey(), usdc)).toBe(payeeUsdc)
    expect(h.balance(payee.publicKey(), 'native')).toBe(10n * XLM - 100n)
    expect(h.claimableBalance(escrowId)).not.toBeNull()
  })

  it('the clock control moves the close time: the relative deadline passes and the payee window opens', async () => {
    const moved = await advanceStellarHarnessClock(h.url, 3_600)
    expect(moved.closedAt).toBe('2026-11-22T11:00:00Z')
    const latest = (await server.ledgers().order('desc').limit(1).call()).records[0]!
    expect(latest.closed_at).toBe(moved.closedAt)
    expect(latest.sequence).toBe(moved.ledger)
    // The stranger's 50 s passed long ago.
    expect((await submitAs(stranger, [claim(escrowId)])).codes).toEqual(['op_cannot_claim'])
    const payeeUsdc = h.balance(payee.publicKey(), usdc)!
    const { tx, codes } = await submitAs(payee, [claim(escrowId)])
    expect(codes).toBeNull()
    expect(h.balance(payee.publicKey(), usdc)).toBe(payeeUsdc + 123_456_789n)
    await expect(server.claimableBalances().claimableBalance(escrowId).call()).rejects.toMatchObject({ response: { status: 404 } })
    expect((await server.loadAccount(treasury.publicKey())).num_sponsoring).toBe(0)

    const ops = await server.operations().forClaimableBalance(escrowId).call()
    expect(ops.records.map((r) => [r.type, r.source_account])).toEqual([
      ['create_claimable_balance', treasury.publicKey()],
      ['claim_claimable_balance', payee.publicKey()],
    ])
    expect(ops.records[1]).toMatchObject({
      transaction_hash: tx.hash().toString('hex'),
      created_at: '2026-11-22T11:00:00Z',
      balance_id: escrowId,
      claimant: payee.publicKey(),
    })
    expect((await submitAs(payee, [claim(escrowId)])).codes).toEqual(['op_does_not_exist'])
  })

  it('a claimer needs a trustline; the creator may claim back; an unconditional claim works at any time', async () => {
    const { tx } = await submitAs(treasury, [
      Operation.createClaimableBalance({
        asset: USDC,
        amount: '1',
        claimants: [new Claimant(noTrust.publicKey()), new Claimant(treasury.publicKey())],
      }),
    ])
    const id = tx.getClaimableBalanceId(0)
    expect((await submitAs(noTrust, [claim(id)])).codes).toEqual(['op_no_trust'])
    const before = h.balance(treasury.publicKey(), usdc)!
    expect((await submitAs(treasury, [claim(id)])).codes).toBeNull()
    expect(h.balance(treasury.publicKey(), usdc)).toBe(before + XLM)
  })

  it('native balances: the amount must be above the reserve, and each claimant needs a sponsored reserve', async () => {
    const poor = Keypair.random()
    h.createAccount(poor.publicKey(), 25_000_000n) // 2.5 XLM: 1 XLM minimum, 1.5 XLM spendable
    const create = (amount: string): Xdr.Operation =>
      Operation.createClaimableBalance({
        asset: Asset.native(),
        amount,
        claimants: [new Claimant(payee.publicKey()), new Claimant(poor.publicKey())],
      })
    expect((await submitAs(poor, [create('2')])).codes).toEqual(['op_underfunded'])
    // 1 XLM leaves ~1.5 XLM, less than the 2 XLM minimum with two sponsored claimants.
    expect((await submitAs(poor, [create('1')])).codes).toEqual(['op_low_reserve'])
    expect((await submitAs(poor, [create('0.4')])).codes).toBeNull()
    expect(h.balance(poor.publicKey(), 'native')).toBe(25_000_000n - 4_000_000n - 300n)
  })

  it('all operations or none; malformed claimant lists are refused', async () => {
    const count = (await server.claimableBalances().sponsor(treasury.publicKey()).call()).records.length
    const { codes } = await submitAs(treasury, [
      Operation.createClaimableBalance({ asset: USDC, amount: '1', claimants: [new Claimant(payee.publicKey())] }),
      Operation.payment({ destination: noTrust.publicKey(), asset: USDC, amount: '1' }),
    ])
    expect(codes).toEqual(['op_success', 'op_no_trust'])
    expect((await server.claimableBalances().sponsor(treasury.publicKey()).call()).records).toHaveLength(count)
    const dup = await submitAs(treasury, [
      Operation.createClaimableBalance({
        asset: USDC,
        amount: '1',
        claimants: [new Claimant(payee.publicKey()), new Claimant(payee.publicKey())],
      }),
    ])
    expect(dup.codes).toEqual(['op_malformed'])
    const deep = xdr.ClaimPredicate.claimPredicateNot(
      Claimant.predicateNot(Claimant.predicateNot(Claimant.predicateNot(Claimant.predicateUnconditional()))),
    )
    expect(
      (
        await submitAs(treasury, [
          Operation.createClaimableBalance({ asset: USDC, amount: '1', claimants: [new Claimant(payee.publicKey(), deep)] }),
        ])
      ).codes,
    ).toEqual(['op_malformed'])
  })

  it('the clock route refuses what is not a whole forward move', async () => {
    const res = await fetch(`${h.url}${HARNESS_CLOCK_ROUTE}`, { method: 'POST', body: JSON.stringify({ seconds: -5 }) })
    expect(res.status).toBe(400)
    const get = (await (await fetch(`${h.url}${HARNESS_CLOCK_ROUTE}`)).json()) as { closed_at: string }
    expect(get.closed_at >= '2026-11-22T11:00:00Z').toBe(true)
    await expect(advanceStellarHarnessClock(h.url, 1.5)).rejects.toThrow(/refused the clock move/)
  })
})
