/**
 * What a sandbox workspace holds: seeded operators, local-network assets, accounts and opening
 * balances. Pure data, so the seed is the same on every machine and every run — which is what
 * makes `sandbox up` a replay, not a double post, the second time.
 *
 * Payee addresses are the deterministic ones of Anvil's default mnemonic ("test test … junk");
 * the treasury is the device emulator's first Ethereum account, funded by the Anvil service.
 */
import type { AccountKind, Rail, Role } from '../../shared/blocks'
import { unreachable } from '../core/util/invariant'

export interface SandboxOperatorSeed {
  name: string
  roles: Role[]
}

export interface SandboxAssetSeed {
  /** The id the asset gets ("USDC@evm:31337"); must equal the core's default id for it. */
  id: string
  code: string
  name: string
  scale: number
  rail: Rail
  network: string
  issuer: string | null
  /** Short, id-safe name for account ids: "usdc-evm31337". */
  slug: string
  /** Opening balance of the treasury, as an exact decimal string. */
  opening: string
  /** Address of the treasury wallet on the rail, when the sandbox knows it. */
  treasuryAddress: string | null
}

export interface SandboxAccountSeed {
  id: string
  name: string
  kind: AccountKind
  assetId: string
  address: string | null
}

export interface SandboxEntrySeed {
  id: string
  date: string
  description: string
  postings: { account: string; debit?: string; credit?: string }[]
  metadata: Record<string, string>
}

/** The admin who seeds everything else; the first operator of a sandbox workspace. */
export const SANDBOX_ADMIN_NAME = 'Dana Admin'

/**
 * The sandbox's demo passphrases (documented in README and printed by `sandbox up --json`): the
 * operator's first name, lower case, then "-demo-passphrase" — "alice-demo-passphrase". Only a
 * sandbox uses them; a real workspace's operators choose their own at first unlock.
 */
export function demoPassphrase(nameOrId: string): string {
  return `${nameOrId.trim().split(/[\s-]/)[0]!.toLowerCase()}-demo-passphrase`
}

export const SANDBOX_OPERATORS: readonly SandboxOperatorSeed[] = [
  { name: SANDBOX_ADMIN_NAME, roles: ['admin'] },
  { name: 'Alice Preparer', roles: ['preparer'] },
  { name: 'Bob Approver', roles: ['approver'] },
  { name: 'Carol Signer', roles: ['signer'] },
]

/** Anvil's chain id. */
export const ANVIL_CHAIN_ID = 31337
/** Anvil default accounts 0–3 (mnemonic "test test test test test test test test test test test junk"). */
export const ANVIL_ACCOUNTS = [
  '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
  '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
  '0x90F79bf6EB2c4f870365E785982E1f101E93b906',
] as const
/**
 * The sandbox treasury on Anvil: m/44'/60'/0'/0/0 of the device emulator's public Speculos test
 * seed (SPECULOS_TEST_MNEMONIC), so the emulator signs for it exactly as a Ledger would. The Anvil
 * service funds it with the opening balances below; Anvil's dev accounts only deploy and receive.
 */
export const SANDBOX_EVM_TREASURY = '0xDad77910DbDFdE764fC21FCD4E74D71bBACA6D8D'
/**
 * Where the first contract deployed by Anvil account 0 at nonce 0 lands. The Anvil service must
 * deploy the sandbox USDC token first, so the registered issuer is its real address.
 */
export const ANVIL_FIRST_CONTRACT = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
/** The sandbox's Stellar network: the local Horizon-compatible harness (harness/stellar). */
export const SANDBOX_STELLAR_NETWORK = 'standalone'
/**
 * The sandbox Stellar treasury: m/44'/148'/0' of the device emulator's public Speculos test seed,
 * so the emulator signs for it as a Ledger would.
 */
export const SANDBOX_STELLAR_TREASURY = 'GCNCEJIAZ5D3APIF5XWAJ3JSSTHM4HPHE7GK3NAB6R6WWSZDB2A2BQ5B'
/**
 * The sandbox USDC issuer and payees: keys derived from fixed public phrases (sha256 of
 * "countersign sandbox stellar <name>", TEST ONLY), so every sandbox has the same addresses.
 */
export const SANDBOX_STELLAR_ISSUER = 'GCXCVVLUDDPNOKIRZKHBKIQY3XGY3XMC4AP76MXD3HZEBL6RYM5BKAI7'
export const SANDBOX_STELLAR_PAYEES = {
  'payee-1': 'GD5DK2QE6RJ3Y7K6BL5CDIVLKUT5TKCNODTHT4XUMGI63BK67PEPEGPY',
  'payee-2': 'GDLICKCMX62CUGE6DLZ4FD2YJJ3YXLZXF325NSSQWWFSI6EXJFR3RX5J',
  'payee-3': 'GANZAY4TD6IWE5MEWP3C7GCULWP34X2HIA4HBLLV5GNJY5TLY4X63TF2',
  /** Funded, but with no USDC trustline: pre-flight refuses USDC payouts to it. */
  'payee-notrust': 'GAWCN4YBKJFV3LQG2QRTBEKH4FCLM7TSNAZE44AZB6UAWQTYKSKJXMSQ',
} as const

/**
 * The sandbox's Stripe connected accounts on the local Stripe-compatible harness: three that can
 * receive transfers, one whose transfers capability is inactive (pre-flight refuses it).
 */
export const SANDBOX_STRIPE_ACCOUNTS = {
  freelancer: 'acct_1CsSandboxFreelancer',
  studio: 'acct_1CsSandboxDesignStudio',
  agency: 'acct_1CsSandboxAgencyLimited',
  /** Onboarding unfinished: transfers capability inactive. */
  restricted: 'acct_1CsSandboxRestrictedAcct',
} as const

/** The date every sandbox entry carries: fixed, so a replay on another day is still a replay. */
export const SANDBOX_BOOK_DATE = '2026-01-01'

export const SANDBOX_ASSETS: readonly SandboxAssetSeed[] = [
  {
    id: `USDC@evm:${ANVIL_CHAIN_ID}`,
    code: 'USDC',
    name: 'USD Coin (local Anvil)',
    scale: 6,
    rail: 'evm',
    network: String(ANVIL_CHAIN_ID),
    issuer: ANVIL_FIRST_CONTRACT,
    slug: 'usdc-evm31337',
    opening: '1000000.000000',
    treasuryAddress: SANDBOX_EVM_TREASURY,
  },
  {
    id: `ETH@evm:${ANVIL_CHAIN_ID}`,
    code: 'ETH',
    name: 'Ether (local Anvil)',
    scale: 18,
    rail: 'evm',
    network: String(ANVIL_CHAIN_ID),
    issuer: null,
    slug: 'eth-evm31337',
    opening: '100',
    treasuryAddress: SANDBOX_EVM_TREASURY,
  },
  {
    id: `XLM@stellar:${SANDBOX_STELLAR_NETWORK}`,
    code: 'XLM',
    name: 'Stellar Lumens (local)',
    scale: 7,
    rail: 'stellar',
    network: SANDBOX_STELLAR_NETWORK,
    issuer: null,
    slug: 'xlm-stellar-local',
    opening: '10000.0000000',
    treasuryAddress: SANDBOX_STELLAR_TREASURY,
  },
  {
    id: `USDC@stellar:${SANDBOX_STELLAR_NETWORK}`,
    code: 'USDC',
    name: 'USD Coin (local Stellar)',
    scale: 7,
    rail: 'stellar',
    network: SANDBOX_STELLAR_NETWORK,
    issuer: SANDBOX_STELLAR_ISSUER,
    slug: 'usdc-stellar-local',
    opening: '250000.0000000',
    treasuryAddress: SANDBOX_STELLAR_TREASURY,
  },
  {
    // One of the workspace's default assets; listed so the Stripe harness has a funded balance.
    id: 'USD@stripe',
    code: 'USD',
    name: 'US Dollar (Stripe)',
    scale: 2,
    rail: 'stripe',
    network: 'stripe',
    issuer: null,
    slug: 'usd-stripe',
    opening: '50000.00',
    // The Stripe platform balance: the rail's "address" (STRIPE_PLATFORM_SOURCE).
    treasuryAddress: 'stripe:platform',
  },
]

const PAYEES: readonly { key: string; name: string; assetSlug: string; address: string | null }[] = [
  { key: 'acme', name: 'Acme Supplies', assetSlug: 'usdc-evm31337', address: ANVIL_ACCOUNTS[1] },
  { key: 'globex', name: 'Globex Ltd', assetSlug: 'usdc-evm31337', address: ANVIL_ACCOUNTS[2] },
  { key: 'initech', name: 'Initech Contractors', assetSlug: 'usdc-evm31337', address: ANVIL_ACCOUNTS[3] },
  { key: 'stellar-partners', name: 'Stellar Partners', assetSlug: 'usdc-stellar-local', address: SANDBOX_STELLAR_PAYEES['payee-1'] },
  { key: 'freelancer', name: 'Freelancer (Stripe)', assetSlug: 'usd-stripe', address: 'acct_1CsSandboxFreelancer' },
]

export const accountIds = {
  treasury: (slug: string) => `treasury.${slug}`,
  opening: (slug: string) => `opening.${slug}`,
  fees: (slug: string) => `fees.${slug}`,
  payee: (key: string, slug: string) => `payee.${key}.${slug}`,
}

function assetBySlug(slug: string): SandboxAssetSeed {
  const asset = SANDBOX_ASSETS.find((a) => a.slug === slug)
  if (!asset) unreachable(`sandbox plan names unknown asset ${slug}`)
  return asset
}

function label(asset: SandboxAssetSeed): string {
  const where = asset.rail === 'evm' ? 'Anvil' : asset.rail === 'stellar' ? 'local Stellar' : 'Stripe'
  return `${asset.code} (${where})`
}

export function sandboxAccounts(): SandboxAccountSeed[] {
  const out: SandboxAccountSeed[] = []
  for (const a of SANDBOX_ASSETS) {
    out.push({ id: accountIds.treasury(a.slug), name: `Treasury ${label(a)}`, kind: 'treasury', assetId: a.id, address: a.treasuryAddress })
    out.push({ id: accountIds.opening(a.slug), name: `Opening balances ${label(a)}`, kind: 'external', assetId: a.id, address: null })
    out.push({ id: accountIds.fees(a.slug), name: `Fees ${label(a)}`, kind: 'fees', assetId: a.id, address: null })
  }
  for (const p of PAYEES) {
    const asset = assetBySlug(p.assetSlug)
    out.push({
      id: accountIds.payee(p.key, asset.slug),
      name: `${p.name} ${asset.code}`,
      kind: 'payee',
      assetId: asset.id,
      address: p.address,
    })
  }
  return out
}

export function sandboxEntries(): SandboxEntrySeed[] {
  const metadata = { source: 'sandbox' }
  const out: SandboxEntrySeed[] = SANDBOX_ASSETS.map((a) => ({
    id: `sandbox:opening:${a.slug}`,
    date: SANDBOX_BOOK_DATE,
    description: `Sandbox opening balance ${label(a)}`,
    postings: [
      { account: accountIds.treasury(a.slug), debit: a.opening },
      { account: accountIds.opening(a.slug), credit: a.opening },
    ],
    metadata,
  }))
  return out
}
