/**
 * Handlers of the export calls (src/shared/exportsApi.ts). Any unlocked operator may export —
 * preparers, approvers, signers and admins alike read the books (the dispatcher already requires
 * an unlocked, active operator for `exports.run`, which is audited); only admins change the saved
 * account codes.
 */
import type { exportCalls } from '../../../shared/exportsApi'
import { CsError } from '../../../shared/errors'
import type { Handler } from '../api/createApi'
import { requireRole } from '../operators/operators'
import { DEFAULT_ACCOUNT_CODES, DEFAULT_TAX_RATE, getAccountCodes, setAccountCodes } from './accountCodes'
import { previewExport, runExport } from './runExport'

export type ExportHandlers = { [K in keyof typeof exportCalls]: Handler<K> }

export function createExportHandlers(): ExportHandlers {
  return {
    'exports.preview': async ({ core }, input) => await previewExport(core, input),
    'exports.run': async ({ core, operator }, input) => {
      if (!operator)
        throw new CsError('OPERATOR_REQUIRED', 'Unlock your operator profile first — every export is recorded with who made it.')
      return await runExport(core, operator.id, input)
    },
    'exports.accountCodes.get': async ({ core }) => ({
      saved: await getAccountCodes(core),
      defaults: { ...DEFAULT_ACCOUNT_CODES },
      taxRate: DEFAULT_TAX_RATE,
    }),
    'exports.accountCodes.set': async ({ core, operator }, input) =>
      await setAccountCodes(core, requireRole(operator, 'admin', 'change the Xero account codes').id, input),
  }
}
