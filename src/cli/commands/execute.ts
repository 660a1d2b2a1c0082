/**
 * Execution from the command line: `batches execute ID`, `batches retry ID`, `batches resume ID`,
 * `batches submissions ID`, `batches cancel-submission SUBMISSION` (on the `batches` command) and
 * `poll [--once]`. Progress
 * goes to stderr as it happens ("Confirm transaction 2 of 3 on your Ledger — 100 payouts,
 * 12,400.00 USDC."); the result goes to stdout (JSON with --json).
 */
import fs from 'node:fs'
import path from 'node:path'
import type { Command } from 'commander'
import { CsError } from '../../shared/errors'
import { fileTooLargeMessage } from '../../shared/fileSize'
import type { EventPayload } from '../../shared/api'
import { EXTERNAL_SIGNED_BYTES_MAX } from '../../shared/limits'
import type { CancelSubmissionResult, ExecuteResult, Submission } from '../../shared/payoutsApi'
import type { CliIo } from '../io'
import { examples } from '../options'
import { withSession, type RunState, type Session } from '../session'
import { renderTable } from '../table'
import { waitForStop } from './sandbox'
import { networkName } from '../../shared/networkNames'
import { writeFileDurably } from '../../main/core/util/durableWrite'

export function registerBatchExecute(batches: Command, io: CliIo, state: RunState): void {
  batches
    .command('execute')
    .argument('<id>', 'batch id')
    .description('Execute an approved batch: pre-flight again, sign each chunk on the Ledger and broadcast it (needs --as a signer).')
    .addHelpText(
      'after',
      `
Returns once every chunk is signed and sent; confirmation follows (countersign poll, or the app).
In a sandbox workspace the "Sandbox device emulator" signs; otherwise the Ledger connected by USB.
` + examples('countersign batches execute b_1a2b3c4d5e6f --as "Carol Signer"', 'countersign batches execute b_1a2b3c4d5e6f --json'),
    )
    .action(async (id: string, _opts: object, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing', signer: true }, async (s) => {
        const result = await withProgress(s, id, () => s.call('batches.execute', { id }))
        printResult(s, result, 'Executed')
      })
    })

  batches
    .command('retry')
    .argument('<id>', 'batch id')
    .description(
      'Retry the chunks of a failed or partially failed batch whose last attempt failed or is provably dead (needs --as a signer).',
    )
    .addHelpText('after', examples('countersign batches retry b_1a2b3c4d5e6f --as "Carol Signer"'))
    .action(async (id: string, _opts: object, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing', signer: true }, async (s) => {
        const result = await withProgress(s, id, () => s.call('batches.retryFailed', { id }))
        printResult(s, result, 'Retried')
      })
    })

  batches
    .command('resume')
    .argument('<id>', 'batch id')
    .description(
      'Continue signing an executing batch whose signing stopped (device locked, rejected, unplugged); signed transactions are never signed again (needs --as a signer).',
    )
    .addHelpText('after', examples('countersign batches resume b_1a2b3c4d5e6f --as "Carol Signer"'))
    .action(async (id: string, _opts: object, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing', signer: true }, async (s) => {
        const result = await withProgress(s, id, () => s.call('batches.resume', { id }))
        printResult(s, result, 'Resumed')
      })
    })

  batches
    .command('submissions')
    .argument('<id>', 'batch id')
    .description('The transactions of a batch, chunk by chunk and attempt by attempt: id, state, nonce, hash, why one failed.')
    .addHelpText(
      'after',
      examples('countersign batches submissions b_1a2b3c4d5e6f', 'countersign batches submissions b_1a2b3c4d5e6f --json'),
    )
    .action(async (id: string, _opts: object, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        printSubmissions(s, await s.call('batches.submissions', { id }))
      })
    })

  batches
    .command('cancel-submission')
    .argument('<submission>', 'submission id, as `batches submissions BATCH` lists it (e.g. b_1a2b3c4d5e6f:c1:a1)')
    .description(
      'Cancel a transaction that was never signed (the device refused it): its payouts fail as CANCELLED and later planned transactions of the same account close its nonce gap (needs --as a signer or admin).',
    )
    .addHelpText(
      'after',
      `
Then resume signing the rest (countersign batches resume BATCH); the cancelled payouts can be paid
later as a new attempt (countersign batches retry BATCH) once the batch has finished.
` + examples('countersign batches cancel-submission b_1a2b3c4d5e6f:c1:a1 --as "Carol Signer"'),
    )
    .action(async (submissionId: string, _opts: object, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        printCancel(s, await s.call('batches.cancelSubmission', { submissionId }))
      })
    })

  batches
    .command('export-unsigned')
    .argument('<id>', 'batch id')
    .option('--out <dir>', 'folder to write the signing files to', '.')
    .description(
      'Sign outside the app: plan an approved batch (pre-flight, nonces reserved) and write its unsigned transactions, one file per rail (needs --as a signer).',
    )
    .addHelpText('after', examples('countersign batches export-unsigned b_1a2b3c4d5e6f --out ./to-sign --as "Carol Signer"'))
    .action(async (id: string, opts: { out: string }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const result = await s.call('batches.external.export', { id })
        fs.mkdirSync(opts.out, { recursive: true })
        const written = result.files.map((f) => {
          const file = path.join(opts.out, f.fileName)
          writeFileDurably(file, f.content)
          return { rail: f.rail, file, transactions: f.transactions }
        })
        if (s.out.json) return s.out.data({ batchId: id, files: written })
        for (const w of written) s.out.line(`${w.transactions} unsigned ${w.rail} transaction${w.transactions === 1 ? '' : 's'}: ${w.file}`)
        s.out.line(`  Sign them offline, then: countersign batches import-signed ${id} SIGNED.json --data-dir ${s.dataDir}`)
      })
    })

  batches
    .command('import-signed')
    .argument('<id>', 'batch id')
    .argument('<file>', 'the signed file: {"format":"countersign.external-signed.v1","items":[{"submissionId","signed"}]}')
    .description(
      'Import externally signed transactions: each must be exactly what was planned and signed by its source; all are committed, then sent (needs --as a signer).',
    )
    .addHelpText('after', examples('countersign batches import-signed b_1a2b3c4d5e6f signed.json --as "Carol Signer"'))
    .action(async (id: string, file: string, _opts: object, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        let content: string
        try {
          const bytes = fs.statSync(file).size
          if (bytes > EXTERNAL_SIGNED_BYTES_MAX)
            throw new CsError(
              'FILE_INVALID',
              fileTooLargeMessage({
                name: file,
                bytes,
                limitBytes: EXTERNAL_SIGNED_BYTES_MAX,
                kind: 'a signed Countersign file',
                fix: 'Check that it is the file the signer sent back.',
              }),
            )
          content = fs.readFileSync(file, 'utf8')
        } catch (error) {
          if (error instanceof CsError) throw error
          throw new CsError('FILE_INVALID', `Could not read ${file} — check the path and try again.`, { cause: error })
        }
        const r = await s.call('batches.external.import', { id, content })
        if (s.out.json) return s.out.data(r)
        s.out.line(
          `Accepted ${r.accepted} signed transaction${r.accepted === 1 ? '' : 's'} (${r.alreadySigned} already imported); ${r.broadcast} sent, ${r.stillUnsigned} still unsigned.`,
        )
        if (r.undelivered > 0) s.out.line(`  ${r.undelivered} not delivered (node unreachable) — the poller sends the same bytes again.`)
      })
    })
}

async function withProgress<T>(s: Session, batchId: string, fn: () => Promise<T>): Promise<T> {
  const off = s.core.events.subscribe((event, payload) => {
    if (event !== 'execution.progress') return
    const p = payload as EventPayload<'execution.progress'>
    if (p.batchId === batchId) s.out.note(p.message)
  })
  try {
    return await fn()
  } finally {
    off()
  }
}

function printResult(s: Session, r: ExecuteResult, verb: string): void {
  if (s.out.json) return s.out.data(r)
  s.out.line(
    `${verb} batch ${r.batchId}: ${r.broadcast} of ${r.chunks} chunk${r.chunks === 1 ? '' : 's'} signed and sent; it is ${r.state.replace('_', ' ')}.`,
  )
  if (r.undelivered > 0)
    s.out.line(`  ${r.undelivered} signed but not delivered (node unreachable) — the poller sends the same bytes again.`)
  s.out.line(`  Confirmations follow: countersign poll --once --data-dir ${s.dataDir}`)
}

function printSubmissions(s: Session, list: readonly Submission[]): void {
  if (s.out.json) return s.out.data(list)
  const columns = [
    { header: 'CHUNK', align: 'right' as const },
    { header: 'ATTEMPT', align: 'right' as const },
    { header: 'ID' },
    { header: 'STATE' },
    { header: 'NONCE', align: 'right' as const },
    { header: 'PAYOUTS', align: 'right' as const },
    { header: 'TRANSACTION' },
    { header: 'FAILURE' },
  ]
  const rows = list.map((x) => [
    String(x.chunkIndex + 1),
    String(x.attempt),
    x.id,
    x.state,
    x.nonce ?? '',
    String(x.payoutCount),
    x.txHash ?? '',
    x.failure ? `${x.failure.code}: ${x.failure.message}` : '',
  ])
  s.out.line(renderTable(columns, rows, s.out.bold))
}

function printCancel(s: Session, r: CancelSubmissionResult): void {
  if (s.out.json) return s.out.data(r)
  const n = r.payouts.length
  s.out.line(
    `Cancelled transaction ${r.submission.chunkIndex + 1} (${r.submission.id}): ${n} payout${n === 1 ? '' : 's'} will not be paid by it; batch ${r.batch.id} is ${r.batch.state.replace('_', ' ')}.`,
  )
  for (const m of r.renumbered) s.out.line(`  ${m.id}: nonce ${m.fromNonce} -> ${m.toNonce}`)
}

interface PollRow {
  rail: string
  network: string
  looked: number
  changed: number
  rebroadcast: number
  open: number
  error: { code: string; message: string } | null
}

export function registerPoll(program: Command, io: CliIo, state: RunState): void {
  program
    .command('poll')
    .description('Confirm submitted payouts on the configured rails (the background sweep of the app), until Ctrl-C.')
    .option('--once', 'one sweep, print what changed, and exit')
    .addHelpText('after', examples('countersign poll --once', 'countersign poll --once --json', 'countersign poll'))
    .action(async (opts: { once?: boolean }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const batches = new Set<string>()
        const off = s.core.events.subscribe((event, payload) => {
          if (event === 'batches.changed') batches.add((payload as EventPayload<'batches.changed'>).batchId)
          if (event === 'payouts.changed') for (const b of (payload as EventPayload<'payouts.changed'>).batchIds) batches.add(b)
        })
        try {
          if (opts.once) return await pollOnce(s, batches)
          return await pollForever(s, batches)
        } finally {
          off()
        }
      })
    })
}

async function pollOnce(s: Session, touched: Set<string>): Promise<number> {
  const { sweepRail } = await import('../../main/core/payouts/execute/sweepRail')
  const { toErrorPayload } = await import('../../main/core/api/createApi')
  const rows: PollRow[] = []
  for (const rail of (await s.core.rails.load()).all()) {
    try {
      rows.push({ rail: rail.rail, network: rail.network, ...(await sweepRail(s.core.ctx, rail)), error: null })
    } catch (error) {
      rows.push({
        rail: rail.rail,
        network: rail.network,
        looked: 0,
        changed: 0,
        rebroadcast: 0,
        open: 0,
        error: toErrorPayload(error, 'poll'),
      })
    }
  }
  const batches = await batchStates(s, touched)
  const escrow = await sweepEscrow(s)
  const failed = rows.some((r) => r.error !== null) || escrow.error !== null
  if (s.out.json) {
    s.out.data({ rails: rows, batches, escrow })
    return failed ? 1 : 0
  }
  if (escrow.settled + escrow.released + escrow.expired > 0 || escrow.error)
    s.out.line(
      `Escrow: ${escrow.settled} transaction(s) settled, ${escrow.released} milestone(s) released on the rail, ${escrow.expired} expired${escrow.error ? ` — ${escrow.error.code}: ${escrow.error.message}` : ''}.`,
    )
  if (rows.length === 0) {
    s.out.line('No rails are configured in this workspace — nothing to confirm (countersign settings rails set FILE).')
    return 0
  }
  s.out.line(
    renderTable(
      [
        { header: 'NETWORK' },
        { header: 'LOOKED', align: 'right' },
        { header: 'CHANGED', align: 'right' },
        { header: 'RESENT', align: 'right' },
        { header: 'OPEN', align: 'right' },
        { header: 'PROBLEM' },
      ],
      rows.map((r) => [
        networkName(r.rail, r.network),
        String(r.looked),
        String(r.changed),
        String(r.rebroadcast),
        String(r.open),
        r.error ? `${r.error.code}: ${r.error.message}` : '',
      ]),
      s.out.bold,
    ),
  )
  for (const b of batches) s.out.line(`Batch ${b.id} ("${b.name}") is ${b.state.replace('_', ' ')}.`)
  return failed ? 1 : 0
}

/** The escrow part of the sweep: its transactions confirmed and booked, open escrows watched on their rails. */
async function sweepEscrow(s: Session) {
  const { sweepEscrowTxs } = await import('../../main/core/escrow/sweepEscrowTxs')
  const { observeEscrows } = await import('../../main/core/escrow/observeEscrows')
  const { toErrorPayload } = await import('../../main/core/api/createApi')
  try {
    // Watch first: a Stripe automatic release it starts is confirmed by the sweep that follows.
    const escrowRails = await s.core.escrowRails.load()
    const seen = await observeEscrows(s.core.ctx, escrowRails)
    const txs = await sweepEscrowTxs(s.core.ctx, escrowRails)
    return {
      looked: txs.looked,
      settled: txs.settled,
      observed: seen.observed,
      released: seen.released,
      expired: seen.expired,
      error: null,
    }
  } catch (error) {
    return { looked: 0, settled: 0, observed: 0, released: 0, expired: 0, error: toErrorPayload(error, 'poll') }
  }
}

async function batchStates(s: Session, ids: Set<string>): Promise<{ id: string; name: string; state: string }[]> {
  const out: { id: string; name: string; state: string }[] = []
  for (const id of ids) {
    const b = (await s.call('batches.get', { id })).batch
    out.push({ id: b.id, name: b.name, state: b.state })
  }
  return out
}

async function pollForever(s: Session, touched: Set<string>): Promise<number> {
  const stop = waitForStop(s.io)
  const report = setInterval(() => {
    if (touched.size === 0) return
    const ids = [...touched]
    touched.clear()
    void batchStates(s, new Set(ids)).then((list) => {
      for (const b of list) {
        if (s.out.json) s.out.data(b)
        else s.out.line(`Batch ${b.id} ("${b.name}") is ${b.state.replace('_', ' ')}.`)
      }
    })
  }, REPORT_INTERVAL_MS)
  s.out.note('Confirming payouts — press Ctrl-C to stop.')
  s.core.poller.start()
  try {
    await stop.done
  } finally {
    clearInterval(report)
    await s.core.poller.stop()
  }
  return 0
}

/** How often the running `poll` prints batches whose payouts moved. */
const REPORT_INTERVAL_MS = 1_000
