/**
 * The Stellar escrow build with no Horizon at all: the idempotency key, the claimant windows
 * (a deadline with milliseconds opens at the next whole second and closes at the one before),
 * balance ids by milestone equal to the SDK's, a refund that claims only what is still on the
 * rail, and the same bytes for the same input.
 */
import { Keypair, Networks, TransactionBuilder, type Operation, type Transaction } from '@stellar/stellar-base'
import { describe, expect, it } from 'vitest'
import type { AssetRow } from '../../../db/schema'
import type { EscrowOp, EscrowOpInput, EscrowTerms } from '../../EscrowRail'
import { createStellarEscrowRail } from './createStellarEscrowRail'
import type { StellarEscrowPrepared } from './buildStellarEscrowTx'

const NETWORK = 'testnet'
const treasury = Keypair.random().publicKey()
const payee = Keypair.random().publicKey()
const NOW = new Date('2026-02-01T10:00:00.000Z')
const rail = createStellarEscrowRail({
  network: NETWORK,
  horizonUrl: 'http://127.0.0.1:9', // never called by build
  networkPassphrase: Networks.TESTNET,
  source: { address: treasury, path: "m/44'/148'/0'" },
  maxFeePerOpStroops: 1_000n,
})
const XLM = { id: `XLM@stellar:${NETWORK}`, code: 'XLM', scale: 7, rail: 'stellar', network: NETWORK, issuer: null } as AssetRow
const terms: EscrowTerms = {
  escrowId: 'e1',
  railEscrowId: 'e1',
  assetId: XLM.id,
  payer: treasury,
  payee,
  milestones: [
    { index: 1, amount: 12_345_678n, releaseAfter: new Date('2026-02-02T10:00:00.250Z'), railRef: `00000000${'a'.repeat(64)}` },
    { index: 2, amount: 1n, releaseAfter: new Date('2026-02-03T10:00:00.000Z'), railRef: `00000000${'b'.repeat(64)}` },
  ],
  expiresAt: new Date('2026-03-01T10:00:00.900Z'),
  fundingCharge: null,
}
const prepared: StellarEscrowPrepared = { feePerOp: '200', onRail: null }
const input = (op: EscrowOp): EscrowOpInput => ({ terms, op, assets: new Map([[XLM.id, XLM]]), actionId: 'a1', attempt: 2 })
const read = (xdr: string): Transaction => TransactionBuilder.fromXDR(xdr, Networks.TESTNET) as Transaction

describe('Stellar escrow build (pure)', () => {
  it('funds one claimable balance per milestone with the payee window and the treasury unconditional', () => {
    const built = rail.build(input({ kind: 'fund' }), prepared, 42n, NOW)
    const tx = read(built.unsignedPayload)
    expect(built.idempotencyKey).toBe(`escrow:stellar:${NETWORK}:a1:2`)
    expect(built.feeCap).toBe('400')
    expect(tx.sequence).toBe('42')
    expect(tx.timeBounds).toEqual({ minTime: '0', maxTime: String(NOW.getTime() / 1000 + 300) })
    expect([...built.railRefs]).toEqual([
      [1, tx.getClaimableBalanceId(0)],
      [2, tx.getClaimableBalanceId(1)],
    ])
    const op = tx.operations[0] as Operation.CreateClaimableBalance
    expect(op.amount).toBe('1.2345678')
    const [toPayee, toTreasury] = op.claimants
    expect(toPayee!.destination).toBe(payee)
    const and = toPayee!.predicate.andPredicates()
    expect(and[0]!.notPredicate()!.absBefore().toString()).toBe(String(Date.parse('2026-02-02T10:00:01Z') / 1000))
    expect(and[1]!.absBefore().toString()).toBe(String(Date.parse('2026-03-01T10:00:00Z') / 1000))
    expect(toTreasury!.destination).toBe(treasury)
    expect(toTreasury!.predicate.switch().name).toBe('claimPredicateUnconditional')
    expect(rail.build(input({ kind: 'fund' }), prepared, 42n, NOW)).toEqual(built)
  })

  it("a funding is valid until the escrow's expiry at the latest, and is not built once too late to land", () => {
    // 100 s before the expiry: the time bound stops at the expiry's whole second, not 300 s on.
    const late = new Date(terms.expiresAt.getTime() - 100_000)
    const fund = read(rail.build(input({ kind: 'fund' }), prepared, 42n, late).unsignedPayload)
    expect(fund.timeBounds!.maxTime).toBe(String(Math.floor(terms.expiresAt.getTime() / 1000)))
    // Other operations keep the usual bound (a refund after the expiry must still go through).
    const release = read(rail.build(input({ kind: 'release', milestone: 2 }), prepared, 43n, late).unsignedPayload)
    expect(release.timeBounds!.maxTime).toBe(String(Math.floor(late.getTime() / 1000) + 300))
    // Within the expiry's last second, or after it: refused with a sentence, nothing built.
    for (const at of [new Date('2026-03-01T10:00:00.100Z'), new Date('2026-03-02T00:00:00Z')]) {
      expect(() => rail.build(input({ kind: 'fund' }), prepared, 42n, at)).toThrow(
        expect.objectContaining({
          code: 'ESCROW_STATE',
          message: expect.stringMatching(/too soon for its funding to land — nothing was sent/),
        }),
      )
    }
  })

  it('release claims back and pays in one transaction; dispute only claims back', () => {
    const release = read(rail.build(input({ kind: 'release', milestone: 2 }), prepared, 43n, NOW).unsignedPayload)
    expect(release.operations.map((o) => o.type)).toEqual(['claimClaimableBalance', 'payment'])
    expect((release.operations[0] as Operation.ClaimClaimableBalance).balanceId).toBe(terms.milestones[1]!.railRef)
    expect(release.operations[1]).toMatchObject({ destination: payee, amount: '0.0000001' })
    const dispute = read(rail.build(input({ kind: 'dispute', milestone: 1 }), prepared, 44n, NOW).unsignedPayload)
    expect(dispute.operations.map((o) => o.type)).toEqual(['claimClaimableBalance'])
  })

  it('resolve pays only the payee part (none: no transaction); refund claims what is still on the rail', () => {
    expect(rail.needsTx(terms, { kind: 'resolve', milestone: 1, toPayee: 0n, toPayer: 12_345_678n })).toBe(false)
    const resolve = read(
      rail.build(input({ kind: 'resolve', milestone: 1, toPayee: 8_641_975n, toPayer: 3_703_703n }), prepared, 45n, NOW).unsignedPayload,
    )
    expect(resolve.operations).toMatchObject([{ type: 'payment', destination: payee, amount: '0.8641975' }])
    expect(() => rail.build(input({ kind: 'resolve', milestone: 1, toPayee: 1n, toPayer: 1n }), prepared, 45n, NOW)).toThrow(
      /does not split/,
    )
    const refund = read(rail.build(input({ kind: 'refund', milestones: [1, 2] }), { ...prepared, onRail: [2] }, 46n, NOW).unsignedPayload)
    expect(refund.operations.map((o) => (o as Operation.ClaimClaimableBalance).balanceId)).toEqual([terms.milestones[1]!.railRef])
  })
})
