/**
 * Helpers of the escrow tests on Stellar (the sandbox's Horizon-compatible harness): reading
 * Horizon, the USDC of an account, the treasury-sponsored claimable balances, and a payee's own
 * claim of its balance signed with its key (no Countersign process involved).
 */
import { createHash } from 'node:crypto'
import { Keypair } from '@stellar/stellar-base'
import { expect } from 'vitest'
import { SANDBOX_STELLAR_ISSUER, SANDBOX_STELLAR_TREASURY } from '../../src/main/sandbox/sandboxPlan'
import type { Sandbox } from '../../src/main/sandbox/sandboxUp'
import { minorOf } from './escrowCrashKit'

/** Decimals of a Stellar asset (stroops). */
export const STELLAR_SCALE = 7
export const USDC_ON_HORIZON = `USDC:${SANDBOX_STELLAR_ISSUER}`
/** Live balances the treasury sponsors, at most, in one page. */
export const BALANCES_PAGE_MAX = 200

export interface HorizonBalance {
  asset_type: string
  asset_code?: string
  asset_issuer?: string
  balance: string
}
export interface HorizonAccount {
  balances: HorizonBalance[]
  num_sponsoring?: number
  sequence: string
}

/** The sandbox's Horizon URL and network passphrase. */
export function horizonOf(sb: Sandbox): { horizon: string; passphrase: string } {
  const service = sb.description.services.horizon!
  return { horizon: String(service.horizonUrl), passphrase: String(service.networkPassphrase) }
}

/** A Horizon read that must answer 200. */
export async function getJson<T>(horizon: string, p: string): Promise<T> {
  const res = await fetch(`${horizon}${p}`)
  expect(res.status, p).toBe(200)
  return (await res.json()) as T
}

export const accountOf = (horizon: string, id: string): Promise<HorizonAccount> => getJson<HorizonAccount>(horizon, `/accounts/${id}`)

/** An account's USDC (of the sandbox issuer), in stroops. */
export function usdcIn(a: Pick<HorizonAccount, 'balances'>): bigint {
  const line = a.balances.find((b) => b.asset_code === 'USDC' && b.asset_issuer === SANDBOX_STELLAR_ISSUER)
  return minorOf(line!.balance, STELLAR_SCALE)
}

/** An account's USDC on the network, in stroops. */
export async function usdcOnNetwork(horizon: string, account: string): Promise<bigint> {
  return usdcIn(await accountOf(horizon, account))
}

/**
 * The live USDC claimable balances the treasury sponsors (created), by id. With `expectFitsPage`
 * the page must not be full (nothing left unread).
 */
export async function treasuryBalances(horizon: string, o: { expectFitsPage?: boolean } = {}): Promise<Map<string, bigint>> {
  const page = await getJson<{ _embedded: { records: { id: string; asset: string; amount: string }[] } }>(
    horizon,
    `/claimable_balances?sponsor=${SANDBOX_STELLAR_TREASURY}&limit=${BALANCES_PAGE_MAX}`,
  )
  if (o.expectFitsPage) expect(page._embedded.records.length).toBeLessThan(BALANCES_PAGE_MAX)
  return new Map(page._embedded.records.filter((r) => r.asset === USDC_ON_HORIZON).map((r) => [r.id, minorOf(r.amount, STELLAR_SCALE)]))
}

/** A sandbox payee's key, derived from its public phrase (sandboxPlan.ts), TEST ONLY. */
export function sandboxPayeeKey(name: string): Keypair {
  return Keypair.fromRawEd25519Seed(createHash('sha256').update(`countersign sandbox stellar ${name}`).digest())
}

export { claimAsPayee } from './stellarPayeeClaim'
