/**
 * Where a rail may send requests. A rail URL decides who receives our Stripe secret key, and who
 * tells us what a chain or Horizon holds — so it is checked when it is set AND again each time a
 * rail is built from what is stored (a setting written before these rules, or straight into the
 * database, must never send the key anywhere else).
 *
 * The rules:
 * - Stripe, real workspace: only Stripe's own API, https://api.stripe.com (no other port, path or
 *   credentials). Sandbox workspace: that, or a local test server on loopback (127.0.0.0/8, ::1,
 *   localhost), over http or https.
 * - EVM RPC and Stellar Horizon, any workspace: https to any host, or http to loopback only (a node
 *   on this machine is legitimate; plain http across a network lets anyone on the path rewrite
 *   balances, receipts and confirmations).
 * Whether a workspace is a sandbox is the core's to say (CoreConfig.sandbox, workspace.json, the
 * meta mark written by `sandbox up`); a rail only receives the answer.
 */
import { CsError } from '../../../shared/errors'

export const STRIPE_API_ORIGIN = 'https://api.stripe.com'
const STRIPE_API_HOST = 'api.stripe.com'

export type RailUrlKind = 'stripe' | 'evm-rpc' | 'horizon'

export interface RailUrlPolicy {
  /** A sandbox workspace: Stripe may also be a local test server. */
  sandbox: boolean
}

const KIND_LABELS: Readonly<Record<RailUrlKind, string>> = {
  stripe: 'Stripe API URL',
  'evm-rpc': 'EVM RPC URL',
  horizon: 'Stellar Horizon URL',
}

/** 127.0.0.0/8, ::1 and localhost: a server on this machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase()
  return host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}

/** What a message may show of a URL: its origin only (an RPC URL often carries an API key in its path). */
export function urlOrigin(url: string): string {
  try {
    return new URL(url).origin
  } catch {
    return 'the URL given'
  }
}

/** The URL, parsed, when this workspace may send requests there; RAIL_URL_REFUSED with what to do otherwise. */
export function checkRailUrl(kind: RailUrlKind, url: string, policy: RailUrlPolicy): URL {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch (cause) {
    throw new CsError('RAIL_URL_REFUSED', `The ${KIND_LABELS[kind]} is not a URL — give a full https:// address.`, { cause })
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw refused(kind, parsed, `it must start with https://`)
  if (kind === 'stripe') return checkStripe(parsed, policy)
  if (parsed.protocol === 'http:' && !isLoopbackHost(parsed.hostname))
    throw refused(kind, parsed, 'plain http:// is only for a node on this machine (127.0.0.1, ::1, localhost) — use https://')
  return parsed
}

function isStripeOwnApi(url: URL): boolean {
  return (
    url.protocol === 'https:' &&
    url.hostname === STRIPE_API_HOST &&
    (url.port === '' || url.port === '443') &&
    url.username === '' &&
    url.password === '' &&
    (url.pathname === '/' || url.pathname === '') &&
    url.search === '' &&
    url.hash === ''
  )
}

function checkStripe(url: URL, policy: RailUrlPolicy): URL {
  if (isStripeOwnApi(url)) return url
  if (policy.sandbox && isLoopbackHost(url.hostname) && url.username === '' && url.password === '') return url
  if (policy.sandbox)
    throw refused(
      'stripe',
      url,
      `a sandbox sends the Stripe key only to ${STRIPE_API_ORIGIN} or to a test server on this machine (127.0.0.1, ::1, localhost)`,
    )
  throw refused(
    'stripe',
    url,
    `this is a real workspace, so the Stripe secret key is only ever sent to ${STRIPE_API_ORIGIN} — set that URL (local test servers belong in a sandbox workspace)`,
  )
}

function refused(kind: RailUrlKind, url: URL, why: string): CsError {
  return new CsError('RAIL_URL_REFUSED', `The ${KIND_LABELS[kind]} ${url.origin} was refused: ${why}.`)
}
