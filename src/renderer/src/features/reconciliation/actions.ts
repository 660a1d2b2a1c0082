/**
 * What a person does in Reconciliation: check a statement file (a dry run), import it, link a
 * statement account to the ledger. Import and check throw, so the dialog can keep the file and
 * show the core's sentence with its detail in place; the lists reload after every change, so the
 * screen moves on even if an event is missed.
 */
import type { ImportStatementInput, ImportStatementResult, ReconAccount, StatementFileFormatName } from '../../../../shared/reconApi'
import { invoke } from '../../lib/api'
import { formatCount } from '../../lib/format'
import { notifyError, notifySuccess } from '../notify/store'
import type { StatementFile } from './statementFile'
import { useRecon } from './store'

export interface ImportChoices {
  format: StatementFileFormatName | null
  mapping: string | null
  ledgerAccountId: string | null
}

/** Characters of the file the core has received so far. */
export type SendProgress = (sentChars: number, totalChars: number) => void

/**
 * Sends the file with the choices: as `content` when it is one chunk, else chunk by chunk through
 * recon.upload (an upload is taken by one import, so a check and the import each send it).
 */
async function send(file: StatementFile, choices: ImportChoices, dryRun: boolean, progress: SendProgress): Promise<ImportStatementResult> {
  const common: Omit<ImportStatementInput, 'content' | 'uploadId'> = {
    fileName: file.name,
    ...(choices.format ? { format: choices.format } : {}),
    ...(choices.mapping ? { mapping: choices.mapping } : {}),
    ...(choices.ledgerAccountId ? { ledgerAccountId: choices.ledgerAccountId } : {}),
    ...(dryRun ? { dryRun: true } : {}),
  }
  const [only] = file.chunks
  if (file.chunks.length === 1 && only !== undefined) return await invoke('recon.import', { ...common, content: only })
  let uploadId: string | undefined
  let sent = 0
  progress(0, file.text.length)
  for (const [i, chunk] of file.chunks.entries()) {
    const r = await invoke('recon.upload', { ...(uploadId ? { uploadId } : {}), chunk, final: i === file.chunks.length - 1 })
    uploadId = r.uploadId
    sent += chunk.length
    progress(sent, file.text.length)
  }
  if (uploadId === undefined) throw new Error('invariant: a statement file of no chunks was sent')
  return await invoke('recon.import', { ...common, uploadId })
}

/** A dry run: what the import would store, with every warning; nothing is stored. */
export async function checkStatement(file: StatementFile, choices: ImportChoices, progress: SendProgress): Promise<ImportStatementResult> {
  return await send(file, choices, true, progress)
}

export async function importStatement(file: StatementFile, choices: ImportChoices, progress: SendProgress): Promise<ImportStatementResult> {
  try {
    const r = await send(file, choices, false, progress)
    const n = r.statements.length
    notifySuccess(
      'Statement imported',
      `${r.fileName}: ${formatCount(n)} ${n === 1 ? 'statement' : 'statements'} and ${formatCount(r.lines)} ${r.lines === 1 ? 'line' : 'lines'}, every balance checked.`,
    )
    return r
  } finally {
    void useRecon.getState().refreshList()
  }
}

export async function linkAccount(account: ReconAccount, ledgerAccountId: string): Promise<boolean> {
  try {
    const linked = await invoke('recon.linkAccount', { accountId: account.id, ledgerAccountId })
    notifySuccess(
      'Account linked',
      `${linked.id} now shows the movements of the ledger account ${linked.ledgerAccountId ?? ledgerAccountId}.`,
    )
    return true
  } catch (error) {
    notifyError('Could not link the account', error)
    return false
  } finally {
    void useRecon.getState().refreshList()
  }
}
