/**
 * The Stripe bank path, parent side: money that moves on Stripe after the transfer — payouts from
 * the platform balance to the platform's bank, and transfers taken back.
 *
 * Workload: 1–3 bank payouts (USD or JPY) a treasurer asks for, each named by its description so
 * the "person" in the child asks again only when the list does not show it (a press that the kill
 * beat to the database). Follow-up, once the run is quiet — what Stripe and the bank do later:
 * every bank payout is paid, and some then FAIL after paid (the bank returns it); some of the
 * transfers Countersign made (any path) are reversed, in full or in part, as from the Dashboard.
 * The child's sync (under the same SIGKILLs, 5xx, 429 and answers dropped after commit) must
 * bring all of it into the books exactly once.
 *
 * Oracle, read from the Stripe harness: each bank payout asked for exists exactly once at Stripe,
 * and our row names it and has booked the stage Stripe shows (paid, or returned after a failure);
 * every transfer.* and payout.* event Stripe holds was applied; the platform balance in the books
 * equals Stripe's per currency (the payouts path's payee check covers the reversed transfers).
 */
import type { CoreContext } from '../../../src/main/core/context'
import { verifyAudit } from '../../../src/main/core/audit/verifyAudit'
import { BANK_PAYOUT_KEY_METADATA } from '../../../src/main/core/stripe/stripeBooking'
import { ledgerBalance } from '../../execute/executeKit'
import type { Rng } from '../prng'
import { decimal, STRIPE_CURRENCIES, type RunWorld } from '../world'
import { writeBankPayoutsFile, type PlannedBankPayout } from './stripeBankChild'
import type { ChaosPath, Findings } from './types'

export interface ChaosBankPayout extends PlannedBankPayout {
  minor: bigint
}

export interface StripeBankWorkload {
  bankPayouts: ChaosBankPayout[]
  /** Drawn in the follow-up: which bank payouts fail after paid. */
  failAfterPaid: string[]
  reversed: { transfer: string; amount: bigint }[]
}

const BANK_PAYOUT_DESCRIPTION_PREFIX = 'chaos bank payout '

const SCALES: Record<string, number> = { usd: 2, jpy: 0 }

interface HarnessPayout {
  id: string
  status: string
  amount: bigint
  currency: string
  description: string | null
  metadata: Record<string, string>
}

interface HarnessTransfer {
  id: string
  amount: bigint
  amount_reversed: bigint
  metadata: Record<string, string>
}

export const stripeBankPath: ChaosPath<StripeBankWorkload> & {
  followUp(ctx: CoreContext, run: RunWorld, rng: Rng, w: StripeBankWorkload): Promise<void>
} = {
  name: 'stripe-bank',
  async setup(_ctx, run, rng) {
    if (!run.rails.includes('stripe')) return { bankPayouts: [], failAfterPaid: [], reversed: [] }
    const bankPayouts = Array.from({ length: rng.int(1, 3) }, (_, i): ChaosBankPayout => {
      const currency = rng.pick(STRIPE_CURRENCIES)
      const minor = rng.amount(10n ** 9n)
      return {
        description: `${BANK_PAYOUT_DESCRIPTION_PREFIX}${i}`,
        assetId: `${currency.toUpperCase()}@stripe`,
        amount: decimal(minor, SCALES[currency]!),
        minor,
      }
    })
    writeBankPayoutsFile(run.dir, bankPayouts)
    return { bankPayouts, failAfterPaid: [], reversed: [] }
  },

  /** Later, at Stripe and the bank: every bank payout paid, some failed after paid; some transfers reversed. */
  async followUp(_ctx, run, rng, w) {
    if (!run.rails.includes('stripe')) return
    for (const po of run.stripe.payouts() as HarnessPayout[]) {
      if (po.status === 'pending' || po.status === 'in_transit') run.stripe.advancePayout(po.id, 'paid')
      if (rng.chance(0.4)) {
        run.stripe.advancePayout(po.id, 'failed', { failureCode: 'could_not_process' })
        w.failAfterPaid.push(po.id)
      }
    }
    for (const t of run.stripe.transfers() as HarnessTransfer[]) {
      if (!t.metadata.countersign_payout_id || t.amount_reversed !== 0n || !rng.chance(0.3)) continue
      const amount = rng.chance(0.5) ? t.amount : rng.big(1n, t.amount)
      run.stripe.reverseTransfer(t.id, amount)
      w.reversed.push({ transfer: t.id, amount })
    }
  },

  fired: (w) => ({ 'stripe.payoutFailedAfterPaid': w.failAfterPaid.length, 'stripe.transferReversed': w.reversed.length }),

  async oracle(ctx, run, w) {
    const f: Findings = { duplicates: [], lost: [], stuck: [], other: [], checked: {} }
    if (!run.rails.includes('stripe')) return f
    const atStripe = run.stripe.payouts() as HarnessPayout[]
    for (const bp of w.bankPayouts) {
      f.checked.stripe = (f.checked.stripe ?? 0) + 1
      const what = `bank payout "${bp.description}" (${bp.amount} ${bp.assetId})`
      const rows = await ctx.db.all(ctx.db.k.selectFrom('stripe_bank_payouts').selectAll().where('description', '=', bp.description))
      const mine = atStripe.filter((po) => po.description === bp.description)
      if (mine.length > 1) f.duplicates.push(`${what} paid out ${mine.length} times at Stripe (${mine.map((p) => p.id).join(', ')})`)
      if (rows.length > 1) f.other.push(`${what} asked for ${rows.length} times in the books`)
      const row = rows[0]
      if (!row) {
        f.lost.push(`${what} was never recorded (the person's request was lost without a trace)`)
        continue
      }
      if (row.status === 'refused') {
        if (mine.length > 0) f.other.push(`${what} refused in the books but exists at Stripe (${mine[0]!.id})`)
        if (!row.failure_message) f.stuck.push(`${what} refused without a reason`)
        continue
      }
      const po = mine[0]
      if (!po) {
        f.lost.push(`${what} is ${row.status} in the books but Stripe has no such payout`)
        continue
      }
      if (po.metadata[BANK_PAYOUT_KEY_METADATA] !== row.key) f.other.push(`${what}: Stripe's payout ${po.id} carries another key`)
      if (po.amount !== bp.minor) f.other.push(`${what}: Stripe paid ${po.amount}, asked ${bp.minor}`)
      if (row.stripe_id !== po.id) f.stuck.push(`${what}: the books name ${row.stripe_id ?? 'no payout'}, Stripe made ${po.id}`)
      const want = po.status === 'paid' ? 'paid' : po.status === 'failed' ? 'returned' : 'sent'
      if (row.booked !== want) f.stuck.push(`${what}: Stripe says ${po.status}, the books booked ${row.booked ?? 'nothing'}`)
    }
    // Every event Stripe holds that moves the books (a reversal, a bank payout's stage) was applied.
    // (transfer.created only describes what the payouts engine booked itself; the last payouts
    // of the run may be made after the last sync.)
    const applied = new Set((await ctx.db.all(ctx.db.k.selectFrom('stripe_events').select('id'))).map((e) => e.id))
    for (const e of run.stripe.events() as { id: string; type: string }[])
      if ((e.type === 'transfer.reversed' || e.type.startsWith('payout.')) && !applied.has(e.id))
        f.stuck.push(`Stripe event ${e.id} (${e.type}) never applied`)
    for (const c of STRIPE_CURRENCIES) {
      const assetId = `${c.toUpperCase()}@stripe`
      const books = await ledgerBalance(ctx, `treasury:${assetId}`)
      const onRail = run.stripe.balance(c)
      if (books !== onRail) f.other.push(`Stripe platform ${assetId}: books ${books}, Stripe ${onRail} (difference ${onRail - books})`)
    }
    const audit = await verifyAudit(ctx)
    if (!audit.ok) f.other.push(`audit verify failed: ${JSON.stringify(audit.firstBroken)}`)
    return f
  },
}
