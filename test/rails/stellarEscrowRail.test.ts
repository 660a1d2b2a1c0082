/**
 * The Stellar escrow rail against the Horizon-compatible harness, driven the way the escrow
 * engine drives it (preflight → prepare → nonceFloor → build → sign on the emulated Ledger →
 * broadcast → lookup + classify), with the payee acting on its own key: fund three milestones
 * (balance ids known before signing are the network's), release 1, dispute 2 (the payee can no
 * longer take it), resolve 2 70/30, and — after the clock passes milestone 3's review window —
 * the payee claims 3 itself and observe reports it released. Balances are checked exactly after
 * every step.
 */
import { Horizon, Keypair, Operation, TransactionBuilder } from '@stellar/stellar-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AssetRow } from '../../src/main/core/db/schema'
import type { EscrowOp, EscrowOpInput, EscrowRail, EscrowRailTx, EscrowTerms, EscrowVerdict } from '../../src/main/core/rails/EscrowRail'
import { railSubmissionForTest } from '../../src/main/core/rails/railTestRows'
import { createStellarEscrowRail } from '../../src/main/core/rails/stellar/escrow/createStellarEscrowRail'
import type { Signer } from '../../src/main/core/signing/Signer'
import { NETWORK, startStellarWorld, stellarSigner, TREASURY, WORKSPACE_NOW, XLM, type StellarWorld } from '../execute/stellarKit'
import { advanceStellarHarnessClock } from '../harness/stellar'

const HOUR_MS = 3_600_000
/** Per operation, what the harness charges (its base fee, which is also the rail's bid). */
const FEE_PER_OP = 100n
const M = [100_000_001n, 205_000_000n, 71_234_567n] as const

let world: StellarWorld
let rail: EscrowRail
let signer: Signer
let assets: Map<string, AssetRow>
let terms: EscrowTerms
let clock = WORKSPACE_NOW
const payee = Keypair.random()
let attempt = 0

beforeAll(async () => {
  world = await startStellarWorld()
  world.h.createAccount(payee.publicKey(), 10n * XLM)
  world.h.addTrustline(payee.publicKey(), world.usdc)
  rail = createStellarEscrowRail(world.config())
  signer = stellarSigner()
  const row = (code: string, issuer: string | null): AssetRow =>
    ({ id: `${code}@stellar:${NETWORK}`, code, scale: 7, rail: 'stellar', network: NETWORK, issuer }) as AssetRow
  assets = new Map([row('USDC', world.usdc.issuer), row('XLM', null)].map((a) => [a.id, a]))
  terms = {
    escrowId: 'esc-1',
    railEscrowId: 'esc-1',
    assetId: world.usdcAssetId,
    payer: TREASURY,
    payee: payee.publicKey(),
    milestones: M.map((amount, i) => ({
      index: i + 1,
      amount,
      releaseAfter: new Date(WORKSPACE_NOW.getTime() + (i === 2 ? 3 : 1) * HOUR_MS),
      railRef: null,
    })),
    expiresAt: new Date(WORKSPACE_NOW.getTime() + 30 * 24 * HOUR_MS),
    fundingCharge: null,
  }
})
afterAll(async () => world?.stop())

const input = (op: EscrowOp): EscrowOpInput => ({ terms, op, assets, actionId: `act-${op.kind}-${++attempt}`, attempt: 1 })

/** One action the engine's way (pre-flight asserted clean unless skipped); returns build's railRefs, the transaction and the verdict. */
async function execute(
  op: EscrowOp,
  opts: { preflight?: boolean } = {},
): Promise<{ railRefs: ReadonlyMap<number, string>; tx: EscrowRailTx; verdict: EscrowVerdict; feeCap: bigint }> {
  const i = input(op)
  if (opts.preflight ?? true) expect(await rail.preflight(i)).toEqual([])
  const prepared = JSON.parse(JSON.stringify(await rail.prepare(i))) as unknown
  const nonce = await rail.nonceFloor(TREASURY)
  const built = rail.build(i, prepared, nonce, clock)
  expect(built.idempotencyKey).toBe(`escrow:stellar:${NETWORK}:${i.actionId}:1`)
  const planned: EscrowRailTx = {
    ...railSubmissionForTest({
      id: i.actionId,
      rail: 'stellar',
      network: NETWORK,
      source: built.source,
      idempotency_key: built.idempotencyKey,
    }),
    state: 'planned',
    nonce: nonce!.toString(),
    unsigned_payload: built.unsignedPayload,
    fee_cap: built.feeCap,
    op,
  }
  const signed = await rail.sign!(planned, signer)
  const tx: EscrowRailTx = { ...planned, state: 'signed', signed_payload: signed.signedPayload, tx_hash: signed.txHash }
  await rail.broadcast(tx)
  const seen = await rail.lookup([tx])
  return { railRefs: built.railRefs, tx, verdict: rail.classify(tx, seen.get(tx.id)), feeCap: BigInt(built.feeCap!) }
}

async function run(op: EscrowOp): Promise<{ railRefs: ReadonlyMap<number, string>; tx: EscrowRailTx }> {
  const done = await execute(op)
  expect(done.verdict).toEqual({
    kind: 'confirmed',
    blockNumber: expect.any(String) as string,
    blockHash: expect.any(String) as string,
    feePaid: done.feeCap,
    feeAssetId: world.xlmAssetId,
    closedAt: clock,
  })
  return done
}

/** The payee's own claim, built and signed with its key (as a wallet would). */
async function payeeClaims(balanceId: string): Promise<{ hash: string; codes: string[] | null }> {
  const server = new Horizon.Server(world.h.url, { allowHttp: true })
  const account = await server.loadAccount(payee.publicKey())
  const tx = new TransactionBuilder(account, {
    fee: '100',
    networkPassphrase: world.h.networkPassphrase,
    timebounds: { minTime: 0, maxTime: 0 },
  })
    .addOperation(Operation.claimClaimableBalance({ balanceId }))
    .build()
  tx.sign(payee)
  const codes = await server.submitTransaction(tx).then(
    () => null,
    (e: { response?: { data?: { extras?: { result_codes?: { operations?: string[] } } } } }) =>
      e.response?.data?.extras?.result_codes?.operations ?? ['?'],
  )
  return { hash: tx.hash().toString('hex'), codes }
}

async function moveClock(hours: number): Promise<void> {
  const moved = await advanceStellarHarnessClock(world.h.url, hours * 3_600)
  clock = new Date(moved.closedAt)
}

const usdcOf = (id: string): bigint | null => world.h.balance(id, world.usdc)
const withRefs = (refs: ReadonlyMap<number, string>): EscrowTerms => ({
  ...terms,
  milestones: terms.milestones.map((m) => ({ ...m, railRef: refs.get(m.index) ?? null })),
})

describe('Stellar escrow rail on the harness', () => {
  const start = { treasuryUsdc: 0n, treasuryXlm: 0n, payeeUsdc: 0n }
  let refs: ReadonlyMap<number, string> = new Map()

  it('funds three milestones in one transaction; the balance ids known before signing are the network’s', async () => {
    Object.assign(start, {
      treasuryUsdc: usdcOf(TREASURY)!,
      treasuryXlm: world.h.balance(TREASURY, 'native')!,
      payeeUsdc: usdcOf(payee.publicKey())!,
    })
    const funded = await run({ kind: 'fund' })
    refs = funded.railRefs
    expect([...refs.keys()]).toEqual([1, 2, 3])
    terms = withRefs(refs)
    for (const m of terms.milestones) {
      const cb = world.h.claimableBalance(m.railRef!)
      expect(cb).toMatchObject({ id: m.railRef, sponsor: TREASURY, asset: `USDC:${world.usdc.issuer}` })
      expect(cb!['claimants']).toEqual([
        {
          destination: payee.publicKey(),
          predicate: {
            and: [
              {
                not: {
                  abs_before: m.releaseAfter.toISOString().replace('.000Z', 'Z'),
                  abs_before_epoch: String(m.releaseAfter.getTime() / 1000),
                },
              },
              {
                abs_before: terms.expiresAt.toISOString().replace('.000Z', 'Z'),
                abs_before_epoch: String(terms.expiresAt.getTime() / 1000),
              },
            ],
          },
        },
        { destination: TREASURY, predicate: { unconditional: true } },
      ])
    }
    expect(usdcOf(TREASURY)).toBe(start.treasuryUsdc - M[0] - M[1] - M[2])
    expect(world.h.balance(TREASURY, 'native')).toBe(start.treasuryXlm - 3n * FEE_PER_OP)
    const seen = await rail.observe(terms)
    expect([...seen.milestones]).toEqual([
      [1, { state: 'held', amount: M[0] }],
      [2, { state: 'held', amount: M[1] }],
      [3, { state: 'held', amount: M[2] }],
    ])
    expect(seen.railNow).toEqual(clock)
  })

  it('releases milestone 1 through the treasury (claim back + payment, atomic)', async () => {
    await run({ kind: 'release', milestone: 1 })
    expect(usdcOf(payee.publicKey())).toBe(start.payeeUsdc + M[0])
    expect(usdcOf(TREASURY)).toBe(start.treasuryUsdc - M[0] - M[1] - M[2])
    expect(world.h.balance(TREASURY, 'native')).toBe(start.treasuryXlm - 5n * FEE_PER_OP)
    expect(world.h.claimableBalance(refs.get(1)!)).toBeNull()
  })

  it('disputes milestone 2: claimed back, so the payee cannot take it even once its window opens', async () => {
    await run({ kind: 'dispute', milestone: 2 })
    expect(usdcOf(TREASURY)).toBe(start.treasuryUsdc - M[0] - M[2])
    await moveClock(2)
    expect(await payeeClaims(refs.get(2)!)).toMatchObject({ codes: ['op_does_not_exist'] })
    // Milestone 3's window (3 h) is not open yet.
    expect(await payeeClaims(refs.get(3)!)).toMatchObject({ codes: ['op_cannot_claim'] })
    expect(usdcOf(payee.publicKey())).toBe(start.payeeUsdc + M[0])
    const problems = await rail.preflight(input({ kind: 'release', milestone: 2 }))
    expect(problems.map((p) => p.code)).toEqual(['ESCROW_NOT_ON_RAIL'])
  })

  it('resolves milestone 2 70/30: the payee is paid its part, the rest stays with the treasury', async () => {
    const toPayee = (M[1] * 70n) / 100n
    expect(toPayee * 100n).toBe(M[1] * 70n) // exact, no rounding
    expect(rail.needsTx(terms, { kind: 'resolve', milestone: 2, toPayee: 0n, toPayer: M[1] })).toBe(false)
    await run({ kind: 'resolve', milestone: 2, toPayee, toPayer: M[1] - toPayee })
    expect(usdcOf(payee.publicKey())).toBe(start.payeeUsdc + M[0] + toPayee)
    expect(usdcOf(TREASURY)).toBe(start.treasuryUsdc - M[0] - M[2] - toPayee)
    expect(world.h.balance(TREASURY, 'native')).toBe(start.treasuryXlm - 7n * FEE_PER_OP)
  })

  it('after the review window the payee claims milestone 3 itself; observe reports it released', async () => {
    await moveClock(1)
    const claim = await payeeClaims(refs.get(3)!)
    expect(claim.codes).toBeNull()
    const toPayee = (M[1] * 70n) / 100n
    expect(usdcOf(payee.publicKey())).toBe(start.payeeUsdc + M[0] + toPayee + M[2])
    expect(usdcOf(TREASURY)).toBe(start.treasuryUsdc - M[0] - M[2] - toPayee)
    const seen = await rail.observe(terms)
    expect(seen.milestones.get(3)).toEqual({ state: 'released', amount: M[2], txHash: claim.hash, at: clock })
    expect(seen.milestones.get(1)).toMatchObject({ state: 'refunded', amount: M[0] })
    expect(seen.milestones.get(2)).toMatchObject({ state: 'refunded', amount: M[1] })
    expect(seen.railNow).toEqual(clock)
    // Every balance was claimed: the treasury sponsors no reserve any more.
    const account = await fetch(`${world.h.url}/accounts/${TREASURY}`).then((r) => r.json() as Promise<{ num_sponsoring: number }>)
    expect(account.num_sponsoring).toBe(0)
  })

  it('refunds the milestones still on the rail, skipping one the payee already took', async () => {
    terms = { ...terms, escrowId: 'esc-2', railEscrowId: 'esc-2', milestones: terms.milestones.map((m) => ({ ...m, railRef: null })) }
    const funded = await run({ kind: 'fund' })
    terms = withRefs(funded.railRefs)
    const before = usdcOf(TREASURY)!
    // Milestone 1's window is open (the clock is past it): the payee takes it first.
    expect((await payeeClaims(funded.railRefs.get(1)!)).codes).toBeNull()
    await run({ kind: 'refund', milestones: [1, 2, 3] })
    expect(usdcOf(TREASURY)).toBe(before + M[1] + M[2])
    const seen = await rail.observe(terms)
    expect([...seen.milestones.values()].map((m) => m.state)).toEqual(['released', 'refunded', 'refunded'])
  })

  it('a claim of a balance someone else took fails on the ledger: the verdict names the balance, only the fee is spent', async () => {
    const xlm = world.h.balance(TREASURY, 'native')!
    const usdc = usdcOf(TREASURY)
    // Milestone 1 of the second escrow was taken by the payee; pre-flight would say so — skip it.
    const { verdict } = await execute({ kind: 'release', milestone: 1 }, { preflight: false })
    expect(verdict).toMatchObject({ kind: 'failed', code: 'STELLAR_TX_FAILED', feePaid: 2n * FEE_PER_OP })
    expect((verdict as { reason: string }).reason).toContain(`${terms.milestones[0]!.railRef} was already claimed`)
    expect(world.h.balance(TREASURY, 'native')).toBe(xlm - 2n * FEE_PER_OP)
    expect(usdcOf(TREASURY)).toBe(usdc)
  })

  it('pre-flight refuses to fund a payee without a trustline', async () => {
    const noTrust = Keypair.random().publicKey()
    world.h.createAccount(noTrust, 5n * XLM)
    const problems = await rail.preflight({ ...input({ kind: 'fund' }), terms: { ...terms, payee: noTrust } })
    expect(problems.map((p) => p.code)).toEqual(['STELLAR_NO_TRUST'])
  })
})
