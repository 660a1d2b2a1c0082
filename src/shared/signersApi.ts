/**
 * Settings → Signers: the connected Ledger's live state, the accounts it derives at the standard
 * paths, and "verify on device" for a treasury address before it pays — and the device state a
 * signing error carries across the wire. Gathered into `calls` and `errorDetails` by ./api.ts; like
 * every contract file it imports the building blocks and the limits, never another contract file.
 * No key ever crosses: addresses and paths only.
 */
import { z } from 'zod'
import { Empty, Problem } from './blocks'
import { call } from './callSpec'
import type { ErrorCode } from './errors'
import { SIGNER_ACCOUNT_INDEX_MAX, SIGNER_ACCOUNTS_LISTED_MAX, SIGNER_ADDRESS_CHARS_MAX, SIGNING_PATH_CHARS_MAX } from './limits'

export const SignerChainSchema = z.enum(['evm', 'stellar'])

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
    input: Empty,
    output: SignersStatus,
  }),
  'signers.accounts': call({
    summary: "Accounts the Ledger derives at the standard paths (no prompt): m/44'/60'/0'/0/i or m/44'/148'/i'.",
    mutates: false,
    input: z
      .object({
        chain: SignerChainSchema,
        start: z.number().int().min(0).max(SIGNER_ACCOUNT_INDEX_MAX),
        count: z.number().int().min(1).max(SIGNER_ACCOUNTS_LISTED_MAX),
      })
      .strict(),
    output: z.array(SignerAccountRow),
  }),
  'signers.verify': call({
    summary: 'Show an address on the Ledger; once the person approves it there, record it as verified (signer).',
    mutates: true,
    input: z
      .object({
        chain: SignerChainSchema,
        path: z.string().min(1).max(SIGNING_PATH_CHARS_MAX),
        address: z.string().min(1).max(SIGNER_ADDRESS_CHARS_MAX),
      })
      .strict(),
    output: VerifiedAddress,
  }),
} as const

// ---------------------------------------------------------------------------------------------
// Error details: the device state a signing error carries across the wire (everything else —
// transport ids, device paths, raw answers — is dropped).

/** What the app asked the device to do when it failed. */
export const DEVICE_OPERATIONS = [
  'open-device',
  'check-app',
  'read-status',
  'get-address',
  'verify-address',
  'sign-evm-transaction',
  'sign-evm-message',
  'sign-evm-typed-data-hash',
  'sign-evm-typed-data',
  'sign-stellar-transaction',
  'sign-stellar-hash',
] as const
export type DeviceOperation = (typeof DEVICE_OPERATIONS)[number]
export const LEDGER_APP_NAMES = ['Ethereum', 'Stellar'] as const
export type LedgerAppName = (typeof LEDGER_APP_NAMES)[number]

export const DeviceErrorDetails = z.object({
  operation: z.enum(DEVICE_OPERATIONS).optional(),
  /** The app the operation needs. */
  app: z.enum(LEDGER_APP_NAMES).optional(),
  /** The app the device reported as open ("BOLOS" = the dashboard). */
  openApp: z.string().max(64).optional(),
  /** The device's status word, "0x6985". */
  statusWord: z
    .string()
    .regex(/^0x[0-9a-f]{4}$/)
    .optional(),
  /** A batch signing that stopped part-way: how many were signed (and kept) of how many. */
  signedCount: z.number().int().min(0).optional(),
  total: z.number().int().min(0).optional(),
  /** How long the app waited for the device (DEVICE_TIMEOUT). */
  timeoutMs: z.number().int().min(0).optional(),
  /** A request too large for the device app (DEVICE_DATA_TOO_LARGE). */
  bytes: z.number().int().min(0).optional(),
  maxBytes: z.number().int().min(0).optional(),
})
export type DeviceErrorDetails = z.infer<typeof DeviceErrorDetails>

export const signerErrorDetails = {
  DEVICE_NOT_FOUND: DeviceErrorDetails,
  DEVICE_LOCKED: DeviceErrorDetails,
  DEVICE_REJECTED: DeviceErrorDetails,
  DEVICE_WRONG_APP: DeviceErrorDetails,
  DEVICE_BLIND_SIGNING_OFF: DeviceErrorDetails,
  DEVICE_HASH_SIGNING_OFF: DeviceErrorDetails,
  DEVICE_DATA_TOO_LARGE: DeviceErrorDetails,
  DEVICE_PARSE_FAILED: DeviceErrorDetails,
  DEVICE_DISCONNECTED: DeviceErrorDetails,
  DEVICE_BUSY: DeviceErrorDetails,
  DEVICE_TIMEOUT: DeviceErrorDetails,
  DEVICE_ADDRESS_MISMATCH: DeviceErrorDetails,
  DEVICE_UNEXPECTED: DeviceErrorDetails,
} as const satisfies Partial<Record<ErrorCode, z.ZodType>>
