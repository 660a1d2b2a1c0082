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
import { createPayoutHandlers } from '../payouts/batches/payoutHandlers'
import type { ExecutionRuntime } from '../payouts/execute/createExecutionRuntime'
import { createExecuteHandlers } from '../payouts/execute/executeHandlers'
import { createSignerHandlers } from '../signing/signersHandlers'
import { createStripeHandlers } from '../stripe/stripeHandlers'
import type { StripeService } from '../stripe/stripeService'
import type { Handlers } from './createApi'
import { createEscrowHandlers } from '../escrow/escrowHandlers'
import { createReconHandlers } from '../recon/reconHandlers'
import { createReconPullHandlers } from '../recon/reconPullHandler'
import { createReconMatchHandlers } from '../recon/matching/reconMatchHandlers'
import { createReconBalanceHandlers } from '../recon/balanceHandlers'
import { createReceiptsAttestHandlers } from '../receipts/attest/attestHandlers'
import { createReceiptHandlers } from '../receipts/receiptHandlers'
import { createExportHandlers } from '../exports/exportHandlers'
import { createReceiptPdfHandlers } from '../receipts/receiptsPdfHandlers'
import type { EscrowRailRegistry } from '../rails/EscrowRail'
import { createPayeeHandlers } from '../payees/payeeHandlers'

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
  escrowRails: EscrowRailRegistry
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

    ...createPayoutHandlers(env.execution.rails),
    ...createExecuteHandlers(env.execution),
    ...createSignerHandlers(env.execution),
    ...createStripeHandlers(env.execution.rails, env.stripe),
    ...createEscrowHandlers(env.execution, env.escrowRails),
    ...createReconHandlers(),
    ...createReconPullHandlers(env.execution.rails),
    ...createReconMatchHandlers(),
    ...createReconBalanceHandlers(env.execution.rails),
    ...createReceiptsAttestHandlers(env.execution),
    ...createReceiptHandlers({ rails: env.execution.rails, stripe: env.stripe }),
    ...createPayeeHandlers(),
    ...createExportHandlers(),
    ...createReceiptPdfHandlers(),
  }
}
