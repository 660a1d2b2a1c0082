/**
 * The Stripe escrow rail against the Stripe harness, driven the way the escrow engine drives it
 * (preflight → prepare → nonceFloor → build → seal → broadcast → lookup → classify, then observe):
 * a customer-funded escrow released, split and released again; a treasury-funded one released and
 * refunded without a request; faults on a release that still make exactly one transfer. The
 * platform balance is checked exactly after every step.
 */
import Stripe from 'stripe'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AssetRow } from '../../src/main/core/db/schema'
import type { EscrowOp, EscrowOpInput, EscrowRail, EscrowRailTx, EscrowTerms, EscrowVerdict } from '../../src/main/core/rails/EscrowRail'
import type { BroadcastOutcome } from '../../src/main/core/rails/Rail'
import { railSubmissionForTest } from '../../src/main/core/rails/railTestRows'
import { createStripeEscrowRail, stripeHoldLimitDays } from '../../src/main/core/rails/stripe/escrow/createStripeEscrowRail'
import type { StripeRetryPolicy } from '../../src/main/core/rails/stripe/postStripeWithRetry'
import { startStripeHarness, type StripeHarness } from '../harness/stripe'

const NOW = new Date('2026-11-22T10:00:00Z')
const USD: AssetRow = {
  id: 'USD@stripe',
  code: 'USD',
  name: 'US dollar',
  scale: 2,
  rail: 'stripe',
  network: 'stripe',
  issuer: null,
  created_at: NOW.toISOString(),
}
const ASSETS: ReadonlyMap<string, AssetRow> = new Map([[USD.id, USD]])

let h: StripeHarness
let rail: EscrowRail
let payee: string
const slept: number[] = []
const retry: StripeRetryPolicy = { attemptsMax: 6, backoffMsBase: 10, backoffMsMax: 200, sleep: async (ms) => void slept.push(ms) }

function terms(escrowId: string, amounts: readonly bigint[], fundingCharge: string | null): EscrowTerms {
  return {
    escrowId,
    railEscrowId: escrowId,
    assetId: USD.id,
    payer: 'stripe:platform',
    payee,
    milestones: amounts.map((amount, i) => ({ index: i + 1, amount, releaseAfter: NOW, railRef: null })),
    expiresAt: new Date(NOW.getTime() + 30 * 86_400_000),
    fundingCharge,
  }
}

interface Run {
  tx: EscrowRailTx
  sent: BroadcastOutcome
  verdict: EscrowVerdict
  keys: readonly (string | null)[]
}

/** One action as the engine runs it; `keys` are the idempotency keys of the POSTs it made. */
async function run(t: EscrowTerms, op: EscrowOp, actionId: string): Promise<Run> {
  const input: EscrowOpInput = { terms: t, op, assets: ASSETS, actionId, attempt: 1 }
  expect(rail.needsTx(t, op)).toBe(true)
  const before = h.requests().length
  const prepared = await rail.prepare(input)
  const built = rail.build(input, prepared, await rail.nonceFloor(rail.source.address), NOW)
  const planned: EscrowRailTx = {
    ...railSubmissionForTest({
      id: `${actionId}:a1`,
      rail: 'stripe',
      network: 'stripe',
      source: built.source,
      idempotency_key: built.idempotencyKey,
      unsigned_payload: built.unsignedPayload,
      state: 'planned',
    }),
    op,
  }
  const sealed = rail.seal!(planned)
  expect(sealed).toEqual({ signedPayload: built.unsignedPayload, txHash: built.idempotencyKey })
  const signed: EscrowRailTx = { ...planned, state: 'signed', signed_payload: sealed.signedPayload, tx_hash: sealed.txHash }
  const sent = await rail.broadcast(signed)
  const tx: EscrowRailTx = { ...signed, state: 'broadcast' }
  const verdict = rail.classify(tx, (await rail.lookup([tx])).get(tx.id))
  const keys = h
    .requests()
    .slice(before)
    .filter((r) => r.method === 'POST')
    .map((r) => r.idempotencyKey)
  return { tx, sent, verdict, keys }
}

function confirmed(v: EscrowVerdict): Extract<EscrowVerdict, { kind: 'confirmed' }> {
  if (v.kind !== 'confirmed')
    throw new Error(`expected confirmed, got ${JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x))}`)
  return v
}

/** The customer pays for the escrow at checkout: a PaymentIntent created and confirmed with the test card. */
async function customerPays(amount: number, transferGroup: string): Promise<string> {
  const customer = new Stripe(h.secretKey, { host: h.host, port: h.port, protocol: h.protocol, maxNetworkRetries: 0 })
  const intent = await customer.paymentIntents.create({
    amount,
    currency: 'usd',
    transfer_group: transferGroup,
    payment_method: 'pm_card_visa',
    confirm: true,
    metadata: { escrow_id: transferGroup },
  })
  expect(intent.status).toBe('succeeded')
  return intent.latest_charge as string
}

beforeEach(async () => {
  h = await startStripeHarness({ balances: { usd: 5_000n } })
  h.setTime(NOW)
  payee = h.addConnectedAccount()
  slept.length = 0
  rail = createStripeEscrowRail({
    apiBase: { host: h.host, port: h.port, protocol: h.protocol },
    secretKey: async () => h.secretKey,
    retry,
    now: () => NOW,
  })
})

afterEach(async () => {
  await h.stop()
})

describe('charge-funded escrow: separate charges and transfers', () => {
  it('funds by the customer’s charge, releases 1, splits 2 70/30, releases 3; the balance exact after each step', async () => {
    const charge = await customerPays(60_000, 'esc_c1')
    expect(h.balance('usd')).toBe(65_000n)
    const t = terms('esc_c1', [10_000n, 20_000n, 30_000n], charge)

    // Fund: no request, a check of the charge.
    expect(await rail.preflight({ terms: t, op: { kind: 'fund' }, assets: ASSETS, actionId: 'a-fund', attempt: 1 })).toEqual([])
    const fund = await run(t, { kind: 'fund' }, 'a-fund')
    expect(fund.keys).toEqual([])
    expect(confirmed(fund.verdict)).toMatchObject({ blockHash: charge, feePaid: 0n, closedAt: NOW })
    expect(h.balance('usd')).toBe(65_000n)

    const release1 = await run(t, { kind: 'release', milestone: 1 }, 'a-rel1')
    expect(release1.sent).toEqual({ kind: 'sent' })
    expect(release1.keys).toEqual(['escrow:stripe:a-rel1:1'])
    const [tr1] = h.transfers() as Stripe.Transfer[]
    expect(tr1).toMatchObject({
      amount: 10_000n,
      destination: payee,
      transfer_group: 'esc_c1',
      source_transaction: charge,
      metadata: { escrow_id: 'esc_c1', milestone: '1', action_id: 'a-rel1', op: 'release' },
    })
    expect(confirmed(release1.verdict)).toMatchObject({ blockHash: tr1!.id, feePaid: 0n, feeAssetId: 'USD@stripe', closedAt: NOW })
    expect(h.balance('usd')).toBe(55_000n)

    const resolve = await run(t, { kind: 'resolve', milestone: 2, toPayee: 14_000n, toPayer: 6_000n }, 'a-res2')
    expect(resolve.keys).toEqual(['escrow:stripe:a-res2:1:transfer', 'escrow:stripe:a-res2:1:refund'])
    const tr2 = (h.transfers() as Stripe.Transfer[])[1]!
    const [re2] = h.refunds()
    expect(tr2).toMatchObject({ amount: 14_000n, source_transaction: charge, metadata: { milestone: '2', op: 'resolve' } })
    expect(re2).toMatchObject({ amount: 6_000n, charge, metadata: { escrow_id: 'esc_c1', milestone: '2', action_id: 'a-res2' } })
    expect(confirmed(resolve.verdict).blockHash).toBe(`${tr2.id}+${re2!.id}`)
    expect(h.balance('usd')).toBe(35_000n)

    const release3 = await run(t, { kind: 'release', milestone: 3 }, 'a-rel3')
    confirmed(release3.verdict)
    expect(h.transfers()).toHaveLength(3)
    expect(h.balance('usd')).toBe(5_000n)
    expect(h.charges()[0]).toMatchObject({ amount_refunded: 6_000n })

    const seen = await rail.observe(t)
    expect(seen.railNow).toEqual(NOW)
    expect(seen.milestones.get(1)).toEqual({ state: 'released', amount: 10_000n, txHash: tr1!.id, at: NOW })
    expect(seen.milestones.get(2)).toMatchObject({ state: 'split', toPayee: 14_000n, toPayer: 6_000n })
    expect(seen.milestones.get(3)).toMatchObject({ state: 'released', amount: 30_000n })

    // Looked up again (e.g. after a restart): found by listing, nothing is POSTed.
    const posts = h.requests().filter((r) => r.method === 'POST').length
    const again = rail.classify(release1.tx, (await rail.lookup([release1.tx])).get(release1.tx.id))
    expect(confirmed(again).blockHash).toBe(tr1!.id)
    expect(h.requests().filter((r) => r.method === 'POST').length).toBe(posts)
  })

  it('a charge that does not cover the escrow, or is in another group, fails ESCROW_CHARGE_MISMATCH', async () => {
    const small = await customerPays(5_000, 'esc_c2')
    const t = terms('esc_c2', [4_000n, 2_000n], small)
    const problems = await rail.preflight({ terms: t, op: { kind: 'fund' }, assets: ASSETS, actionId: 'a-f', attempt: 1 })
    expect(problems.map((p) => p.code)).toEqual(['ESCROW_CHARGE_MISMATCH'])
    const fund = await run(t, { kind: 'fund' }, 'a-f')
    expect(fund.verdict).toMatchObject({ kind: 'failed', code: 'ESCROW_CHARGE_MISMATCH' })
    expect((fund.verdict as { reason: string }).reason).toMatch(/holds 5000 .* needs 6000/)

    const other = await customerPays(9_000, 'someone_else')
    const wrongGroup = await run(terms('esc_c2', [4_000n, 2_000n], other), { kind: 'fund' }, 'a-f2')
    expect((wrongGroup.verdict as { reason: string }).reason).toMatch(/transfer_group someone_else/)
  })

  it('a refund gives the customer back the open milestones, one Refund each', async () => {
    const charge = await customerPays(30_000, 'esc_c3')
    const t = terms('esc_c3', [10_000n, 20_000n], charge)
    const op: EscrowOp = { kind: 'refund', milestones: [1, 2] }
    expect(await rail.preflight({ terms: t, op, assets: ASSETS, actionId: 'a-ref', attempt: 1 })).toEqual([])
    const refund = await run(t, op, 'a-ref')
    expect(refund.keys).toEqual(['escrow:stripe:a-ref:1:m1', 'escrow:stripe:a-ref:1:m2'])
    confirmed(refund.verdict)
    expect(h.charges()[0]).toMatchObject({ amount_refunded: 30_000n, refunded: true })
    expect(h.balance('usd')).toBe(5_000n)
    const seen = await rail.observe(t)
    expect(seen.milestones.get(2)).toMatchObject({ state: 'refunded', amount: 20_000n })
  })
})

describe('treasury-funded escrow: the platform balance itself', () => {
  it('funding, a dispute, a refund and a payee-less resolve send nothing; a release is one transfer', async () => {
    h.setBalance('usd', 50_000n)
    const t = terms('esc_t1', [20_000n, 15_000n], null)
    expect(rail.needsTx(t, { kind: 'fund' })).toBe(false)
    expect(rail.needsTx(t, { kind: 'dispute', milestone: 1 })).toBe(false)
    expect(rail.needsTx(t, { kind: 'refund', milestones: [2] })).toBe(false)
    expect(rail.needsTx(t, { kind: 'resolve', milestone: 2, toPayee: 0n, toPayer: 15_000n })).toBe(false)
    expect(rail.needsTx(t, { kind: 'resolve', milestone: 2, toPayee: 1n, toPayer: 14_999n })).toBe(true)

    const op: EscrowOp = { kind: 'release', milestone: 1 }
    expect(await rail.preflight({ terms: t, op, assets: ASSETS, actionId: 'a-t1', attempt: 1 })).toEqual([])
    const release = await run(t, op, 'a-t1')
    confirmed(release.verdict)
    expect(h.transfers()[0]).toMatchObject({ amount: 20_000n, transfer_group: 'esc_t1', source_transaction: null })
    expect(h.balance('usd')).toBe(30_000n)
    const seen = await rail.observe(t)
    expect(seen.milestones.get(1)).toMatchObject({ state: 'released', amount: 20_000n })
    expect(seen.milestones.get(2)).toEqual({ state: 'held', amount: 15_000n })
    expect(h.refunds()).toHaveLength(0)
  })

  it('preflight refuses a release the balance cannot cover, and a payee that cannot receive transfers', async () => {
    const t = terms('esc_t2', [6_000n], null)
    const op: EscrowOp = { kind: 'release', milestone: 1 }
    const input: EscrowOpInput = { terms: t, op, assets: ASSETS, actionId: 'a-t2', attempt: 1 }
    expect((await rail.preflight(input)).map((p) => p.code)).toEqual(['STRIPE_BALANCE_INSUFFICIENT'])
    h.setTransfersCapability(payee, 'inactive')
    h.setBalance('usd', 10_000n)
    expect((await rail.preflight(input)).map((p) => p.code)).toEqual(['STRIPE_ACCOUNT_NOT_READY'])
    // Sent anyway, Stripe refuses: failed with the same code, nothing moved.
    const release = await run(t, op, 'a-t2')
    expect(release.verdict).toMatchObject({ kind: 'failed', code: 'STRIPE_ACCOUNT_NOT_READY' })
    expect(h.transfers()).toHaveLength(0)
    expect(h.balance('usd')).toBe(10_000n)
  })
})

describe('faults on a release: the same key, exactly one transfer', () => {
  it('a 500 then dropped answers: retried with the same key, one transfer, the balance moved once', async () => {
    h.setBalance('usd', 50_000n)
    const t = terms('esc_f1', [12_345n], null)
    h.faults.error500(1, { method: 'POST', path: '/v1/transfers' })
    h.faults.dropAfterCommit(2, { method: 'POST', path: '/v1/transfers' })
    const release = await run(t, { kind: 'release', milestone: 1 }, 'a-f1')
    // The 500, the dropped answer and stripe-node's own resend of it (dropped too), then the replay.
    expect(release.keys).toEqual(Array(4).fill('escrow:stripe:a-f1:1'))
    expect(
      h
        .requests()
        .filter((r) => r.path === '/v1/transfers' && r.method === 'POST')
        .map((r) => r.replayed),
    ).toEqual([false, false, true, true])
    expect(release.sent).toEqual({ kind: 'sent' })
    expect(h.transfers()).toHaveLength(1)
    expect(confirmed(release.verdict).blockHash).toBe((h.transfers()[0] as { id: string }).id)
    expect(h.balance('usd')).toBe(37_655n)
    expect(slept.length).toBeGreaterThan(0)
  })

  it('every answer lost: broadcast is maybe-sent, lookup finds the transfer by listing without sending again', async () => {
    h.setBalance('usd', 50_000n)
    const t = terms('esc_f2', [1_000n], null)
    // Each try is a request and stripe-node's own resend of the closed connection.
    h.faults.dropAfterCommit(2 * retry.attemptsMax, { method: 'POST', path: '/v1/transfers' })
    const release = await run(t, { kind: 'release', milestone: 1 }, 'a-f2')
    expect(release.sent.kind).toBe('maybe-sent')
    // Only broadcast's tries: lookup found it by listing.
    expect(release.keys).toHaveLength(2 * retry.attemptsMax)
    expect(confirmed(release.verdict).blockHash).toBe((h.transfers()[0] as { id: string }).id)
    expect(h.transfers()).toHaveLength(1)
    expect(h.balance('usd')).toBe(49_000n)
  })
})

describe('Stripe hold limit', () => {
  it('90 days in most countries, 10 in Thailand, 2 years in the United States', () => {
    expect(stripeHoldLimitDays('DE')).toBe(90)
    expect(stripeHoldLimitDays('th')).toBe(10)
    expect(stripeHoldLimitDays('US')).toBe(730)
  })
})
