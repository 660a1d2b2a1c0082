/**
 * Handlers of the execution calls (src/shared/payoutsApi.ts), spread into the core's handler
 * map: execute and retry need the signer role; cancelling a never-signed transaction the signer
 * or admin role, in the execution lane (never while this core signs); submissions are a read;
 * the rails configuration is read by anyone and set by an admin (and takes effect at once).
 */
import type { Handler } from '../../api/createApi'
import { requireRole } from '../../operators/operators'
import { getRailsSetting, railsConfigFromSetting } from '../../rails/getRailsSetting'
import { checkRailsSetting } from '../../rails/setRailsSetting'
import { requestSettingChange } from '../../operators/adminChanges'
import { CsError } from '../../../../shared/errors'
import { cancelSubmission } from './cancelSubmission'
import type { ExecutionRuntime } from './createExecutionRuntime'
import {
  executeApprovedBatch,
  exportForExternalSigning,
  importExternallySigned,
  resumeBatch,
  retryFailedBatch,
} from './executeApprovedBatch'
import { listSubmissions } from './listSubmissions'

export { EXECUTE_CALL_NAMES, type ExecuteCallName } from './executeCallNames'
import type { ExecuteCallName } from './executeCallNames'
export type ExecuteHandlers = { [K in ExecuteCallName]: Handler<K> }

export function createExecuteHandlers(runtime: ExecutionRuntime): ExecuteHandlers {
  return {
    'batches.execute': ({ core, operator }, input) =>
      executeApprovedBatch(core, runtime, input.id, requireRole(operator, 'signer', 'sign and execute payouts').id),
    'batches.retryFailed': ({ core, operator }, input) =>
      retryFailedBatch(core, runtime, input.id, requireRole(operator, 'signer', 'sign and execute payouts').id),
    'batches.resume': ({ core, operator }, input) =>
      resumeBatch(core, runtime, input.id, requireRole(operator, 'signer', 'sign and execute payouts').id),
    'batches.cancelSubmission': ({ core, operator }, input) =>
      runtime.exclusive(async () => cancelSubmission(core, await runtime.rails.load(), operator, { submissionId: input.submissionId })),
    'batches.external.export': ({ core, operator }, input) =>
      exportForExternalSigning(core, runtime, input.id, requireRole(operator, 'signer', 'sign and execute payouts').id),
    'batches.external.import': ({ core, operator }, input) =>
      importExternallySigned(core, runtime, input.id, requireRole(operator, 'signer', 'sign and execute payouts').id, input.content),
    'batches.submissions': async ({ core }, input) => await listSubmissions(core, await runtime.rails.load(), input.id),
    'settings.rails.get': async ({ core }) => await getRailsSetting(core),
    'settings.rails.set': async ({ core, operator, sign }, input) => {
      const admin = requireRole(operator, 'admin', 'change the rails configuration')
      if (!sign)
        throw new CsError('OPERATOR_LOCKED', 'Unlock your operator profile first — a rails change is signed with your approval key.')
      const urlPolicy = { sandbox: runtime.rails.env.sandbox === true }
      // Checked now (every URL, path and duplicate) so a second admin is never asked to approve a broken one.
      const rails = checkRailsSetting(input, urlPolicy)
      const { result } = await requestSettingChange(core, admin, sign, {
        kind: 'settings.rails',
        payload: { rails, urlPolicy },
        summary: `Set the rails: ${input.evm?.chains.length ?? 0} EVM chain(s), ${input.stellar?.networks.length ?? 0} Stellar network(s), Stripe ${input.stripe ? 'on' : 'off'}`,
      })
      const setting = await getRailsSetting(core)
      if (result.change.state === 'applied') runtime.rails.replace(railsConfigFromSetting(setting.rails))
      return {
        ...setting,
        pendingChange: result.change.state === 'pending' ? { id: result.change.id, summary: result.change.summary } : null,
      }
    },
  }
}
