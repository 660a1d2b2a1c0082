/**
 * `countersign recon run | list | match | unmatch | confirm | reject | exceptions | exception |
 * adjustments | approve | drift | close | periods | rules`: matching statement lines with the
 * ledger, the exceptions queue, adjustments and closing a month. Every command has --json
 * (README, "Reconciliation: matching" documents the shapes).
 */
import { Option, type Command } from 'commander'
import { EXCEPTION_REASONS, MATCH_STATES, type ReconException, type ReconMatch } from '../../shared/reconMatchApi'
import { RECON_LIST_MAX } from '../../shared/limits'
import { EXIT_FAILURE } from '../errors'
import { cell, groupDecimal } from '../format'
import type { CliIo } from '../io'
import { examples, intArg } from '../options'
import { renderTable } from '../table'
import { withSession, type RunState, type Session } from '../session'

const MATCH_COLUMNS = [
  { header: 'Match', align: 'left' as const },
  { header: 'State', align: 'left' as const },
  { header: 'Kind', align: 'left' as const },
  { header: 'Date', align: 'left' as const },
  { header: 'Statement', align: 'right' as const },
  { header: 'Ledger', align: 'right' as const },
  { header: 'Variance', align: 'right' as const },
  { header: 'Why', align: 'left' as const },
]

function matchRow(m: ReconMatch): string[] {
  return [
    m.id,
    m.state,
    m.kind,
    m.date,
    groupDecimal(m.statementTotal),
    groupDecimal(m.ledgerTotal),
    groupDecimal(m.variance),
    cell(m.summary, 70),
  ]
}

const EXCEPTION_COLUMNS = [
  { header: 'Exception', align: 'left' as const },
  { header: 'Reason', align: 'left' as const },
  { header: 'Side', align: 'left' as const },
  { header: 'Date', align: 'left' as const },
  { header: 'Age', align: 'right' as const },
  { header: 'Amount', align: 'right' as const },
  { header: 'Item', align: 'left' as const },
  { header: 'Assignee', align: 'left' as const },
  { header: 'Detail', align: 'left' as const },
]

function exceptionRow(e: ReconException): string[] {
  return [
    e.id,
    e.reason,
    e.side,
    e.item.date ?? '',
    e.item.ageDays === null ? '' : `${e.item.ageDays}d`,
    `${groupDecimal(e.item.amount)} ${e.item.currency}`,
    cell(`${e.item.reference ?? e.item.id} ${e.item.text}`, 40),
    e.assignee ?? '',
    cell(e.detail, 60),
  ]
}

function printMatches(s: Session, matches: readonly ReconMatch[]): void {
  if (matches.length === 0) s.out.line('No matches.')
  else s.out.line(renderTable(MATCH_COLUMNS, matches.map(matchRow), s.out.bold))
}

export function registerReconMatching(recon: Command, io: CliIo, state: RunState): void {
  recon.addHelpText(
    'after',
    examples(
      'countersign recon run --dry-run --json',
      'countersign recon run --as "Alice Preparer"',
      'countersign recon list --state suggested',
      'countersign recon confirm rm_… rm_… --as "Alice Preparer"',
      'countersign recon exceptions --reason unmatched --json',
      'countersign recon approve ra_… --as "Bob Approver"',
      'countersign recon close DE89370400440532013000:EUR --period 2026-11 --as "Bob Approver"',
    ),
  )

  recon
    .command('run')
    .description(
      'Match statement lines with ledger postings: exact keys first, then the rules; the rest goes to the exceptions queue. Works offline.',
    )
    .option('--account <id>', 'only this statement account')
    .option('--dry-run', 'show what would be matched; store nothing', false)
    .action(async (opts: { account?: string; dryRun?: boolean }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const r = await s.call('recon.run', { ...(opts.account ? { accountId: opts.account } : {}), dryRun: opts.dryRun === true })
        if (s.out.json) return s.out.data(r)
        const st = r.stats
        const ex = Object.entries(st.exceptions)
          .map(([k, v]) => `${v} ${k.replace('_', ' ')}`)
          .join(', ')
        s.out.line(
          `${r.dryRun ? 'Would match' : 'Matched'} ${st.statementItems} statement line(s) against ${st.ledgerItems} ledger posting(s): ${st.matched} confirmed, ${st.suggested} suggested${ex ? `; exceptions: ${ex}` : ''}.`,
        )
        printMatches(s, r.matches)
        if (r.more > 0) s.out.line(`… and ${r.more} more (recon list).`)
      })
    })

  recon
    .command('list')
    .description('Matches, newest first: suggested ones to review, confirmed ones to audit.')
    .option('--account <id>', 'only this statement account')
    .addOption(new Option('--state <state>', 'only matches in this state').choices(MATCH_STATES))
    .option('--offset <n>', 'skip this many', intArg(0, Number.MAX_SAFE_INTEGER))
    .option('--limit <n>', `how many (1–${RECON_LIST_MAX})`, intArg(1, RECON_LIST_MAX))
    .action(async (opts: { account?: string; state?: (typeof MATCH_STATES)[number]; offset?: number; limit?: number }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const r = await s.call('recon.matches', {
          ...(opts.account ? { accountId: opts.account } : {}),
          ...(opts.state ? { state: opts.state } : {}),
          ...(opts.offset !== undefined ? { offset: opts.offset } : {}),
          ...(opts.limit ? { limit: opts.limit } : {}),
        })
        if (s.out.json) return s.out.data(r)
        printMatches(s, r.matches)
        if (r.total > r.matches.length) s.out.line(`${r.matches.length} of ${r.total} shown (--offset, --limit).`)
      })
    })

  recon
    .command('confirm')
    .argument('<matches...>', 'suggested match ids (recon list --state suggested)')
    .description('Confirm suggested matches; a variance or bank charge becomes a proposed adjustment for a second person to approve.')
    .action(async (matchIds: string[], _o: object, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const r = await s.call('recon.confirm', { matchIds })
        if (s.out.json) return s.out.data(r)
        printMatches(s, r.matches)
        const adj = r.matches.filter((m) => m.adjustmentId !== null)
        if (adj.length > 0)
          s.out.line(`${adj.length} adjustment(s) proposed: a second person approves them (recon adjustments, recon approve).`)
      })
    })

  recon
    .command('reject')
    .argument('<match>', 'a suggested match id')
    .requiredOption('--reason <text>', 'why it is wrong (kept in the audit log)')
    .description('Reject a suggestion: its items go back to the queue and later runs do not propose it again.')
    .action(async (matchId: string, opts: { reason: string }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const m = await s.call('recon.reject', { matchId, reason: opts.reason })
        if (s.out.json) return s.out.data(m)
        s.out.line(`Rejected ${m.id}; its items are back in the queue.`)
      })
    })

  recon
    .command('match')
    .description('Match items by hand: statement lines with ledger postings (ids from recon exceptions or the Reconciliation view).')
    .option('--statement <ids...>', 'statement line ids', [])
    .option('--ledger <ids...>', 'ledger posting ids ("<entry id>/<posting index>")', [])
    .requiredOption('--note <text>', 'why they belong together')
    .option('--adjustment-account <id>', 'book a difference (statement − ledger) to this ledger account, after approval')
    .action(async (opts: { statement: string[]; ledger: string[]; note: string; adjustmentAccount?: string }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const m = await s.call('recon.match', {
          statement: opts.statement,
          ledger: opts.ledger,
          note: opts.note,
          ...(opts.adjustmentAccount ? { adjustmentAccount: opts.adjustmentAccount } : {}),
        })
        if (s.out.json) return s.out.data(m)
        printMatches(s, [m])
      })
    })

  recon
    .command('unmatch')
    .argument('<match>', 'match id')
    .requiredOption('--reason <text>', 'why (kept in the audit log)')
    .description('Undo a match (refused in a closed period); its items go back to the queue.')
    .action(async (matchId: string, opts: { reason: string }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const m = await s.call('recon.unmatch', { matchId, reason: opts.reason })
        if (s.out.json) return s.out.data(m)
        s.out.line(`Undid ${m.id}; its items are back in the queue.`)
      })
    })

  recon
    .command('exceptions')
    .description('The exceptions queue, oldest first: unmatched items with their age, ambiguous, amount differs, duplicates.')
    .option('--account <id>', 'only this statement account')
    .addOption(new Option('--reason <reason>', 'only this reason').choices(EXCEPTION_REASONS))
    .addOption(new Option('--side <side>', 'statement lines or ledger postings').choices(['statement', 'ledger']))
    .option('--assignee <name>', 'only those assigned to this person')
    .option('--resolved', 'resolved ones instead of open ones', false)
    .option('--offset <n>', 'skip this many', intArg(0, Number.MAX_SAFE_INTEGER))
    .option('--limit <n>', `how many (1–${RECON_LIST_MAX})`, intArg(1, RECON_LIST_MAX))
    .action(
      async (
        opts: {
          account?: string
          reason?: (typeof EXCEPTION_REASONS)[number]
          side?: 'statement' | 'ledger'
          assignee?: string
          resolved?: boolean
          offset?: number
          limit?: number
        },
        cmd: Command,
      ) => {
        state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
          const r = await s.call('recon.exceptions', {
            ...(opts.account ? { accountId: opts.account } : {}),
            ...(opts.reason ? { reason: opts.reason } : {}),
            ...(opts.side ? { side: opts.side } : {}),
            ...(opts.assignee ? { assignee: opts.assignee } : {}),
            state: opts.resolved ? 'resolved' : 'open',
            ...(opts.offset !== undefined ? { offset: opts.offset } : {}),
            ...(opts.limit ? { limit: opts.limit } : {}),
          })
          if (s.out.json) return s.out.data(r)
          if (r.exceptions.length === 0) s.out.line(opts.resolved ? 'No resolved exceptions.' : 'The exceptions queue is empty.')
          else s.out.line(renderTable(EXCEPTION_COLUMNS, r.exceptions.map(exceptionRow), s.out.bold))
          if (r.total > r.exceptions.length) s.out.line(`${r.exceptions.length} of ${r.total} shown (--offset, --limit).`)
        })
      },
    )

  recon
    .command('exception')
    .argument('<id>', 'exception id')
    .description('Work on one exception: assign it, add a note, or resolve it (accept as it is, or book the line against an account).')
    .option('--assign <name>', 'assign it to this person ("" to unassign)')
    .option('--note <text>', 'add a note')
    .addOption(new Option('--resolve <action>', 'accept it as it is, or book the statement line').choices(['accept', 'book']))
    .option('--counter-account <id>', 'with --resolve book: the ledger account to book the line against')
    .action(
      async (id: string, opts: { assign?: string; note?: string; resolve?: 'accept' | 'book'; counterAccount?: string }, cmd: Command) => {
        state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
          let e: ReconException | null = null
          if (opts.resolve) {
            if (!opts.note) {
              s.out.line('Resolving needs --note saying why (kept with the exception and in the audit log).')
              return EXIT_FAILURE
            }
            e = await s.call('recon.resolveException', {
              id,
              action: opts.resolve,
              note: opts.note,
              ...(opts.counterAccount ? { counterAccount: opts.counterAccount } : {}),
            })
          } else {
            e = await s.call('recon.updateException', {
              id,
              ...(opts.assign !== undefined ? { assignee: opts.assign === '' ? null : opts.assign } : {}),
              ...(opts.note ? { note: opts.note } : {}),
            })
          }
          if (s.out.json) return s.out.data(e)
          s.out.line(renderTable(EXCEPTION_COLUMNS, [exceptionRow(e)], s.out.bold))
          if (e.resolution) s.out.line(`Resolved: ${e.resolution}`)
        })
      },
    )

  recon
    .command('adjustments')
    .description('Adjustment entries reconciliation proposed (variances, bank charges, booked lines).')
    .addOption(new Option('--state <state>', 'only this state').choices(['proposed', 'posted', 'rejected']))
    .option('--account <id>', 'only this statement account')
    .action(async (opts: { state?: 'proposed' | 'posted' | 'rejected'; account?: string }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const r = await s.call('recon.adjustments', {
          ...(opts.state ? { state: opts.state } : {}),
          ...(opts.account ? { accountId: opts.account } : {}),
        })
        if (s.out.json) return s.out.data(r)
        if (r.adjustments.length === 0) return s.out.line('No adjustments.')
        s.out.line(
          renderTable(
            [
              { header: 'Adjustment', align: 'left' },
              { header: 'State', align: 'left' },
              { header: 'Date', align: 'left' },
              { header: 'Amount', align: 'right' },
              { header: 'Against', align: 'left' },
              { header: 'Proposed by', align: 'left' },
              { header: 'Description', align: 'left' },
            ],
            r.adjustments.map((a) => [
              a.id,
              a.state,
              a.date,
              `${groupDecimal(a.amount)} ${a.currency}`,
              a.counterAccountId,
              a.proposedBy,
              cell(a.description, 60),
            ]),
            s.out.bold,
          ),
        )
      })
    })

  for (const decision of ['approve', 'reject-adjustment'] as const) {
    recon
      .command(decision)
      .argument('<adjustment>', 'adjustment id (recon adjustments)')
      .option('--comment <text>', 'a comment for the audit log')
      .description(
        decision === 'approve'
          ? 'Approve a proposed adjustment: its entry is posted (not by the person who proposed it).'
          : 'Reject a proposed adjustment.',
      )
      .action(async (id: string, opts: { comment?: string }, cmd: Command) => {
        state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
          const a = await s.call('recon.decideAdjustment', {
            id,
            decision: decision === 'approve' ? 'approve' : 'reject',
            ...(opts.comment ? { comment: opts.comment } : {}),
          })
          if (s.out.json) return s.out.data(a)
          s.out.line(a.state === 'posted' ? `Posted ${a.id} as entry ${a.entryId ?? ''}.` : `Rejected ${a.id}.`)
        })
      })
  }

  recon
    .command('drift')
    .argument('<account>', 'statement account id (recon accounts)')
    .description('Ledger − statement balance at each statement, and the newest difference explained.')
    .action(async (accountId: string, _o: object, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const d = await s.call('recon.drift', { accountId })
        if (s.out.json) return s.out.data(d)
        if (d.points.length === 0) return s.out.line(`No statement of ${accountId} states a closing balance yet.`)
        s.out.line(
          renderTable(
            [
              { header: 'Date', align: 'left' },
              { header: 'Statement', align: 'right' },
              { header: 'Ledger', align: 'right' },
              { header: 'Difference', align: 'right' },
            ],
            d.points.map((p) => [p.date, groupDecimal(p.statement), groupDecimal(p.ledger), groupDecimal(p.difference)]),
            s.out.bold,
          ),
        )
        const l = d.latest
        if (l)
          s.out.line(
            `${l.date}: difference ${groupDecimal(l.difference)} ${d.currency} = in the ledger, not on the statement ${groupDecimal(l.ledgerNotOnStatement)} − on the statement, not in the ledger ${groupDecimal(l.statementNotInLedger)} − adjustments waiting ${groupDecimal(l.proposedAdjustments)} + unexplained ${groupDecimal(l.unexplained)}.`,
          )
      })
    })

  recon
    .command('close')
    .argument('<account>', 'statement account id')
    .requiredOption('--period <YYYY-MM>', 'the month to close')
    .description('Close a month: its matches are locked. Refused while suggestions or proposed adjustments of that month wait.')
    .action(async (accountId: string, opts: { period: string }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const p = await s.call('recon.close', { accountId, period: opts.period })
        if (s.out.json) return s.out.data(p)
        s.out.line(
          `Closed ${p.period} of ${p.accountId}: ${p.matches} match(es) locked, ${p.openExceptions} exception(s) carried forward${p.drift === null ? '' : `, drift ${groupDecimal(p.drift)}`}.`,
        )
      })
    })

  recon
    .command('periods')
    .description('Closed periods, newest first.')
    .option('--account <id>', 'only this statement account')
    .action(async (opts: { account?: string }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const r = await s.call('recon.periods', opts.account ? { accountId: opts.account } : {})
        if (s.out.json) return s.out.data(r)
        if (r.periods.length === 0) return s.out.line('No period closed yet.')
        for (const p of r.periods)
          s.out.line(
            `${p.period}  ${p.accountId}  closed by ${p.closedBy} ${p.closedAt.slice(0, 10)}  ${p.matches} matches, ${p.openExceptions} open exceptions`,
          )
      })
    })

  recon
    .command('rules')
    .description('The matching rules, in the order a run tries them after the exact keys.')
    .action(async (_o: object, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const r = await s.call('recon.rules', {})
        if (s.out.json) return s.out.data(r)
        for (const rule of r.rules) {
          const c = rule.config
          s.out.line(
            `${rule.position}  ${rule.id}  "${rule.name}"${rule.enabled ? '' : ' (off)'}: ${c.kind}, tolerance ${c.tolerance} or ${c.toleranceBps / 100} %, ${c.windowDays} business days, groups up to ${c.maxGroup}${c.noAmbiguous ? ', no ambiguous' : ''}${c.autoConfirm ? ', auto-confirm' : ''}${c.textContains.length ? `, text: ${c.textContains.join('/')}` : ''}`,
          )
        }
      })
    })
}
