/**
 * `countersign escrow …`: create, list, show, ask for releases / resolves / refunds, approve or
 * reject them, execute them (fund is the execution of the funding request), dispute and cancel.
 * Every command prints what happened in a sentence, or the whole escrow with --json (ids, states,
 * amounts as decimal strings — the same shape as the escrow.get call).
 */
import { Option, type Command } from 'commander'
import type { EscrowAction, EscrowDetail, EscrowSummary } from '../../shared/escrowApi'
import { ESCROW_STATES } from '../../shared/escrowApi'
import { CsError } from '../../shared/errors'
import { ESCROWS_LIST_MAX, ESCROW_MILESTONES_MAX } from '../../shared/limits'
import { cell, groupDecimal, shortTimestamp } from '../format'
import type { CliIo } from '../io'
import { examples, intArg } from '../options'
import { renderTable } from '../table'
import { withSession, type RunState, type Session } from '../session'
import { readCsv } from './payouts'
import { networkName } from '../../shared/networkNames'

interface CreateOpts {
  id?: string
  name?: string
  reference?: string
  rail?: 'evm' | 'stellar' | 'stripe'
  network?: string
  asset?: string
  payee?: string
  payeeName?: string
  expires?: string
  milestone?: string[]
  autoRelease?: boolean
  fundingCharge?: string
  csv?: string
}

export function registerEscrow(program: Command, io: CliIo, state: RunState): Command {
  const escrow = program
    .command('escrow')
    .description('Escrows: hold funds per engagement, release by milestone, dispute, resolve with a split, refund.')
    .addHelpText(
      'after',
      examples(
        'countersign escrow create --name "Site build" --rail evm --network 31337 --asset USDC@evm:31337:0x… --payee 0x… \\\n    --expires 2027-03-01T00:00:00Z --milestone "Design:1000.00:2027-01-10T00:00:00Z:72" --auto-release --as "Alice Preparer"',
        'countersign escrow approve esc_…:a1 --as "Bob Approver"',
        'countersign escrow fund esc_… --as "Dana Admin"',
        'countersign escrow release esc_… --milestone 1 --as "Alice Preparer"',
      ),
    )

  escrow
    .command('list', { isDefault: true })
    .description('Escrows, newest first, with their next deadline; and what is in escrow per asset.')
    .addOption(new Option('--state <state>', 'only escrows in this state').choices(ESCROW_STATES))
    .option('--limit <n>', `how many (1–${ESCROWS_LIST_MAX})`, intArg(1, ESCROWS_LIST_MAX))
    .action(async (opts: { state?: (typeof ESCROW_STATES)[number]; limit?: number }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const list = await s.call('escrow.list', {
          ...(opts.state ? { state: opts.state } : {}),
          ...(opts.limit ? { limit: opts.limit } : {}),
        })
        if (s.out.json) return s.out.data(list)
        if (list.escrows.length === 0) s.out.line('No escrows.')
        else s.out.line(renderTable(LIST_COLUMNS, list.escrows.map(listRow), s.out.bold))
        for (const e of list.inEscrow) s.out.line(`In escrow: ${groupDecimal(e.held)} ${e.assetCode} (${e.assetId})`)
      })
    })

  escrow
    .command('show')
    .argument('<id>', 'escrow id')
    .description('One escrow: milestones, action requests and approvals, rail transactions, history.')
    .action(async (id: string, _o: object, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const detail = await s.call('escrow.get', { id })
        if (s.out.json) return s.out.data(detail)
        printDetail(s, detail)
      })
    })

  escrow
    .command('create')
    .description('Create an escrow (preparer): its funding then waits for approval. From flags, or --csv FILE (one row per milestone).')
    .option('--id <id>', 'your own id (an order number); a customer payment carries it as transfer_group')
    .option('--name <name>', 'what the escrow is for')
    .option('--reference <ref>', "the payer's order or contract id")
    .addOption(new Option('--rail <rail>', 'rail').choices(['evm', 'stellar', 'stripe']))
    .option('--network <network>', 'EVM chain id, Stellar network name, or "live"/"test" for Stripe')
    .option('--asset <assetId>', 'asset id (assets list)')
    .option('--payee <address>', "the payee's address / account (acct_… on Stripe)")
    .option('--payee-name <name>', "the payee's name")
    .option('--expires <iso>', 'after this, unreleased milestones may go back to the payer')
    .option('--milestone <title:amount:reviewEndsAt[:windowHours]>', `a milestone (repeat, up to ${ESCROW_MILESTONES_MAX})`, collect, [])
    .option('--auto-release', 'release each milestone when its review window ends undisputed (approved with the funding)', false)
    .option('--funding-charge <ch_…>', "Stripe: the customer's charge that funds it")
    .option(
      '--csv <file>',
      'create escrows from a CSV instead (columns: escrow_name,reference,rail,network,asset,payee,payee_name,expires_at,milestone_title,amount,review_window_hours,review_ends_at)',
    )
    .action(async (opts: CreateOpts, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        if (opts.csv !== undefined) {
          const made = await s.call('escrow.importCsv', { csv: readCsv(opts.csv), autoRelease: opts.autoRelease === true })
          if (s.out.json) return s.out.data(made)
          for (const e of made.escrows)
            s.out.line(
              `Created escrow ${e.id} ("${e.name}"): ${groupDecimal(e.total)} ${e.assetCode} in ${e.milestones} milestone(s); funding request ${e.id}:a1 awaits approval.`,
            )
          return
        }
        const detail = await s.call('escrow.create', createInput(opts))
        if (s.out.json) return s.out.data(detail)
        const e = detail.escrow
        s.out.line(`Created escrow ${e.id} ("${e.name}"): ${groupDecimal(e.total)} ${e.assetCode} in ${e.milestones} milestone(s).`)
        s.out.line(
          `Its funding request ${detail.actions[0]?.id ?? ''} awaits approval: countersign escrow approve ${detail.actions[0]?.id ?? ''} --as <approver>`,
        )
      })
    })

  registerRequest(escrow, io, state, 'release', 'Ask for the release of a milestone to the payee (preparer); it waits for approval.')
  registerRequest(
    escrow,
    io,
    state,
    'refund',
    'Ask for a milestone to go back to the payer (preparer): after the expiry, or after a dispute.',
  )
  registerRequest(
    escrow,
    io,
    state,
    'resolve',
    'Ask for a disputed milestone to be split (preparer): --to-payee + --to-payer must equal it.',
  )

  for (const verb of ['approve', 'reject'] as const) {
    escrow
      .command(verb)
      .argument('<actionId>', 'the action request (escrow show lists them)')
      .description(
        verb === 'approve' ? 'Approve an action request with your approval key (approver).' : 'Reject an action request (approver).',
      )
      .option('--comment <text>', 'a comment for the audit log')
      .action(async (actionId: string, opts: { comment?: string }, cmd: Command) => {
        state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
          const detail = await s.call(`escrow.${verb}`, { actionId, ...(opts.comment ? { comment: opts.comment } : {}) })
          if (s.out.json) return s.out.data(detail)
          const a = detail.actions.find((x) => x.id === actionId)
          s.out.line(
            `${verb === 'approve' ? 'Approved' : 'Rejected'} ${actionId}: it is now ${a?.state.replaceAll('_', ' ') ?? 'unknown'}.`,
          )
        })
      })
  }

  escrow
    .command('execute')
    .argument('<actionId>', 'an approved action request')
    .description('Carry out an approved action on its rail, exactly once (signer; signs on the device where the rail needs it).')
    .action(async (actionId: string, _o: object, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing', signer: true }, async (s) => {
        const detail = await s.call('escrow.execute', { actionId })
        printExecuted(s, detail, actionId)
      })
    })

  escrow
    .command('fund')
    .argument('<id>', 'escrow id')
    .description('Execute the approved funding of an escrow (signer).')
    .action(async (id: string, _o: object, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing', signer: true }, async (s) => {
        const before = await s.call('escrow.get', { id })
        const fund = before.actions.find((a) => a.kind === 'fund' && a.state !== 'cancelled' && a.state !== 'rejected')
        if (!fund)
          throw new CsError(
            'ESCROW_ACTION_NOT_FOUND',
            `Escrow ${id} has no funding request — it was cancelled or rejected; create the escrow again.`,
          )
        printExecuted(s, await s.call('escrow.execute', { actionId: fund.id }), fund.id)
      })
    })

  escrow
    .command('dispute')
    .argument('<id>', 'escrow id')
    .requiredOption('--milestone <n>', 'the milestone (1-based)', intArg(1, ESCROW_MILESTONES_MAX))
    .requiredOption('--reason <text>', 'why (kept in the audit log)')
    .description('Dispute a milestone: its release stops at once (on chain, a lock signed on the device).')
    .action(async (id: string, opts: { milestone: number; reason: string }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing', signer: true }, async (s) => {
        const detail = await s.call('escrow.dispute', { id, milestone: opts.milestone, reason: opts.reason })
        if (s.out.json) return s.out.data(detail)
        const m = detail.milestoneList.find((x) => x.index === opts.milestone)
        s.out.line(
          `Milestone ${opts.milestone} of ${id} is ${m?.state ?? 'unknown'}${m?.state === 'disputed' ? '' : ' (the dispute transaction is under way; the poller confirms it)'}.`,
        )
      })
    })

  escrow
    .command('cancel')
    .argument('<id>', 'escrow id')
    .option('--comment <text>', 'why')
    .description('Cancel an escrow that was never funded (preparer or admin).')
    .action(async (id: string, opts: { comment?: string }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const e = await s.call('escrow.cancel', { id, ...(opts.comment ? { comment: opts.comment } : {}) })
        if (s.out.json) return s.out.data(e)
        s.out.line(`Cancelled escrow ${e.id} ("${e.name}").`)
      })
    })
  return escrow
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value]
}

function registerRequest(escrow: Command, io: CliIo, state: RunState, kind: 'release' | 'refund' | 'resolve', description: string): void {
  const cmd = escrow
    .command(kind)
    .argument('<id>', 'escrow id')
    .requiredOption('--milestone <n>', 'the milestone (1-based)', intArg(1, ESCROW_MILESTONES_MAX))
    .option('--reason <text>', 'why (kept in the audit log)')
    .description(description)
  if (kind === 'resolve')
    cmd.requiredOption('--to-payee <amount>', 'the payee part').requiredOption('--to-payer <amount>', 'the payer part')
  cmd.action(async (id: string, opts: { milestone: number; reason?: string; toPayee?: string; toPayer?: string }, c: Command) => {
    state.exitCode = await withSession(io, c, { mode: 'existing' }, async (s) => {
      const detail = await s.call('escrow.request', {
        id,
        kind,
        milestone: opts.milestone,
        ...(opts.toPayee !== undefined ? { toPayee: opts.toPayee } : {}),
        ...(opts.toPayer !== undefined ? { toPayer: opts.toPayer } : {}),
        ...(opts.reason ? { reason: opts.reason } : {}),
      })
      if (s.out.json) return s.out.data(detail)
      const a = detail.actions.at(-1)!
      s.out.line(`Asked for ${kind} of milestone ${opts.milestone} of ${id}: request ${a.id} awaits ${a.required} approval(s).`)
    })
  })
}

function createInput(o: CreateOpts) {
  const need = (v: string | undefined, flag: string): string => {
    if (v === undefined || v === '') throw new CsError('INVALID_INPUT', `Give ${flag} (or --csv FILE).`)
    return v
  }
  if ((o.milestone ?? []).length === 0)
    throw new CsError('INVALID_INPUT', 'Give at least one --milestone "title:amount:reviewEndsAt[:windowHours]".')
  return {
    ...(o.id ? { id: o.id } : {}),
    name: need(o.name, '--name'),
    ...(o.reference ? { reference: o.reference } : {}),
    rail: need(o.rail, '--rail') as 'evm',
    network: need(o.network, '--network'),
    assetId: need(o.asset, '--asset'),
    payee: need(o.payee, '--payee'),
    ...(o.payeeName ? { payeeName: o.payeeName } : {}),
    funding: o.fundingCharge ? ('charge' as const) : ('treasury' as const),
    ...(o.fundingCharge ? { fundingCharge: o.fundingCharge } : {}),
    autoRelease: o.autoRelease === true,
    expiresAt: need(o.expires, '--expires'),
    milestones: (o.milestone ?? []).map(parseMilestoneFlag),
  }
}

/** "title:amount:reviewEndsAt[:windowHours]" — the ISO time has colons of its own, so split from both ends. */
function parseMilestoneFlag(text: string) {
  const first = text.indexOf(':')
  const second = text.indexOf(':', first + 1)
  if (first < 0 || second < 0)
    throw new CsError('INVALID_INPUT', `--milestone "${text.slice(0, 60)}": write title:amount:reviewEndsAt[:windowHours].`)
  const title = text.slice(0, first)
  const amount = text.slice(first + 1, second)
  let rest = text.slice(second + 1)
  let windowHours = 72
  const tail = /:(\d{1,4})$/.exec(rest)
  if (tail && !/T\d{2}$/.test(rest.slice(0, tail.index))) {
    windowHours = Number(tail[1])
    rest = rest.slice(0, tail.index)
  }
  return { title, amount, reviewEndsAt: rest, reviewWindowHours: windowHours }
}

const LIST_COLUMNS = [
  { header: 'ID' },
  { header: 'STATE' },
  { header: 'TOTAL', align: 'right' as const },
  { header: 'HELD', align: 'right' as const },
  { header: 'ASSET' },
  { header: 'NEXT DEADLINE' },
  { header: 'PAYEE' },
  { header: 'NAME' },
]

function listRow(e: EscrowSummary): string[] {
  const next = e.nextDeadline
    ? `${e.nextDeadline.kind.replace('_', ' ')}${e.nextDeadline.milestone ? ` #${e.nextDeadline.milestone}` : ''} ${shortTimestamp(e.nextDeadline.at)}`
    : '—'
  return [e.id, e.state, groupDecimal(e.total), groupDecimal(e.held), e.assetCode, next, cell(e.payeeName ?? e.payee, 30), cell(e.name, 40)]
}

function printDetail(s: Session, d: EscrowDetail): void {
  const e = d.escrow
  s.out.line(`${e.id} — ${e.name} (${e.state})`)
  s.out.line(
    `${groupDecimal(e.total)} ${e.assetCode} on ${networkName(e.rail, e.network)} for ${e.payeeName ?? e.payee}; held ${groupDecimal(e.held)}, released ${groupDecimal(e.released)}, refunded ${groupDecimal(e.refunded)}`,
  )
  s.out.line(`Expires ${e.expiresAt}; automatic release ${e.autoRelease ? 'on' : 'off'}; funding: ${e.funding}`)
  s.out.line('')
  s.out.line(
    renderTable(
      [
        { header: '#', align: 'right' },
        { header: 'STATE' },
        { header: 'AMOUNT', align: 'right' },
        { header: 'REVIEW ENDS' },
        { header: 'RELEASED', align: 'right' },
        { header: 'REFUNDED', align: 'right' },
        { header: 'TITLE' },
      ],
      d.milestoneList.map((m) => [
        String(m.index),
        m.state,
        groupDecimal(m.amount),
        shortTimestamp(m.reviewEndsAt),
        groupDecimal(m.released),
        groupDecimal(m.refunded),
        cell(m.title, 40),
      ]),
      s.out.bold,
    ),
  )
  s.out.line('')
  for (const a of d.actions) s.out.line(actionLine(a))
  for (const t of d.txs)
    s.out.line(`  tx ${t.id}: ${t.kind} ${t.state}${t.txHash ? ` ${t.txHash}` : ''}${t.failureMessage ? ` — ${t.failureMessage}` : ''}`)
  if (d.holdLimit?.warn)
    s.out.line(`Stripe holds funds for at most ${d.holdLimit.days} days: release or refund before ${d.holdLimit.endsAt}.`)
}

function actionLine(a: EscrowAction): string {
  const what = a.milestone === null ? a.kind : `${a.kind} #${a.milestone}`
  const approvals = a.approvals.map((x) => `${x.operatorName}${x.verified ? ' ✓' : ' ✗'}`).join(', ')
  return `${a.id}: ${what} ${groupDecimal(a.amount)} — ${a.state.replaceAll('_', ' ')}${a.required > 0 ? ` (${a.approvals.filter((x) => x.verified).length}/${a.required}${approvals ? `: ${approvals}` : ''})` : ''}${a.failureMessage ? ` — ${a.failureMessage}` : ''}`
}

function printExecuted(s: Session, detail: EscrowDetail, actionId: string): void {
  if (s.out.json) return s.out.data(detail)
  const a = detail.actions.find((x) => x.id === actionId)
  const tx = [...detail.txs].reverse().find((t) => t.actionId === actionId)
  s.out.line(
    `${actionId}: ${a?.state.replaceAll('_', ' ') ?? 'unknown'}${tx ? `; transaction ${tx.state}${tx.txHash ? ` ${tx.txHash}` : ''}` : ''}${a?.state === 'executing' ? ' — the poller books it once it confirms (countersign poll).' : '.'}`,
  )
}
