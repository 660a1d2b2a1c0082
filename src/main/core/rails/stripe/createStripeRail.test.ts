/**
 * The Stripe rail's pure parts with no Stripe at all: `build` (the committed request body and our
 * key), `seal` (that body as the final payload) and `classify` of every observation lookup can
 * make. The secret key is never read: nothing here talks to Stripe.
 */
import { describe, expect, it } from 'vitest'
import type { PayoutRow } from '../../db/schema'
import { isDeviceRail, type PlannedChunk, type RailSubmission } from '../Rail'
import { payoutRowForTest, railSubmissionForTest } from '../railTestRows'
import { createStripeRail } from './createStripeRail'
import type { StripeTransferRequest } from './createStripeTransfer'
import type { StripeObservation } from './lookupStripeTransfers'

const NOW = new Date('2026-02-01T10:00:00.000Z')

function rail() {
  const r = createStripeRail({
    apiBase: { host: '127.0.0.1', port: 9, protocol: 'http' },
    secretKey: async () => {
      throw new Error('the pure parts never read the key')
    },
  })
  if (isDeviceRail(r)) throw new Error('Stripe needs no device')
  return r
}

function payout(extra: Partial<PayoutRow> = {}): PayoutRow {
  return payoutRowForTest({
    id: 'p-usd',
    batch_id: 'b1',
    rail: 'stripe',
    network: 'stripe',
    asset_id: 'USD@stripe',
    recipient: 'acct_1A2b3C',
    amount: '12345',
    ...extra,
  })
}

const chunk = (p: PayoutRow): PlannedChunk => ({ chunkIndex: 0, assetId: p.asset_id, payoutIds: [p.id], prepared: {} })

function submission(over: Partial<RailSubmission> = {}): RailSubmission {
  return railSubmissionForTest({
    id: 'b1:c0:a1',
    batch_id: 'b1',
    rail: 'stripe',
    network: 'stripe',
    source: 'stripe:platform',
    idempotency_key: 'cs_p-usd_a1',
    unsigned_payload: '{"amount":"1"}',
    signed_payload: '{"amount":"1"}',
    tx_hash: 'cs_p-usd_a1',
    payoutIds: ['p-usd'],
    ...over,
  })
}

describe('Stripe build and seal (pure)', () => {
  it('one transfer per payout: exact minor units as text, our key per attempt, the ids and reference in metadata', () => {
    const p = payout({ reference: 'INV-2026-001' })
    const built = rail().build({ batchId: 'b1', chunk: chunk(p), attempt: 2, payouts: [p], assets: new Map(), nonce: null, now: NOW })
    expect(built).toMatchObject({ source: 'stripe:platform', idempotencyKey: 'cs_p-usd_a2', feeCap: null })
    expect(JSON.parse(built.unsignedPayload)).toEqual({
      amount: '12345',
      currency: 'usd',
      destination: 'acct_1A2b3C',
      transfer_group: 'cs_p-usd',
      description: 'INV-2026-001',
      metadata: { countersign_payout_id: 'p-usd', countersign_batch_id: 'b1', countersign_reference: 'INV-2026-001' },
    } satisfies StripeTransferRequest)
  })

  it('description: the memo, else the reference, else the payout id; no empty reference is sent', () => {
    const sent = (p: PayoutRow) =>
      JSON.parse(
        rail().build({ batchId: 'b1', chunk: chunk(p), attempt: 1, payouts: [p], assets: new Map(), nonce: null, now: NOW })
          .unsignedPayload,
      ) as StripeTransferRequest
    expect(sent(payout({ memo: 'March invoice', reference: 'INV-3' })).description).toBe('March invoice')
    expect(sent(payout({ reference: 'INV-3' })).description).toBe('INV-3')
    const bare = sent(payout({ reference: '' }))
    expect(bare.description).toBe('p-usd')
    expect(bare.metadata).toEqual({ countersign_payout_id: 'p-usd', countersign_batch_id: 'b1' })
  })

  it('refuses what Stripe cannot carry before anything is committed', () => {
    const r = rail()
    const notAnAccount = payout({ recipient: '0xabc' })
    expect(() =>
      r.build({ batchId: 'b1', chunk: chunk(notAnAccount), attempt: 1, payouts: [notAnAccount], assets: new Map(), nonce: null, now: NOW }),
    ).toThrow(expect.objectContaining({ code: 'PAYOUT_INVALID' }))
    const p = payout()
    expect(() => r.build({ batchId: 'b1', chunk: chunk(p), attempt: 0, payouts: [p], assets: new Map(), nonce: null, now: NOW })).toThrow(
      /invariant/,
    )
  })

  it('seal: the committed body is the payload, our key its id until Stripe names the transfer', () => {
    expect(rail().seal(submission({ unsigned_payload: '{"amount":"5"}', signed_payload: null }))).toEqual({
      signedPayload: '{"amount":"5"}',
      txHash: 'cs_p-usd_a1',
    })
    expect(() => rail().seal(submission({ unsigned_payload: null }))).toThrow(/invariant/)
  })
})

describe('Stripe classify (pure)', () => {
  const seen = (o: StripeObservation): unknown => o

  it('a transfer exists: confirmed at its created time, named by its id, no fee', () => {
    expect(rail().classify(submission(), seen({ kind: 'transfer', id: 'tr_123', created: 1_769_940_000, payoutIds: ['p-usd'] }))).toEqual({
      kind: 'confirmed',
      blockNumber: '1769940000',
      blockHash: 'tr_123',
      feePaid: 0n,
      feeAssetId: 'USD@stripe',
      payouts: [{ payoutId: 'p-usd', logIndex: 0 }],
    })
  })

  it('a definite refusal fails with its code; an unknown answer waits for the next sweep', () => {
    expect(
      rail().classify(submission(), seen({ kind: 'rejected', code: 'STRIPE_ACCOUNT_NOT_READY', reason: 'acct_1A2b3C cannot receive' })),
    ).toEqual({
      kind: 'failed',
      blockNumber: '0',
      blockHash: 'refused',
      feePaid: 0n,
      feeAssetId: 'USD@stripe',
      reason: 'acct_1A2b3C cannot receive',
      code: 'STRIPE_ACCOUNT_NOT_READY',
    })
    expect(rail().classify(submission({ state: 'signed' }), seen({ kind: 'unknown', message: 'HTTP 500' }))).toEqual({
      kind: 'pending',
      rebroadcast: false,
      seenByNetwork: false,
    })
  })

  it('a confirmed transfer is final; classifying a planned one is a bug', () => {
    expect(rail().classify(submission({ state: 'confirmed' }), null)).toEqual({ kind: 'unchanged' })
    expect(() => rail().classify(submission({ state: 'planned' }), null)).toThrow(/invariant: classify of a planned/)
  })

  it('needs no device and has no nonce', async () => {
    const r = rail()
    expect(r.capabilities).toMatchObject({ signer: null, nonceName: null, externalSigning: false })
    expect(await r.nonceFloor('stripe:platform')).toBeNull()
    expect(await r.lookup([submission({ state: 'confirmed' })])).toEqual(new Map())
  })
})
