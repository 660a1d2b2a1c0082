/**
 * Settings → Signers: the connected Ledger's live state, the accounts it derives at the standard
 * paths, and "verify on device" for a treasury address before it pays. Spread into the contract's
 * `calls` (api.ts). No key ever crosses: addresses and paths only.
 */
import { z } from 'zod'
import { call } from './callSpec'

export const SignerChainSchema = z.enum(['evm', 'stellar'])
export const ACCOUNTS_LISTED_MAX = 10

const Problem = z.object({ code: z.string(), message: z.string() })

export const SignerDeviceState = z.object({
  /** "Ethereum", "Stellar", "BOLOS" (the dashboard) or another app. */
  openApp: z.object({ name: z.string(), version: z.string() }),
  ethereum: z.object({ version: z.string(), blindSigningEnabled: z.boolean() }).optional(),
  stellar: z.object({ version: z.string(), hashSigningEnabled: z.boolean(), maxDataSizeBytes: z.number().int().nullable() }).optional(),
})
export type SignerDeviceState = z.infer<typeof SignerDeviceState>

export const VerifiedAddress = z.object({
  chain: SignerChainSchema,
  address: z.string(),
  path: z.string(),
  verifiedAt: z.string(),
  verifiedBy: z.string(),
})
export type VerifiedAddress = z.infer<typeof VerifiedAddress>

export const SignerTreasury = z.object({
  chain: SignerChainSchema,
  rail: z.string(),
  network: z.string(),
  address: z.string(),
  path: z.string(),
  verified: VerifiedAddress.nullable(),
})
export type SignerTreasury = z.infer<typeof SignerTreasury>

export const SignersStatus = z.object({
  /** "Sandbox device emulator", "Ledger (USB)"; null when this workspace has no signer. */
  label: z.string().nullable(),
  device: SignerDeviceState.nullable(),
  /** Why the device could not be read (locked, not found…), with what to do. */
  problem: Problem.nullable(),
  /** The configured rails' paying accounts and whether each was verified on the device. */
  treasuries: z.array(SignerTreasury),
})
export type SignersStatus = z.infer<typeof SignersStatus>

export const SignerAccountRow = z.object({
  chain: SignerChainSchema,
  path: z.string(),
  address: z.string(),
  verified: z.boolean(),
  /** Pays for a configured rail. */
  treasury: z.boolean(),
})
export type SignerAccountRow = z.infer<typeof SignerAccountRow>

export const signerCalls = {
  'signers.status': call({
    summary: 'The connected Ledger: open app, versions, blind/hash signing; and the treasuries with their verification.',
    mutates: false,
    input: z.object({}).strict(),
    output: SignersStatus,
  }),
  'signers.accounts': call({
    summary: "Accounts the Ledger derives at the standard paths (no prompt): m/44'/60'/0'/0/i or m/44'/148'/i'.",
    mutates: false,
    input: z
      .object({
        chain: SignerChainSchema,
        start: z.number().int().min(0).max(1_000_000),
        count: z.number().int().min(1).max(ACCOUNTS_LISTED_MAX),
      })
      .strict(),
    output: z.array(SignerAccountRow),
  }),
  'signers.verify': call({
    summary: 'Show an address on the Ledger; once the person approves it there, record it as verified (signer).',
    mutates: true,
    input: z.object({ chain: SignerChainSchema, path: z.string().min(1).max(64), address: z.string().min(1).max(64) }).strict(),
    output: VerifiedAddress,
  }),
} as const
