/**
 * The Stellar rail's pure parts with no Horizon at all: data in, envelope or verdict out.
 * `build` at the sequence the engine reserved, `renumber` to another one, the memo rule, and
 * `classify` of every observation lookup can make. Horizon is a URL nobody answers (build,
 * renumber and classify never call it) or, for nonceFloor, a stub.
 */
import { Keypair, Memo, Networks, TransactionBuilder, xdr, type Transaction } from '@stellar/stellar-base'
import { describe, expect, it } from 'vitest'
import type { AssetRow, PayoutRow } from '../../db/schema'
import { isDeviceRail, type PlannedChunk, type RailSubmission } from '../Rail'
import { payoutRowForTest, railSubmissionForTest } from '../railTestRows'
import { createStellarRail } from './createStellarRail'
import type { HorizonClient, HorizonTransaction } from './horizon'
import type { StellarObservation } from './lookupStellarTxs'
import { groupStellarChunks, type StellarPrepared } from './planStellarChunks'
import { stellarMemoOf } from './stellarMemo'
import type { StellarNetworkConfig } from './stellarRailConfig'

const NETWORK = 'testnet'
const PASSPHRASE = Networks.TESTNET
const treasury = Keypair.random()
const issuer = Keypair.random().publicKey()
const payees = [Keypair.random().publicKey(), Keypair.random().publicKey(), Keypair.random().publicKey()]
const NOW = new Date('2026-02-01T10:00:00.000Z')
const NOW_S = Math.floor(NOW.getTime() / 1000)

const config: StellarNetworkConfig = {
  network: NETWORK,
  horizonUrl: 'http://127.0.0.1:9', // never called by the parts under test
  networkPassphrase: PASSPHRASE,
  source: { address: treasury.publicKey(), path: "m/44'/148'/0'" },
  maxFeePerOpStroops: 1_000n,
}

const USDC: AssetRow = {
  id: `USDC@stellar:${NETWORK}`,
  code: 'USDC',
  scale: 7,
  rail: 'stellar',
  network: NETWORK,
  issuer,
} as AssetRow
const XLM: AssetRow = { id: `XLM@stellar:${NETWORK}`, code: 'XLM', scale: 7, rail: 'stellar', network: NETWORK, issuer: null } as AssetRow
const assets = new Map([USDC, XLM].map((a) => [a.id, a]))

function payout(id: string, recipient: string, amount: bigint, extra: Partial<PayoutRow> = {}): PayoutRow {
  return payoutRowForTest({
    id,
    batch_id: 'b1',
    rail: 'stellar',
    network: NETWORK,
    asset_id: USDC.id,
    recipient,
    amount: amount.toString(),
    ...extra,
  })
}

const payoutsOf = (): PayoutRow[] => [
  payout('p1', payees[0]!, 12_345_678n),
  payout('p2', payees[1]!, 1n),
  payout('p3', payees[2]!, 10_000_000n),
]

function chunkOf(payouts: readonly PayoutRow[], prepared: Partial<StellarPrepared> = {}): PlannedChunk {
  return {
    chunkIndex: 0,
    assetId: payouts[0]!.asset_id,
    payoutIds: payouts.map((p) => p.id),
    prepared: { feePerOp: '200', memo: null, ops: payouts.map(() => 'payment'), ...prepared } satisfies StellarPrepared,
  }
}

function deviceRail() {
  const rail = createStellarRail(config)
  if (!isDeviceRail(rail)) throw new Error('the Stellar rail signs on a device')
  return rail
}

function submission(over: Partial<RailSubmission>): RailSubmission {
  return railSubmissionForTest({
    id: 'b1:c0:a1',
    batch_id: 'b1',
    rail: 'stellar',
    network: NETWORK,
    state: 'planned',
    source: treasury.publicKey(),
    nonce: '42',
    idempotency_key: 'stellar:testnet:first',
    fee_cap: '600',
    payoutIds: ['p1', 'p2', 'p3'],
    ...over,
  })
}

const read = (payload: string): Transaction => TransactionBuilder.fromXDR(payload, PASSPHRASE) as Transaction

describe('Stellar build (pure)', () => {
  it('builds the envelope at the reserved sequence, the time bound from the engine clock, ops in payout order', () => {
    const rail = deviceRail()
    const payouts = payoutsOf()
    const built = rail.build({ batchId: 'b1', chunk: chunkOf(payouts), attempt: 1, payouts, assets, nonce: 42n, now: NOW })
    const tx = read(built.unsignedPayload)
    expect(tx.source).toBe(treasury.publicKey())
    expect(tx.sequence).toBe('42')
    expect(tx.timeBounds).toEqual({ minTime: '0', maxTime: String(NOW_S + 300) })
    expect(tx.fee).toBe('600')
    expect(tx.memo.type).toBe('none')
    expect(tx.operations.map((op) => [op.type, (op as { destination: string }).destination, (op as { amount: string }).amount])).toEqual([
      ['payment', payees[0], '1.2345678'],
      ['payment', payees[1], '0.0000001'],
      ['payment', payees[2], '1.0000000'],
    ])
    expect(built).toEqual({
      source: treasury.publicKey(),
      idempotencyKey: `stellar:${NETWORK}:${tx.hash().toString('hex')}`,
      unsignedPayload: built.unsignedPayload,
      feeCap: '600',
    })
    // Pure: the same input gives the same bytes.
    expect(rail.build({ batchId: 'b1', chunk: chunkOf(payouts), attempt: 1, payouts, assets, nonce: 42n, now: NOW })).toEqual(built)
  })

  it('create_account for an unfunded XLM payee, the memo in the envelope', () => {
    const rail = deviceRail()
    const payouts = [payout('x1', payees[0]!, 20_000_000n, { asset_id: XLM.id, memo: 'INV-7' })]
    const chunk = chunkOf(payouts, { memo: 'INV-7', ops: ['create_account'] })
    const tx = read(rail.build({ batchId: 'b1', chunk, attempt: 1, payouts, assets, nonce: 7n, now: NOW }).unsignedPayload)
    expect(tx.operations[0]).toMatchObject({ type: 'createAccount', destination: payees[0], startingBalance: '2.0000000' })
    expect(tx.memo.type).toBe('text')
    expect(tx.memo.value?.toString()).toBe('INV-7')
  })

  it('refuses to build without a reserved sequence, or with an asset it does not know', () => {
    const rail = deviceRail()
    const payouts = payoutsOf()
    expect(() => rail.build({ batchId: 'b1', chunk: chunkOf(payouts), attempt: 1, payouts, assets, nonce: null, now: NOW })).toThrow(
      /invariant: .*reserved sequence/,
    )
    expect(() =>
      rail.build({ batchId: 'b1', chunk: chunkOf(payouts), attempt: 1, payouts, assets: new Map(), nonce: 1n, now: NOW }),
    ).toThrow(expect.objectContaining({ code: 'ASSET_NOT_FOUND' }))
  })
})

describe('Stellar renumber (pure)', () => {
  it('same operations, memo, fee and key at the new sequence, with a fresh time bound', () => {
    const rail = deviceRail()
    const payouts = payoutsOf()
    const built = rail.build({
      batchId: 'b1',
      chunk: chunkOf(payouts, { memo: 'INV-9' }),
      attempt: 1,
      payouts,
      assets,
      nonce: 42n,
      now: NOW,
    })
    const later = new Date(NOW.getTime() + 60_000)
    const planned = submission({ unsigned_payload: built.unsignedPayload, idempotency_key: built.idempotencyKey, fee_cap: built.feeCap })
    const moved = rail.renumber(planned, 41n, later)
    const before = read(built.unsignedPayload)
    const after = read(moved.unsignedPayload)
    expect(after.sequence).toBe('41')
    expect(after.timeBounds?.maxTime).toBe(String(NOW_S + 60 + 300))
    expect(after.fee).toBe(before.fee)
    expect(after.memo.value?.toString()).toBe('INV-9')
    expect(after.operations).toEqual(before.operations)
    expect(moved).toMatchObject({ source: treasury.publicKey(), idempotencyKey: built.idempotencyKey, feeCap: built.feeCap })
    expect(after.hash().equals(before.hash())).toBe(false)
  })

  it('only a planned submission moves: a signed one is out there with its own sequence', () => {
    const rail = deviceRail()
    const payouts = payoutsOf()
    const built = rail.build({ batchId: 'b1', chunk: chunkOf(payouts), attempt: 1, payouts, assets, nonce: 42n, now: NOW })
    expect(() => rail.renumber(submission({ state: 'signed', unsigned_payload: built.unsignedPayload }), 41n, NOW)).toThrow(
      /invariant: renumber of a signed submission/,
    )
  })
})

describe('Stellar memo rule and grouping (pure)', () => {
  it("the payouts' own memo wins; else one shared reference that fits 28 bytes; else none", () => {
    const p = (id: string, memo: string | null, reference: string | null) => ({ id, memo, reference })
    expect(stellarMemoOf([p('a', 'DEPOSIT-1', 'INV-1'), p('b', 'DEPOSIT-1', 'INV-2')])).toBe('DEPOSIT-1')
    expect(stellarMemoOf([p('a', null, 'INV-2026-001'), p('b', null, 'INV-2026-001')])).toBe('INV-2026-001')
    expect(stellarMemoOf([p('a', null, 'INV-1'), p('b', null, 'INV-2')])).toBeNull()
    expect(stellarMemoOf([p('a', null, 'INV-1'), p('b', null, null)])).toBeNull()
    expect(stellarMemoOf([p('a', null, 'x'.repeat(28))])).toBe('x'.repeat(28))
    expect(stellarMemoOf([p('a', null, 'x'.repeat(29))])).toBeNull()
    // 14 accented letters are 28 bytes; 15 are 30: bytes count, not characters.
    expect(stellarMemoOf([p('a', null, 'é'.repeat(14))])).toBe('é'.repeat(14))
    expect(stellarMemoOf([p('a', null, 'é'.repeat(15))])).toBeNull()
    expect(stellarMemoOf([p('a', null, null)])).toBeNull()
  })

  it('groups by asset and memo in first-seen order, at most opsPerTx per transaction', () => {
    const list = [
      payout('a', payees[0]!, 1n, { memo: 'M1' }),
      payout('b', payees[1]!, 1n),
      payout('c', payees[2]!, 1n, { memo: 'M1' }),
      payout('d', payees[0]!, 1n, { asset_id: XLM.id }),
      payout('e', payees[1]!, 1n, { memo: 'M1' }),
    ]
    expect(groupStellarChunks(list, 2).map((g) => g.map((p) => p.id))).toEqual([['a', 'c'], ['e'], ['b'], ['d']])
  })
})

function signedSubmission(over: Partial<RailSubmission> = {}): RailSubmission {
  const rail = deviceRail()
  const payouts = [payout('p1', payees[0]!, 5n), payout('p2', payees[1]!, 6n)]
  const built = rail.build({ batchId: 'b1', chunk: chunkOf(payouts), attempt: 1, payouts, assets, nonce: 42n, now: NOW })
  const tx = read(built.unsignedPayload)
  tx.sign(treasury)
  return submission({
    state: 'broadcast',
    unsigned_payload: built.unsignedPayload,
    signed_payload: tx.toEnvelope().toXDR('base64'),
    tx_hash: tx.hash().toString('hex'),
    payoutIds: ['p1', 'p2'],
    ...over,
  })
}

function resultXdr(txCode: 'txSuccess' | 'txFailed', ops: xdr.PaymentResult[]): string {
  const results = ops.map((r) => xdr.OperationResult.opInner(xdr.OperationResultTr.payment(r)))
  return new xdr.TransactionResult({
    feeCharged: xdr.Int64.fromString('200'),
    result: xdr.TransactionResultResult[txCode](results),
    ext: new xdr.TransactionResultExt(0),
  }).toXDR('base64')
}

function record(successful: boolean, result: string): HorizonTransaction {
  return {
    hash: 'h',
    ledger: 77,
    successful,
    fee_charged: '200',
    source_account: treasury.publicKey(),
    source_account_sequence: '42',
    result_xdr: result,
    created_at: NOW.toISOString(),
  }
}

describe('Stellar classify (pure)', () => {
  const rail = deviceRail()
  const seen = (o: StellarObservation): unknown => o

  it('in a closed ledger and successful: confirmed, operation i pays payoutIds[i], the fee in XLM', () => {
    const s = signedSubmission()
    const ok = resultXdr('txSuccess', [xdr.PaymentResult.paymentSuccess(), xdr.PaymentResult.paymentSuccess()])
    expect(rail.classify(s, seen({ record: record(true, ok), provablyDead: false, deadReason: null }))).toEqual({
      kind: 'confirmed',
      blockNumber: '77',
      blockHash: 'ledger:77',
      feePaid: 200n,
      feeAssetId: XLM.id,
      payouts: [
        { payoutId: 'p1', logIndex: 0 },
        { payoutId: 'p2', logIndex: 1 },
      ],
    })
  })

  it('landed and failed: the first failed operation names the payee and the asset; its fee was charged', () => {
    const s = signedSubmission()
    const failed = resultXdr('txFailed', [xdr.PaymentResult.paymentSuccess(), xdr.PaymentResult.paymentNoTrust()])
    const verdict = rail.classify(s, seen({ record: record(false, failed), provablyDead: false, deadReason: null }))
    expect(verdict).toMatchObject({ kind: 'failed', code: 'STELLAR_NO_TRUST', feePaid: 200n, blockNumber: '77' })
    expect(verdict.kind === 'failed' && verdict.reason).toBe(
      `Operation 2 of 2: ${payees[1]} has no trustline for USDC — ask the payee to add one, then retry. No operation of this transaction was applied; its fee was charged.`,
    )
  })

  it('not in the ledger: the SAME envelope again; provably never: dead', () => {
    const s = signedSubmission()
    expect(rail.classify(s, seen({ record: null, provablyDead: false, deadReason: null }))).toEqual({
      kind: 'pending',
      rebroadcast: true,
      seenByNetwork: false,
    })
    expect(rail.classify(s, seen({ record: null, provablyDead: true, deadReason: 'its time bound passed' }))).toEqual({
      kind: 'dead',
      reason: 'its time bound passed',
      code: 'STELLAR_EXPIRED',
    })
  })

  it('a confirmed submission is final; classifying a planned one is a bug', () => {
    expect(rail.classify(signedSubmission({ state: 'confirmed' }), null)).toEqual({ kind: 'unchanged' })
    expect(() => rail.classify(signedSubmission({ state: 'planned' }), null)).toThrow(/invariant: classify of a planned/)
  })
})

describe('Stellar rail shape', () => {
  it('signs on the Stellar app, names its ordering number "sequence", and its nonce floor is Horizon sequence + 1', async () => {
    const horizon = { account: async () => ({ id: treasury.publicKey(), sequence: '41', subentry_count: 0, balances: [] }) }
    const rail = createStellarRail(config, { horizon: horizon as unknown as HorizonClient })
    expect(rail.capabilities).toMatchObject({
      signer: 'stellar',
      verifiesSourceAddress: true,
      externalSigning: true,
      nonceName: 'sequence',
    })
    expect(rail.head).toBeUndefined()
    expect(await rail.nonceFloor(treasury.publicKey())).toBe(42n)
    const missing = createStellarRail(config, { horizon: { account: async () => null } as unknown as HorizonClient })
    await expect(missing.nonceFloor(treasury.publicKey())).rejects.toMatchObject({ code: 'PREFLIGHT_FAILED' })
    // The memo a text memo holds, for the record: Memo.text refuses more than 28 bytes itself.
    expect(() => Memo.text('x'.repeat(29))).toThrow()
  })
})
