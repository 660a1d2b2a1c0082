/**
 * The core's handler map: one entry per contract call, typed from src/shared/api.ts. Handlers
 * check roles and delegate to the domain operations (one operation per file).
 */
import type { CallOutput } from '../../../shared/api'
import { exportAuditCsv } from '../audit/exportAuditCsv'
import { listAuditFacets } from '../audit/listAuditFacets'
import { listAuditRows } from '../audit/listAuditRows'
import { verifyAudit } from '../audit/verifyAudit'
import { SCHEMA_VERSION } from '../db/openDb'
import { createDatabaseSettingsHandlers } from '../db/databaseSettingsHandlers'
import { createBackupHandlers } from '../db/backups/backupHandlers'
import { addAccount, addAsset, getBalances, getSummary, listAccounts, listAssets, listEntries, listHolds, postEntries } from '../ledger'
import { requireRole } from '../operators/operators'
import { createOperatorHandlers, type OperatorHandlerEnv } from '../operators/operatorHandlers'
import { verifyOperatorKeys } from '../operators/verifyOperatorKeys'
import { createBatchListHandlers } from '../payouts/batches/batchListHandlers'
import { PAYOUT_CALL_NAMES } from '../payouts/batches/payoutCallNames'
import type { ExecutionRuntime } from '../payouts/execute/createExecutionRuntime'
import { EXECUTE_CALL_NAMES } from '../payouts/execute/executeCallNames'
import { createSignerHandlers } from '../signing/signersHandlers'
import { createStripeHandlers } from '../stripe/stripeHandlers'
import type { StripeService } from '../stripe/stripeService'
import type { Handlers } from './createApi'
import { reconCalls } from '../../../shared/reconApi'
import { reconPullCalls } from '../../../shared/reconPullApi'
import { createReconMatchHandlers } from '../recon/matching/reconMatchHandlers'
import { createReconBalanceHandlers } from '../recon/balanceHandlers'
import { createExportHandlers } from '../exports/exportHandlers'
import type { LiveEscrowRails } from '../rails/EscrowRail'
import { createPayeeHandlers } from '../payees/payeeHandlers'
import { escrowCalls } from '../../../shared/escrowApi'
import { receiptCalls } from '../../../shared/receiptsApi'
import { receiptsAttestCalls } from '../../../shared/receiptsAttestApi'
import { receiptPdfCalls } from '../../../shared/receiptsPdfApi'
import { lazyHandlers } from './lazyHandlers'

/** meta key set by `sandbox up` (src/main/sandbox/markSandboxWorkspace.ts). */
export const SANDBOX_META_KEY = 'sandbox'

export interface HandlerEnv {
  version: string
  dataDir: string
  sandbox: boolean
  transport: CallOutput<'app.info'>['transport']
  /** Rails and signer of this core (batches.execute, batches.retryFailed, settings.rails.*). */
  execution: ExecutionRuntime
  /** The escrow side of the rails (escrow.*). */
  escrowRails: LiveEscrowRails
  /** Stripe client, sync and its status (settings.stripe.*, stripe.*). */
  stripe: StripeService
  /** Sessions, the idle lock and Ledger approval keys (operators.*). */
  operators: OperatorHandlerEnv
  /** better_sqlite3.node built for Electron's ABI, for the backup connections (backups.*). */
  sqliteNativeBinding?: string
}

export function createHandlers(env: HandlerEnv): Handlers {
  return {
    'app.info': async ({ core }) => ({
      version: env.version,
      dataDir: env.dataDir,
      schemaVersion: SCHEMA_VERSION,
      database: { backend: core.db.backend, location: core.db.location },
      // A workspace made by `sandbox up` is marked in meta; the app opening it later says so too.
      sandbox:
        env.sandbox || (await core.db.first(core.db.k.selectFrom('meta').select('key').where('key', '=', SANDBOX_META_KEY))) !== undefined,
      transport: env.transport,
    }),

    ...createDatabaseSettingsHandlers({ dataDir: env.dataDir, secrets: () => env.execution.rails.env.secrets }),
    ...createBackupHandlers({ dataDir: env.dataDir, ...(env.sqliteNativeBinding ? { nativeBinding: env.sqliteNativeBinding } : {}) }),

    ...createOperatorHandlers(env.operators),

    'assets.list': async ({ core }) => await listAssets(core),
    'assets.add': async ({ core, operator }, input) => await addAsset(core, requireRole(operator, 'admin', 'register assets').id, input),

    'ledger.accounts.list': async ({ core }, input) => await listAccounts(core, input),
    'ledger.accounts.add': async ({ core, operator }, input) =>
      await addAccount(core, requireRole(operator, 'admin', 'open ledger accounts').id, input),
    'ledger.balances': async ({ core }, input) => await getBalances(core, input),
    'ledger.summary': async ({ core }) => await getSummary(core),
    'ledger.entries.list': async ({ core }, input) => await listEntries(core, input),
    'ledger.entries.post': async ({ core, operator }, input) =>
      await postEntries(core, requireRole(operator, 'admin', 'post manual journal entries').id, input.entries, { kind: 'manual' }),
    'ledger.holds.list': async ({ core }, input) => await listHolds(core, input),

    'audit.list': async ({ core }, input) => await listAuditRows(core, input),
    'audit.facets': async ({ core }) => await listAuditFacets(core),
    'audit.export': async ({ core }, input) => await exportAuditCsv(core, input),
    'audit.verify': async ({ core }) => {
      const chain = await verifyAudit(core)
      if (!chain.ok) return chain
      // The chain holds; now every approval must be a valid signature by its operator's recorded key.
      const keys = await verifyOperatorKeys(core)
      const badKey = keys.operators.find((o) => !o.ok)
      if (badKey)
        return {
          ...chain,
          ok: false,
          firstBroken: { seq: chain.headSeq, reason: `operator ${badKey.id}: ${badKey.problem ?? 'key problem'}` },
        }
      const bad = keys.approvals.broken[0]
      if (bad)
        return {
          ...chain,
          ok: false,
          firstBroken: {
            seq: chain.headSeq,
            reason: `approval of batch ${bad.batchId} version ${bad.version} by ${bad.operatorId}: ${bad.problem}`,
          },
        }
      return chain
    },

    ...createBatchListHandlers(),
    ...lazyHandlers(PAYOUT_CALL_NAMES, async () =>
      (await import('../payouts/batches/payoutHandlers')).createPayoutHandlers(env.execution.rails),
    ),
    ...lazyHandlers(EXECUTE_CALL_NAMES, async () =>
      (await import('../payouts/execute/executeHandlers')).createExecuteHandlers(env.execution),
    ),
    ...createSignerHandlers(env.execution),
    ...createStripeHandlers(env.execution.rails, env.stripe),
    // Imported on their first call: they reach the rails' libraries, which most calls never need.
    ...lazyHandlers(escrowCalls, async () =>
      (await import('../escrow/escrowHandlers')).createEscrowHandlers(env.execution, env.escrowRails),
    ),
    // Statements and their CSV parser (csv-parse, the currency table): loaded at the first recon call.
    ...lazyHandlers(reconCalls, async () => (await import('../recon/reconHandlers')).createReconHandlers()),
    ...lazyHandlers(reconPullCalls, async () => (await import('../recon/reconPullHandler')).createReconPullHandlers(env.execution.rails)),
    ...createReconMatchHandlers(),
    ...createReconBalanceHandlers(env.execution.rails),
    ...lazyHandlers(receiptsAttestCalls, async () =>
      (await import('../receipts/attest/attestHandlers')).createReceiptsAttestHandlers(env.execution),
    ),
    ...lazyHandlers(receiptCalls, async () =>
      (await import('../receipts/receiptHandlers')).createReceiptHandlers({ rails: env.execution.rails, stripe: env.stripe }),
    ),
    ...createPayeeHandlers(),
    ...createExportHandlers(),
    ...lazyHandlers(receiptPdfCalls, async () => (await import('../receipts/receiptsPdfHandlers')).createReceiptPdfHandlers()),
  }
}
