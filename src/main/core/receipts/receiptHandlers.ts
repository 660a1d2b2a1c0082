/**
 * Handlers of the receipts calls (src/shared/receiptsApi.ts). Reading and verifying receipts is
 * open to every operator (a payee's question is everyone's); issuing records what already
 * happened, so any active operator may ask for it (the poller does it anyway, as 'system');
 * rotating the receipt key and changing the organisation printed on receipts are an admin's.
 */
import type { receiptCalls } from '../../../shared/receiptsApi'
import { CsError } from '../../../shared/errors'
import type { Handler } from '../api/createApi'
import { requireRole } from '../operators/operators'
import type { LiveRails } from '../rails/createLiveRails'
import type { SecretStore } from '../secrets/SecretStore'
import type { StripeService } from '../stripe/stripeService'
import { invariant } from '../util/invariant'
import type { EvidenceSources } from './checkRailEvidence'
import { listDueReceipts } from './findDueReceipts'
import { issueReceipts } from './issueReceipts'
import { assetsOf, listReceipts, receiptTotals, toSummary } from './listReceipts'
import { readOrganisation, setOrganisation } from './organisation'
import { payeeHistory } from './payeeHistory'
import { loadReceiptFile } from './receiptFiles'
import { readKeyState, rotateKey } from './receiptKeys'
import { verifyReceiptFile } from './verifyReceiptFile'

export type ReceiptHandlers = { [K in keyof typeof receiptCalls]: Handler<K> }

export interface ReceiptHandlerEnv {
  rails: LiveRails
  stripe: StripeService
}

function secretsOf(rails: LiveRails): SecretStore {
  const s = rails.env.secrets
  invariant(s, 'the core has no SecretStore')
  return s
}

/** The rails as this core is configured now, for the online evidence check. */
export function liveEvidenceSources(rails: LiveRails, stripe: StripeService): EvidenceSources {
  return {
    evmRpcUrl: (chainId) => rails.config.evm?.chains.find((c) => String(c.chainId) === chainId)?.rpcUrl ?? null,
    horizonUrl: (network) => rails.config.stellar?.networks.find((n) => n.network === network)?.horizonUrl ?? null,
    stripe: async () => {
      if (!rails.config.stripe) return null
      try {
        return await stripe.client()
      } catch {
        return null // no key on this desk: not checked
      }
    },
  }
}

export function createReceiptHandlers(env: ReceiptHandlerEnv): ReceiptHandlers {
  return {
    'receipts.list': ({ core }, input) => listReceipts(core, input),
    'receipts.totals': async ({ core }, input) => ({ totals: await receiptTotals(core, input) }),
    'receipts.get': async ({ core }, input) => {
      const file = await loadReceiptFile(core, input.number)
      const row = await core.db.first(core.db.k.selectFrom('receipts').selectAll().where('number', '=', input.number))
      invariant(row, 'receipt vanished')
      return { file, summary: toSummary(row, await assetsOf(core)) }
    },
    'receipts.payee': ({ core }, input) => payeeHistory(core, input),
    'receipts.issue': ({ core, operator }, input) => {
      invariant(operator, 'mutating call without operator')
      return issueReceipts(core, {
        secrets: secretsOf(env.rails),
        actor: operator.id,
        rails: () => env.rails.load(),
        ...(input.batchId ? { batchId: input.batchId } : {}),
      })
    },
    'receipts.due': ({ core }, input) => listDueReceipts(core, () => env.rails.load(), input),
    'receipts.verify': async ({ core }, input) => {
      const bytes = input.encoding === 'base64' ? decodeBase64(input.content) : input.content
      return await verifyReceiptFile(core, bytes, {
        online: input.online ?? true,
        ...(input.publicKey !== undefined ? { publicKeyFile: input.publicKey } : {}),
        sources: liveEvidenceSources(env.rails, env.stripe),
      })
    },
    'receipts.key.get': ({ core }) => readKeyState(core),
    'receipts.key.rotate': ({ core, operator }) =>
      rotateKey(core, secretsOf(env.rails), requireRole(operator, 'admin', 'rotate the receipt key').id),
    'settings.organisation.get': ({ core }) => readOrganisation(core),
    'settings.organisation.set': ({ core, operator }, input) =>
      setOrganisation(core, requireRole(operator, 'admin', 'change the organisation on receipts').id, input),
  }
}

function decodeBase64(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '')
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean))
    throw new CsError('RECEIPT_INVALID', 'The receipt file did not arrive as base64 — choose the file again.')
  return new Uint8Array(Buffer.from(clean, 'base64'))
}
