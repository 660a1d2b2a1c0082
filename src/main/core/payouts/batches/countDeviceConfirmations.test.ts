/**
 * How many device confirmations a batch will take, per rail: the pure count (grouped the way the
 * rails' planning groups) and the same count on a real batch's detail (batches.get), which is
 * what the app shows beside Execute and `batches show --json` prints.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { RailsConfigSetting } from '../../../../shared/payoutsApi'
import { payoutRowForTest } from '../../rails/railTestRows'
import { ALICE, PAYEES, TREASURY_ADDRESS, USDC, openDesk, type Desk } from './testKit'
import { countDeviceConfirmations, type CountedPayout } from './countDeviceConfirmations'

const XLM = 'XLM@stellar:pubnet'
const STELLAR_PAYEES = [
  'GCNCEJIAZ5D3APIF5XWAJ3JSSTHM4HPHE7GK3NAB6R6WWSZDB2A2BQ5B',
  'GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN',
]
const NO_RAILS: RailsConfigSetting = {}
const ASSETS = new Map([
  [USDC, { issuer: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913' }],
  ['ETH@evm:8453', { issuer: null }],
  [XLM, { issuer: null }],
  ['USD@stripe', { issuer: null }],
])

function stellar(n: number, memo: (i: number) => string | null, state = 'pending'): CountedPayout[] {
  return Array.from({ length: n }, (_, i) =>
    payoutRowForTest({ id: `s${i}`, rail: 'stellar', network: 'pubnet', asset_id: XLM, recipient: 'G', amount: '1', memo: memo(i), state }),
  )
}
function evm(n: number, assetId = USDC): CountedPayout[] {
  return Array.from({ length: n }, (_, i) =>
    payoutRowForTest({ id: `e${assetId}${i}`, rail: 'evm', network: '8453', asset_id: assetId, recipient: '0x', amount: '1' }),
  )
}
function stripe(n: number): CountedPayout[] {
  return Array.from({ length: n }, (_, i) =>
    payoutRowForTest({ id: `t${i}`, rail: 'stripe', network: 'stripe', asset_id: 'USD@stripe', recipient: 'acct_1', amount: '1' }),
  )
}

describe('countDeviceConfirmations (pure)', () => {
  it('Stellar payouts sharing one memo go in one transaction: one confirmation', () => {
    const [plan] = countDeviceConfirmations({ payouts: stellar(25, () => 'INV-2026-03'), assets: ASSETS, rails: NO_RAILS })
    expect(plan).toEqual({
      rail: 'stellar',
      network: 'pubnet',
      payouts: 25,
      transactions: 1,
      deviceConfirmations: 1,
      deviceConfirmationsIfShared: 1,
      distinctMemos: 1,
      precision: 'exact',
    })
  })

  it('Stellar payouts with 25 distinct memos force one transaction each: 25 confirmations instead of 1', () => {
    const [plan] = countDeviceConfirmations({ payouts: stellar(25, (i) => `tag-${i}`), assets: ASSETS, rails: NO_RAILS })
    expect(plan).toMatchObject({ transactions: 25, deviceConfirmations: 25, deviceConfirmationsIfShared: 1, distinctMemos: 25 })
  })

  it('Stellar without memos fills transactions up to the network setting opsPerTxMax (default 100)', () => {
    expect(countDeviceConfirmations({ payouts: stellar(250, () => null), assets: ASSETS, rails: NO_RAILS })[0]).toMatchObject({
      deviceConfirmations: 3,
      distinctMemos: 0,
    })
    const rails: RailsConfigSetting = {
      stellar: {
        networks: [
          {
            network: 'pubnet',
            horizonUrl: 'http://127.0.0.1:9/',
            networkPassphrase: 'Public Global Stellar Network ; September 2015',
            source: { address: STELLAR_PAYEES[0]!, path: "44'/148'/0'" },
            maxFeePerOpStroops: '1000',
            opsPerTxMax: 10,
          },
        ],
      },
    }
    expect(countDeviceConfirmations({ payouts: stellar(25, () => null), assets: ASSETS, rails })[0]).toMatchObject({
      transactions: 3,
      deviceConfirmations: 3,
      deviceConfirmationsIfShared: 3,
    })
  })

  it('EVM: one transaction per asset up to the chain chunk limit; a lower bound (the node may split a chunk)', () => {
    expect(countDeviceConfirmations({ payouts: [...evm(3), ...evm(2, 'ETH@evm:8453')], assets: ASSETS, rails: NO_RAILS })).toEqual([
      {
        rail: 'evm',
        network: '8453',
        payouts: 5,
        transactions: 2,
        deviceConfirmations: 2,
        deviceConfirmationsIfShared: 2,
        distinctMemos: 0,
        precision: 'atLeast',
      },
    ])
    const rails: RailsConfigSetting = {
      evm: {
        chains: [
          {
            chainId: 8453,
            rpcUrl: 'http://127.0.0.1:9/',
            batchContract: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
            confirmationsMin: 2,
            maxFeePerGasCap: '500000000000',
            source: { address: TREASURY_ADDRESS, path: "44'/60'/0'/0/0" },
            payoutsPerChunkMax: 2,
          },
        ],
      },
    }
    expect(countDeviceConfirmations({ payouts: evm(5), assets: ASSETS, rails })[0]).toMatchObject({
      transactions: 3,
      deviceConfirmations: 3,
    })
  })

  it('Stripe: one transfer per payout and nothing to confirm on a device', () => {
    expect(countDeviceConfirmations({ payouts: stripe(4), assets: ASSETS, rails: NO_RAILS })).toEqual([
      {
        rail: 'stripe',
        network: 'stripe',
        payouts: 4,
        transactions: 4,
        deviceConfirmations: 0,
        deviceConfirmationsIfShared: 0,
        distinctMemos: 0,
        precision: 'exact',
      },
    ])
  })

  it('counts only what is still to send: confirmed payouts none, failed ones one transaction per failed submission', () => {
    const confirmed = stellar(3, () => 'same', 'confirmed')
    const failed = stellar(4, () => 'same', 'failed').map((p, i) => ({ ...p, id: `f${i}`, submission_id: i < 2 ? 'sub-a' : 'sub-b' }))
    expect(countDeviceConfirmations({ payouts: confirmed, assets: ASSETS, rails: NO_RAILS })).toEqual([])
    expect(countDeviceConfirmations({ payouts: [...confirmed, ...failed], assets: ASSETS, rails: NO_RAILS })[0]).toMatchObject({
      payouts: 4,
      deviceConfirmations: 2,
    })
  })
})

describe('signingPlan on the batch detail (batches.get)', () => {
  let desk: Desk | undefined
  afterEach(async () => {
    await desk?.close()
    desk = undefined
  })

  it('a mixed batch says per rail how many device confirmations it needs', async () => {
    desk = await openDesk()
    const batch = await desk.as(ALICE, 'batches.create', { name: 'Mixed' })
    await desk.as(ALICE, 'batches.rows.add', {
      id: batch.id,
      rows: [
        { assetId: USDC, recipient: PAYEES[0], amount: '10.00' },
        { assetId: USDC, recipient: PAYEES[1], amount: '20.00' },
        { assetId: XLM, recipient: STELLAR_PAYEES[0]!, amount: '1', memo: 'tag-1' },
        { assetId: XLM, recipient: STELLAR_PAYEES[1]!, amount: '2', memo: 'tag-2' },
        { assetId: XLM, recipient: STELLAR_PAYEES[1]!, amount: '3', memo: 'tag-3' },
      ],
    })
    const detail = await desk.as(ALICE, 'batches.get', { id: batch.id })
    expect(detail.signingPlan).toEqual([
      expect.objectContaining({ rail: 'evm', network: '8453', payouts: 2, deviceConfirmations: 1, precision: 'atLeast' }),
      expect.objectContaining({ rail: 'stellar', network: 'pubnet', payouts: 3, deviceConfirmations: 3, deviceConfirmationsIfShared: 1 }),
    ])
  })
})
