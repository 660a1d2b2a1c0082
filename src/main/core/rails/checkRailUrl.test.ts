import { describe, expect, it } from 'vitest'
import { CsError } from '../../../shared/errors'
import { checkRailUrl, isLoopbackHost, type RailUrlKind } from './checkRailUrl'
import { rpcCall, RpcTransportError } from './evm/jsonRpc'
import { auditableUrl } from './setRailsSetting'
import { createHorizonClient, HorizonError } from './stellar/horizon'
import { createStripeClient } from './stripe/createStripeClient'
import { stripeApiBaseOf } from './stripe/stripeRailConfig'

const REAL = { sandbox: false }
const SANDBOX = { sandbox: true }

function refusedCode(kind: RailUrlKind, url: string, policy: { sandbox: boolean }): string | null {
  try {
    checkRailUrl(kind, url, policy)
    return null
  } catch (error) {
    expect(error).toBeInstanceOf(CsError)
    return (error as CsError).code
  }
}

describe('rail URLs', () => {
  it('Stripe in a real workspace: only https://api.stripe.com', () => {
    expect(refusedCode('stripe', 'https://api.stripe.com', REAL)).toBeNull()
    expect(refusedCode('stripe', 'https://api.stripe.com/', REAL)).toBeNull()
    for (const url of [
      'http://api.stripe.com',
      'https://api.stripe.com:8443',
      'https://api.stripe.com/v1',
      'https://user:pw@api.stripe.com',
      'https://api.stripe.com.evil.example',
      'https://evil.example',
      'http://127.0.0.1:12111',
      'http://localhost:12111',
      'http://[::1]:12111',
    ])
      expect(refusedCode('stripe', url, REAL), url).toBe('RAIL_URL_REFUSED')
  })

  it('Stripe in a sandbox: also a test server on loopback, nothing else', () => {
    for (const url of ['https://api.stripe.com', 'http://127.0.0.1:12111', 'http://localhost:1', 'http://[::1]:2', 'https://127.0.0.2'])
      expect(refusedCode('stripe', url, SANDBOX), url).toBeNull()
    for (const url of ['http://10.0.0.5:12111', 'https://stripe.example', 'http://127.0.0.1.nip.io', 'ftp://127.0.0.1'])
      expect(refusedCode('stripe', url, SANDBOX), url).toBe('RAIL_URL_REFUSED')
  })

  it('EVM RPC and Horizon: https anywhere, http only on loopback, in any workspace', () => {
    for (const kind of ['evm-rpc', 'horizon'] as const) {
      for (const policy of [REAL, SANDBOX]) {
        expect(refusedCode(kind, 'https://mainnet.base.org', policy)).toBeNull()
        expect(refusedCode(kind, 'http://127.0.0.1:8545', policy)).toBeNull()
        expect(refusedCode(kind, 'http://node.example:8545', policy)).toBe('RAIL_URL_REFUSED')
        expect(refusedCode(kind, 'not a url', policy)).toBe('RAIL_URL_REFUSED')
      }
    }
  })

  it('the refusal names the origin only (an RPC path may hold an API key)', () => {
    expect(() => checkRailUrl('evm-rpc', 'http://rpc.example/v3/SECRETKEY123', REAL)).toThrow(/http:\/\/rpc\.example was refused/)
    expect(() => checkRailUrl('evm-rpc', 'http://rpc.example/v3/SECRETKEY123', REAL)).not.toThrow(/SECRETKEY123/)
    expect(auditableUrl('https://mainnet.infura.io/v3/SECRETKEY123')).toMatch(/^https:\/\/mainnet\.infura\.io\/… sha256:[0-9a-f]{12}$/)
    expect(auditableUrl('http://127.0.0.1:8545')).toBe('http://127.0.0.1:8545')
  })

  it('loopback means this machine', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true)
    expect(isLoopbackHost('[::1]')).toBe(true)
    expect(isLoopbackHost('localhost')).toBe(true)
    expect(isLoopbackHost('127.0.0.1.example')).toBe(false)
    expect(isLoopbackHost('localhost.example')).toBe(false)
  })

  it('the client itself refuses to carry a key anywhere but Stripe or loopback, whatever it is handed', async () => {
    expect(stripeApiBaseOf('http://[::1]:12111', SANDBOX)).toEqual({ host: '::1', port: 12111, protocol: 'http' })
    await expect(createStripeClient('sk_test_x', { host: 'evil.example', port: 443, protocol: 'https' })).rejects.toThrow(
      /only sent to https:\/\/api\.stripe\.com/,
    )
    await expect(createStripeClient('sk_test_x', { host: 'api.stripe.com', port: 80, protocol: 'http' })).rejects.toThrow(CsError)
    await expect(createStripeClient('sk_test_x', { host: '127.0.0.1', port: 12111, protocol: 'http' })).resolves.toBeDefined()
    await expect(createStripeClient('sk_test_x', { host: '::1', port: 12111, protocol: 'http' })).resolves.toBeDefined()
  })

  it('a node URL stored before the rule is refused at use, before any request (EVM RPC, Horizon)', async () => {
    const rpc = await rpcCall('http://rpc.example:8545', 'eth_chainId', []).then(
      () => null,
      (error: unknown) => error,
    )
    expect(rpc).toBeInstanceOf(RpcTransportError)
    expect(rpc).toMatchObject({ code: 'RAIL_URL_REFUSED', delivered: 'no' })
    const horizon = await createHorizonClient('http://horizon.example')
      .root()
      .then(
        () => null,
        (error: unknown) => error,
      )
    expect(horizon).toBeInstanceOf(HorizonError)
    expect(horizon).toMatchObject({ delivered: 'no', message: expect.stringMatching(/Horizon URL http:\/\/horizon\.example was refused/) })
  })
})
