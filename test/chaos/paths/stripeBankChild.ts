/**
 * The Stripe bank path, child side: the treasurer asks for each planned bank payout the list does
 * not show yet (a request the kill beat to the database is asked for again — as a person would,
 * seeing nothing in the list; one that reached the database is never asked twice), and the
 * poller's Stripe sync runs (lost answers recovered by their key, events applied oldest first).
 */
import fs from 'node:fs'
import path from 'node:path'
import { createStripeClient } from '../../../src/main/core/rails/stripe/createStripeClient'
import { stripeFailure } from '../../../src/main/core/rails/stripe/stripeFailure'
import { createStripeBankPayout } from '../../../src/main/core/stripe/createStripeBankPayout'
import { syncStripe } from '../../../src/main/core/stripe/syncStripe'
import { MAKER } from '../../execute/executeKit'
import type { ChildConfig } from '../childConfig'
import type { ChildStep } from './types'

export interface PlannedBankPayout {
  description: string
  assetId: string
  /** Decimal text, as the treasurer types it. */
  amount: string
}

/** The bank payouts the treasurer means to ask for, written in the run's folder for the child. */
const BANK_PAYOUTS_FILE = 'chaos-bank-payouts.json'

export function writeBankPayoutsFile(dir: string, list: readonly PlannedBankPayout[]): void {
  const plain = list.map(({ description, assetId, amount }) => ({ description, assetId, amount }))
  fs.writeFileSync(path.join(dir, BANK_PAYOUTS_FILE), JSON.stringify(plain))
}

function readBankPayoutsFile(dir: string): PlannedBankPayout[] {
  const file = path.join(dir, BANK_PAYOUTS_FILE)
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as PlannedBankPayout[]) : []
}

const RETRY = { attemptsMax: 3, backoffMsBase: 1, backoffMsMax: 4, sleep: async () => {} }

async function stripeOf(config: ChildConfig) {
  return await createStripeClient(config.stripe.secretKey, { host: config.stripe.host, port: config.stripe.port, protocol: 'http' }, 5_000)
}

/**
 * The poller's Stripe sync, after every sweep round (shared by the paths that need it: taken once);
 * a failure is mapped as the app's Stripe service maps it (stripeService.ts), so the report counts
 * the codes a person would see, not Stripe's raw ones.
 */
export const stripeSyncStep: ChildStep = {
  name: 'stripe.sync',
  at: 'sweep',
  run: async (ctx, _deps, config) => {
    if (!config.rails.includes('stripe')) return
    try {
      await syncStripe(ctx, await stripeOf(config), RETRY)
    } catch (error) {
      throw stripeFailure(error, 'syncing events')
    }
  },
}

export const stripeBankChildSteps: ChildStep[] = [
  {
    name: 'stripeBank.request',
    run: async (ctx, _deps, config) => {
      const planned = readBankPayoutsFile(config.dataDir)
      if (planned.length === 0) return
      const stripe = await stripeOf(config)
      for (const bp of planned) {
        const shown = await ctx.db.first(ctx.db.k.selectFrom('stripe_bank_payouts').select('key').where('description', '=', bp.description))
        if (shown) continue
        await createStripeBankPayout(ctx, stripe, MAKER, bp, RETRY)
      }
    },
  },
  stripeSyncStep,
]
