import type { Account } from '../../../shared/ledgerApi'
import { CsError } from '../../../shared/errors'
import type { CoreContext } from '../context'
import { toAccount } from './toAccount'

/** The account, or undefined. */
export async function findAccount(ctx: CoreContext, accountId: string): Promise<Account | undefined> {
  const row = await ctx.db.first(ctx.db.k.selectFrom('accounts').selectAll().where('id', '=', accountId))
  return row ? toAccount(row) : undefined
}

/** The account, or ACCOUNT_NOT_FOUND. */
export async function getAccount(ctx: CoreContext, accountId: string): Promise<Account> {
  const account = await findAccount(ctx, accountId)
  if (!account)
    throw new CsError('ACCOUNT_NOT_FOUND', `There is no ledger account "${accountId}" — pick one from the accounts list, or open it first.`)
  return account
}
