import { groupBatchWarnings } from '../../shared/batchWarningGroups'
import { Option, type Command } from 'commander'
import { BATCH_STATES } from '../../shared/payoutStates'
import { BATCHES_LIST_MAX } from '../../shared/limits'
import type { BatchDetail, BatchSummary } from '../../shared/payoutsApi'
import { signingStoppedSentence } from '../../shared/signingStoppedText'
import type { BatchStateName } from '../../shared/blocks'
import { networkName, networkNameOfAsset } from '../../shared/networkNames'
import { cell, groupDecimal, oneLine, shortTimestamp } from '../format'
import type { CliIo } from '../io'
import { examples, intArg } from '../options'
import { renderTable } from '../table'
import { withSession, type RunState, type Session } from '../session'

/** Payouts `batches show` prints; --json always has them all. */
export const SHOW_PAYOUTS_MAX = 50
/** Rows named per kind of warning in `batches show`; --json lists every one. */
export const WARNING_ROWS_NAMED_MAX = 12

/**
 * Registers `batches …` and returns the command, so the execution engine can add `batches
 * execute ID` beside the others (registerBatchExecute(batches, io, state) in program.ts).
 */
export function registerBatches(program: Command, io: CliIo, state: RunState): Command {
  const batches = program
    .command('batches')
    .description('Payout batches: list, show, submit for approval, approve or reject, cancel.')
    .addHelpText(
      'after',
      examples(
        'countersign batches list --state awaiting_approval',
        'countersign batches show b_1a2b3c4d5e6f --as "Bob Approver"',
        'countersign batches approve b_1a2b3c4d5e6f --batch-version 2 --as "Bob Approver"',
      ),
    )

  batches
    .command('list', { isDefault: true })
    .description('Batches, newest first (the default).')
    .addOption(new Option('--state <state>', 'only batches in this state').choices(BATCH_STATES))
    .option('--limit <n>', `how many batches (1–${BATCHES_LIST_MAX})`, intArg(1, BATCHES_LIST_MAX))
    .option('--before <id>', 'only batches older than this one (paging)')
    .addHelpText('after', examples('countersign batches list', 'countersign batches list --state approved --json'))
    .action(async (opts: { state?: BatchStateName; limit?: number; before?: string }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const page = await s.call('batches.list', {
          ...(opts.state ? { state: opts.state } : {}),
          ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
          ...(opts.before !== undefined ? { before: opts.before } : {}),
        })
        if (s.out.json) return s.out.data(page)
        if (page.batches.length === 0) return s.out.line('No batches.')
        s.out.line(
          renderTable(
            [
              { header: 'ID' },
              { header: 'STATE' },
              { header: 'VER', align: 'right' },
              { header: 'PAYOUTS', align: 'right' },
              { header: 'TOTALS' },
              { header: 'CREATED' },
              { header: 'BY' },
              { header: 'NAME' },
            ],
            page.batches.map((b) => [
              b.id,
              b.signingStopped ? `${b.state} — SIGNING STOPPED ${b.signingStopped.signed}/${b.signingStopped.total}` : b.state,
              String(b.version),
              String(b.payouts),
              totalsText(b),
              shortTimestamp(b.createdAt),
              b.createdBy,
              cell(b.name, 40),
            ]),
            s.out.bold,
          ),
        )
        // Nothing resumes these by itself: say so under the table, with the command.
        for (const b of page.batches) if (b.signingStopped) s.out.line(`\n${signingStoppedSentence(b, b.signingStopped)}`)
        if (page.nextBefore !== null) s.out.line(`\nOlder batches: countersign batches list --before ${page.nextBefore}`)
      })
    })

  batches
    .command('show')
    .argument('<id>', 'batch id')
    .description('One batch: totals per asset and rail, the approval status (for --as), and its payouts.')
    .addHelpText(
      'after',
      examples('countersign batches show b_1a2b3c4d5e6f --as "Bob Approver"', 'countersign batches show b_1a2b3c4d5e6f --json'),
    )
    .action(async (id: string, _opts: object, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const detail = await getFor(s, id)
        if (s.out.json) return s.out.data(detail)
        printDetail(s, detail)
      })
    })

  batches
    .command('submit')
    .argument('<id>', 'batch id')
    .description('Submit a draft for approval after the pre-flight checks (needs --as a preparer).')
    .addHelpText('after', examples('countersign batches submit b_1a2b3c4d5e6f --as "Alice Preparer"'))
    .action(async (id: string, _opts: object, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const batch = await s.call('batches.submit', { id })
        if (s.out.json) return s.out.data(batch)
        s.out.line(
          `Submitted batch ${batch.id} ("${batch.name}") version ${batch.version} for approval: ${batch.payouts} payouts, ${totalsText(batch)}.`,
        )
      })
    })

  for (const verb of ['approve', 'reject'] as const) {
    batches
      .command(verb)
      .argument('<id>', 'batch id')
      .description(
        verb === 'approve'
          ? 'Approve a batch (needs --as an approver who neither created nor edited it).'
          : 'Reject a batch: it goes back to its preparer as a draft, with your comment (needs --as an approver).',
      )
      .option(
        '--batch-version <n>',
        'the version you reviewed (batches show); refused if the batch changed since',
        intArg(1, Number.MAX_SAFE_INTEGER),
      )
      .option('--comment <text>', verb === 'approve' ? 'a note kept with the approval' : 'why — the preparer sees it')
      .addHelpText(
        'after',
        examples(
          `countersign batches ${verb} b_1a2b3c4d5e6f --batch-version 2 --as "Bob Approver"${verb === 'reject' ? ' --comment "row 3: wrong IBAN"' : ''}`,
        ),
      )
      .action(async (id: string, opts: { batchVersion?: number; comment?: string }, cmd: Command) => {
        state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
          // Without --batch-version, the version current now is the one decided on, and it is printed.
          const version = opts.batchVersion ?? (await s.call('batches.get', { id })).batch.version
          const input = { id, version, ...(opts.comment !== undefined ? { comment: opts.comment } : {}) }
          const detail = verb === 'approve' ? await s.call('batches.approve', input) : await s.call('batches.reject', input)
          if (s.out.json) return s.out.data(detail)
          const b = detail.batch
          s.out.line(
            verb === 'approve'
              ? `Approved version ${version} of batch ${b.id} ("${b.name}"): ${b.payouts} payouts, ${totalsText(b)}. It is now ${b.state.replace('_', ' ')}.`
              : `Rejected version ${version} of batch ${b.id} ("${b.name}"); it is back to draft (version ${b.version}) for its preparer.`,
          )
          for (const sentence of detail.approvalStatus.sentences) s.out.line(`  ${sentence}`)
        })
      })
  }

  batches
    .command('cancel')
    .argument('<id>', 'batch id')
    .description('Cancel a batch that has not started executing (needs --as a preparer or admin).')
    .option('--comment <text>', 'why, for the audit log')
    .addHelpText('after', examples('countersign batches cancel b_1a2b3c4d5e6f --as "Alice Preparer" --comment "sent twice"'))
    .action(async (id: string, opts: { comment?: string }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const batch = await s.call('batches.cancel', { id, ...(opts.comment !== undefined ? { comment: opts.comment } : {}) })
        if (s.out.json) return s.out.data(batch)
        s.out.line(`Cancelled batch ${batch.id} ("${batch.name}"); nothing in it will be paid.`)
      })
    })

  // `batches execute ID` is registered by the execution engine (src/cli/commands/…), on the
  // command returned here.
  return batches
}

/**
 * batches.get for the operator given with --as, so the approval status speaks to them. Never
 * with `payoutsLimit`: the CLI's answer carries every payout (`payoutsPage.nextOffset` null).
 */
async function getFor(s: Session, id: string): Promise<BatchDetail> {
  if (s.operator === undefined) return s.call('batches.get', { id })
  return s.core.api.call('batches.get', { id }, { operatorId: s.operator })
}

function totalsText(b: BatchSummary): string {
  return b.totals.length === 0
    ? 'nothing'
    : b.totals.map((t) => `${groupDecimal(t.total)} ${t.assetCode} on ${networkNameOfAsset(t.assetId)}`).join(', ')
}

function printDetail(s: Session, d: BatchDetail): void {
  const b = d.batch
  s.out.line(s.out.bold(`Batch ${b.id} — ${oneLine(b.name)}`))
  s.out.line(
    `state ${b.state}  version ${b.version}  created ${shortTimestamp(b.createdAt)} by ${b.createdBy}  editors ${b.editors.join(', ')}`,
  )
  if (b.source !== null) s.out.line(`source ${b.source}`)
  s.out.line()
  if (d.totalsByRail.length > 0) {
    s.out.line(
      renderTable(
        [{ header: 'NETWORK' }, { header: 'ASSET' }, { header: 'PAYOUTS', align: 'right' }, { header: 'TOTAL', align: 'right' }],
        d.totalsByRail.map((t) => [networkName(t.rail, t.network), t.assetId, String(t.payouts), groupDecimal(t.total)]),
        s.out.bold,
      ),
    )
    s.out.line()
  }
  printSigningPlan(s, d)
  s.out.line(s.out.bold('Approval'))
  for (const sentence of d.approvalStatus.sentences) s.out.line(`  ${sentence}`)
  for (const a of d.approvals)
    s.out.line(
      `  ${a.decision === 'approve' ? 'approved' : 'rejected'} by ${oneLine(a.operatorName)} at ${shortTimestamp(a.at)}${a.comment ? `: ${oneLine(a.comment)}` : ''}`,
    )
  if (d.lastRejection !== null && d.lastRejection.version !== b.version) {
    const r = d.lastRejection
    s.out.line(
      `  Last rejected (version ${r.version}) by ${r.operatorName} at ${shortTimestamp(r.at)}${r.comment ? `: ${oneLine(r.comment)}` : ''}`,
    )
  }
  const recipients = new Map(d.payouts.map((p) => [p.id, p.recipient]))
  const groups = groupBatchWarnings(d.warnings, (id) => recipients.get(id))
  if (groups.length > 0) {
    s.out.line()
    s.out.line(s.out.bold('Warnings'))
    for (const g of groups) {
      const rows = g.warnings.flatMap((w) => (w.row === null ? [] : [w.row]))
      const shownRows = rows.slice(0, WARNING_ROWS_NAMED_MAX).join(', ')
      const more = rows.length > WARNING_ROWS_NAMED_MAX ? ` and ${rows.length - WARNING_ROWS_NAMED_MAX} more` : ''
      s.out.line(`  ${g.danger ? '!! ' : ''}${g.title}${rows.length > 0 ? ` — rows ${shownRows}${more}` : ''}`)
    }
    s.out.line("  Each row's sentence: countersign batches show " + b.id + ' --json (warnings).')
  }
  s.out.line()
  if (d.payouts.length === 0) return s.out.line('No payouts yet.')
  const shown = d.payouts.slice(0, SHOW_PAYOUTS_MAX)
  s.out.line(
    renderTable(
      [
        { header: 'ROW', align: 'right' },
        { header: 'ID' },
        { header: 'ASSET' },
        { header: 'AMOUNT', align: 'right' },
        { header: 'STATE' },
        { header: 'RECIPIENT' },
        { header: 'NAME' },
      ],
      shown.map((p) => [String(p.rowNo), p.id, p.assetId, groupDecimal(p.amount), p.state, p.recipient, cell(p.name, 30)]),
      s.out.bold,
    ),
  )
  if (d.payouts.length > shown.length) {
    s.out.line(`\n… and ${d.payouts.length - shown.length} more payouts — see them all with: countersign batches show ${b.id} --json`)
  }
}

/** What paying the open payouts asks of the signer, per rail; and the warning when memos force many transactions. */
function printSigningPlan(s: Session, d: BatchDetail): void {
  if (d.signingPlan.length === 0) return
  const count = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`
  s.out.line(s.out.bold('Signing'))
  for (const r of d.signingPlan) {
    if (r.rail === 'stripe') {
      s.out.line(`  Stripe: ${count(r.payouts, 'payout')} in ${count(r.transactions, 'transfer')} — nothing to sign on a device`)
      continue
    }
    const atLeast = r.precision === 'atLeast' && r.payouts > r.transactions ? 'at least ' : ''
    s.out.line(
      `  ${networkName(r.rail, r.network)}: ${count(r.payouts, 'payout')} in ${atLeast}${count(r.transactions, 'transaction')} — ${atLeast}${count(r.deviceConfirmations, 'device confirmation')}`,
    )
    if (r.deviceConfirmations > r.deviceConfirmationsIfShared) {
      s.out.line(
        `  ! ${r.distinctMemos} different memos: a Stellar transaction holds one memo, so you will confirm ${r.deviceConfirmations} times on the device instead of ${r.deviceConfirmationsIfShared}. Remove memos the payees do not need to sign fewer times (editing sends the batch back for approval).`,
      )
    }
  }
  s.out.line()
}
