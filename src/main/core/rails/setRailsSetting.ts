/**
 * Replace the workspace's rails configuration (admin, audited). One chain id (Stellar network) once;
 * the treasury path must be a BIP32 path; every RPC, Horizon and Stripe URL must be one this
 * workspace may send requests to (checkRailUrl.ts: Stripe's own API in a real workspace, https or
 * loopback for nodes). The caller (the core) swaps its live rails afterwards.
 *
 * The audit row holds the whole configuration before and after, with each URL that has more than
 * an origin (an RPC path often carries the provider's API key) written as its origin and a
 * fingerprint: what changed is visible, the key is not.
 */
import { CsError } from '../../../shared/errors'
import type { RailsConfigSetting, RailsSetting } from '../../../shared/payoutsApi'
import { appendAudit } from '../audit/appendAudit'
import type { Actor, CoreContext } from '../context'
import { canonicalBip32Path } from '../signing/bip32Path'
import { secretFingerprint } from '../secrets/secretFingerprint'
import { checkRailUrl, type RailUrlPolicy } from './checkRailUrl'
import { getRailsSetting, RAILS_SETTING_KEY } from './getRailsSetting'

export type SetRailsSettingReturnType = RailsSetting

export async function setRailsSetting(
  ctx: CoreContext,
  actorId: Actor,
  input: RailsConfigSetting,
  policy: RailUrlPolicy,
): Promise<RailsSetting> {
  const value = checkRailsSetting(input, policy)
  return await ctx.db.tx(async () => {
    const before = await getRailsSetting(ctx)
    const now = ctx.clock.now().toISOString()
    const text = JSON.stringify(value)
    await ctx.db.run(
      ctx.db.k
        .insertInto('settings')
        .values({ key: RAILS_SETTING_KEY, value: text, updated_at: now, updated_by: actorId })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: text, updated_at: now, updated_by: actorId })),
    )
    await appendAudit(ctx, {
      actor: actorId,
      action: 'settings.rails.set',
      subject: 'settings:rails',
      change: { before: railsAuditView(before.rails), after: railsAuditView(value) },
    })
    return await getRailsSetting(ctx)
  })
}

/**
 * The configuration as it will be stored — every URL, path and duplicate checked — or
 * INVALID_INPUT. Also used before asking a second admin, so nobody approves a broken one.
 */
export function checkRailsSetting(input: RailsConfigSetting, policy: RailUrlPolicy): RailsConfigSetting {
  const seen = new Set<number>()
  const chains = (input.evm?.chains ?? []).map((c, i) => {
    if (seen.has(c.chainId)) throw invalid(`chain ${i + 1}: chain id ${c.chainId} is configured twice — keep one`)
    seen.add(c.chainId)
    checkRailUrl('evm-rpc', c.rpcUrl, policy)
    let path: string
    try {
      path = canonicalBip32Path(c.source.path)
    } catch (error) {
      throw invalid(`chain ${i + 1}: "${c.source.path}" is not a BIP32 path such as 44'/60'/0'/0/0`, error)
    }
    return { ...c, source: { ...c.source, path } }
  })
  const names = new Set<string>()
  const networks = (input.stellar?.networks ?? []).map((n, i) => {
    if (names.has(n.network)) throw invalid(`Stellar network ${i + 1}: "${n.network}" is configured twice — keep one`)
    names.add(n.network)
    checkRailUrl('horizon', n.horizonUrl, policy)
    let path: string
    try {
      path = canonicalBip32Path(n.source.path)
    } catch (error) {
      throw invalid(`Stellar network ${i + 1}: "${n.source.path}" is not a BIP32 path such as 44'/148'/0'`, error)
    }
    return { ...n, source: { ...n.source, path } }
  })
  return {
    ...(input.evm ? { evm: { chains } } : {}),
    ...(input.stellar ? { stellar: { networks } } : {}),
    ...(input.stripe ? { stripe: { apiUrl: checkRailUrl('stripe', input.stripe.apiUrl, policy).href.replace(/\/+$/, '') } } : {}),
  }
}

function invalid(message: string, cause?: unknown): CsError {
  return new CsError('INVALID_INPUT', `Rails configuration: ${message}.`, cause === undefined ? {} : { cause })
}

/** The configuration as the audit log keeps it: URLs beyond their origin fingerprinted. */
export function railsAuditView(rails: RailsConfigSetting): RailsConfigSetting {
  return {
    ...(rails.evm ? { evm: { chains: rails.evm.chains.map((c) => ({ ...c, rpcUrl: auditableUrl(c.rpcUrl) })) } } : {}),
    ...(rails.stellar
      ? { stellar: { networks: rails.stellar.networks.map((n) => ({ ...n, horizonUrl: auditableUrl(n.horizonUrl) })) } }
      : {}),
    ...(rails.stripe ? { stripe: { apiUrl: auditableUrl(rails.stripe.apiUrl) } } : {}),
  }
}

/** "https://eth.example" as it is; "https://mainnet.infura.io/… sha256:3f2a91c07b1e" when it has a path, query or credentials. */
export function auditableUrl(url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return `(not a URL) ${secretFingerprint(url)}`
  }
  const bare = (parsed.pathname === '/' || parsed.pathname === '') && parsed.search === '' && parsed.hash === ''
  return bare && parsed.username === '' && parsed.password === '' ? parsed.origin : `${parsed.origin}/… ${secretFingerprint(url)}`
}
