/** seedDefaultAssets, addAsset, getAsset, listAssets, addAccount, getAccount, listAccounts. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { listAuditRows } from '../audit/listAuditRows'
import { addAccount } from './addAccount'
import { addAsset } from './addAsset'
import { getAccount } from './getAccount'
import { getAsset } from './getAsset'
import { getBalances } from './getBalances'
import { listAccounts } from './listAccounts'
import { listAssets } from './listAssets'
import { seedDefaultAssets } from './seedDefaultAssets'
import { errorOf, openTestLedger, snapshotLedger, TEST_ACTOR, type TestLedger } from './testKit'

let t: TestLedger
beforeEach(async () => {
  t = await openTestLedger({ seed: false })
})
afterEach(async () => {
  await t.close()
})

describe('seedDefaultAssets', () => {
  it('seeds the ten default assets once, audited as the system', async () => {
    expect(await seedDefaultAssets(t.ctx)).toHaveLength(10)
    const byId = new Map((await listAssets(t.ctx)).map((a) => [a.id, a]))
    expect([...byId.keys()].sort()).toEqual(
      [
        'BHD@stripe',
        'ETH@evm:1',
        'ETH@evm:8453',
        'EUR@stripe',
        'JPY@stripe',
        'USD@stripe',
        'USDC@evm:1',
        'USDC@evm:8453',
        'USDC@stellar:pubnet',
        'XLM@stellar:pubnet',
      ].sort(),
    )
    expect(byId.get('USDC@evm:1')).toMatchObject({
      scale: 6,
      rail: 'evm',
      network: '1',
      issuer: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48',
    })
    expect(byId.get('USDC@evm:8453')).toMatchObject({ scale: 6, issuer: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913' })
    expect(byId.get('ETH@evm:8453')).toMatchObject({ scale: 18, issuer: null })
    expect(byId.get('USDC@stellar:pubnet')).toMatchObject({ scale: 7, issuer: 'GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN' })
    expect(byId.get('XLM@stellar:pubnet')).toMatchObject({ scale: 7, issuer: null })
    expect(['USD', 'EUR', 'JPY', 'BHD'].map((c) => byId.get(`${c}@stripe`)!.scale)).toEqual([2, 2, 0, 3])
    expect((await listAuditRows(t.ctx, {})).rows).toMatchObject([{ actor: 'system', action: 'assets.seed' }])
    const before = await snapshotLedger(t.ctx)
    expect(await seedDefaultAssets(t.ctx)).toEqual([])
    expect(await snapshotLedger(t.ctx)).toEqual(before)
  })

  it('does not seed into a registry that already has assets', async () => {
    await addAsset(t.ctx, TEST_ACTOR, {
      code: 'USDC',
      scale: 6,
      rail: 'evm',
      network: '31337',
      issuer: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
    })
    expect(await seedDefaultAssets(t.ctx)).toEqual([])
    expect((await listAssets(t.ctx)).map((a) => a.id)).toEqual(['USDC@evm:31337'])
  })
})

describe('addAsset', () => {
  beforeEach(async () => {
    await seedDefaultAssets(t.ctx)
  })

  it('derives the id, defaults the name to the code, and audits', async () => {
    expect(await addAsset(t.ctx, TEST_ACTOR, { code: 'GBP', scale: 2, rail: 'stripe', network: 'stripe' })).toEqual({
      id: 'GBP@stripe',
      code: 'GBP',
      name: 'GBP',
      scale: 2,
      rail: 'stripe',
      network: 'stripe',
      issuer: null,
    })
    expect((await getAsset(t.ctx, 'GBP@stripe')).scale).toBe(2)
    expect((await listAuditRows(t.ctx, { subject: 'asset:GBP@stripe' })).rows[0]).toMatchObject({ actor: TEST_ACTOR, action: 'assets.add' })
  })

  it('refuses a duplicate id, or the same token under another id (EVM addresses in any case)', async () => {
    expect((await errorOf(() => addAsset(t.ctx, TEST_ACTOR, { code: 'ETH', scale: 18, rail: 'evm', network: '1' }))).code).toBe(
      'ASSET_EXISTS',
    )
    const twin = await errorOf(() =>
      addAsset(t.ctx, TEST_ACTOR, {
        id: 'usdc-mainnet',
        code: 'USDC',
        scale: 6,
        rail: 'evm',
        network: '1',
        issuer: '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48',
      }),
    )
    expect(twin.code).toBe('ASSET_EXISTS')
    expect(twin.message).toContain('"USDC@evm:1"')
  })

  it('refuses invalid codes and scales', async () => {
    expect((await errorOf(() => addAsset(t.ctx, TEST_ACTOR, { code: 'usdc', scale: 6, rail: 'evm', network: '10' }))).code).toBe(
      'INVALID_INPUT',
    )
    expect((await errorOf(() => addAsset(t.ctx, TEST_ACTOR, { code: 'X', scale: 37, rail: 'evm', network: '10' }))).code).toBe(
      'INVALID_INPUT',
    )
    expect((await errorOf(() => addAsset(t.ctx, TEST_ACTOR, { code: 'X', scale: 1.5, rail: 'evm', network: '10' }))).code).toBe(
      'INVALID_INPUT',
    )
    expect((await errorOf(() => getAsset(t.ctx, 'NOPE@evm:1'))).code).toBe('ASSET_NOT_FOUND')
  })
})

describe('addAccount', () => {
  beforeEach(async () => {
    await seedDefaultAssets(t.ctx)
  })

  it('opens the account with a zero balances row, audits it and announces it', async () => {
    const acc = await addAccount(t.ctx, TEST_ACTOR, {
      id: 'treasury-base',
      name: ' Treasury (Base) ',
      kind: 'treasury',
      assetId: 'USDC@evm:8453',
      address: '0xabc',
    })
    expect(acc).toEqual({
      id: 'treasury-base',
      name: 'Treasury (Base)',
      kind: 'treasury',
      assetId: 'USDC@evm:8453',
      address: '0xabc',
      allowNegative: false,
      createdAt: '2026-01-15T09:00:00.000Z',
    })
    expect(await getBalances(t.ctx, {})).toEqual([
      expect.objectContaining({
        accountId: 'treasury-base',
        debitsPosted: '0.000000',
        creditsPosted: '0.000000',
        debitsPending: '0.000000',
        creditsPending: '0.000000',
        balance: '0.000000',
      }),
    ])
    expect((await listAuditRows(t.ctx, { subject: 'account:treasury-base' })).rows[0]).toMatchObject({
      action: 'ledger.accounts.add',
      actor: TEST_ACTOR,
    })
    expect(t.events.at(-1)).toEqual({ event: 'ledger.changed', payload: { accountIds: ['treasury-base'] } })
  })

  it('defaults allowNegative per kind: only clearing and external may go below zero', async () => {
    const kinds = ['treasury', 'escrow', 'payee', 'fees', 'clearing', 'external'] as const
    const got: boolean[] = []
    for (const kind of kinds)
      got.push((await addAccount(t.ctx, TEST_ACTOR, { id: `a-${kind}`, name: kind, kind, assetId: 'USD@stripe' })).allowNegative)
    expect(got).toEqual([false, false, false, false, true, true])
    expect(
      (await addAccount(t.ctx, TEST_ACTOR, { id: 'strict-ext', name: 'x', kind: 'external', assetId: 'USD@stripe', allowNegative: false }))
        .allowNegative,
    ).toBe(false)
    expect(
      (await addAccount(t.ctx, TEST_ACTOR, { id: 'loose-fees', name: 'x', kind: 'fees', assetId: 'USD@stripe', allowNegative: true }))
        .allowNegative,
    ).toBe(true)
  })

  it('never lets a treasury or escrow account allow negative balances', async () => {
    expect(
      (
        await errorOf(() =>
          addAccount(t.ctx, TEST_ACTOR, { id: 'x', name: 'x', kind: 'treasury', assetId: 'USD@stripe', allowNegative: true }),
        )
      ).code,
    ).toBe('INVALID_INPUT')
    expect(
      (
        await errorOf(() =>
          addAccount(t.ctx, TEST_ACTOR, { id: 'y', name: 'y', kind: 'escrow', assetId: 'USD@stripe', allowNegative: true }),
        )
      ).code,
    ).toBe('INVALID_INPUT')
  })

  it('refuses a duplicate id and an unknown asset, changing nothing', async () => {
    await addAccount(t.ctx, TEST_ACTOR, { id: 'acc', name: 'x', kind: 'payee', assetId: 'USD@stripe' })
    const before = await snapshotLedger(t.ctx)
    expect((await errorOf(() => addAccount(t.ctx, TEST_ACTOR, { id: 'acc', name: 'x', kind: 'payee', assetId: 'EUR@stripe' }))).code).toBe(
      'ACCOUNT_EXISTS',
    )
    expect(
      (await errorOf(() => addAccount(t.ctx, TEST_ACTOR, { id: 'acc2', name: 'x', kind: 'payee', assetId: 'NOPE@stripe' }))).code,
    ).toBe('ASSET_NOT_FOUND')
    expect(
      (await errorOf(() => addAccount(t.ctx, TEST_ACTOR, { id: 'has space', name: 'x', kind: 'payee', assetId: 'USD@stripe' }))).code,
    ).toBe('INVALID_INPUT')
    expect(await snapshotLedger(t.ctx)).toEqual(before)
    expect((await errorOf(() => getAccount(t.ctx, 'acc2'))).code).toBe('ACCOUNT_NOT_FOUND')
  })

  it('lists accounts by kind and asset', async () => {
    await addAccount(t.ctx, TEST_ACTOR, { id: 'p-usd', name: 'x', kind: 'payee', assetId: 'USD@stripe' })
    await addAccount(t.ctx, TEST_ACTOR, { id: 't-usd', name: 'x', kind: 'treasury', assetId: 'USD@stripe' })
    await addAccount(t.ctx, TEST_ACTOR, { id: 'p-eur', name: 'x', kind: 'payee', assetId: 'EUR@stripe' })
    expect((await listAccounts(t.ctx, {})).map((a) => a.id)).toEqual(['p-eur', 'p-usd', 't-usd'])
    expect((await listAccounts(t.ctx, { kind: 'payee' })).map((a) => a.id)).toEqual(['p-eur', 'p-usd'])
    expect((await listAccounts(t.ctx, { assetId: 'USD@stripe', kind: 'treasury' })).map((a) => a.id)).toEqual(['t-usd'])
  })
})
