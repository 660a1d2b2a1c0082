/**
 * Register an asset with its scale. The scale is fixed forever once amounts exist in it, so an
 * asset is never edited; a wrong one is registered anew under another id.
 */
import { RAILS, type Rail } from '../../../shared/blocks'
import type { Asset } from '../../../shared/ledgerApi'
import { CsError } from '../../../shared/errors'
import { SCALE_MAX } from '../../../shared/money'
import { appendAudit } from '../audit/appendAudit'
import type { Actor, CoreContext } from '../context'
import type { AssetRow } from '../db/schema'
import { assetIdFor, isRef } from './ids'
import { toAsset } from './toAsset'

export interface AddAssetParameters {
  /** Defaults to CODE@rail:network ("USD@stripe" when the network is the rail itself). */
  id?: string | undefined
  code: string
  name?: string | undefined
  scale: number
  rail: Rail
  network: string
  /** ERC-20 contract or Stellar issuer; omit for native assets and fiat. */
  issuer?: string | undefined
}
export type AddAssetReturnType = Asset

const CODE_RE = /^[A-Z0-9]{1,12}$/
const NETWORK_RE = /^[a-z0-9:-]{1,64}$/
const NAME_CHARS_MAX = 80
const ISSUER_CHARS_MAX = 128

export async function addAsset(ctx: CoreContext, actorId: Actor, input: AddAssetParameters): Promise<Asset> {
  return await ctx.db.tx(async () => await insertAsset(ctx, actorId, input))
}

/** In the caller's transaction: validate, refuse duplicates, insert, audit. */
export async function insertAsset(ctx: CoreContext, actorId: Actor, input: AddAssetParameters): Promise<Asset> {
  if (typeof input.code !== 'string' || !CODE_RE.test(input.code)) {
    throw new CsError(
      'INVALID_INPUT',
      `Asset code "${String(input.code).slice(0, 20)}" is not valid — use 1–12 capital letters or digits, e.g. USDC.`,
    )
  }
  if (!Number.isInteger(input.scale) || input.scale < 0 || input.scale > SCALE_MAX) {
    throw new CsError(
      'INVALID_INPUT',
      `Scale ${String(input.scale)} is not valid — give the number of decimals of the asset (0 to ${SCALE_MAX}; USDC has 6, ETH 18).`,
    )
  }
  if (!(RAILS as readonly string[]).includes(input.rail)) {
    throw new CsError('INVALID_INPUT', `Rail "${String(input.rail).slice(0, 20)}" is not known — use one of ${RAILS.join(', ')}.`)
  }
  if (typeof input.network !== 'string' || !NETWORK_RE.test(input.network)) {
    throw new CsError(
      'INVALID_INPUT',
      `Network "${String(input.network).slice(0, 64)}" is not valid — use lower-case letters, digits, ":" and "-", e.g. 8453 or pubnet.`,
    )
  }
  const issuer = input.issuer ?? null
  if (issuer !== null && (typeof issuer !== 'string' || issuer.length === 0 || issuer.length > ISSUER_CHARS_MAX)) {
    throw new CsError('INVALID_INPUT', `The issuer must be a contract address or issuer account of at most ${ISSUER_CHARS_MAX} characters.`)
  }
  const id = input.id ?? assetIdFor(input.code, input.rail, input.network)
  if (!isRef(id))
    throw new CsError(
      'INVALID_INPUT',
      `Asset id "${String(id).slice(0, 40)}" is not valid — use letters, digits and . _ : / @ - (no spaces).`,
    )
  const name = (input.name ?? input.code).trim()
  if (name.length === 0 || name.length > NAME_CHARS_MAX)
    throw new CsError('INVALID_INPUT', `The asset name must be 1–${NAME_CHARS_MAX} characters.`)

  if (await ctx.db.first(ctx.db.k.selectFrom('assets').select('id').where('id', '=', id))) {
    throw new CsError('ASSET_EXISTS', `Asset "${id}" is already registered — use it as it is, or register the new one under another id.`)
  }
  // The same token under two ids would split its balances in two: refuse it. EVM addresses
  // differ only in checksum case, so compare them lower-cased.
  const twin = (
    await ctx.db.all(ctx.db.k.selectFrom('assets').selectAll().where('rail', '=', input.rail).where('network', '=', input.network))
  ).find((row) =>
    issuer === null ? row.issuer === null && row.code === input.code : row.issuer !== null && sameIssuer(input.rail, row.issuer, issuer),
  )
  if (twin) {
    throw new CsError('ASSET_EXISTS', `That asset is already registered as "${twin.id}" — use that id instead of registering it twice.`)
  }

  const row: AssetRow = {
    id,
    code: input.code,
    name,
    scale: input.scale,
    rail: input.rail,
    network: input.network,
    issuer,
    created_at: ctx.clock.now().toISOString(),
  }
  await ctx.db.run(ctx.db.k.insertInto('assets').values(row))
  await appendAudit(ctx, {
    actor: actorId,
    action: 'assets.add',
    subject: `asset:${id}`,
    change: { code: row.code, name: row.name, scale: row.scale, rail: row.rail, network: row.network, issuer: row.issuer },
  })
  return toAsset(row)
}

function sameIssuer(rail: string, a: string, b: string): boolean {
  return rail === 'evm' ? a.toLowerCase() === b.toLowerCase() : a === b
}
