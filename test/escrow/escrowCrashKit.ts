/**
 * Helpers of the escrow crash and property tests: a CLI process that is SIGKILLed at a named crash
 * point (COUNTERSIGN_CRASH_AT, crashPoint.ts), the CLI in-process for everything else, and the
 * readings every invariant needs (ledger balances, open escrow holds, an action's rail
 * transactions) straight from the books.
 */
import { spawn } from 'node:child_process'
import { expect } from 'vitest'
import { EscrowDetail } from '../../src/shared/escrowApi'
import { CRASH_ENV, type CrashPointName } from '../../src/main/core/util/crashPoint'
import type { Sandbox } from '../../src/main/sandbox/sandboxUp'
import { BIN, envFor, json, REPO_ROOT, runCli, type CliResult } from '../cli/cliHarness'

/** A spawned CLI process must die at its crash point well within this. */
const CRASH_CHILD_TIMEOUT_MS = 60_000
const HOUR_MS = 3_600_000

export interface KilledResult extends CliResult {
  signal: NodeJS.Signals | null
}

/** Runs `countersign …` as its own process with COUNTERSIGN_CRASH_AT set; resolves when it is gone. */
export function spawnCliAt(crashAt: CrashPointName | `${CrashPointName}:${number}`, args: string[]): Promise<KilledResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: REPO_ROOT,
      env: envFor(args, { [CRASH_ENV]: crashAt }),
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: CRASH_CHILD_TIMEOUT_MS,
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s))
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s))
    child.once('error', reject)
    child.once('close', (code, signal) => resolve({ code: code ?? -1, signal, stdout, stderr }))
  })
}

/** The CLI of one workspace, in-process: `ok` must succeed. */
export function cliOf(dir: string) {
  const cli = (...args: string[]): Promise<CliResult> => runCli(['--data-dir', dir, ...args])
  const ok = async (...args: string[]): Promise<CliResult> => {
    const r = await cli(...args)
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0)
    return r
  }
  const show = async (id: string): Promise<EscrowDetail> => EscrowDetail.parse(json(await ok('escrow', 'show', id, '--json')))
  /** Runs the crash child and checks that it really died at its point (not before, not after). */
  const crash = async (crashAt: CrashPointName, ...args: string[]): Promise<void> => {
    const r = await spawnCliAt(crashAt, ['--data-dir', dir, ...args])
    expect(r.signal, `${args.join(' ')} should have been killed at ${crashAt}; exit ${r.code}: ${r.stderr}${r.stdout}`).toBe('SIGKILL')
  }
  /** The command must be refused with error `code` (exit 1). */
  const refused = async (code: string, ...args: string[]): Promise<void> => {
    const r = await cli(...args)
    expect(r.code, r.stdout).toBe(1)
    expect(r.stderr).toMatch(new RegExp(`^error ${code}: `))
  }
  /** A ledger account's balance as `ledger balances` shows it (decimal text; '0' if it has none). */
  const ledgerBalance = async (accountId: string): Promise<string> => {
    const rows = json(await ok('ledger', 'balances', '--json')) as { accountId: string; balance: string }[]
    return rows.find((b) => b.accountId === accountId)?.balance ?? '0'
  }
  /** `poll --once` (then `afterPoll`, e.g. mining a block) until `done`, at most `roundsMax` rounds. */
  const pollUntil = async (
    id: string,
    done: (d: EscrowDetail) => boolean,
    roundsMax: number,
    failure: (d: EscrowDetail) => string,
    afterPoll?: () => Promise<void>,
  ): Promise<EscrowDetail> => {
    let detail = await show(id)
    for (let round = 1; round <= roundsMax; round++) {
      if (done(detail)) return detail
      await ok('poll', '--once', '--json')
      await afterPoll?.()
      detail = await show(id)
    }
    throw new Error(failure(detail))
  }
  /** Polls until the action is done. */
  const pollUntilDone = (id: string, actionId: string, roundsMax: number, afterPoll?: () => Promise<void>): Promise<EscrowDetail> =>
    pollUntil(
      id,
      (d) => d.actions.find((a) => a.id === actionId)?.state === 'done',
      roundsMax,
      (d) => `${actionId} did not finish: ${JSON.stringify(d.actions.find((a) => a.id === actionId))}`,
      afterPoll,
    )
  /**
   * `escrow create` by Alice Preparer, expiring `expiresInHours` from now; each milestone is
   * `label:amount:@Nh:days`, `@Nh` being its deadline N hours from now.
   */
  const create = async (
    on: { rail: string; network: string; asset: string },
    name: string,
    payee: string,
    expiresInHours: number,
    milestones: string[],
  ): Promise<EscrowDetail> => {
    const now = Date.now()
    const at = (h: number) => new Date(now + h * HOUR_MS).toISOString()
    return EscrowDetail.parse(
      json(
        await ok(
          'escrow',
          'create',
          '--name',
          name,
          '--rail',
          on.rail,
          '--network',
          on.network,
          '--asset',
          on.asset,
          '--payee',
          payee,
          '--expires',
          at(expiresInHours),
          ...milestones.flatMap((m) => ['--milestone', m.replace(/@(\d+)h/, (_x, h: string) => at(Number(h)))]),
          '--as',
          'Alice Preparer',
          '--json',
        ),
      ),
    )
  }
  /** Asked (preparer), approved (approver) unless it needs no approval (a dispute): the id of the new action. */
  const requestApproved = async (id: string, ...request: string[]): Promise<string> => {
    await ok('escrow', ...request, '--as', 'Alice Preparer')
    const action = (await show(id)).actions.at(-1)!
    if (action.state === 'awaiting_approval') await ok('escrow', 'approve', action.id, '--as', 'Bob Approver')
    return action.id
  }
  return { cli, ok, refused, show, crash, ledgerBalance, pollUntil, pollUntilDone, create, requestApproved }
}

/** A ledger account's balance on its normal side, in minor units, from the books. */
export async function ledgerMinor(sb: Sandbox, accountId: string): Promise<bigint> {
  const db = sb.core.ctx.db
  const b = await db.first(db.k.selectFrom('balances').selectAll().where('account_id', '=', accountId))
  if (!b) return 0n
  const account = await db.first(db.k.selectFrom('accounts').select('kind').where('id', '=', accountId))
  const debit = BigInt(b.debits_posted) - BigInt(b.credits_posted)
  // Asset-side accounts (treasury, escrow, fees, payee) are debit-normal; the rest credit-normal.
  return account?.kind === 'external' ? -debit : debit
}

/** The sum of the open (pending) holds on an asset's escrow account. */
export async function openEscrowHoldsMinor(sb: Sandbox, assetId: string): Promise<bigint> {
  const db = sb.core.ctx.db
  const rows = await db.all(
    db.k
      .selectFrom('holds')
      .select(['amount', 'posted_amount'])
      .where('credit_account_id', '=', `escrow:${assetId}`)
      .where('state', '=', 'pending'),
  )
  return rows.reduce((s, r) => s + BigInt(r.amount) - BigInt(r.posted_amount), 0n)
}

/** The rail transactions an action made, oldest first. */
export async function txsOfAction(sb: Sandbox, actionId: string): Promise<{ id: string; attempt: number; state: string }[]> {
  const db = sb.core.ctx.db
  return await db.all(db.k.selectFrom('escrow_txs').select(['id', 'attempt', 'state']).where('action_id', '=', actionId).orderBy('attempt'))
}

/** Decimal text of an asset with `scale` digits → minor units (exactly; surplus digits are a test bug). */
export function minorOf(text: string, scale: number): bigint {
  const [w, f = ''] = text.split('.')
  if (f.length > scale) throw new Error(`${text} has more than ${scale} decimals`)
  return BigInt(w!) * 10n ** BigInt(scale) + BigInt(f.padEnd(scale, '0') || '0')
}
