import fs from 'node:fs'
import path from 'node:path'
import type { Command } from 'commander'
import { CsError } from '../../shared/errors'
import { fileTooLargeMessage, fileTooLargeToSendMessage } from '../../shared/fileSize'
import { CSV_BYTES_MAX, PAYLOAD_BYTES_MAX } from '../../shared/limits'
import type { CliIo } from '../io'
import { examples } from '../options'
import { renderTable } from '../table'
import { withSession, type RunState } from '../session'

export function registerPayouts(program: Command, io: CliIo, state: RunState): void {
  const payouts = program
    .command('payouts')
    .description('Payout files: import a CSV into a draft batch.')
    .addHelpText('after', examples('countersign payouts import march.csv --as "Alice Preparer" --name "March contractors"'))

  payouts
    .command('import')
    .argument('<file>', 'CSV file of payouts (Countersign layout, or a Safe airdrop CSV with --network)')
    .description('Import a payout CSV into a new draft batch (needs --as a preparer). Exit 1 if any row has a problem.')
    .option('--name <name>', 'batch name (default: the file name)')
    .option('--network <chainId>', 'chain id for files that name none (Safe airdrop layout), e.g. 8453')
    .option('--keep-valid', 'store the valid rows as a draft even when other rows have problems')
    .addHelpText(
      'after',
      examples(
        'countersign payouts import march.csv --as "Alice Preparer"',
        'countersign payouts import airdrop.csv --network 8453 --keep-valid --json',
      ),
    )
    .action(async (file: string, opts: { name?: string; network?: string; keepValid?: boolean }, cmd: Command) => {
      const csv = readCsv(file)
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const input = {
          csv,
          fileName: path.basename(file),
          ...(opts.name !== undefined ? { batchName: opts.name } : {}),
          ...(opts.network !== undefined ? { network: opts.network } : {}),
          ...(opts.keepValid ? { keepValidAsDraft: true } : {}),
        }
        // Within the file limit but past one request once JSON-escaped: the file's terms, not the request's.
        if (Buffer.byteLength(JSON.stringify(input), 'utf8') > PAYLOAD_BYTES_MAX)
          throw new CsError(
            'PAYLOAD_TOO_LARGE',
            fileTooLargeToSendMessage({
              name: file,
              bytes: Buffer.byteLength(csv, 'utf8'),
              limitBytes: CSV_BYTES_MAX,
              kind: 'a payout CSV',
              fix: 'Split it into several files and import each.',
            }),
          )
        const result = await s.call('payouts.import', input)
        const failed = result.issues.length > 0 ? 1 : 0
        if (s.out.json) {
          s.out.data(result)
          return failed
        }
        if (result.issues.length > 0) {
          s.out.line(
            renderTable(
              [{ header: 'ROW', align: 'right' }, { header: 'COLUMN' }, { header: 'CODE' }, { header: 'PROBLEM' }],
              result.issues.map((i) => [i.row === null ? 'file' : String(i.row), i.column ?? '-', i.code, i.message]),
              s.out.bold,
            ),
          )
        }
        for (const w of result.warnings) s.out.note(`warning ${w.code}: ${w.message}`)
        if (result.batchId !== null) {
          s.out.line(`${result.batchId}`)
          s.out.note(
            `Draft batch ${result.batchId} created with ${result.valid.length} of ${result.rowsTotal} rows. Next: countersign batches show ${result.batchId}, then batches submit ${result.batchId}.`,
          )
        } else {
          s.out.note(
            `Nothing was imported: ${result.issues.length} problem${result.issues.length === 1 ? '' : 's'} in ${result.rowsTotal} rows. Fix the file, or use --keep-valid.`,
          )
        }
        return failed
      })
    })
}

export function readCsv(file: string): string {
  let text: string
  try {
    const stat = fs.statSync(file)
    if (!stat.isFile()) throw new CsError('FILE_INVALID', `${file} is not a file — give the path of a payout CSV.`)
    if (stat.size > CSV_BYTES_MAX) {
      throw new CsError(
        'FILE_INVALID',
        fileTooLargeMessage({
          name: file,
          bytes: stat.size,
          limitBytes: CSV_BYTES_MAX,
          kind: 'a payout CSV',
          fix: 'Split it into several files and import each.',
        }),
      )
    }
    text = fs.readFileSync(file, 'utf8')
  } catch (cause) {
    if (cause instanceof CsError) throw cause
    const code = (cause as { code?: unknown }).code
    const why = code === 'ENOENT' ? 'there is no such file' : code === 'EACCES' ? 'permission denied' : String((cause as Error).message)
    throw new CsError('FILE_INVALID', `Cannot read ${file}: ${why} — check the path.`, { cause })
  }
  return text
}
