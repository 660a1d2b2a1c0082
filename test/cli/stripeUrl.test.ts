/**
 * The Stripe secret key goes only to Stripe (issue 13, item 9). A fake "Stripe" — a tiny node:http
 * server recording every request — listens on another URL, and a REAL (non-sandbox) workspace:
 * - refuses it as the Stripe API URL when an admin sets it (RAIL_URL_REFUSED), and refuses plain
 *   http to a remote EVM node; https://api.stripe.com is accepted and the change is audited;
 * - with the fake URL forced into the stored setting with SQL (an old setting, a hand edit), a
 *   real `countersign stripe status` process holding the key refuses to use it, `stripe sync`
 *   fails with the same code, a rail built from the setting refuses before reading the key —
 *   and the fake server never receives a single request, let alone one carrying the key.
 */
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { hasErrorCode } from '../../src/shared/errors'
import { AuditRow } from '../../src/shared/workspaceApi'
import { StripeStatus } from '../../src/shared/stripeApi'
import { openDb } from '../../src/main/core/db/openDb'
import { createLiveRails } from '../../src/main/core/rails/createLiveRails'
import { createMemorySecretStore } from '../../src/main/core/secrets/SecretStore'
import { STRIPE_SECRET_KEY_NAME } from '../../src/main/core/rails/stripe/stripeRailConfig'
import { sqlRun } from '../dbSql'
import { json, runCli, spawnCli, tempDir, type CliResult } from './cliHarness'

const KEY = 'sk_test_51FakeKeyThatMustNeverLeave0000000000000000000000'
const KEY_ENV_NAME = 'COUNTERSIGN_SECRET_STRIPE_SECRET_KEY'
const KEY_ENV = { [KEY_ENV_NAME]: KEY }
const ADMIN = ['--as', 'Dana Admin']

interface Received {
  method: string
  url: string
  authorization: string | undefined
  body: string
}

let root: string
let dir: string
let server: http.Server
let fakeUrl: string
const received: Received[] = []

function cli(...args: string[]): Promise<CliResult> {
  return runCli(['--data-dir', dir, ...args])
}
function railsFile(name: string, value: unknown): string {
  const file = path.join(root, name)
  fs.writeFileSync(file, JSON.stringify(value))
  return file
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString('utf8')))
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, body })
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ object: 'balance', available: [{ amount: 1, currency: 'usd' }], pending: [] }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  fakeUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  root = tempDir('countersign-stripe-url-')
  dir = path.join(root, 'books')
  const init = await cli('init', '--admin', 'Dana Admin')
  expect(init.code, init.stderr).toBe(0)
}, 60_000)

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
  fs.rmSync(root, { recursive: true, force: true })
})

describe('Stripe API URL in a real workspace', () => {
  it('the workspace is a real one', async () => {
    expect((json(await cli('info', '--json')) as { sandbox: boolean }).sandbox).toBe(false)
  })

  it('refuses the fake server (and any non-Stripe URL) when an admin sets it, and stores nothing', async () => {
    for (const apiUrl of [fakeUrl, 'https://stripe-api.example', 'http://api.stripe.com']) {
      const r = await cli('settings', 'rails', 'set', railsFile('fake.json', { stripe: { apiUrl } }), ...ADMIN)
      expect(r.code, apiUrl).toBe(1)
      expect(r.stderr).toMatch(
        /^error RAIL_URL_REFUSED: The Stripe API URL .* was refused: this is a real workspace, so the Stripe secret key is only ever sent to https:\/\/api\.stripe\.com/m,
      )
    }
    const shown = json(await cli('settings', 'rails', '--json')) as { rails: unknown }
    expect(shown.rails).toEqual({})
  })

  it('refuses plain http to a remote EVM node, accepts https://api.stripe.com, and audits the change', async () => {
    const chain = {
      chainId: 8453,
      rpcUrl: 'http://rpc.example:8545',
      batchContract: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
      confirmationsMin: 2,
      maxFeePerGasCap: '500000000000',
      source: { address: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', path: "44'/60'/0'/0/0" },
    }
    const evm = await cli('settings', 'rails', 'set', railsFile('evm.json', { evm: { chains: [chain] } }), ...ADMIN)
    expect(evm.code).toBe(1)
    expect(evm.stderr).toMatch(/^error RAIL_URL_REFUSED: The EVM RPC URL http:\/\/rpc\.example:8545 was refused/m)
    const set = await cli('settings', 'rails', 'set', railsFile('stripe.json', { stripe: { apiUrl: 'https://api.stripe.com/' } }), ...ADMIN)
    expect(set.code, set.stderr).toBe(0)
    const page = json(await cli('audit', 'list', '--subject', 'settings:rails', '--json')) as { rows: unknown[] }
    const row = page.rows.map((r) => AuditRow.parse(r)).find((r) => r.action === 'settings.rails.set')!
    expect(row.change).toEqual({ before: {}, after: { stripe: { apiUrl: 'https://api.stripe.com' } } })
    expect(received).toEqual([])
  })

  describe('with the fake URL forced into the stored setting', () => {
    beforeAll(async () => {
      const db = await openDb({ dataDir: dir })
      try {
        const forced = JSON.stringify({ stripe: { apiUrl: fakeUrl } })
        expect((await sqlRun(db, "UPDATE settings SET value = ? WHERE key = 'rails'", forced)).changes).toBe(1)
      } finally {
        await db.close()
      }
    })

    it('`stripe status` (a real process holding the key) refuses the URL and sends nothing', async () => {
      const r = await spawnCli(['--data-dir', dir, 'stripe', 'status', '--json'], { env: KEY_ENV })
      expect(r.code, r.stderr).toBe(0)
      const status = StripeStatus.parse(JSON.parse(r.stdout))
      expect(status.settings.key.present).toBe(true)
      expect(status.balances).toBeNull()
      expect(status.balanceProblem?.code).toBe('RAIL_URL_REFUSED')
      expect(status.balanceProblem?.message).toContain(`${fakeUrl} was refused`)
      expect(`${r.stdout}${r.stderr}`).not.toContain(KEY)
      expect(received).toEqual([])
    }, 60_000)

    it('in-process too: `stripe status` says why, `stripe sync` fails with RAIL_URL_REFUSED, nothing is sent', async () => {
      // The CLI of a real workspace reads the key from its process environment.
      vi.stubEnv(KEY_ENV_NAME, KEY)
      try {
        const human = await cli('stripe', 'status')
        expect(human.code, human.stderr).toBe(0)
        expect(human.stdout).toMatch(/^Balance: The Stripe API URL http:\/\/127\.0\.0\.1:\d+ was refused/m)
        const sync = await cli('stripe', 'sync', ...ADMIN)
        expect(sync.code).toBe(1)
        expect(sync.stderr).toMatch(/^error RAIL_URL_REFUSED: /m)
        expect(`${human.stdout}${human.stderr}${sync.stdout}${sync.stderr}`).not.toContain(KEY)
      } finally {
        vi.unstubAllEnvs()
      }
      expect(received).toEqual([])
    })

    it('a rail built from the stored setting refuses before it reads the key', async () => {
      const secrets = createMemorySecretStore()
      await secrets.set(STRIPE_SECRET_KEY_NAME, KEY)
      const read = secrets.get.bind(secrets)
      const keyReads: string[] = []
      secrets.get = async (name) => {
        keyReads.push(name)
        return await read(name)
      }
      const rails = createLiveRails({ stripe: { apiUrl: fakeUrl } }, { secrets, sandbox: false })
      const rail = (await rails.load()).get('stripe', 'stripe')!
      const sent = await rail.broadcast({ idempotency_key: 'cs_p-1_a1' } as never).then(
        () => null,
        (error: unknown) => error,
      )
      expect(hasErrorCode(sent, 'RAIL_URL_REFUSED')).toBe(true)
      expect(keyReads).toEqual([])
      // The same URL in a sandbox is a local test server, and allowed.
      const sandbox = createLiveRails({ stripe: { apiUrl: fakeUrl } }, { secrets, sandbox: true })
      expect((await sandbox.load()).get('stripe', 'stripe')).toBeDefined()
      expect(received).toEqual([])
    })
  })
})
