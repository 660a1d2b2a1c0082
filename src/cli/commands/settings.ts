/**
 * `settings rails show|set FILE`: the chains this workspace executes on (settings key 'rails'),
 * shared by the app, browser mode and the CLI. `sandbox up` writes it for its local Anvil.
 */
import fs from 'node:fs'
import type { Command } from 'commander'
import { CsError } from '../../shared/errors'
import { RailsConfigSetting } from '../../shared/payoutsApi'
import type { CliIo } from '../io'
import { examples } from '../options'
import { withSession, type RunState } from '../session'
import { renderTable } from '../table'
import { registerStripeSettings } from './stripe'
import { registerOrganisationSettings } from './receipts'

/** A rails file is a few chains; anything near this is not one. */
const RAILS_FILE_BYTES_MAX = 256 * 1024

export function registerSettings(program: Command, io: CliIo, state: RunState): void {
  const settings = program
    .command('settings')
    .description('Workspace settings: the rails payouts execute on, the Stripe key, the organisation on receipts.')
  const rails = settings
    .command('rails')
    .description('The EVM chains and Stellar networks (node / Horizon URL, treasury, fee cap) payouts execute on.')

  rails
    .command('show', { isDefault: true })
    .description('Print the rails configuration.')
    .addHelpText('after', examples('countersign settings rails show --json'))
    .action(async (_opts: object, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const setting = await s.call('settings.rails.get', {})
        if (s.out.json) return s.out.data(setting)
        const chains = setting.rails.evm?.chains ?? []
        const networks = setting.rails.stellar?.networks ?? []
        if (setting.rails.stripe) s.out.line(`Stripe: ${setting.rails.stripe.apiUrl} (key: countersign settings stripe show)`)
        if (chains.length === 0 && networks.length === 0 && !setting.rails.stripe)
          return s.out.line('No rails configured: batches cannot be executed (countersign settings rails set FILE).')
        if (chains.length > 0)
          s.out.line(
            renderTable(
              [
                { header: 'CHAIN' },
                { header: 'RPC' },
                { header: 'BATCH CONTRACT' },
                { header: 'TREASURY' },
                { header: 'CONF', align: 'right' },
              ],
              chains.map((c) => [String(c.chainId), c.rpcUrl, c.batchContract, c.source.address, String(c.confirmationsMin)]),
              s.out.bold,
            ),
          )
        if (networks.length > 0)
          s.out.line(
            renderTable(
              [
                { header: 'STELLAR' },
                { header: 'HORIZON' },
                { header: 'PASSPHRASE' },
                { header: 'TREASURY' },
                { header: 'FEE CAP', align: 'right' },
              ],
              networks.map((n) => [n.network, n.horizonUrl, n.networkPassphrase, n.source.address, `${n.maxFeePerOpStroops} stroops/op`]),
              s.out.bold,
            ),
          )
      })
    })

  rails
    .command('set')
    .argument(
      '<file>',
      'JSON: {"evm":{"chains":[{"chainId","rpcUrl","batchContract","confirmationsMin","maxFeePerGasCap","source":{"address","path"}}]},"stellar":{"networks":[{"network","horizonUrl","networkPassphrase","maxFeePerOpStroops","source":{"address","path"}}]},"stripe":{"apiUrl"}}',
    )
    .description('Replace the rails configuration (needs --as an admin).')
    .addHelpText('after', examples('countersign settings rails set rails.json --as "Dana Admin"'))
    .action(async (file: string, _opts: object, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const input = readRailsFile(file)
        const setting = await s.call('settings.rails.set', input)
        if (s.out.json) return s.out.data(setting)
        if (setting.pendingChange) {
          s.out.line(`Waiting for a second admin: ${setting.pendingChange.summary} (change ${setting.pendingChange.id}).`)
          return s.out.line(
            `Another admin applies it with: countersign operators changes approve ${setting.pendingChange.id} --as "OTHER ADMIN"`,
          )
        }
        const configured = [
          ...(setting.rails.evm?.chains ?? []).map((c) => `evm:${c.chainId}`),
          ...(setting.rails.stellar?.networks ?? []).map((n) => `stellar:${n.network}`),
          ...(setting.rails.stripe ? ['stripe'] : []),
        ]
        s.out.line(`Rails configured: ${configured.join(', ') || 'none'}.`)
      })
    })
  registerStripeSettings(settings, io, state)
  registerOrganisationSettings(settings, io, state)
}

function readRailsFile(file: string): RailsConfigSetting {
  let text: string
  try {
    const size = fs.statSync(file).size
    if (size > RAILS_FILE_BYTES_MAX)
      throw new CsError('FILE_INVALID', `${file} is ${size} bytes — a rails file is a few kilobytes; check the file.`)
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    if (error instanceof CsError) throw error
    throw new CsError('FILE_INVALID', `Could not read ${file} — check the path and try again.`, { cause: error })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new CsError('FILE_INVALID', `${file} is not JSON — see countersign settings rails set --help for its shape.`, { cause: error })
  }
  const parsed = RailsConfigSetting.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new CsError(
      'FILE_INVALID',
      `${file}: ${issue ? `${issue.path.join('.') || 'file'}: ${issue.message}` : 'not a rails configuration'}.`,
    )
  }
  return parsed.data
}
