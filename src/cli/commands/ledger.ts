import { Option, type Command } from 'commander'
import { ACCOUNT_KINDS, HOLD_STATES, type AccountKind, type HoldState } from '../../shared/blocks'
import { LIST_ROWS_MAX } from '../../shared/limits'
import type { CallInput } from '../../shared/api'
import type { Entry } from '../../shared/ledgerApi'
import { cell, groupDecimal, shortTimestamp, yesNo } from '../format'
import type { CliIo } from '../io'
import { examples, intArg } from '../options'
import { readEntriesFile } from '../readEntriesFile'
import { renderTable } from '../table'
import { withSession, type RunState } from '../session'

export function registerLedger(program: Command, io: CliIo, state: RunState): void {
  const ledger = program
    .command('ledger')
    .description('The double-entry ledger: accounts, balances, journal entries, holds.')
    .addHelpText(
      'after',
      examples(
        'countersign ledger balances --asset USDC@evm:8453',
        'countersign ledger post --as "Dana Admin" opening.json',
        'countersign ledger entries --account treasury-usdc --limit 20',
      ),
    )

  // --- accounts --------------------------------------------------------------------------------
  const accounts = ledger
    .command('accounts')
    .description('Ledger accounts; "accounts add" opens one.')
    .addHelpText(
      'after',
      examples(
        'countersign ledger accounts --kind treasury',
        'countersign ledger accounts add --as "Dana Admin" --id treasury-usdc --name "Treasury USDC" --kind treasury --asset USDC@evm:8453',
      ),
    )

  accounts
    .command('list', { isDefault: true })
    .description('List accounts (the default), optionally by kind or asset.')
    .addOption(new Option('--kind <kind>', 'only accounts of this kind').choices(ACCOUNT_KINDS))
    .option('--asset <assetId>', 'only accounts of this asset, e.g. USDC@evm:8453')
    .addHelpText('after', examples('countersign ledger accounts', 'countersign ledger accounts --kind payee --asset USDC@evm:8453 --json'))
    .action(async (opts: { kind?: AccountKind; asset?: string }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const list = await s.call('ledger.accounts.list', {
          ...(opts.kind ? { kind: opts.kind } : {}),
          ...(opts.asset ? { assetId: opts.asset } : {}),
        })
        if (s.out.json) return s.out.data(list)
        if (list.length === 0) return s.out.line('No accounts match.')
        s.out.line(
          renderTable(
            [
              { header: 'ID' },
              { header: 'NAME' },
              { header: 'KIND' },
              { header: 'ASSET' },
              { header: 'NEGATIVE OK' },
              { header: 'ADDRESS' },
            ],
            list.map((a) => [a.id, cell(a.name, 40), a.kind, a.assetId, yesNo(a.allowNegative), cell(a.address, 64)]),
            s.out.bold,
          ),
        )
      })
    })

  accounts
    .command('add')
    .description('Open a ledger account for one asset (needs --as an admin).')
    .requiredOption('--id <id>', 'account id: letters, digits and . _ : / @ -')
    .requiredOption('--name <name>', 'display name')
    .addOption(new Option('--kind <kind>', 'account kind').choices(ACCOUNT_KINDS).makeOptionMandatory())
    .requiredOption('--asset <assetId>', 'asset id, e.g. USDC@evm:8453 (see "countersign assets list")')
    .option('--address <address>', 'wallet address, Stellar account or Stripe account id')
    .option('--allow-negative', 'let the balance go below zero (never allowed for treasury and escrow)')
    .addHelpText(
      'after',
      examples(
        'countersign ledger accounts add --as "Dana Admin" --id treasury-usdc --name "Treasury USDC" --kind treasury --asset USDC@evm:8453 --address 0x…',
        'countersign ledger accounts add --as "Dana Admin" --id opening-usdc --name "Opening balances" --kind external --asset USDC@evm:8453',
      ),
    )
    .action(
      async (
        opts: { id: string; name: string; kind: AccountKind; asset: string; address?: string; allowNegative?: boolean },
        cmd: Command,
      ) => {
        state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
          const account = await s.call('ledger.accounts.add', {
            id: opts.id,
            name: opts.name,
            kind: opts.kind,
            assetId: opts.asset,
            ...(opts.address !== undefined ? { address: opts.address } : {}),
            ...(opts.allowNegative ? { allowNegative: true } : {}),
          })
          if (s.out.json) return s.out.data(account)
          s.out.line(`Opened ${account.kind} account ${account.id} ("${account.name}") in ${account.assetId}.`)
        })
      },
    )

  // --- balances / summary ----------------------------------------------------------------------
  ledger
    .command('balances')
    .description('Balance of every account, exact to the last decimal.')
    .option('--asset <assetId>', 'only accounts of this asset')
    .addOption(new Option('--kind <kind>', 'only accounts of this kind').choices(ACCOUNT_KINDS))
    .addHelpText('after', examples('countersign ledger balances', 'countersign ledger balances --kind treasury --json'))
    .action(async (opts: { asset?: string; kind?: AccountKind }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const list = await s.call('ledger.balances', {
          ...(opts.kind ? { kind: opts.kind } : {}),
          ...(opts.asset ? { assetId: opts.asset } : {}),
        })
        if (s.out.json) return s.out.data(list)
        if (list.length === 0) return s.out.line('No accounts match.')
        s.out.line(
          renderTable(
            [
              { header: 'ACCOUNT' },
              { header: 'KIND' },
              { header: 'ASSET' },
              { header: 'BALANCE', align: 'right' },
              { header: 'AVAILABLE', align: 'right' },
              { header: 'NAME' },
            ],
            list.map((b) => [b.accountId, b.kind, b.assetId, groupDecimal(b.balance), groupDecimal(b.available), cell(b.accountName, 40)]),
            s.out.bold,
          ),
        )
      })
    })

  ledger
    .command('summary')
    .description('Totals per asset: treasury, available, escrow, paid out, fees.')
    .addHelpText('after', examples('countersign ledger summary', 'countersign ledger summary --json'))
    .action(async (_opts: object, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const list = await s.call('ledger.summary', {})
        if (s.out.json) return s.out.data(list)
        if (list.length === 0) return s.out.line('No assets.')
        s.out.line(
          renderTable(
            [
              { header: 'ASSET' },
              { header: 'TREASURY', align: 'right' },
              { header: 'AVAILABLE', align: 'right' },
              { header: 'ESCROW', align: 'right' },
              { header: 'PAID OUT', align: 'right' },
              { header: 'FEES', align: 'right' },
              { header: 'ACCOUNTS', align: 'right' },
            ],
            list.map((a) => [
              a.assetId,
              groupDecimal(a.treasury),
              groupDecimal(a.treasuryAvailable),
              groupDecimal(a.escrow),
              groupDecimal(a.paidOut),
              groupDecimal(a.fees),
              String(a.accounts),
            ]),
            s.out.bold,
          ),
        )
      })
    })

  // --- entries ---------------------------------------------------------------------------------
  ledger
    .command('entries')
    .description('Journal entries, newest first.')
    .option('--account <accountId>', 'only entries touching this account')
    .option('--limit <n>', `how many entries (1–${LIST_ROWS_MAX})`, intArg(1, LIST_ROWS_MAX))
    .option('--before <seq>', 'only entries older than this sequence number (paging)', intArg(1, Number.MAX_SAFE_INTEGER))
    .addHelpText('after', examples('countersign ledger entries --limit 20', 'countersign ledger entries --account treasury-usdc --json'))
    .action(async (opts: { account?: string; limit?: number; before?: number }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const page = await s.call('ledger.entries.list', {
          ...(opts.account ? { accountId: opts.account } : {}),
          ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
          ...(opts.before !== undefined ? { beforeSeq: opts.before } : {}),
        })
        if (s.out.json) return s.out.data(page)
        if (page.entries.length === 0) return s.out.line('No entries.')
        s.out.line(renderEntries(page.entries, s.out.bold))
        if (page.nextBeforeSeq !== null)
          s.out.line(
            `\nOlder entries: countersign ledger entries --before ${page.nextBeforeSeq}${opts.account ? ` --account ${opts.account}` : ''}`,
          )
      })
    })

  ledger
    .command('post')
    .argument('<file>', 'JSON file of journal entries, or - for stdin')
    .description('Post journal entries from a JSON file, atomically (needs --as an admin).')
    .addHelpText(
      'after',
      `
The file holds one entry, an array of entries, or {"entries": [...]}. Amounts are strings with
at most the asset's decimals — never JSON numbers. Re-posting an entry with the same id and
content is a replay, not a second posting.

  {
    "id": "opening-usdc",
    "date": "2026-01-01",
    "description": "Opening balance",
    "postings": [
      { "account": "treasury-usdc", "debit": "1000000.000000" },
      { "account": "opening-usdc", "credit": "1000000.000000" }
    ]
  }
` +
        examples(
          'countersign ledger post --as "Dana Admin" opening.json',
          'cat entries.json | countersign ledger post --as dana-admin - --json',
        ),
    )
    .action(async (file: string, _opts: object, cmd: Command) => {
      const { label, entries } = await readEntriesFile(file, io.stdin ?? process.stdin)
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        // The core validates every entry (schema, accounts, scales, balance) and audits the post.
        const result = await s.call('ledger.entries.post', { entries: entries as CallInput<'ledger.entries.post'>['entries'] })
        if (s.out.json) return s.out.data(result)
        const replayNote = result.replayed.length > 0 ? ' (replayed: already posted earlier with the same content, not posted again)' : ''
        s.out.line(`${label}: ${result.posted.length} posted, ${result.replayed.length} replayed${replayNote}.`)
        for (const id of result.posted) s.out.line(`  posted    ${id}`)
        for (const id of result.replayed) s.out.line(`  replayed  ${id}`)
      })
    })

  // --- holds -----------------------------------------------------------------------------------
  ledger
    .command('holds')
    .description('Holds (two-phase transfers), newest first.')
    .addOption(new Option('--state <state>', 'only holds in this state').choices(HOLD_STATES))
    .option('--limit <n>', `how many holds (1–${LIST_ROWS_MAX})`, intArg(1, LIST_ROWS_MAX))
    .addHelpText('after', examples('countersign ledger holds --state pending'))
    .action(async (opts: { state?: HoldState; limit?: number }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const list = await s.call('ledger.holds.list', {
          ...(opts.state ? { state: opts.state } : {}),
          ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
        })
        if (s.out.json) return s.out.data(list)
        if (list.length === 0) return s.out.line('No holds.')
        s.out.line(
          renderTable(
            [
              { header: 'ID' },
              { header: 'STATE' },
              { header: 'AMOUNT', align: 'right' },
              { header: 'POSTED', align: 'right' },
              { header: 'ASSET' },
              { header: 'FROM' },
              { header: 'TO' },
              { header: 'EXPIRES' },
            ],
            list.map((h) => [
              h.id,
              h.state,
              groupDecimal(h.amount),
              groupDecimal(h.postedAmount),
              h.assetId,
              h.creditAccountId,
              h.debitAccountId,
              h.expiresAt ? shortTimestamp(h.expiresAt) : '-',
            ]),
            s.out.bold,
          ),
        )
      })
    })
}

/** One line per posting; the entry's seq, date, id and description on its first line. */
function renderEntries(entries: readonly Entry[], bold: (s: string) => string): string {
  const rows: string[][] = []
  for (const e of entries) {
    e.postings.forEach((p, i) => {
      const first = i === 0
      rows.push([
        first ? String(e.seq) : '',
        first ? e.date : '',
        first ? e.id : '',
        p.accountId,
        p.debit !== null ? groupDecimal(p.debit) : '',
        p.credit !== null ? groupDecimal(p.credit) : '',
        p.assetId,
        first ? cell(e.description, 50) : '',
      ])
    })
  }
  return renderTable(
    [
      { header: 'SEQ', align: 'right' },
      { header: 'DATE' },
      { header: 'ENTRY' },
      { header: 'ACCOUNT' },
      { header: 'DEBIT', align: 'right' },
      { header: 'CREDIT', align: 'right' },
      { header: 'ASSET' },
      { header: 'DESCRIPTION' },
    ],
    rows,
    bold,
  )
}
