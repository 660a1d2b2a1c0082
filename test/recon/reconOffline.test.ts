/**
 * Reconciliation with the network off (issue 15): the sandbox pays two Stripe payouts to the
 * platform's bank and is stopped — every rail URL the workspace knows (Anvil, Horizon, Stripe)
 * now refuses connections. Through the CLI, as separate processes: import the bank's statement,
 * pull (each rail says why it cannot be read, what the poller stored is still pulled), run,
 * confirm, approve the bank charge as a second person, and close the month.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sandboxUp, type Sandbox } from '../../src/main/sandbox/sandboxUp'
import { createAnvilService } from '../../src/main/sandbox/anvilService'
import { createStellarService } from '../../src/main/sandbox/stellarService'
import { createStripeService } from '../../src/main/sandbox/stripeService'
import { openDb } from '../../src/main/core/db/openDb'
import { sqlAll } from '../dbSql'
import { json, runCli, tempDir, type CliResult } from '../cli/cliHarness'
import { camtText } from './camtText'

const IBAN = 'US64SVBKUS6S3300958879'
const ACCOUNT = `${IBAN}:USD`

let root: string
let dir: string
let sb: Sandbox | undefined
let paidOn: string
let po: string[]

async function ok(...args: string[]): Promise<CliResult> {
  const r = await runCli(['--data-dir', dir, ...args])
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0)
  return r
}

beforeAll(async () => {
  root = tempDir('countersign-recon-offline-')
  dir = path.join(root, 'sandbox')
  const stripe = createStripeService()
  sb = await sandboxUp({
    dataDir: dir,
    services: [createAnvilService({ persist: false }), createStellarService(), stripe],
    pollIntervalMs: 3_600_000,
  })
  await sb.core.poller.stop()
  const h = stripe.harness()!
  const admin = { operatorId: sb.description.operators.find((o) => o.name === 'Dana Admin')!.id }
  po = []
  for (const amount of ['250.00', '125.25']) {
    const p = await sb.core.api.call('stripe.bankPayouts.create', { assetId: 'USD@stripe', amount }, admin)
    h.advancePayout(p.stripeId!, 'paid')
    po.push(p.stripeId!)
  }
  await sb.core.api.call('stripe.sync', {}, admin)
  paidOn = (await sb.core.ctx.db.first(
    sb.core.ctx.db.k.selectFrom('entries').select('date').where('id', '=', `stripe:payout:${po[0]}:paid`),
  ))!.date
  await sb.stop()
  sb = undefined
}, 180_000)

afterAll(async () => {
  await sb?.stop()
  fs.rmSync(root, { recursive: true, force: true })
})

describe('reconciliation offline', () => {
  it('imports, runs, confirms and closes with every rail unreachable', async () => {
    const file = path.join(root, 'svb.xml')
    fs.writeFileSync(
      file,
      camtText({
        id: 'SVB-OFF-1',
        seq: 1,
        iban: IBAN,
        ccy: 'USD',
        month: paidOn.slice(0, 7),
        opening: '0.00',
        closing: '372.75',
        lines: [
          { amount: '250.00', dir: 'CRDT', date: paidOn, text: `STRIPE ${po[0]}` },
          { amount: '125.25', dir: 'CRDT', date: paidOn, text: 'STRIPE TRANSFER' },
          { amount: '2.50', dir: 'DBIT', date: paidOn, text: 'WIRE FEE' },
        ],
      }),
    )
    await ok('recon', 'import', file, '--ledger-account', 'external:stripe-bank:USD@stripe', '--as', 'Alice Preparer', '--json')

    // Pulling says which rails cannot be read and does not fail the rest.
    // (its exit code says a rail could not be read; the JSON says which and why)
    const pull = await runCli(['--data-dir', dir, 'recon', 'pull', '--as', 'Alice Preparer', '--json'])
    expect(pull.code).toBe(1)
    const pulled = json(pull) as { pulls: { rail: string; problem: { code: string } | null }[] }
    expect(pulled.pulls.find((p) => p.rail === 'evm')!.problem).not.toBeNull()

    const run = json(await ok('recon', 'run', '--account', ACCOUNT, '--as', 'Alice Preparer', '--json')) as {
      stats: { matched: number; suggested: number }
      matches: { id: string; kind: string; state: string; statementTotal: string }[]
    }
    expect(run.matches.map((m) => [m.kind, m.state, m.statementTotal]).sort()).toEqual([
      ['1:1', 'suggested', '125.25'],
      ['fee', 'suggested', '-2.50'],
      ['key', 'confirmed', '250.00'],
    ])
    const suggested = run.matches.filter((m) => m.state === 'suggested').map((m) => m.id)
    await ok('recon', 'confirm', ...suggested, '--as', 'Alice Preparer', '--json')
    const adjustments = json(await ok('recon', 'adjustments', '--state', 'proposed', '--json')) as {
      adjustments: { id: string; amount: string }[]
    }
    expect(adjustments.adjustments.map((a) => a.amount)).toEqual(['-2.50'])
    // The preparer who proposed it cannot approve it; an approver can.
    const self = await runCli(['--data-dir', dir, 'recon', 'approve', adjustments.adjustments[0]!.id, '--as', 'Alice Preparer'])
    expect(self.code).not.toBe(0)
    await ok('recon', 'approve', adjustments.adjustments[0]!.id, '--as', 'Bob Approver', '--json')

    const period = paidOn.slice(0, 7)
    const closed = json(await ok('recon', 'close', ACCOUNT, '--period', period, '--as', 'Bob Approver', '--json')) as {
      period: string
      matches: number
      openExceptions: number
    }
    expect(closed).toMatchObject({ period, matches: 3, openExceptions: 0 })
    const drift = json(await ok('recon', 'drift', ACCOUNT, '--json')) as { latest: { difference: string; unexplained: string } }
    expect(drift.latest).toMatchObject({ difference: '0.00', unexplained: '0.00' })
    const unmatch = await runCli(['--data-dir', dir, 'recon', 'unmatch', run.matches[0]!.id, '--reason', 'test', '--as', 'Alice Preparer'])
    expect(unmatch.code).not.toBe(0)
    expect(unmatch.stderr).toContain('RECON_PERIOD_CLOSED')
    // Nothing of this needed the network: the audit log has the whole flow.
    const db = await openDb({ dataDir: dir })
    const actions = await sqlAll<{ action: string }>(db, "SELECT action FROM audit_log WHERE action LIKE 'recon.%' ORDER BY seq").finally(
      () => db.close(),
    )
    expect(actions.map((a) => a.action)).toEqual(
      expect.arrayContaining(['recon.import', 'recon.run', 'recon.confirm', 'recon.adjustment.approve', 'recon.close']),
    )
  }, 180_000)
})
