/**
 * Stripe from the command line:
 *   settings stripe show | set-key (the key from stdin, never an argument) | clear-key
 *   stripe status | sync | events | payouts | payouts create
 * The CLI reads the key from COUNTERSIGN_SECRET_STRIPE_SECRET_KEY in an ordinary workspace; a
 * sandbox workspace keeps the harness's key in its own folder (`sandbox up` saves it).
 */
import type { Command } from 'commander'
import { CsError } from '../../shared/errors'
import type { StripeSettings } from '../../shared/stripeApi'
import type { CliIo } from '../io'
import { examples } from '../options'
import { withSession, type RunState } from '../session'
import { renderTable } from '../table'

const KEY_STDIN_BYTES_MAX = 1024

const PROTECTION_LABELS: Record<StripeSettings['protection'], string> = {
  'os-encryption': 'encrypted by the operating system',
  'basic-text': 'NOT encrypted (no system keyring)',
  environment: 'read from the environment (COUNTERSIGN_SECRET_STRIPE_SECRET_KEY)',
  'plaintext-file': 'plain file in the sandbox folder (sandbox only)',
  memory: 'memory only',
}

function describeSettings(s: StripeSettings): string[] {
  return [
    `Stripe API: ${s.configured ? s.apiUrl : 'not configured (add "stripe": {"apiUrl": …} with settings rails set)'}`,
    `Secret key: ${s.key.present ? `…${s.key.last4} (${s.key.mode} mode)` : 'none'} — ${PROTECTION_LABELS[s.protection]}`,
    ...(s.weakProtectionWarning ? [`Warning: ${s.weakProtectionWarning}`] : []),
  ]
}

async function readKey(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = []
  let bytes = 0
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Buffer)
    bytes += buf.length
    if (bytes > KEY_STDIN_BYTES_MAX)
      throw new CsError('INVALID_INPUT', 'Standard input is longer than a Stripe key — pipe in only the key.')
    chunks.push(buf)
  }
  const key = Buffer.concat(chunks).toString('utf8').trim()
  if (key === '') throw new CsError('INVALID_INPUT', 'No key on standard input — pipe it in, e.g. from your password manager.')
  return key
}

export function registerStripeSettings(settings: Command, io: CliIo, state: RunState): void {
  const stripe = settings.command('stripe').description('The Stripe secret key (last 4 characters shown only) and where it is kept.')
  stripe
    .command('show', { isDefault: true })
    .description('Whether a key is stored, its last 4 characters, and what protects it.')
    .action(async (_opts: object, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const setting = await s.call('settings.stripe.get', {})
        if (s.out.json) return s.out.data(setting)
        for (const line of describeSettings(setting)) s.out.line(line)
      })
    })
  stripe
    .command('set-key')
    .description('Save the Stripe secret key read from standard input (needs --as an admin); checked against Stripe first.')
    .option('--accept-unencrypted', 'save even though no system keyring can encrypt it (you were warned)')
    .addHelpText('after', examples('pass show stripe/live | countersign settings stripe set-key --as "Dana Admin"'))
    .action(async (opts: { acceptUnencrypted?: boolean }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const secretKey = await readKey(io.stdin ?? process.stdin)
        const setting = await s.call('settings.stripe.setKey', {
          secretKey,
          ...(opts.acceptUnencrypted ? { acceptWeakProtection: true } : {}),
        })
        if (s.out.json) return s.out.data(setting)
        s.out.line(`Stripe key …${setting.key.last4} saved.`)
      })
    })
  stripe
    .command('clear-key')
    .description('Remove the stored Stripe secret key (needs --as an admin).')
    .action(async (_opts: object, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const setting = await s.call('settings.stripe.clearKey', {})
        if (s.out.json) return s.out.data(setting)
        s.out.line('Stripe key removed.')
      })
    })
}

export function registerStripe(program: Command, io: CliIo, state: RunState): void {
  const stripe = program.command('stripe').description('Stripe Connect: Events sync, platform balance, payouts to the bank.')
  stripe
    .command('status', { isDefault: true })
    .description('Key, last sync, and the platform balance beside the ledger.')
    .action(async (_opts: object, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const status = await s.call('stripe.status', {})
        if (s.out.json) return s.out.data(status)
        for (const line of describeSettings(status.settings)) s.out.line(line)
        if (status.balanceProblem) s.out.line(`Balance: ${status.balanceProblem.message}`)
        if (status.balances && status.balances.length > 0)
          s.out.line(
            renderTable(
              [
                { header: 'ASSET' },
                { header: 'STRIPE AVAILABLE', align: 'right' },
                { header: 'PENDING', align: 'right' },
                { header: 'LEDGER', align: 'right' },
              ],
              status.balances.map((b) => [b.assetId, b.stripeAvailable, b.stripePending, b.ledger ?? '—']),
              s.out.bold,
            ),
          )
      })
    })
  stripe
    .command('sync')
    .description('Read new Stripe events now and book them (the app does this in the background).')
    .addHelpText('after', examples('countersign stripe sync --as "Dana Admin"'))
    .action(async (_opts: object, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const r = await s.call('stripe.sync', {})
        if (s.out.json) return s.out.data(r)
        s.out.line(
          `Synced ${r.events} events (${r.entries} entries booked), ${r.balanceTransactions} balance transactions; ${r.recovered} bank payouts recovered.`,
        )
      })
    })
  stripe
    .command('events')
    .description('Events the sync applied, newest first, with what each booked.')
    .option('--limit <n>', 'how many (default 100, at most 500)', (v) => Number.parseInt(v, 10))
    .action(async (opts: { limit?: number }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const rows = await s.call('stripe.events.list', opts.limit !== undefined ? { limit: opts.limit } : {})
        if (s.out.json) return s.out.data(rows)
        if (rows.length === 0) return s.out.line('No Stripe events synced yet (countersign stripe sync).')
        s.out.line(
          renderTable(
            [{ header: 'WHEN' }, { header: 'EVENT' }, { header: 'WHAT' }],
            rows.map((e) => [e.created, e.type, e.summary]),
            s.out.bold,
          ),
        )
      })
    })
  stripe
    .command('balance-transactions')
    .description("Stripe's balance transactions the sync stored, newest first (for reconciliation).")
    .option('--limit <n>', 'how many (default 100, at most 1000)', (v) => Number.parseInt(v, 10))
    .action(async (opts: { limit?: number }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const rows = await s.call('stripe.balanceTransactions.list', opts.limit !== undefined ? { limit: opts.limit } : {})
        if (s.out.json) return s.out.data(rows)
        if (rows.length === 0) return s.out.line('No balance transactions synced yet (countersign stripe sync).')
        s.out.line(
          renderTable(
            [
              { header: 'WHEN' },
              { header: 'TYPE' },
              { header: 'SOURCE' },
              { header: 'AMOUNT', align: 'right' },
              { header: 'FEE', align: 'right' },
            ],
            rows.map((t) => [t.created, t.type, t.source ?? '—', `${t.amount} ${t.assetId}`, t.fee]),
            s.out.bold,
          ),
        )
      })
    })
  const payouts = stripe.command('payouts').description('Payouts from the platform balance to its bank.')
  payouts
    .command('list', { isDefault: true })
    .description('Bank payouts, newest first, with status and booking.')
    .action(async (_opts: object, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const rows = await s.call('stripe.bankPayouts.list', {})
        if (s.out.json) return s.out.data(rows)
        if (rows.length === 0) return s.out.line('No bank payouts yet.')
        s.out.line(
          renderTable(
            [{ header: 'PAYOUT' }, { header: 'AMOUNT', align: 'right' }, { header: 'STATUS' }, { header: 'BOOKED' }, { header: 'FAILURE' }],
            rows.map((r) => [r.stripeId ?? r.key, `${r.amount} ${r.assetId}`, r.status, r.booked ?? '—', r.failureMessage ?? '']),
            s.out.bold,
          ),
        )
      })
    })
  payouts
    .command('create')
    .description('Pay out from the Stripe platform balance to its bank (needs --as an admin).')
    .requiredOption('--asset <id>', 'a Stripe asset, e.g. USD@stripe')
    .requiredOption('--amount <decimal>', 'exact amount in the asset, e.g. 250.00')
    .option('--description <text>', 'shown on the payout')
    .addHelpText('after', examples('countersign stripe payouts create --asset USD@stripe --amount 250.00 --as "Dana Admin"'))
    .action(async (opts: { asset: string; amount: string; description?: string }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const row = await s.call('stripe.bankPayouts.create', {
          assetId: opts.asset,
          amount: opts.amount,
          ...(opts.description ? { description: opts.description } : {}),
        })
        if (s.out.json) return s.out.data(row)
        s.out.line(
          row.status === 'requested'
            ? `Payout of ${row.amount} ${row.assetId} sent to Stripe, no answer yet — the sync asks again with the same key (${row.key}).`
            : `Payout ${row.stripeId} of ${row.amount} ${row.assetId}: ${row.status}.`,
        )
      })
    })
}
