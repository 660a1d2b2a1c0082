/**
 * Replace the workspace's rails configuration (admin, audited). One chain id (Stellar network) once;
 * the treasury path must be a BIP32 path. The caller (the core) swaps its live rails afterwards.
 */
import { CsError } from '../../../shared/errors'
import type { RailsConfigSetting, RailsSetting } from '../../../shared/payoutsApi'
import { appendAudit } from '../audit/appendAudit'
import type { Actor, CoreContext } from '../context'
import { canonicalBip32Path } from '../signing/bip32Path'
import { getRailsSetting, RAILS_SETTING_KEY } from './getRailsSetting'
import { stripeApiBaseOf } from './stripe/stripeRailConfig'

export type SetRailsSettingReturnType = RailsSetting

export async function setRailsSetting(ctx: CoreContext, actorId: Actor, input: RailsConfigSetting): Promise<RailsSetting> {
  const seen = new Set<number>()
  const chains = (input.evm?.chains ?? []).map((c, i) => {
    if (seen.has(c.chainId)) throw invalid(`chain ${i + 1}: chain id ${c.chainId} is configured twice — keep one`)
    seen.add(c.chainId)
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
    let path: string
    try {
      path = canonicalBip32Path(n.source.path)
    } catch (error) {
      throw invalid(`Stellar network ${i + 1}: "${n.source.path}" is not a BIP32 path such as 44'/148'/0'`, error)
    }
    return { ...n, source: { ...n.source, path } }
  })
  const value: RailsConfigSetting = {
    ...(input.evm ? { evm: { chains } } : {}),
    ...(input.stellar ? { stellar: { networks } } : {}),
    ...(input.stripe ? { stripe: { apiUrl: checkStripeApiUrl(input.stripe.apiUrl) } } : {}),
  }
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
      change: { before: before.rails, after: value },
    })
    return await getRailsSetting(ctx)
  })
}

function invalid(message: string, cause?: unknown): CsError {
  return new CsError('INVALID_INPUT', `Rails configuration: ${message}.`, cause === undefined ? {} : { cause })
}

function checkStripeApiUrl(apiUrl: string): string {
  try {
    stripeApiBaseOf(apiUrl)
  } catch (error) {
    throw invalid(`Stripe: ${(error as Error).message.replace(/\.$/, '')}`, error)
  }
  return apiUrl.replace(/\/+$/, '')
}
