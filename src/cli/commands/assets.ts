import { Option, type Command } from 'commander'
import { RAILS, type Rail } from '../../shared/blocks'
import { SCALE_MAX } from '../../shared/money'
import { cell } from '../format'
import type { CliIo } from '../io'
import { examples, intArg } from '../options'
import { renderTable } from '../table'
import { withSession, type RunState } from '../session'
import { networkName } from '../../shared/networkNames'

export function registerAssets(program: Command, io: CliIo, state: RunState): void {
  const assets = program
    .command('assets')
    .description('The assets registry: what can be held and paid, with its exact number of decimals.')
    .addHelpText(
      'after',
      examples(
        'countersign assets list',
        'countersign assets add --as "Dana Admin" --code USDC --scale 6 --rail evm --network 10 --issuer 0x0b2C639c533813f4Aa9D7837CAf62653d097Ff85',
      ),
    )

  assets
    .command('list', { isDefault: true })
    .description('List registered assets (the default).')
    .addHelpText('after', examples('countersign assets list', 'countersign assets list --json'))
    .action(async (_opts: object, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const list = await s.call('assets.list', {})
        if (s.out.json) return s.out.data(list)
        s.out.line(
          renderTable(
            [
              { header: 'ID' },
              { header: 'CODE' },
              { header: 'SCALE', align: 'right' },
              { header: 'RAIL' },
              { header: 'NETWORK' },
              { header: 'NAME' },
              { header: 'ISSUER' },
            ],
            list.map((a) => [a.id, a.code, String(a.scale), a.rail, networkName(a.rail, a.network), cell(a.name, 40), cell(a.issuer, 64)]),
            s.out.bold,
          ),
        )
      })
    })

  assets
    .command('add')
    .description('Register an asset (needs --as an admin). Its scale is fixed forever.')
    .requiredOption('--code <code>', 'ticker in capitals, e.g. USDC')
    .requiredOption('--scale <decimals>', `number of decimals, 0–${SCALE_MAX} (USDC 6, ETH 18)`, intArg(0, SCALE_MAX))
    .addOption(new Option('--rail <rail>', 'payment rail').choices(RAILS).makeOptionMandatory())
    .requiredOption('--network <network>', 'chain id (8453), Stellar network (pubnet/testnet), or "stripe"')
    .option('--issuer <issuer>', 'ERC-20 contract or Stellar issuer; omit for native assets and fiat')
    .option('--id <id>', 'asset id; defaults to CODE@rail:network')
    .option('--name <name>', 'display name; defaults to the code')
    .addHelpText(
      'after',
      examples(
        'countersign assets add --as "Dana Admin" --code USDC --scale 6 --rail evm --network 10 --issuer 0x0b2C639c533813f4Aa9D7837CAf62653d097Ff85',
        'countersign assets add --as "Dana Admin" --code GBP --scale 2 --rail stripe --network stripe',
      ),
    )
    .action(
      async (
        opts: { code: string; scale: number; rail: Rail; network: string; issuer?: string; id?: string; name?: string },
        cmd: Command,
      ) => {
        state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
          const asset = await s.call('assets.add', {
            code: opts.code,
            scale: opts.scale,
            rail: opts.rail,
            network: opts.network,
            ...(opts.issuer !== undefined ? { issuer: opts.issuer } : {}),
            ...(opts.id !== undefined ? { id: opts.id } : {}),
            ...(opts.name !== undefined ? { name: opts.name } : {}),
          })
          if (s.out.json) return s.out.data(asset)
          s.out.line(`Registered asset ${asset.id} (${asset.code}, ${asset.scale} decimals, ${asset.rail} ${asset.network}).`)
        })
      },
    )
}
