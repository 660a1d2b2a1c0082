/** payees.get: one payee's accounts (exact balances) and its payouts, newest first. */
import { CsError } from '../../../shared/errors'
import { formatAmount, parseMinor } from '../../../shared/money'
import { PAYOUT_STATES, type PayoutState } from '../../../shared/payoutStates'
import { PAYEE_PAYOUTS_MAX, type PayeePayout } from '../../../shared/payeesApi'
import type { CallOutput } from '../../../shared/api'
import type { CoreContext } from '../context'
import { isCaseInsensitiveRail } from '../ledger/payeeAccounts'
import { unreachable } from '../util/invariant'
import { listPayees } from './listPayees'
import { readPayeeGroups } from './payeeGroups'

export async function getPayee(ctx: CoreContext, key: string): Promise<CallOutput<'payees.get'>> {
  const group = (await readPayeeGroups(ctx)).find((g) => g.key === key)
  const payee = group ? (await listPayees(ctx)).find((p) => p.key === key) : undefined
  if (!group || !payee) throw new CsError('ACCOUNT_NOT_FOUND', `There is no payee "${key.slice(0, 60)}" — pick one from the payees list.`)
  const { k } = ctx.db
  const rows =
    group.addresses.length === 0
      ? []
      : await ctx.db.all(
          k
            .selectFrom('payouts as p')
            .innerJoin('batches as b', 'b.id', 'p.batch_id')
            .innerJoin('assets as s', 's.id', 'p.asset_id')
            .select([
              'p.id',
              'p.batch_id',
              'b.name as batch_name',
              'p.asset_id',
              's.code',
              's.scale',
              'p.amount',
              'p.recipient',
              'p.state',
              'p.entry_id',
              'p.updated_at',
            ])
            .where((eb) =>
              eb.or(
                group.addresses.map((a) =>
                  eb.and([
                    eb('p.rail', '=', a.rail),
                    eb('p.network', '=', a.network),
                    isCaseInsensitiveRail(a.rail)
                      ? eb(eb.fn('lower', ['p.recipient']), '=', a.address.toLowerCase())
                      : eb('p.recipient', '=', a.address),
                  ]),
                ),
              ),
            )
            .orderBy('p.updated_at', 'desc')
            .orderBy('p.id')
            .limit(PAYEE_PAYOUTS_MAX),
        )
  const payouts: PayeePayout[] = rows.map((r) => {
    if (!(PAYOUT_STATES as readonly string[]).includes(r.state)) unreachable(`payout ${r.id} has unknown state ${r.state}`)
    return {
      payoutId: r.id,
      batchId: r.batch_id,
      batchName: r.batch_name,
      assetId: r.asset_id,
      assetCode: r.code,
      scale: r.scale,
      amount: formatAmount(parseMinor(r.amount), r.scale),
      recipient: r.recipient,
      state: r.state as PayoutState,
      entryId: r.entry_id,
      updatedAt: r.updated_at,
    }
  })
  return {
    payee,
    accounts: group.accounts.map((a) => ({
      id: a.id,
      name: a.name,
      assetId: a.assetId,
      assetCode: a.assetCode,
      scale: a.scale,
      address: a.address,
      balance: formatAmount(a.balance, a.scale),
      auto: a.auto,
    })),
    payouts,
    payoutsMax: PAYEE_PAYOUTS_MAX,
  }
}
