/**
 * "Verify on device": show the address on the Ledger, and once the person approves it there, record
 * it as verified (time and operator) and audit it. The device prompt is awaited outside any DB
 * transaction (a Ledger prompt can take minutes); the record is written in one short transaction.
 */
import { CsError } from '../../../shared/errors'
import { appendAudit } from '../audit/appendAudit'
import type { Actor, CoreContext } from '../context'
import type { Signer, SignerChain } from './Signer'

export interface VerifySignerAddressParameters {
  chain: SignerChain
  path: string
  address: string
}
export interface VerifiedSignerAddress {
  chain: SignerChain
  address: string
  path: string
  verifiedAt: string
  verifiedBy: string
}

/** EVM addresses compare case-insensitively (EIP-55 is only a checksum); Stellar G… keys exactly. */
export function normalizeSignerAddress(chain: SignerChain, address: string): string {
  return chain === 'evm' ? address.toLowerCase() : address
}

export async function verifySignerAddress(
  ctx: CoreContext,
  signer: Signer,
  actorId: Actor,
  input: VerifySignerAddressParameters,
): Promise<VerifiedSignerAddress> {
  // Rejections and device faults surface as DEVICE_* CsErrors with their own sentences.
  const account = await signer.verifyAddress({ chain: input.chain, path: input.path, expectedAddress: input.address })
  if (normalizeSignerAddress(input.chain, account.address) !== normalizeSignerAddress(input.chain, input.address)) {
    throw new CsError(
      'DEVICE_ADDRESS_MISMATCH',
      `The Ledger shows ${account.address} at ${input.path}, not ${input.address} — check the device and the path.`,
    )
  }
  return await recordVerifiedSignerAddress(ctx, actorId, { ...input, address: account.address })
}

/** Record a verification the device has confirmed. Also used by the sandbox seed (the emulator shows it). */
export async function recordVerifiedSignerAddress(
  ctx: CoreContext,
  actorId: Actor,
  input: VerifySignerAddressParameters,
): Promise<VerifiedSignerAddress> {
  const at = ctx.clock.now().toISOString()
  const address = normalizeSignerAddress(input.chain, input.address)
  return await ctx.db.tx(async () => {
    await ctx.db.run(
      ctx.db.k
        .insertInto('signer_addresses')
        .values({ chain: input.chain, address, path: input.path, verified_at: at, verified_by: actorId })
        .onConflict((oc) => oc.columns(['chain', 'address']).doUpdateSet({ path: input.path, verified_at: at, verified_by: actorId })),
    )
    await appendAudit(ctx, {
      actor: actorId,
      action: 'signers.addresses.verify',
      subject: `signer:${input.chain}:${address}`,
      change: { path: input.path, verifiedAt: at },
    })
    return { chain: input.chain, address: input.address, path: input.path, verifiedAt: at, verifiedBy: actorId }
  })
}

export async function getVerifiedSignerAddress(
  ctx: CoreContext,
  chain: SignerChain,
  address: string,
): Promise<VerifiedSignerAddress | undefined> {
  const row = await ctx.db.first(
    ctx.db.k
      .selectFrom('signer_addresses')
      .selectAll()
      .where('chain', '=', chain)
      .where('address', '=', normalizeSignerAddress(chain, address)),
  )
  if (!row) return undefined
  return { chain, address: row.address, path: row.path, verifiedAt: row.verified_at, verifiedBy: row.verified_by }
}

/** The engine's guard before the first signature for a source. */
export async function assertSignerAddressVerified(ctx: CoreContext, chain: SignerChain, address: string): Promise<void> {
  if (await getVerifiedSignerAddress(ctx, chain, address)) return
  throw new CsError(
    'SIGNER_ADDRESS_NOT_VERIFIED',
    `Verify the treasury address ${address} on your Ledger in Settings → Signers before paying from it.`,
  )
}
