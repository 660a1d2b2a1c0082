/**
 * Open a ledger account for one asset. Its balances row is created in the same transaction, so
 * every account always has one (the posting path relies on it and asserts it).
 */
import type { Account } from '../../../shared/ledgerApi'
import type { AccountKind } from '../../../shared/blocks'
import { CsError } from '../../../shared/errors'
import { appendAudit } from '../audit/appendAudit'
import type { Actor, CoreContext } from '../context'
import type { AccountRow } from '../db/schema'
import { allowNegativeDefault, isAccountKind, NEVER_NEGATIVE_KINDS } from './accountRules'
import { isRef } from './ids'
import { toAccount } from './toAccount'

export interface AddAccountParameters {
  id: string
  name: string
  kind: AccountKind
  assetId: string
  /** On-chain address, Stellar account or Stripe account this ledger account mirrors. */
  address?: string | undefined
  /** Defaults per kind (see allowNegativeDefault); treasury and escrow can never allow it. */
  allowNegative?: boolean | undefined
}
export type AddAccountReturnType = Account

const NAME_CHARS_MAX = 120
const ADDRESS_CHARS_MAX = 128

export async function addAccount(ctx: CoreContext, actorId: Actor, input: AddAccountParameters): Promise<Account> {
  if (!isRef(input.id)) {
    throw new CsError(
      'INVALID_INPUT',
      `Account id "${String(input.id).slice(0, 40)}" is not valid — use letters, digits and . _ : / @ - (no spaces), starting with a letter or digit.`,
    )
  }
  const name = typeof input.name === 'string' ? input.name.trim() : ''
  if (name.length === 0 || name.length > NAME_CHARS_MAX)
    throw new CsError('INVALID_INPUT', `The account name must be 1–${NAME_CHARS_MAX} characters.`)
  if (!isAccountKind(input.kind))
    throw new CsError(
      'INVALID_INPUT',
      `Account kind "${String(input.kind).slice(0, 20)}" is not known — use treasury, payee, clearing, fees, escrow or external.`,
    )
  const address = input.address ?? null
  if (address !== null && (typeof address !== 'string' || address.length === 0 || address.length > ADDRESS_CHARS_MAX)) {
    throw new CsError('INVALID_INPUT', `The address must be 1–${ADDRESS_CHARS_MAX} characters.`)
  }
  if (input.allowNegative === true && NEVER_NEGATIVE_KINDS.includes(input.kind)) {
    throw new CsError(
      'INVALID_INPUT',
      `A ${input.kind} account holds real funds and can never go below zero — open it without allowNegative.`,
    )
  }
  const allowNegative = input.allowNegative ?? allowNegativeDefault(input.kind)

  const account = await ctx.db.tx(async () => {
    if (!(await ctx.db.first(ctx.db.k.selectFrom('assets').select('id').where('id', '=', input.assetId)))) {
      throw new CsError('ASSET_NOT_FOUND', `There is no asset "${input.assetId}" — pick one from the assets list, or register it first.`)
    }
    if (await ctx.db.first(ctx.db.k.selectFrom('accounts').select('id').where('id', '=', input.id))) {
      throw new CsError('ACCOUNT_EXISTS', `Account "${input.id}" already exists — use it, or choose another id.`)
    }
    const now = ctx.clock.now().toISOString()
    const row: AccountRow = {
      id: input.id,
      name,
      kind: input.kind,
      asset_id: input.assetId,
      address,
      allow_negative: allowNegative ? 1 : 0,
      created_at: now,
    }
    await ctx.db.run(ctx.db.k.insertInto('accounts').values(row))
    await ctx.db.run(
      ctx.db.k.insertInto('balances').values({
        account_id: row.id,
        debits_posted: '0',
        credits_posted: '0',
        debits_pending: '0',
        credits_pending: '0',
        updated_at: now,
      }),
    )
    await appendAudit(ctx, {
      actor: actorId,
      action: 'ledger.accounts.add',
      subject: `account:${row.id}`,
      change: { name, kind: row.kind, assetId: row.asset_id, address, allowNegative },
    })
    return toAccount(row)
  })
  ctx.events.emit('ledger.changed', { accountIds: [account.id] })
  return account
}
