/**
 * The Stripe settings calls: read what is configured, and set or clear the secret key. The key
 * comes IN once through settings.stripe.setKey, is checked against Stripe before it is saved,
 * and nothing here ever returns or audits more of it than its last 4 characters and a fingerprint
 * (the audit row of a change holds the old key's and the new key's, so a swap is visible).
 */
import type { StripeSettings } from '../../../shared/stripeApi'
import { CsError } from '../../../shared/errors'
import { appendAudit } from '../audit/appendAudit'
import { redact } from '../log'
import { requireRole } from '../operators/operators'
import type { LiveRails } from '../rails/createLiveRails'
import { createStripeClient, stripeKeyMode } from '../rails/stripe/createStripeClient'
import { stripeFailure } from '../rails/stripe/stripeFailure'
import { STRIPE_SECRET_KEY_NAME, stripeApiBaseOf, stripeKeyLast4 } from '../rails/stripe/stripeRailConfig'
import type { SecretStore } from '../secrets/SecretStore'
import { secretFingerprint } from '../secrets/secretFingerprint'
import { invariant } from '../util/invariant'
import type { StripeHandlers } from './stripeHandlers'

type SettingsHandlers = Pick<StripeHandlers, 'settings.stripe.get' | 'settings.stripe.setKey' | 'settings.stripe.clearKey'>

function secretsOf(rails: LiveRails): SecretStore {
  const s = rails.env.secrets
  invariant(s, 'the core has no SecretStore')
  return s
}

/** What Settings → Stripe shows: configured or not, and the key's presence, last 4 and mode. */
export async function readStripeSettings(rails: LiveRails): Promise<StripeSettings> {
  const store = secretsOf(rails)
  let key: string | null = null
  try {
    key = await store.get(STRIPE_SECRET_KEY_NAME)
  } catch {
    key = null // unreadable here (other machine): shown as not present; saving again fixes it
  }
  return {
    configured: rails.config.stripe !== undefined,
    apiUrl: rails.config.stripe?.apiUrl ?? null,
    key: { present: key !== null, last4: key === null ? null : stripeKeyLast4(key), mode: key === null ? null : stripeKeyMode(key) },
    protection: store.protection,
    writable: store.writable,
    weakProtectionWarning: store.writable ? store.weakProtection() : null,
  }
}

/** What the audit log keeps of a key: its last 4, its mode and a fingerprint — never the key. */
function keyAudit(key: string): { last4: string; mode: string; fingerprint: string } {
  return { last4: stripeKeyLast4(key), mode: stripeKeyMode(key), fingerprint: secretFingerprint(key) }
}

/** The key being replaced or removed, as the audit keeps it; null when none (or unreadable here). */
async function storedKeyAudit(store: SecretStore): Promise<ReturnType<typeof keyAudit> | null> {
  try {
    const key = await store.get(STRIPE_SECRET_KEY_NAME)
    return key === null ? null : keyAudit(key)
  } catch {
    return null
  }
}

export function createStripeSettingsHandlers(rails: LiveRails): SettingsHandlers {
  const secrets = () => secretsOf(rails)
  const settings = () => readStripeSettings(rails)
  return {
    'settings.stripe.get': () => settings(),

    'settings.stripe.setKey': async ({ core, operator }, input) => {
      const actor = requireRole(operator, 'admin', 'set the Stripe key').id
      const key = input.secretKey
      redact(key)
      if (!/^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/.test(key))
        throw new CsError(
          'INVALID_INPUT',
          'That is not a Stripe secret key — paste the whole key starting with sk_live_, sk_test_ or rk_….',
        )
      const config = rails.config.stripe
      if (config) {
        // Checked before it is saved: a wrong key is refused now, not at the first payout.
        try {
          await (await createStripeClient(key, stripeApiBaseOf(config.apiUrl, { sandbox: rails.env.sandbox === true }))).balance.retrieve()
        } catch (error) {
          throw stripeFailure(error, 'checking the new key')
        }
      }
      const before = await storedKeyAudit(secrets())
      await secrets().set(STRIPE_SECRET_KEY_NAME, key, input.acceptWeakProtection ? { acceptWeakProtection: true } : {})
      await core.db.tx(
        async () =>
          await appendAudit(core, {
            actor,
            action: 'settings.stripe.setKey',
            subject: 'settings:stripe',
            change: { before, after: { ...keyAudit(key), protection: secrets().protection } },
          }),
      )
      return settings()
    },

    'settings.stripe.clearKey': async ({ core, operator }) => {
      const actor = requireRole(operator, 'admin', 'remove the Stripe key').id
      const before = await storedKeyAudit(secrets())
      const removed = await secrets().delete(STRIPE_SECRET_KEY_NAME)
      if (removed)
        await core.db.tx(
          async () =>
            await appendAudit(core, {
              actor,
              action: 'settings.stripe.clearKey',
              subject: 'settings:stripe',
              change: { before, after: null },
            }),
        )
      return settings()
    },
  }
}
