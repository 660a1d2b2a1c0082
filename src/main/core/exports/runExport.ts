/**
 * `exports.run` and `exports.preview`.
 *
 * An export only reads the books, but it is data leaving the desk — payees' names and addresses,
 * every amount — so `run` records it the way a backup is recorded: one audit row (who, which kind
 * and filters, how many rows, each file's name and SHA-256), written after the files are built and
 * in its own short transaction. The preview reads and records nothing.
 */
import { createHash } from 'node:crypto'
import type { ExportFile, ExportPreview, ExportRequest } from '../../../shared/exportsApi'
import { appendAudit } from '../audit/appendAudit'
import type { Actor, CoreContext } from '../context'
import { buildExport, type BuiltExport } from './buildExport'

export interface RunExportReturnType {
  kind: BuiltExport['kind']
  files: ExportFile[]
  rowsTotal: number
  note: string
}

function toExportFile(name: string, mime: string, text: string, rows: number): ExportFile {
  const bytes = Buffer.from(text, 'utf8')
  return {
    name,
    mime,
    content: bytes.toString('base64'),
    sha256: createHash('sha256').update(bytes).digest('hex'),
    rows,
    bytes: bytes.length,
  }
}

export async function runExport(ctx: CoreContext, actor: Actor, request: ExportRequest): Promise<RunExportReturnType> {
  const built = await buildExport(ctx, request)
  const files = built.files.map((f) => toExportFile(f.name, f.mime, f.text, f.rows))
  const { kind, format, accountCodes: _codes, ...filters } = request
  await ctx.db.tx(async () => {
    await appendAudit(ctx, {
      actor,
      action: 'exports.run',
      subject: `export:${kind}`,
      change: {
        kind,
        format: format ?? 'csv',
        options: { ...filters, ...(request.accountCodes !== undefined ? { accountCodesGiven: true } : {}) },
        rows: built.rowsTotal,
        files: files.map((f) => ({ name: f.name, sha256: f.sha256, rows: f.rows, bytes: f.bytes })),
      },
    })
  })
  return { kind: built.kind, files, rowsTotal: built.rowsTotal, note: built.note }
}

export async function previewExport(ctx: CoreContext, request: ExportRequest): Promise<ExportPreview> {
  const built = await buildExport(ctx, request)
  const first = built.files[0]
  return {
    kind: built.kind,
    files: built.files.map((f) => ({ name: f.name, rows: f.rows })),
    columns: first?.columns ?? [],
    rows: first?.sample ?? [],
    rowsTotal: built.rowsTotal,
    note: built.note,
  }
}
