/**
 * Stripe accounts that cannot receive transfers are flagged when rows are typed in, next to their
 * rows (issue 17, finding 5), not only at Submit: a real SQLite file and the Stripe harness. Offline,
 * the batch says once that its recipients could not be checked, and no row is flagged.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { CoreContext } from '../../src/main/core/context'
import { seedDefaultAssets } from '../../src/main/core/ledger'
import { refreshBatchWarnings, readBatchWarnings } from '../../src/main/core/payouts/batches/batchWarnings'
import { checkRecipientsOnline } from '../../src/main/core/payouts/batches/checkRecipientsOnline'
import { importPayoutCsv } from '../../src/main/core/payouts/import/importPayoutCsv'
import { createRailRegistry, type RailRegistry } from '../../src/main/core/rails/Rail'
import { createStripeRail } from '../../src/main/core/rails/stripe/createStripeRail'
import { startStripeHarness, type StripeHarness } from '../harness/stripe'
import { MAKER, openWorkspace, tempDir } from '../execute/executeKit'

const HEADER = 'id,rail,network,asset,recipient,amount,memo,reference,name'

describe('recipients checked with their rail as rows are typed in', () => {
  let h: StripeHarness
  let ctx: CoreContext
  let rails: RailRegistry
  let good: string
  let restricted: string
  const unknown = 'acct_1NoSuchAccount00'

  const railOn = (port: number): RailRegistry =>
    createRailRegistry([
      createStripeRail({
        apiBase: { host: h.host, port, protocol: h.protocol },
        secretKey: async () => h.secretKey,
        retry: { attemptsMax: 1, backoffMsBase: 1, backoffMsMax: 1, sleep: async () => {} },
        timeoutMs: 2_000,
      }),
    ])

  beforeEach(async () => {
    h = await startStripeHarness({ balances: { usd: 1_000_000n } })
    good = h.addConnectedAccount()
    restricted = h.addConnectedAccount({ transfersCapability: 'inactive' })
    ctx = await openWorkspace(tempDir('recipient-check'))
    await seedDefaultAssets(ctx)
    await ctx.db.run(
      ctx.db.k.insertInto('operators').values({ id: MAKER, name: 'Maker', roles: '["preparer"]', created_at: '2026-01-01T00:00:00.000Z' }),
    )
    rails = railOn(h.port)
  })
  afterEach(async () => {
    await h.stop()
    await ctx.db.close()
  })

  async function importRows(): Promise<string> {
    const csv = [
      HEADER,
      `p-1,stripe,stripe,USD,${good},10,,INV-1,Good`,
      `p-2,stripe,stripe,USD,${restricted},20,,INV-2,Restricted`,
      `p-3,stripe,stripe,USD,${unknown},30,,INV-3,Unknown`,
      `p-4,stripe,stripe,USD,${restricted},40,,INV-4,Restricted again`,
    ].join('\n')
    const r = await importPayoutCsv(ctx, MAKER, { csv, fileName: 'stripe.csv' })
    expect(r.issues).toEqual([])
    return r.batchId!
  }

  const online = async (batchId: string) =>
    (await readBatchWarnings(ctx, batchId)).filter((w) => w.code === 'RECIPIENT_CANNOT_RECEIVE' || w.code === 'RECIPIENTS_NOT_CHECKED')

  it('flags each row whose connected account cannot receive transfers, asking Stripe once per account', async () => {
    const batchId = await importRows()
    const before = h.requests().filter((r) => r.path.startsWith('/v1/accounts/')).length
    const found = await checkRecipientsOnline(ctx, rails, batchId)
    expect(found.map((w) => [w.row, w.code])).toEqual([
      [3, 'RECIPIENT_CANNOT_RECEIVE'],
      [4, 'RECIPIENT_CANNOT_RECEIVE'],
      [5, 'RECIPIENT_CANNOT_RECEIVE'],
    ])
    expect(h.requests().filter((r) => r.path.startsWith('/v1/accounts/')).length - before).toBe(3)
    const stored = await online(batchId)
    expect(stored.map((w) => w.payoutId)).toEqual(['p-2', 'p-3', 'p-4'])
    expect(stored[0]!.message).toBe(
      `Row 3, recipient: Connected account ${restricted} cannot receive transfers (transfers capability inactive) — ask the payee to finish onboarding.`,
    )
    expect(stored[1]!.problem).toBe(`Stripe has no connected account ${unknown} — check the payee's account id.`)

    // Another edit works the batch's warnings out again: what Stripe said stays with its rows.
    await ctx.db.tx(() => refreshBatchWarnings(ctx, batchId))
    expect((await online(batchId)).map((w) => w.payoutId)).toEqual(['p-2', 'p-3', 'p-4'])

    // The payee finishes onboarding; asked again about that account, its two rows are clear.
    h.setTransfersCapability(restricted, 'active')
    await checkRecipientsOnline(ctx, rails, batchId, { recipients: [restricted] })
    expect((await online(batchId)).map((w) => w.payoutId)).toEqual(['p-3'])

    // A passed pre-flight at Submit checked every account anew: the import's word is cleared.
    await ctx.db.tx(() => refreshBatchWarnings(ctx, batchId, undefined, { recipientsChecked: true }))
    expect(await online(batchId)).toEqual([])
  })

  it('offline: says once that the recipients could not be checked, flags no row, and keeps what it knew', async () => {
    const batchId = await importRows()
    await checkRecipientsOnline(ctx, rails, batchId)
    expect((await online(batchId)).map((w) => w.payoutId)).toEqual(['p-2', 'p-3', 'p-4'])

    const port = h.port
    await h.stop()
    const found = await checkRecipientsOnline(ctx, railOn(port), batchId)
    expect(found).toHaveLength(1)
    expect(found[0]).toMatchObject({ row: null, code: 'RECIPIENTS_NOT_CHECKED' })
    expect(found[0]!.message).toBe(
      'The recipients of 4 payouts could not be checked as they were typed in (Stripe: Stripe could not be reached) — they are checked again when you submit.',
    )
    const stored = await online(batchId)
    expect(stored.map((w) => [w.payoutId, w.code])).toEqual([
      [null, 'RECIPIENTS_NOT_CHECKED'],
      ['p-2', 'RECIPIENT_CANNOT_RECEIVE'],
      ['p-3', 'RECIPIENT_CANNOT_RECEIVE'],
      ['p-4', 'RECIPIENT_CANNOT_RECEIVE'],
    ])
    // h.stop() in afterEach on a stopped harness
    h = await startStripeHarness({ balances: { usd: 1n } })
  })
})
