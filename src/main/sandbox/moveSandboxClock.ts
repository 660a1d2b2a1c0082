/**
 * `countersign sandbox clock --advance 5h`: moves a sandbox's whole world forward together — the
 * workspace's clock (meta offset, read by the CLI and by a running sandbox app on its next sweep),
 * every loopback Anvil chain (evm_increaseTime + a mined block) and every loopback Stellar harness
 * (its ledger close time) — so review windows, automatic releases and expiries can be shown
 * without waiting. Refused outside a sandbox workspace.
 */
import { CsError } from '../../shared/errors'
import { SANDBOX_META_KEY } from '../core/api/handlers'
import type { CoreContext } from '../core/context'
import type { RailsConfig } from '../core/rails/evm/evmRailConfig'
import { advanceSandboxClock, SANDBOX_CLOCK_ADVANCE_MS_MAX } from '../core/sandboxClock'
import { advanceStellarHarnessClock } from './harness/stellar/advanceStellarHarnessClock'

const RPC_TIMEOUT_MS = 10_000

export interface MoveSandboxClockReturnType {
  offsetMs: number
  now: string
  chains: { chainId: number; blockTime: string }[]
  stellar: { network: string; closedAt: string }[]
}

export async function moveSandboxClock(ctx: CoreContext, rails: RailsConfig, ms: number): Promise<MoveSandboxClockReturnType> {
  const sandbox = await ctx.db.first(ctx.db.k.selectFrom('meta').select('key').where('key', '=', SANDBOX_META_KEY))
  if (!sandbox) throw new CsError('INVALID_INPUT', 'Only a sandbox workspace has a clock that can be moved — this one is real.')
  if (!Number.isSafeInteger(ms) || ms <= 0 || ms > SANDBOX_CLOCK_ADVANCE_MS_MAX)
    throw new CsError('INVALID_INPUT', 'Move the sandbox clock forward by up to a year (e.g. --advance 5h, 3d, 90m).')
  const seconds = Math.ceil(ms / 1000)
  const chains: MoveSandboxClockReturnType['chains'] = []
  for (const c of rails.evm?.chains ?? []) {
    if (!isLoopback(c.rpcUrl)) continue
    await rpc(c.rpcUrl, 'evm_increaseTime', [seconds])
    await rpc(c.rpcUrl, 'evm_mine', [])
    const block = (await rpc(c.rpcUrl, 'eth_getBlockByNumber', ['latest', false])) as { timestamp: string }
    chains.push({ chainId: c.chainId, blockTime: new Date(Number(BigInt(block.timestamp)) * 1000).toISOString() })
  }
  const stellar: MoveSandboxClockReturnType['stellar'] = []
  for (const n of rails.stellar?.networks ?? []) {
    if (!isLoopback(n.horizonUrl)) continue
    const moved = await advanceStellarHarnessClock(n.horizonUrl, seconds)
    stellar.push({ network: n.network, closedAt: String(moved.closedAt) })
  }
  const offsetMs = await advanceSandboxClock(ctx, seconds * 1000)
  return { offsetMs, now: new Date(Date.now() + offsetMs).toISOString(), chains, stellar }
}

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]'
}

async function rpc(url: string, method: string, params: unknown[]): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    signal: AbortSignal.timeout(RPC_TIMEOUT_MS),
  })
  const body = (await res.json()) as { result?: unknown; error?: { message: string } }
  if (body.error) throw new CsError('RAIL_UNAVAILABLE', `The sandbox chain refused ${method}: ${body.error.message.slice(0, 120)}.`)
  return body.result
}

/** "5h", "3d", "90m", "45s" → milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d{1,6})([smhd])$/.exec(text.trim())
  if (!m) throw new CsError('INVALID_INPUT', `"${text.slice(0, 20)}" is not a duration — write e.g. 90m, 5h or 3d.`)
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's']
  return Number(m[1]) * unit
}
