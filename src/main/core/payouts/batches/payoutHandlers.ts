/**
 * Handlers of the payout calls (src/shared/payoutsApi.ts, and payouts.import from
 * src/shared/payoutImport.ts), spread into the core's handler map.
 * Roles: preparers create, import, edit, submit; approvers approve and reject (never their own
 * batches); preparers or admins cancel; admins set the policy. Reads need no operator, but
 * batches.get explains the policy for the operator when one is given.
 */
import type { Handler } from '../../api/createApi'
import type { PayoutCallName } from './payoutCallNames'
import { requireRole } from '../../operators/operators'
import { railsOf, type RailsSource } from '../../rails/Rail'
import { importPayoutCsv } from '../import/importPayoutCsv'
import { sortWarnings } from '../import/rowIssues'
import { checkRecipientsOnline } from './checkRecipientsOnline'
import { getApprovalPolicy } from '../policy/getApprovalPolicy'
import { canonicalPolicy } from '../policy/setApprovalPolicy'
import { requestSettingChange } from '../../operators/adminChanges'
import { CsError } from '../../../../shared/errors'
import { addBatchRows } from './addBatchRows'
import { approveBatch } from './approveBatch'
import { cancelBatch } from './cancelBatch'
import { createBatch } from './createBatch'
import { getBatch, getBatchPayouts } from './getBatch'
import { preflightBatch } from './preflightBatch'
import { rejectBatch } from './rejectBatch'
import { removeBatchRows } from './removeBatchRows'
import { submitBatch } from './submitBatch'
import { emitBatchChanged } from './transitionBatch'
import { updateBatchRow } from './updateBatchRow'

/**
 * The execution calls have their own handlers (../execute/executeHandlers.ts), and the batch lists
 * theirs (./batchListHandlers.ts); this module is imported at the first of its calls.
 */
export type PayoutHandlers = { [K in PayoutCallName]: Handler<K> }

/**
 * `rails`: the core's live rails, whose pre-flights batches.preflight and batches.submit run —
 * loaded (built on first use) only by the calls that ask the rails something.
 */
export function createPayoutHandlers(rails: RailsSource): PayoutHandlers {
  return {
    'payouts.import': async ({ core, operator }, input) => {
      const result = await importPayoutCsv(core, requireRole(operator, 'preparer', 'import payouts').id, input)
      if (result.batchId === null) return result
      emitBatchChanged(core, result.batchId)
      // Asked of the rails after the import is stored (never inside its transaction).
      const online = await checkRecipientsOnline(core, await railsOf(rails), result.batchId)
      return online.length === 0 ? result : { ...result, warnings: sortWarnings([...result.warnings, ...online]) }
    },

    'batches.create': async ({ core, operator }, input) =>
      await createBatch(core, requireRole(operator, 'preparer', 'create batches').id, input),
    'batches.get': async ({ core, operator }, input) => await getBatch(core, input, operator),
    'batches.payouts': async ({ core }, input) => await getBatchPayouts(core, input),
    'batches.preflight': async ({ core }, input) => {
      // The CLI's hints stay in the core: the app is never sent to a terminal.
      const { cliHints: _cliHints, ...result } = await preflightBatch(core, input.id, await railsOf(rails))
      return result
    },
    'batches.rows.add': async ({ core, operator }, input) => {
      const summary = await addBatchRows(core, requireRole(operator, 'preparer', 'edit batches').id, input)
      await checkRecipientsOnline(core, await railsOf(rails), input.id, { recipients: input.rows.map((r) => r.recipient) })
      return summary
    },
    'batches.rows.update': async ({ core, operator }, input) => {
      const summary = await updateBatchRow(core, requireRole(operator, 'preparer', 'edit batches').id, input)
      const payout = await core.db.first(core.db.k.selectFrom('payouts').select('recipient').where('id', '=', input.payoutId))
      if (payout) await checkRecipientsOnline(core, await railsOf(rails), input.id, { recipients: [payout.recipient] })
      return summary
    },
    'batches.rows.remove': async ({ core, operator }, input) =>
      await removeBatchRows(core, requireRole(operator, 'preparer', 'edit batches').id, input),
    'batches.submit': async ({ core, operator }, input) =>
      await submitBatch(core, requireRole(operator, 'preparer', 'submit batches').id, input, await railsOf(rails)),
    'batches.approve': async ({ core, operator, sign }, input) => await approveBatch(core, operator, sign, input),
    'batches.reject': async ({ core, operator }, input) => await rejectBatch(core, operator, input),
    'batches.cancel': async ({ core, operator }, input) => await cancelBatch(core, operator, input),

    'settings.policy.get': async ({ core }) => await getApprovalPolicy(core),
    'settings.policy.set': async ({ core, operator, sign }, input) => {
      const admin = requireRole(operator, 'admin', 'change the approval policy')
      if (!sign)
        throw new CsError('OPERATOR_LOCKED', 'Unlock your operator profile first — a policy change is signed with your approval key.')
      const policy = await canonicalPolicy(core, input)
      const { result } = await requestSettingChange(core, admin, sign, {
        kind: 'settings.policy',
        payload: { policy },
        summary: `Set the approval policy: ${policy.approversMin} approver(s) minimum, ${policy.thresholds.length} threshold(s), ${policy.dailyLimits.length} daily limit(s)`,
      })
      return {
        ...(await getApprovalPolicy(core)),
        pendingChange: result.change.state === 'pending' ? { id: result.change.id, summary: result.change.summary } : null,
      }
    },
  }
}
