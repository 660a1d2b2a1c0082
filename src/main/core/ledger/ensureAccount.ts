/**
 * An account the system books to by a fixed id (fees, clearing, payees): created on first use,
 * audited like any other account (addAccount), then found by its id.
 */
import type { AccountKind } from '../../../shared/blocks'
import { SYSTEM_ACTOR, type Actor, type CoreContext } from '../context'
import { addAccount } from './addAccount'

export interface EnsureAccountParameters {
  id: string
  kind: AccountKind
  assetId: string
  name: string
  address?: string
  actor?: Actor
}

export async function ensureAccount(ctx: CoreContext, p: EnsureAccountParameters): Promise<string> {
  if (!(await ctx.db.first(ctx.db.k.selectFrom('accounts').select('id').where('id', '=', p.id)))) {
    await addAccount(ctx, p.actor ?? SYSTEM_ACTOR, {
      id: p.id,
      name: p.name,
      kind: p.kind,
      assetId: p.assetId,
      ...(p.address === undefined ? {} : { address: p.address }),
    })
  }
  return p.id
}
