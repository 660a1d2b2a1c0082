/**
 * `countersign recon pull [--rail evm|stellar|stripe]`: store the rails' new records (Stripe
 * balance transactions, Stellar operations and fees, EVM transfers and gas) as statement lines,
 * once each. Stripe and Stellar come from what the poller keeps (offline too); EVM reads the
 * chain. Exit code 1 when a rail could not be read — what the others had is stored anyway.
 */
import { Option, type Command } from 'commander'
import { RAILS, type Rail } from '../../shared/blocks'
import type { RailPullResult } from '../../shared/reconPullApi'
import { EXIT_FAILURE } from '../errors'
import type { CliIo } from '../io'
import { examples } from '../options'
import { withSession, type RunState, type Session } from '../session'
import { renderTable } from '../table'
import { networkName } from '../../shared/networkNames'

export function registerReconPull(recon: Command, io: CliIo, state: RunState): void {
  recon
    .command('pull')
    .description(
      'Store the rails’ new records (Stripe balance transactions, Stellar operations, EVM transfers and gas) as statement lines, once each.',
    )
    .addOption(new Option('--rail <rail>', 'only this rail (default: every configured one)').choices(RAILS))
    .addHelpText(
      'after',
      examples('countersign recon pull --as "Alice Preparer"', 'countersign recon pull --rail evm --as "Alice Preparer" --json'),
    )
    .action(async (opts: { rail?: Rail }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const result = await s.call('recon.pull', opts.rail ? { rails: [opts.rail] } : {})
        if (s.out.json) s.out.data(result)
        else printPulls(s, result.pulls)
        return result.pulls.some((p) => p.problem !== null) ? EXIT_FAILURE : 0
      })
    })
}

function printPulls(s: Session, pulls: readonly RailPullResult[]): void {
  if (pulls.length === 0) return s.out.line('No rail is configured: nothing to pull (settings rails set).')
  s.out.line(
    renderTable(
      [
        { header: 'Network', align: 'left' },
        { header: 'Records', align: 'right' },
        { header: 'Lines', align: 'right' },
        { header: 'Statement file', align: 'left' },
      ],
      pulls.map((p) => [
        networkName(p.rail, p.network),
        String(p.records),
        String(p.lines),
        p.problem !== null ? `not read (${p.problem.code})` : (p.fileId ?? 'nothing new'),
      ]),
      s.out.bold,
    ),
  )
  for (const p of pulls) if (p.problem !== null) s.out.line(`${networkName(p.rail, p.network)}: ${p.problem.message}`)
}
