/**
 * Handlers of the reconciliation calls (src/shared/reconApi.ts). Preparers and admins import
 * statements, link statement accounts and save CSV mappings; anyone unlocked may read.
 */
import { CsError } from '../../../shared/errors'
import type { reconCalls } from '../../../shared/reconApi'
import type { Handler } from '../api/createApi'
import type { Operator } from '../../../shared/blocks'
import { requireRole } from '../operators/operators'
import { listCsvMappings, saveCsvMapping } from './csvMappings'
import { importStatement } from './importStatement'
import { linkReconAccount, listReconAccounts } from './reconAccounts'
import { createStatementUploads, type StatementUploads } from './statementUploads'
import { listStatementLines, listStatements } from './statementViews'

export type ReconHandlers = { [K in keyof typeof reconCalls]: Handler<K> }

/** Preparers bring statements in; admins may too (a controller closing the month is often one). */
function requireImporter(operator: Operator | null, what: string): Operator {
  if (operator?.roles.includes('admin')) return requireRole(operator, 'admin', what)
  return requireRole(operator, 'preparer', what)
}

export function createReconHandlers(uploads?: StatementUploads): ReconHandlers {
  let held = uploads
  const uploadsOf = (clock: Parameters<typeof createStatementUploads>[0]) => (held ??= createStatementUploads(clock))
  return {
    'recon.upload': ({ core, operator, channel }, input) => {
      requireImporter(operator, 'upload statements')
      return uploadsOf(core.clock).append(channel.id, input.uploadId, input.chunk, input.final)
    },
    'recon.import': async ({ core, operator, channel }, input) => {
      const actor = requireImporter(operator, 'import statements')
      const text = input.content ?? (input.uploadId !== undefined ? uploadsOf(core.clock).take(channel.id, input.uploadId) : undefined)
      if (text === undefined) throw new CsError('UPLOAD_NOT_FOUND', 'Give the statement file as content or as an upload.')
      return await importStatement(core, actor.id, {
        text,
        fileName: input.fileName,
        format: input.format,
        mapping: input.mapping,
        ledgerAccountId: input.ledgerAccountId,
        dryRun: input.dryRun,
      })
    },
    'recon.accounts': async ({ core }) => ({ accounts: await listReconAccounts(core) }),
    'recon.linkAccount': async ({ core, operator }, input) =>
      await linkReconAccount(core, requireImporter(operator, 'link statement accounts').id, input.accountId, input.ledgerAccountId),
    'recon.statements': async ({ core }, input) => ({ statements: await listStatements(core, input) }),
    'recon.lines': async ({ core }, input) => await listStatementLines(core, input),
    'recon.mappings': async ({ core }) => ({ mappings: await listCsvMappings(core) }),
    'recon.saveMapping': async ({ core, operator }, input) =>
      await saveCsvMapping(core, requireImporter(operator, 'save column mappings').id, input.name, input.mapping),
  }
}
