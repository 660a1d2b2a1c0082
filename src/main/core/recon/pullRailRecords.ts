/**
 * Pull the rails' own records into reconciliation (issue 15, part 2): Stripe balance
 * transactions, Stellar operations and fees, EVM token transfers, native payouts and gas — each
 * stored once as a statement line (pull/storeRailLines.ts), so they reconcile exactly like a bank
 * statement's lines. One statement file per rail and network per pull that found something new.
 *
 * Offline-first: Stripe and Stellar records come from tables the poller already filled; only EVM
 * reads the network. A rail that cannot be read (a node down, a URL refused) gives a `problem`
 * for that rail and never stops the others; the call itself only throws for a bug.
 */
import type { Rail } from '../../../shared/blocks'
import { hasErrorCode, isErrorCode, type ErrorCode } from '../../../shared/errors'
import type { RailPullResult } from '../../../shared/reconPullApi'
import type { Actor, CoreContext } from '../context'
import { log } from '../log'
import type { RailsConfig } from '../rails/evm/evmRailConfig'
import { STRIPE_NETWORK } from '../rails/stripe/stripeRailConfig'
import { readEvmRecords, writeEvmCursor } from './pull/pullEvmRecords'
import { readStellarRecords } from './pull/pullStellarRecords'
import { readStripeRecords, type RailRecordsRead } from './pull/pullStripeRecords'
import { storeRailLines } from './pull/storeRailLines'

export interface PullRailRecordsParameters {
  /** The rails configuration of this core (which chains, networks and Stripe). */
  config: RailsConfig
  /** Only these rails (default: every configured one). */
  rails?: readonly Rail[] | undefined
}

export type PullRailRecordsReturnType = RailPullResult[]

interface RailPull {
  rail: Rail
  network: string
  label: string
  read(): Promise<RailRecordsRead & { afterWrite?: () => Promise<void> }>
}

export async function pullRailRecords(ctx: CoreContext, actor: Actor, p: PullRailRecordsParameters): Promise<PullRailRecordsReturnType> {
  const wanted = new Set<Rail>(p.rails ?? ['evm', 'stellar', 'stripe'])
  const pulls = railPulls(ctx, p.config, wanted)
  const out: RailPullResult[] = []
  for (const pull of pulls) out.push(await pullOne(ctx, actor, pull))
  // A rail asked for by name that is not configured says so, rather than vanishing from the answer.
  for (const rail of wanted) {
    if (p.rails !== undefined && !pulls.some((x) => x.rail === rail)) {
      out.push({
        rail,
        network: rail === 'stripe' ? STRIPE_NETWORK : '',
        records: 0,
        lines: 0,
        fileId: null,
        problem: {
          code: 'RAIL_NOT_CONFIGURED',
          message: `The ${railName(rail)} rail is not configured — set it up in Settings → Rails first.`,
        },
      })
    }
  }
  return out
}

function railPulls(ctx: CoreContext, config: RailsConfig, wanted: ReadonlySet<Rail>): RailPull[] {
  const pulls: RailPull[] = []
  if (wanted.has('evm')) {
    for (const chain of config.evm?.chains ?? []) {
      pulls.push({
        rail: 'evm',
        network: String(chain.chainId),
        label: `Chain ${chain.chainId} transfers`,
        async read() {
          const r = await readEvmRecords(ctx, chain)
          const cursor = r.cursor
          return cursor ? { ...r, afterWrite: () => writeEvmCursor(ctx, r.cursorKey, cursor) } : r
        },
      })
    }
  }
  if (wanted.has('stellar')) {
    for (const network of config.stellar?.networks ?? []) {
      pulls.push({
        rail: 'stellar',
        network: network.network,
        label: `Stellar ${network.network} operations`,
        read: () => readStellarRecords(ctx, network),
      })
    }
  }
  if (wanted.has('stripe') && config.stripe) {
    pulls.push({ rail: 'stripe', network: STRIPE_NETWORK, label: 'Stripe balance transactions', read: () => readStripeRecords(ctx) })
  }
  return pulls
}

async function pullOne(ctx: CoreContext, actor: Actor, pull: RailPull): Promise<RailPullResult> {
  const base = { rail: pull.rail, network: pull.network }
  try {
    const read = await pull.read()
    if (read.lines.length === 0 && !read.afterWrite) return { ...base, records: read.records, lines: 0, fileId: null, problem: null }
    const stored = await storeRailLines(ctx, actor, {
      ...base,
      fileName: `${pull.label} ${ctx.clock.now().toISOString().slice(0, 10)}`,
      records: read.records,
      lines: read.lines,
      ...(read.afterWrite ? { afterWrite: read.afterWrite } : {}),
    })
    return { ...base, records: read.records, lines: stored.lines, fileId: stored.fileId, problem: null }
  } catch (error) {
    const code = (error as { code?: unknown }).code
    // Only an operating error (a node down, a URL refused) is a rail's problem; a bug is not hidden.
    if (!isErrorCode(code) || code === 'INTERNAL') throw error
    log('warn', 'pulling rail records failed', { rail: pull.rail, network: pull.network, error })
    return { ...base, records: 0, lines: 0, fileId: null, problem: { code, message: problemMessage(pull, error, code) } }
  }
}

function problemMessage(pull: RailPull, error: unknown, code: ErrorCode): string {
  const what = `${railName(pull.rail)}${pull.rail === 'stripe' ? '' : ` ${pull.network}`}`
  if (hasErrorCode(error, 'RAIL_UNAVAILABLE'))
    return `${what} could not be read (${(error as Error).message}) — its records are pulled at the next try; the other rails were stored.`
  return `${what}: ${(error as Error).message} (${code})`
}

function railName(rail: Rail): string {
  return rail === 'evm' ? 'EVM chain' : rail === 'stellar' ? 'Stellar' : 'Stripe'
}
