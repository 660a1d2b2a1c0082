/**
 * Stripe through the CLI against a sandbox workspace whose Stripe-compatible harness (funded
 * platform, connected accounts, one restricted) runs beside it:
 *   import → submit → approve → execute (no device: API calls with our keys) → poll → completed;
 *   a transfer reversal and a bank payout that turns paid → failed, synced from the Events API
 *   and booked back; the pre-flight refusing a restricted account; and the secret key found
 *   nowhere — not in any output, log line, error message, audit row or the database file.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setLogSink } from '../../src/main/core/log'
import { accountIds, demoPassphrase, SANDBOX_STRIPE_ACCOUNTS } from '../../src/main/sandbox/sandboxPlan'
import { sandboxUp, type Sandbox } from '../../src/main/sandbox/sandboxUp'
import { createStripeService } from '../../src/main/sandbox/stripeService'
import { ExecuteResult } from '../../src/shared/payoutsApi'
import { StripeBankPayout, StripeSettings, StripeStatus } from '../../src/shared/stripeApi'
import { sqlAll, sqlTableNames } from '../dbSql'
import type { StripeHarness } from '../harness/stripe'
import { importApproveExecute, json, pollUntilState, runCli, tempDir, type CliResult } from './cliHarness'

let root: string
let dir: string
let sb: Sandbox
let h: StripeHarness
const seen: string[] = []

async function cli(args: string[], stdin?: string): Promise<CliResult> {
  const r = await runCli(['--data-dir', dir, ...args], stdin === undefined ? {} : { stdin })
  seen.push(r.stdout, r.stderr)
  return r
}
async function ok(...args: string[]): Promise<CliResult> {
  const r = await cli(args)
  expect(r.code, r.stderr).toBe(0)
  return r
}

async function ledger(accountId: string): Promise<string | undefined> {
  const row = await sb.core.ctx.db.first(
    sb.core.ctx.db.k.selectFrom('balances').select(['debits_posted', 'credits_posted']).where('account_id', '=', accountId),
  )
  return row ? (BigInt(row.debits_posted) - BigInt(row.credits_posted)).toString() : undefined
}

beforeAll(async () => {
  setLogSink((line) => seen.push(line), 'debug')
  root = tempDir('countersign-cli-stripe-')
  dir = path.join(root, 'sandbox')
  const stripe = createStripeService()
  sb = await sandboxUp({ dataDir: dir, services: [stripe], pollIntervalMs: 3_600_000 })
  await sb.core.poller.stop()
  h = stripe.harness()!
}, 90_000)

afterAll(async () => {
  setLogSink((l) => process.stderr.write(l + '\n'), 'warn')
  await sb?.stop()
  fs.rmSync(root, { recursive: true, force: true })
})

describe('countersign on the Stripe sandbox', () => {
  it('sandbox up configured the harness, funded the platform to the ledger and saved the key (last 4 shown only)', async () => {
    expect(sb.description.services.stripe).toMatchObject({ apiUrl: h.url, keyLast4: h.secretKey.slice(-4) })
    expect(h.balance('usd')).toBe(5_000_000n) // the ledger's 50,000.00 USD opening
    const shown = StripeSettings.parse(json(await ok('settings', 'stripe', 'show', '--json')))
    expect(shown).toMatchObject({ configured: true, apiUrl: h.url, key: { present: true, last4: h.secretKey.slice(-4), mode: 'test' } })
    expect(shown.protection).toBe('plaintext-file')
    const status = StripeStatus.parse(json(await ok('stripe', 'status', '--json')))
    expect(status.balances).toEqual([{ assetId: 'USD@stripe', stripeAvailable: '50000.00', stripePending: '0.00', ledger: '50000.00' }])
  })

  it('executes a Stripe batch: one transfer per payout, exact cents, booked', async () => {
    const csv = [
      'id,rail,network,asset,recipient,amount,memo',
      `st-1,stripe,stripe,USD,${SANDBOX_STRIPE_ACCOUNTS.freelancer},1234.56,INV-9`,
      `st-2,stripe,stripe,USD,${SANDBOX_STRIPE_ACCOUNTS.studio},0.01,INV-9`,
      `st-3,stripe,stripe,USD,${SANDBOX_STRIPE_ACCOUNTS.agency},99.99,INV-9`,
    ].join('\n')
    const file = path.join(root, 'pay.csv')
    fs.writeFileSync(file, csv)
    const { id, executed } = await importApproveExecute(ok, file)
    expect(ExecuteResult.parse(executed)).toMatchObject({ batchId: id, chunks: 3, broadcast: 3 })
    expect(await pollUntilState(ok, id, 'completed')).toBe('completed')
    const transfers = h.transfers() as { amount: bigint; destination: string; metadata: Record<string, string> }[]
    expect(transfers.map((t) => [t.destination, t.amount])).toEqual([
      [SANDBOX_STRIPE_ACCOUNTS.freelancer, 123456n],
      [SANDBOX_STRIPE_ACCOUNTS.studio, 1n],
      [SANDBOX_STRIPE_ACCOUNTS.agency, 9999n],
    ])
    // Every POST carried our key, never stripe-node's.
    const posts = h.requests().filter((q) => q.method === 'POST' && q.path === '/v1/transfers')
    expect(posts.every((q) => q.idempotencyKey?.startsWith('cs_'))).toBe(true)
    expect(h.balance('usd')).toBe(5_000_000n - 123456n - 1n - 9999n)
    expect(await ledger('treasury.usd-stripe')).toBe(String(5_000_000n - 123456n - 1n - 9999n))
    expect(await ledger(accountIds.payee('freelancer', 'usd-stripe'))).toBe('123456')
  }, 90_000)

  it('syncs a transfer reversal from the Events API and books it back, once', async () => {
    const transfer = (h.transfers() as { id: string; destination: string }[]).find(
      (t) => t.destination === SANDBOX_STRIPE_ACCOUNTS.freelancer,
    )!
    h.reverseTransfer(transfer.id, 23456n)
    const first = json(await ok('stripe', 'sync', '--as', 'Dana Admin', '--json')) as { events: number; entries: number }
    expect(first.entries).toBe(1)
    expect(await ledger(accountIds.payee('freelancer', 'usd-stripe'))).toBe('100000')
    const again = json(await ok('stripe', 'sync', '--as', 'Dana Admin', '--json')) as { events: number; entries: number }
    expect(again).toMatchObject({ events: 0, entries: 0 })
    expect(await ledger('treasury.usd-stripe')).toBe(String(h.balance('usd')))
    const events = (await cli(['stripe', 'events'])).stdout
    expect(events).toContain(`reversed 234.56 USD`)
    // The payout itself says how much was taken back.
    const batchId = (await sb.core.ctx.db.first(sb.core.ctx.db.k.selectFrom('payouts').select('batch_id').where('id', '=', 'st-1')))!
      .batch_id
    const detail = await sb.core.api.call('batches.get', { id: batchId })
    expect(detail.payouts.map((p) => [p.id, p.reversed])).toEqual([
      ['st-1', '234.56'],
      ['st-2', null],
      ['st-3', null],
    ])
  }, 60_000)

  it('books a bank payout sent → paid → failed back into the platform balance', async () => {
    const before = h.balance('usd')
    const created = StripeBankPayout.parse(
      json(await ok('stripe', 'payouts', 'create', '--asset', 'USD@stripe', '--amount', '250.00', '--as', 'Dana Admin', '--json')),
    )
    expect(created).toMatchObject({ status: 'pending', booked: 'sent', amount: '250.00' })
    expect(h.balance('usd')).toBe(before - 25000n)
    const post = h.requests().find((q) => q.method === 'POST' && q.path === '/v1/payouts')!
    expect(post.idempotencyKey).toBe(created.key)
    expect(await ledger('treasury.usd-stripe')).toBe(String(h.balance('usd')))
    expect(await ledger('clearing:stripe-payouts:USD@stripe')).toBe('25000')

    h.advancePayout(created.stripeId!, 'paid')
    await ok('stripe', 'sync', '--as', 'Dana Admin')
    expect(await ledger('clearing:stripe-payouts:USD@stripe')).toBe('0')
    expect(await ledger('external:stripe-bank:USD@stripe')).toBe('25000')

    h.advancePayout(created.stripeId!, 'failed', { failureCode: 'account_closed' })
    await ok('stripe', 'sync', '--as', 'Dana Admin')
    const listed = (json(await ok('stripe', 'payouts', '--json')) as StripeBankPayout[]).find((p) => p.key === created.key)!
    expect(listed).toMatchObject({ status: 'failed', booked: 'returned', failureCode: 'account_closed' })
    expect(await ledger('external:stripe-bank:USD@stripe')).toBe('0')
    expect(h.balance('usd')).toBe(before)
    expect(await ledger('treasury.usd-stripe')).toBe(String(before))
    // A second sync books nothing more.
    expect(json(await ok('stripe', 'sync', '--as', 'Dana Admin', '--json'))).toMatchObject({ entries: 0 })
    // Stripe's own record of the balance: the payout and its failure, signed, in exact units.
    const txns = json(await ok('stripe', 'balance-transactions', '--json')) as { type: string; amount: string; source: string }[]
    expect(txns.filter((t) => t.source === created.stripeId).map((t) => [t.type, t.amount])).toEqual([
      ['payout_failure', '250.00'],
      ['payout', '-250.00'],
    ])
  }, 60_000)

  it('flags at import, next to its row, and refuses at submit a connected account that cannot receive transfers', async () => {
    const file = path.join(root, 'restricted.csv')
    fs.writeFileSync(
      file,
      ['id,rail,network,asset,recipient,amount', `st-r,stripe,stripe,USD,${SANDBOX_STRIPE_ACCOUNTS.restricted},5.00`].join('\n'),
    )
    const imported = json(await ok('payouts', 'import', file, '--as', 'Alice Preparer', '--json')) as {
      batchId: string
      warnings: { row: number | null; code: string; message: string }[]
    }
    const id = imported.batchId
    // Known at import, when Stripe can be asked: on its row, kept with the batch for the approver.
    expect(imported.warnings.filter((w) => w.code === 'RECIPIENT_CANNOT_RECEIVE')).toEqual([
      expect.objectContaining({
        row: 2,
        message: expect.stringContaining(`${SANDBOX_STRIPE_ACCOUNTS.restricted} cannot receive transfers`),
      }),
    ])
    const shown = json(await ok('batches', 'show', id, '--json')) as { warnings: { code: string; payoutId: string | null }[] }
    expect(shown.warnings.filter((w) => w.code === 'RECIPIENT_CANNOT_RECEIVE').map((w) => w.payoutId)).toEqual(['st-r'])
    const r = await cli(['batches', 'submit', id, '--as', 'Alice Preparer'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`${SANDBOX_STRIPE_ACCOUNTS.restricted} cannot receive transfers`)
  }, 60_000)

  it('a wrong key is refused before it is saved, and its message does not carry it', async () => {
    const wrong = 'sk_test_WRONGwrongWRONG0000xyz'
    const r = await cli(['settings', 'stripe', 'set-key', '--as', 'Dana Admin'], wrong)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('STRIPE_AUTH_FAILED')
    expect(r.stderr).not.toContain(wrong)
    expect(StripeSettings.parse(json(await ok('settings', 'stripe', 'show', '--json'))).key.last4).toBe(h.secretKey.slice(-4))
    seen.push(r.stderr)
    // The wrong key is as secret as the right one.
    for (const text of seen) expect(text).not.toContain(wrong)
  })

  it('the key appears in no output, log line, audit row, or the database file', async () => {
    const audit = (await cli(['audit', 'list', '--json', '--limit', '1000'])).stdout
    expect(audit).toContain('settings.stripe.setKey')
    const all = [...seen, audit]
    const key = h.secretKey
    expect(all.length).toBeGreaterThan(20)
    for (const text of all) expect(text).not.toContain(key)
    // And no prefix long enough to matter (the harness key's random tail).
    for (const text of all) expect(text).not.toContain(key.slice(-16))
    // The database, whichever backend holds it: no stored value holds the key…
    const db = sb.core.ctx.db
    for (const table of await sqlTableNames(db)) {
      for (const row of await sqlAll(db, `SELECT * FROM "${table}"`)) {
        for (const value of Object.values(row)) {
          const bytes = value instanceof Uint8Array ? Buffer.from(value) : Buffer.from(String(value))
          expect(bytes.includes(Buffer.from(key)), `${table}: ${String(value)}`).toBe(false)
        }
      }
    }
    // …and on SQLite, neither does the file (free pages and the WAL included).
    for (const file of fs.readdirSync(dir).filter((f) => f.startsWith('countersign.sqlite'))) {
      expect(fs.readFileSync(path.join(dir, file)).includes(Buffer.from(key))).toBe(false)
    }
  })

  it("operators' passphrases, their hashes and sealed approval keys appear in no output, log line or audit row", async () => {
    const audit = (await cli(['audit', 'list', '--json', '--limit', '1000'])).stdout
    const db = sb.core.ctx.db
    const ops = await sqlAll<{ name: string; passphrase: string | null }>(db, 'SELECT name, passphrase FROM operators')
    const keys = await sqlAll<{ sealed_secret: string | null }>(db, 'SELECT sealed_secret FROM operator_keys')
    const secrets = [
      ...ops.flatMap((o) => [
        demoPassphrase(o.name),
        ...(o.passphrase ? [(JSON.parse(o.passphrase) as { verifier: string }).verifier] : []),
      ]),
      ...keys.flatMap((k) => (k.sealed_secret ? [(JSON.parse(k.sealed_secret) as { ct: string }).ct] : [])),
    ]
    expect(secrets.length).toBeGreaterThanOrEqual(ops.length * 2)
    const all = [...seen, audit]
    for (const text of all) for (const secret of secrets) expect(text).not.toContain(secret)
  })
})
