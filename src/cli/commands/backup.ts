/**
 * `countersign backup` (now | list | keep) and `countersign restore FILE`: the backups of a
 * single-desk workspace. A team workspace (PostgreSQL) is backed up on its server with pg_dump —
 * both commands refuse there with BACKUP_UNSUPPORTED.
 */
import type { Command } from 'commander'
import type { Backup } from '../../shared/backupsApi'
import { CsError } from '../../shared/errors'
import { formatFileSize } from '../../shared/fileSize'
import { BACKUP_KEEP_DAYS_MAX, BACKUP_KEEP_DAYS_MIN } from '../../shared/limits'
import { shortHash, shortTimestamp } from '../format'
import { createOut, type CliIo } from '../io'
import { examples, intArg } from '../options'
import { renderTable } from '../table'
import { dataDirOf, globalsOf, routeLog, withSession, type RunState } from '../session'

const TEAM_REFUSAL =
  "This workspace keeps its books in a team database (PostgreSQL): back it up and restore it on the server with pg_dump / pg_restore — that is the database administrator's job, not this desk's."

export function registerBackup(program: Command, io: CliIo, state: RunState): void {
  const backup = program
    .command('backup')
    .description("Back up this workspace's database into its backups folder (also done before every upgrade and daily).")
    .addHelpText(
      'after',
      `
Backups are <data folder>/backups/countersign-<UTC time>.sqlite: a consistent copy taken while the
app keeps working, checked before it is kept. Automatic pruning keeps them for the retention
setting (default 14 days) and always the newest 3. Restore one with  countersign restore FILE.
A team workspace (PostgreSQL) is backed up on its server with pg_dump instead.
` +
        examples(
          'countersign backup',
          'countersign backup --json',
          'countersign backup list',
          'countersign backup keep --days 30 --as "Dana Admin"',
        ),
    )

  backup
    .command('now', { isDefault: true })
    .description('Write a backup now and print where it is (the default).')
    .addHelpText('after', '\nWith --json it prints {"name", "path", "at", "bytes", "auditHead": {"seq", "hash"}}.\n')
    .action(async (_opts: object, cmd: Command) => {
      await refuseTeamWorkspace(io, cmd)
      state.exitCode = await withSession(io, cmd, { mode: 'existing', noDailyBackup: true }, async (s) => {
        const [{ createBackup }, { pruneBackups }, { getBackupSettings }, { backupToContract }] = await Promise.all([
          import('../../main/core/db/backups/createBackup'),
          import('../../main/core/db/backups/pruneBackups'),
          import('../../main/core/db/backups/backupSettings'),
          import('../../main/core/db/backups/listBackups'),
        ])
        const now = s.core.ctx.clock.now()
        const written = backupToContract(createBackup({ dataDir: s.dataDir, now }))
        pruneBackups(s.dataDir, now, (await getBackupSettings(s.core.ctx)).keepDays)
        if (s.out.json) return s.out.data(written)
        s.out.line(`Backup written: ${written.path}`)
        s.out.line(`  size        ${formatBytes(written.bytes)}`)
        s.out.line(`  audit head  row ${written.auditHead?.seq ?? '?'} (${shortHash(written.auditHead?.hash ?? '', 16)})`)
        s.out.line(`Restore it with:  countersign restore ${written.name}`)
      })
    })

  backup
    .command('list')
    .description('The backups of this workspace, newest first, and how long they are kept.')
    .addHelpText(
      'after',
      '\nWith --json it prints the contract\'s backups.list: {"backend", "folder", "keepDays", "keptMin", "backups": [...]}.\n',
    )
    .action(async (_opts: object, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const list = await s.call('backups.list', {})
        if (s.out.json) return s.out.data(list)
        if (list.backend === 'postgres') return s.out.line(TEAM_REFUSAL)
        s.out.line(`Backups in ${list.folder} — kept ${list.keepDays} days, and always the newest ${list.keptMin}.`)
        if (list.backups.length === 0) return s.out.line('No backups yet: run  countersign backup')
        s.out.line(renderBackups(list.backups, s.out.bold))
      })
    })

  backup
    .command('keep')
    .description('Set how many days automatic pruning keeps backups (admin).')
    .requiredOption(
      '--days <n>',
      `days (${BACKUP_KEEP_DAYS_MIN}–${BACKUP_KEEP_DAYS_MAX})`,
      intArg(BACKUP_KEEP_DAYS_MIN, BACKUP_KEEP_DAYS_MAX),
    )
    .action(async (opts: { days: number }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const list = await s.call('backups.configure', { keepDays: opts.days })
        if (s.out.json) return s.out.data(list)
        s.out.line(`Backups are now kept ${list.keepDays} days (and always the newest ${list.keptMin}).`)
      })
    })

  program
    .command('restore')
    .argument('<file>', "a backup's path, or its name in the workspace's backups folder")
    .description('Replace the workspace database with a backup (close the app and the sandbox first).')
    .addHelpText(
      'after',
      `
The backup is checked first (it opens, passes SQLite's integrity check, and its audit chain
verifies; a backup of another workspace is refused). The current database is kept as
countersign.sqlite.replaced-<time>, never deleted. Restoring an older backup rolls the books back:
every audit row after the backup's last one is lost from the books (the command says how many) —
payouts made since look unpaid, so check them on their rails before paying anything again. The
restore itself is recorded in the audit log. Refused (WORKSPACE_IN_USE) while a Countersign window,
command or sandbox has the workspace open.

With --json it prints {"restored": {"file", "auditHead"}, "previous": {"auditHead"} | null,
"lostAuditRows", "replacedFile", "auditHead", "workspaceId"}.
` +
        examples(
          'countersign restore countersign-20260101T093000Z.sqlite',
          'countersign restore /mnt/usb/countersign-20260101T093000Z.sqlite --json',
        ),
    )
    .action(async (file: string, _opts: object, cmd: Command) => {
      await refuseTeamWorkspace(io, cmd)
      const globals = globalsOf(cmd)
      const out = createOut(io, globals.json === true)
      const dataDir = dataDirOf(globals, io)
      await routeLog(io, dataDir, globals.debug === true)
      const { restoreBackup } = await import('../../main/core/db/backups/restoreBackup')
      const r = await restoreBackup({ dataDir, file, now: new Date() })
      state.exitCode = 0
      if (out.json) return out.data(r)
      out.line(`Restored ${r.restored.file} (audit row ${r.restored.auditHead.seq}).`)
      if (r.lostAuditRows !== null && r.lostAuditRows > 0) {
        const from = r.restored.auditHead.seq + 1
        out.line(
          `  rolled back  audit rows ${from}–${r.previous!.auditHead.seq} (${r.lostAuditRows} rows) are not in the restored books: what they recorded — payouts paid, approvals, postings — is undone here. Check those payouts on their rails before paying anything again.`,
        )
      } else if (r.previous) {
        out.line('  rolled back  nothing: the backup holds everything this folder had committed.')
      }
      out.line(
        `  replaced     ${r.replacedFile ?? '(there was no database)'}${r.replacedFile ? '  (kept; delete it once you are sure)' : ''}`,
      )
      out.line(`  now          audit row ${r.auditHead.seq} — this restore, recorded in the audit log`)
    })
}

async function refuseTeamWorkspace(io: CliIo, cmd: Command): Promise<void> {
  const { readWorkspaceFile } = await import('../../main/core/db/openDb')
  if (readWorkspaceFile(dataDirOf(globalsOf(cmd), io))) throw new CsError('BACKUP_UNSUPPORTED', TEAM_REFUSAL)
}

function renderBackups(backups: readonly Backup[], bold: (s: string) => string): string {
  return renderTable(
    [
      { header: 'TAKEN' },
      { header: 'NAME' },
      { header: 'SIZE', align: 'right' },
      { header: 'AUDIT ROW', align: 'right' },
      { header: 'HASH' },
    ],
    backups.map((b) => [
      shortTimestamp(b.at),
      b.name,
      formatBytes(b.bytes),
      b.auditHead ? String(b.auditHead.seq) : 'unreadable',
      b.auditHead ? shortHash(b.auditHead.hash) : '',
    ]),
    bold,
  )
}

/** Sizes read the same in the app and the CLI (src/shared/fileSize.ts). */
const formatBytes = formatFileSize
