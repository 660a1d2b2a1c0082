/**
 * Poller task `stellar.payments`: follows each configured Stellar treasury's payments on Horizon
 * from a saved cursor (the last paging_token stored) and keeps every payment it sees, ours and
 * others', for reconciliation. Rows and the cursor commit together, so a crash between pages
 * re-reads at most one page, and a re-read page writes nothing twice (operation id is the key).
 */
import type { CoreContext } from '../../context'
import { railsOf, type RailsSource } from '../../rails/Rail'
import { createHorizonClient } from '../../rails/stellar/horizon'
import { stringToStroopsText } from '../../rails/stellar/stellarAmounts'
import { stellarRailDefaults } from '../../rails/stellar/stellarRailConfig'
import type { PollerTask } from '../createPoller'

export const STELLAR_PAYMENTS_TASK = 'stellar.payments'
/** Pages read per sweep and account: a long backlog is caught up over several sweeps. */
const PAGES_PER_SWEEP_MAX = 10

export function createStellarPaymentsTask(rails: RailsSource, horizonUrlFor: (network: string) => string | undefined): PollerTask {
  return {
    name: STELLAR_PAYMENTS_TASK,
    async run(ctx) {
      for (const rail of (await railsOf(rails)).all()) {
        if (rail.rail !== 'stellar') continue
        const url = horizonUrlFor(rail.network)
        if (url) await followPayments(ctx, rail.network, url, rail.source.address)
      }
    },
  }
}

/** Reads new payments of `account` from its saved cursor; returns how many rows were added. */
export async function followPayments(ctx: CoreContext, network: string, horizonUrl: string, account: string): Promise<number> {
  const horizon = createHorizonClient(horizonUrl)
  let added = 0
  for (let page = 0; page < PAGES_PER_SWEEP_MAX; page++) {
    const saved = await ctx.db.first(
      ctx.db.k.selectFrom('stellar_cursors').select('cursor').where('network', '=', network).where('account', '=', account),
    )
    const body = await horizon.payments(account, saved?.cursor ?? null, stellarRailDefaults.paymentsPageLimit)
    const records = body?._embedded.records ?? []
    if (records.length === 0) return added
    const now = ctx.clock.now().toISOString()
    await ctx.db.tx(async () => {
      for (const r of records) {
        const type = String(r['type'])
        const asset =
          r['asset_type'] === undefined || r['asset_type'] === 'native'
            ? 'native'
            : `${String(r['asset_code'])}:${String(r['asset_issuer'])}`
        const amountText = type === 'create_account' ? String(r['starting_balance']) : String(r['amount'] ?? '0')
        const res = await ctx.db.run(
          ctx.db.k
            .insertInto('stellar_payments')
            .values({
              network,
              operation_id: String(r['id']),
              account,
              paging_token: String(r['paging_token']),
              tx_hash: String(r['transaction_hash']),
              type,
              from_account: (r['from'] ?? r['funder'] ?? null) as string | null,
              to_account: (r['to'] ?? r['account'] ?? null) as string | null,
              asset,
              amount: stringToStroopsText(amountText),
              successful: r['transaction_successful'] === false ? 0 : 1,
              created_at: String(r['created_at']),
              seen_at: now,
            })
            .onConflict((oc) => oc.columns(['network', 'operation_id']).doNothing()),
        )
        added += res.changes
      }
      const cursor = String(records.at(-1)!['paging_token'])
      await ctx.db.run(
        ctx.db.k
          .insertInto('stellar_cursors')
          .values({ network, account, cursor, updated_at: now })
          .onConflict((oc) => oc.columns(['network', 'account']).doUpdateSet({ cursor, updated_at: now })),
      )
    })
    if (records.length < stellarRailDefaults.paymentsPageLimit) return added
  }
  return added
}
