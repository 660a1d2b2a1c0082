/**
 * The harness's objects, as they cross the wire, have the same keys and JSON types as Stripe's
 * own examples (stripe-mock fixtures, test/fixtures/stripe). A field Stripe documents as
 * nullable may be null on one side and a value on the other; anything else must match, so code
 * written against the harness reads real Stripe objects too.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeForm, startStripeHarness, toJson, type StripeHarness } from './index'

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/stripe')

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, `stripe_mock_fixture_${name}.json`), 'utf8')) as Record<string, unknown>
}

function jsonType(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  if (Number.isInteger(v)) return 'integer'
  return typeof v
}

/** Differences in keys and JSON types, as readable paths; [] when the shapes agree. */
function shapeDiff(expected: unknown, actual: unknown, at = '$', skip: readonly string[] = []): string[] {
  if (skip.includes(at)) return []
  const te = jsonType(expected)
  const ta = jsonType(actual)
  if (te === 'null' || ta === 'null') return []
  if (te !== ta) return [`${at}: expected ${te}, got ${ta}`]
  if (te === 'array') {
    const [e0] = expected as unknown[]
    const [a0] = actual as unknown[]
    return e0 === undefined || a0 === undefined ? [] : shapeDiff(e0, a0, `${at}[0]`, skip)
  }
  if (te !== 'object') return []
  const e = expected as Record<string, unknown>
  const a = actual as Record<string, unknown>
  const out: string[] = []
  for (const k of Object.keys(e)) if (!(k in a)) out.push(`${at}.${k}: missing`)
  for (const k of Object.keys(a)) if (!(k in e)) out.push(`${at}.${k}: not in Stripe's object`)
  for (const k of Object.keys(e)) if (k in a) out.push(...shapeDiff(e[k], a[k], `${at}.${k}`, skip))
  return out
}

let h: StripeHarness
const wire: Record<string, Record<string, unknown>> = {}

async function call(method: 'GET' | 'POST', urlPath: string, body?: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${h.url}${urlPath}`, {
    method,
    headers: { Authorization: `Bearer ${h.secretKey}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body,
  })
  expect(res.status).toBe(200)
  return (await res.json()) as Record<string, unknown>
}

beforeAll(async () => {
  h = await startStripeHarness({ balances: { usd: 50_000n } })
  const acct = h.addConnectedAccount()
  wire.transfer = await call('POST', '/v1/transfers', `amount=1100&currency=usd&destination=${acct}&metadata[payout_id]=p1`)
  const id = wire.transfer.id as string
  wire.transfer_reversal = await call('POST', `/v1/transfers/${id}/reversals`, 'amount=100')
  wire.reversed_transfer = await call('GET', `/v1/transfers/${id}`)
  wire.payout = await call('POST', '/v1/payouts', 'amount=500&currency=usd')
  const list = await call('GET', '/v1/balance_transactions?limit=1')
  wire.balance_transaction = (list.data as Record<string, unknown>[])[0] as Record<string, unknown>
  wire.payment_intent = await call(
    'POST',
    '/v1/payment_intents',
    'amount=2000&currency=usd&transfer_group=esc_1&payment_method=pm_card_visa&confirm=true&metadata[escrow_id]=esc_1',
  )
  wire.charge = await call('GET', `/v1/charges/${wire.payment_intent.latest_charge as string}`)
  wire.refund = await call('POST', '/v1/refunds', `charge=${wire.charge.id as string}&amount=500`)
  const events = await call('GET', '/v1/events?limit=1&types[]=payout.created')
  wire.event = (events.data as Record<string, unknown>[])[0] as Record<string, unknown>
})

afterAll(async () => {
  await h.stop()
})

describe('shapes match Stripe', () => {
  it.each([
    ['transfer', 'transfer'],
    ['transfer', 'reversed_transfer'],
    ['transfer_reversal', 'transfer_reversal'],
    ['payout', 'payout'],
    ['balance_transaction', 'balance_transaction'],
    ['payment_intent', 'payment_intent'],
    ['charge', 'charge'],
    ['refund', 'refund'],
  ])('%s (%s)', (name, ours) => {
    // metadata is a free-form map: only its type is compared.
    expect(shapeDiff(fixture(name), wire[ours], '$', ['$.metadata'])).toEqual([])
    if ('metadata' in fixture(name)) expect(jsonType(wire[ours]?.metadata)).toBe('object')
  })

  it('event envelope (data.object is whatever object changed)', () => {
    expect(shapeDiff(fixture('event'), wire.event, '$', ['$.data.object'])).toEqual([])
    expect((wire.event?.data as { object: { object: string } }).object.object).toBe('payout')
  })

  it('the checker itself notices a missing key and a wrong type', () => {
    expect(shapeDiff({ a: 1, b: 'x' }, { a: '1' })).toEqual(['$.b: missing', '$.a: expected integer, got string'])
  })
})

describe('form encoding as stripe-node writes it', () => {
  it('decodes nested hashes and both array notations', () => {
    expect(decodeForm('amount=1100&metadata[payout_id]=p%201&types[0]=a.b&types[1]=c&x[]=1&x[]=2')).toEqual({
      amount: '1100',
      metadata: { payout_id: 'p 1' },
      types: ['a.b', 'c'],
      x: ['1', '2'],
    })
  })

  it('refuses a name that is both a value and a hash', () => {
    expect(() => decodeForm('metadata=x&metadata[a]=b')).toThrow(/both a value and a hash/)
  })

  it('writes bigint exactly', () => {
    expect(toJson({ a: 2n ** 64n, b: [1n] })).toBe('{"a":18446744073709551616,"b":[1]}')
  })
})
