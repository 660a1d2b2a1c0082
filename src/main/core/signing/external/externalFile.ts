/**
 * The files of external signing (an air-gapped machine, an HSM, or a build-only mode that hands
 * out unsigned transactions for inspection). Countersign writes an export document listing a
 * chunk's unsigned transactions; the signer returns a document with the signed ones, which is
 * accepted only after every item has been checked against what was approved (see verifyEvm /
 * verifyStellar).
 */
import { z } from 'zod'

export const EXTERNAL_SIGNING_FORMAT = 'countersign.external-signing.v1'
export const EXTERNAL_SIGNED_FORMAT = 'countersign.external-signed.v1'

const decimal = z.string().regex(/^(0|[1-9][0-9]*)$/, 'a non-negative decimal integer')
const hex = z.string().regex(/^0x([0-9a-fA-F]{2})*$/, 'hex bytes starting with 0x')
const evmAddress = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'an EVM address')
const base64 = z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64')

export const ExternalEvmItemSchema = z.object({
  submissionId: z.string().min(1),
  chainId: z.number().int().positive(),
  from: evmAddress,
  unsigned: hex,
  summary: z.object({
    to: evmAddress.nullable(),
    nonce: decimal,
    value: decimal,
    maxFeePerGas: decimal,
    gas: decimal,
    dataHash: hex,
  }),
})

export const ExternalStellarItemSchema = z.object({
  submissionId: z.string().min(1),
  source: z.string().regex(/^G[A-Z2-7]{55}$/, 'a Stellar account (G…)'),
  networkPassphrase: z.string().min(1),
  unsigned: base64,
  summary: z.object({
    hash: z.string().regex(/^[0-9a-f]{64}$/),
    sequence: decimal,
    fee: decimal,
    operations: z.array(
      z.object({ type: z.string(), destination: z.string().nullable(), asset: z.string().nullable(), amount: z.string().nullable() }),
    ),
  }),
})

export const ExternalSigningFileSchema = z.discriminatedUnion('rail', [
  z.object({
    format: z.literal(EXTERNAL_SIGNING_FORMAT),
    rail: z.literal('evm'),
    createdAt: z.string(),
    items: z.array(ExternalEvmItemSchema),
  }),
  z.object({
    format: z.literal(EXTERNAL_SIGNING_FORMAT),
    rail: z.literal('stellar'),
    createdAt: z.string(),
    items: z.array(ExternalStellarItemSchema),
  }),
])

export type ExternalSigningFile = z.infer<typeof ExternalSigningFileSchema>
export type ExternalEvmItem = z.infer<typeof ExternalEvmItemSchema>
export type ExternalStellarItem = z.infer<typeof ExternalStellarItemSchema>

/** What the external signer hands back. `rail` is optional; when present it must match. */
export const SignedFileSchema = z.object({
  format: z.union([z.literal(EXTERNAL_SIGNED_FORMAT), z.literal(EXTERNAL_SIGNING_FORMAT)]),
  rail: z.enum(['evm', 'stellar']).optional(),
  items: z.array(z.object({ submissionId: z.string().min(1), signed: z.string().min(1) })).min(1),
})

export type SignedFile = z.infer<typeof SignedFileSchema>
