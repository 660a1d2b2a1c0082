/**
 * The sandbox's local Stellar network: the Horizon-compatible harness (harness/stellar) on
 * 127.0.0.1 with the standalone passphrase, the treasury — the device emulator's m/44'/148'/0'
 * account — holding exactly what the ledger says, the sandbox USDC issuer, three payees with a
 * USDC trustline and one without (pre-flight refuses USDC payouts to it).
 *
 * The harness keeps its state in memory: each `sandbox up` builds the network again from the
 * ledger (the treasury's balances) and from the workspace's submissions and escrow transactions
 * (its sequence number continues after the highest one used, so nothing signed before can be
 * replayed or collide). Claimable balances of open Stellar escrows are NOT rebuilt: after a
 * restart those escrows' milestones are no longer on the local network (pre-flight says so).
 */
import { parseAmount } from '../../shared/money'
import { startStellarHarness, STANDALONE_PASSPHRASE, type StellarHarness } from './harness/stellar/stellarHarness'
import type { StellarNetworkConfig } from '../core/rails/stellar/stellarRailConfig'
import { stellarAccountPath } from '../core/signing/bip32Path'
import { SANDBOX_SIGNER_LABEL } from '../core/signing/signerSource'
import {
  SANDBOX_ADMIN_NAME,
  SANDBOX_ASSETS,
  SANDBOX_STELLAR_ISSUER,
  SANDBOX_STELLAR_NETWORK,
  SANDBOX_STELLAR_PAYEES,
  SANDBOX_STELLAR_TREASURY,
} from './sandboxPlan'
import type { SandboxService, SandboxServiceContext, SandboxServiceInfo } from './services'
import { unreachable } from '../core/util/invariant'

const XLM = 10_000_000n
/** What each sandbox payee and the issuer start with on the local network. */
const PAYEE_XLM = 100n * XLM
/** The most the sandbox bids per operation: 1,000 stroops (10× the base fee). */
export const SANDBOX_STELLAR_FEE_CAP_STROOPS = 1_000n

export function createStellarService(): SandboxService {
  let harness: StellarHarness | null = null

  function network(): StellarNetworkConfig {
    if (!harness) unreachable('the stellar service was started without prepare()')
    return {
      network: SANDBOX_STELLAR_NETWORK,
      horizonUrl: harness.url,
      networkPassphrase: harness.networkPassphrase,
      source: { address: SANDBOX_STELLAR_TREASURY, path: stellarAccountPath(0) },
      maxFeePerOpStroops: SANDBOX_STELLAR_FEE_CAP_STROOPS,
      allowCreateAccount: true,
    }
  }

  return {
    name: 'horizon',

    async prepare() {
      harness = await startStellarHarness({ networkPassphrase: STANDALONE_PASSPHRASE, ledgerCloseMs: 5_000 })
      return { rails: { stellar: { networks: [network()] } } }
    },

    async start(context: SandboxServiceContext): Promise<SandboxServiceInfo> {
      if (!harness) unreachable('the stellar service was started without prepare()')
      const h = harness
      const api = context.core.api
      const balanceOf = async (assetId: string): Promise<bigint> => {
        const scale = SANDBOX_ASSETS.find((a) => a.id === assetId)!.scale
        return (await api.call('ledger.balances', { assetId }))
          .filter((b) => b.kind === 'treasury')
          .reduce((s, b) => s + parseAmount(b.balance, scale, { allowZero: true }), 0n)
      }
      const usdc = { code: 'USDC', issuer: SANDBOX_STELLAR_ISSUER }
      h.createAccount(SANDBOX_STELLAR_ISSUER, PAYEE_XLM)
      h.createAccount(SANDBOX_STELLAR_TREASURY, await balanceOf(`XLM@stellar:${SANDBOX_STELLAR_NETWORK}`))
      h.addTrustline(SANDBOX_STELLAR_TREASURY, usdc)
      h.issue(usdc, SANDBOX_STELLAR_TREASURY, await balanceOf(`USDC@stellar:${SANDBOX_STELLAR_NETWORK}`))
      for (const [name, id] of Object.entries(SANDBOX_STELLAR_PAYEES)) {
        h.createAccount(id, PAYEE_XLM)
        if (name !== 'payee-notrust') h.addTrustline(id, usdc)
      }
      // The highest sequence this workspace used, by payout submissions and escrow transactions
      // alike (they share the treasury's sequence; decimal text: compared as bigint on either backend).
      const db = context.core.ctx.db
      const nonces = []
      for (const table of ['submissions', 'escrow_txs'] as const) {
        nonces.push(
          ...(await db.all(
            db.k
              .selectFrom(table)
              .select('nonce')
              .where('rail', '=', 'stellar')
              .where('network', '=', SANDBOX_STELLAR_NETWORK)
              .where('source', '=', SANDBOX_STELLAR_TREASURY)
              .where('nonce', 'is not', null),
          )),
        )
      }
      const used = { n: nonces.reduce<bigint | null>((max, r) => (max === null || BigInt(r.nonce!) > max ? BigInt(r.nonce!) : max), null) }
      if (used.n !== null && used.n > h.sequence(SANDBOX_STELLAR_TREASURY)) h.setSequence(SANDBOX_STELLAR_TREASURY, used.n)

      const admin = context.seed.operators.find((o) => o.name === SANDBOX_ADMIN_NAME)
      if (!admin) unreachable('the sandbox seed has no admin')
      const { settingFromRailsConfig } = await import('../core/rails/getRailsSetting')
      const current = await api.call('settings.rails.get', {})
      await api.call(
        'settings.rails.set',
        { ...current.rails, ...settingFromRailsConfig({ stellar: { networks: [network()] } }) },
        { operatorId: admin.id },
      )
      return {
        horizonUrl: h.url,
        networkPassphrase: h.networkPassphrase,
        treasury: SANDBOX_STELLAR_TREASURY,
        usdcIssuer: SANDBOX_STELLAR_ISSUER,
        payees: Object.values(SANDBOX_STELLAR_PAYEES)
          .filter((id) => id !== SANDBOX_STELLAR_PAYEES['payee-notrust'])
          .join(','),
        payeeWithoutTrustline: SANDBOX_STELLAR_PAYEES['payee-notrust'],
        signer: SANDBOX_SIGNER_LABEL,
      }
    },

    async stop() {
      const h = harness
      harness = null
      await h?.stop()
    },
  }
}
