import type { Command } from 'commander'
import { CsError } from '../../shared/errors'
import { AUDIT_EXPORT_ROWS_MAX, LIST_ROWS_MAX } from '../../shared/limits'
import type { AuditFilter } from '../../shared/workspaceApi'
import { cell, shortHash, shortTimestamp } from '../format'
import type { CliIo } from '../io'
import { examples, intArg } from '../options'
import { renderTable } from '../table'
import { withSession, type RunState } from '../session'
import { EXIT_FAILURE } from '../errors'
import { writeFileDurably } from '../../main/core/util/durableWrite'

export function registerAudit(program: Command, io: CliIo, state: RunState): void {
  const audit = program
    .command('audit')
    .description('The append-only, hash-chained log of every change and who made it.')
    .addHelpText('after', examples('countersign audit list --limit 20', 'countersign audit verify'))

  const list = audit
    .command('list', { isDefault: true })
    .description('Audit rows, newest first (the default).')
    .option('--limit <n>', `how many rows (1–${LIST_ROWS_MAX})`, intArg(1, LIST_ROWS_MAX))
    .option('--before <seq>', 'only rows older than this sequence number (paging)', intArg(1, Number.MAX_SAFE_INTEGER))
  filterOptions(list)
    .addHelpText(
      'after',
      examples(
        'countersign audit list --limit 20',
        'countersign audit list --subject account:treasury-usdc --json',
        'countersign audit list --actor op_1a2b3c --action batches.approve --action batches.reject --from 2026-03-01 --to 2026-03-31',
        'countersign audit list --hide-system',
      ),
    )
    .action(async (opts: FilterOptions & { limit?: number; before?: number }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const page = await s.call('audit.list', {
          ...filterOf(opts),
          ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
          ...(opts.before !== undefined ? { beforeSeq: opts.before } : {}),
        })
        if (s.out.json) return s.out.data(page)
        if (page.rows.length === 0) return s.out.line('No audit rows.')
        s.out.line(
          renderTable(
            [
              { header: 'SEQ', align: 'right' },
              { header: 'AT' },
              { header: 'ACTOR' },
              { header: 'ACTION' },
              { header: 'SUBJECT' },
              { header: 'HASH' },
            ],
            page.rows.map((r) => [String(r.seq), shortTimestamp(r.at), r.actor, r.action, cell(r.subject, 50), shortHash(r.hash)]),
            s.out.bold,
          ),
        )
        if (page.nextBeforeSeq !== null) s.out.line(`\nOlder rows: add --before ${page.nextBeforeSeq} (with the same filters)`)
      })
    })

  const exportCommand = audit
    .command('export')
    .description(
      `The rows the filters match as one CSV file, oldest first (at most ${AUDIT_EXPORT_ROWS_MAX.toLocaleString('en-US')} rows; spreadsheet formulas neutralised).`,
    )
    .option('--out <file>', 'write it here instead of standard output')
  filterOptions(exportCommand)
    .addHelpText('after', examples('countersign audit export --from 2026-03-01 --to 2026-03-31 --hide-system --out audit-march.csv'))
    .action(async (opts: FilterOptions & { out?: string }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const file = await s.call('audit.export', filterOf(opts))
        if (opts.out === undefined) return void io.stdout.write(file.text)
        try {
          writeFileDurably(opts.out, file.text)
        } catch (error) {
          throw new CsError('FILE_INVALID', `Could not write ${opts.out} — check the folder exists and is writable.`, { cause: error })
        }
        if (s.out.json) return s.out.data({ file: opts.out, rows: file.rows })
        s.out.line(`${file.rows} audit ${file.rows === 1 ? 'row' : 'rows'} written to ${opts.out}.`)
      })
    })

  audit
    .command('verify')
    .description(
      'Recompute the hash chain and check the books against it; exit code 1 and the first broken row (of the log or of the books) if either was tampered with.',
    )
    .addHelpText('after', examples('countersign audit verify', 'countersign audit verify --json || echo "audit log broken"'))
    .action(async (_opts: object, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const v = await s.call('audit.verify', {})
        if (s.out.json) s.out.data(v)
        const books = v.booksChecked
          ? ` The books match it: ${v.booksChecked.rows} rows and ${v.booksChecked.accounts} balances checked.`
          : ''
        if (v.ok) {
          s.out.line(`Audit log intact: ${v.rowsChecked} rows checked, last row ${v.headSeq} (hash ${shortHash(v.headHash, 16)}).${books}`)
          return
        }
        const broken = v.firstBroken!
        if (broken.kind === undefined || broken.kind === 'chain') {
          s.out.line(`Audit log BROKEN at row ${broken.seq}: ${broken.reason}.`)
          s.out.line(`${v.rowsChecked} rows before it check out.`)
          io.stderr.write(
            `error AUDIT_BROKEN: The audit log is broken at row ${broken.seq}: ${broken.reason} — the database was changed outside Countersign; stop using this workspace and compare it with your last backup.\n`,
          )
          return EXIT_FAILURE
        }
        // The chain holds, but the books it describes were changed: name the row.
        s.out.line(`Books BROKEN (${broken.subject ?? 'books'}): ${broken.reason}.`)
        s.out.line(`The audit log itself checks out: ${v.rowsChecked} rows, last row ${v.headSeq}.`)
        io.stderr.write(
          `error AUDIT_BROKEN: The books do not match the audit log: ${broken.reason} — the database was changed outside Countersign; stop using this workspace and compare it with your last backup.\n`,
        )
        return EXIT_FAILURE
      })
    })
}

interface FilterOptions {
  subject?: string
  actor?: string
  action?: string[]
  from?: string
  to?: string
  hideSystem?: boolean
}

/** The filters `audit list` and `audit export` share (the contract's AuditFilter). */
function filterOptions(cmd: Command): Command {
  return cmd
    .option('--subject <subject>', 'only rows about this subject, e.g. entry:opening-usdc or operator:dana-admin')
    .option('--actor <id>', "only rows by this operator id, or 'system' for the rows Countersign wrote by itself")
    .option('--action <action>', 'only rows of this action, e.g. batches.approve (repeat for several)', (v: string, all: string[] = []) => [
      ...all,
      v,
    ])
    .option('--from <date>', 'written on or after (YYYY-MM-DD, UTC, or an ISO UTC time)')
    .option('--to <date>', 'written on or before (YYYY-MM-DD includes the whole day, UTC)')
    .option('--hide-system', "leave out the rows Countersign wrote by itself (actor 'system': confirmations, syncs, sweeps)")
}

function filterOf(opts: FilterOptions): AuditFilter {
  return {
    ...(opts.subject !== undefined ? { subject: opts.subject } : {}),
    ...(opts.actor !== undefined ? { actor: opts.actor } : {}),
    ...(opts.action !== undefined ? { actions: opts.action } : {}),
    ...(opts.from !== undefined ? { from: opts.from } : {}),
    ...(opts.to !== undefined ? { to: opts.to } : {}),
    ...(opts.hideSystem === true ? { hideSystem: true } : {}),
  }
}
