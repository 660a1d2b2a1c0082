/**
 * Receipts from the command line:
 *   receipts list [--query --payee --batch --kind --from --to --limit --cursor]
 *   receipts show N [--save FILE]          the receipt file a payee gets (JSON), or its summary
 *   receipts issue [--batch]                issue what is due now (the poller does it too)
 *   receipts due [--batch --limit]          what is due and why it waits (finality)
 *   receipts verify FILE [--public-key FILE] [--offline]   exit 1 unless every check holds
 *   receipts key [show] | rotate | export [--out FILE]
 *   settings organisation [show] | set --name … [--address …] [--registration …] [--logo FILE | --no-logo]
 * `receiptsCommand` returns the `receipts` command so the PDF and export commands hang under it.
 *
 * `verify` needs no workspace: run anywhere, it checks the file against a public key file
 * (--public-key); run in a workspace it also knows that workspace's keys and rails.
 */
import fs from 'node:fs'
import { Option, type Command } from 'commander'
import { CsError } from '../../shared/errors'
import { RECEIPT_PUBLIC_KEY_FILE_CHARS_MAX, RECEIPT_VERIFY_BYTES_MAX, ORGANISATION_LOGO_BYTES_MAX } from '../../shared/limits'
import { RECEIPT_KINDS, type ReceiptPage, type ReceiptVerificationResult } from '../../shared/receiptsApi'
import type { ReceiptEvidence, ReceiptFile } from '../../shared/receiptTypes'
import { EXIT_FAILURE } from '../errors'
import type { CliIo } from '../io'
import { examples } from '../options'
import { dataDirOf, globalsOf, withSession, type RunState, type Session } from '../session'
import { renderTable } from '../table'
import { registerReceiptsAttest } from './receiptsAttest'
import { registerReceiptsExport } from './receiptsExport'
import { registerReceiptsPdf } from './receiptsPdf'
import { networkName } from '../../shared/networkNames'
import { writeFileDurably } from '../../main/core/util/durableWrite'

interface ListOptions {
  query?: string
  payee?: string
  batch?: string
  kind?: (typeof RECEIPT_KINDS)[number]
  from?: string
  to?: string
  limit?: string
  cursor?: string
}

export function receiptsCommand(program: Command, io: CliIo, state: RunState): Command {
  const receipts = program
    .command('receipts')
    .description('Signed receipts of every final payment: search, show, issue, verify, and the receipt key.')

  receipts
    .command('list')
    .description('Receipts, newest first, with totals per asset over everything the filter matches.')
    .option(
      '--query <text>',
      'payee name or a word of it, address, reference, tx hash or payout id (from their start), or a receipt number',
    )
    .option('--payee <payee>', "one payee: the recipient as paid (0x…, G…, acct_…) or the payee's exact name")
    .option('--batch <id>', 'receipts of one batch')
    .addOption(new Option('--kind <kind>', 'one kind of receipt').choices(RECEIPT_KINDS))
    .option('--from <date>', 'paid on or after (YYYY-MM-DD, UTC)')
    .option('--to <date>', 'paid on or before (YYYY-MM-DD, UTC)')
    .option('--limit <n>', 'receipts per page (default 50)')
    .option('--cursor <cursor>', 'the next page: the nextCursor a page printed')
    .addHelpText(
      'after',
      examples(
        'countersign receipts list --query "acme"',
        'countersign receipts list --payee 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 --from 2026-01-01 --json',
      ),
    )
    .action(async (opts: ListOptions, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const page = await s.call('receipts.list', {
          ...(opts.query !== undefined ? { query: opts.query } : {}),
          ...(opts.payee !== undefined ? { payee: opts.payee } : {}),
          ...(opts.batch !== undefined ? { batchId: opts.batch } : {}),
          ...(opts.kind !== undefined ? { kind: opts.kind } : {}),
          ...(opts.from !== undefined ? { from: opts.from } : {}),
          ...(opts.to !== undefined ? { to: opts.to } : {}),
          ...(opts.limit !== undefined ? { limit: wholeNumber(opts.limit, '--limit') } : {}),
          ...(opts.cursor !== undefined ? { cursor: opts.cursor } : {}),
        })
        if (s.out.json) return s.out.data(page)
        printPage(s, page)
      })
    })

  receipts
    .command('show')
    .argument('<number>', 'the receipt number (42) or as printed (CS-2026-000042)')
    .description('One receipt: what it says and its proofs; --save writes the receipt file a payee gets.')
    .option('--save <file>', 'write the receipt file (JSON) here')
    .addHelpText(
      'after',
      examples(
        'countersign receipts show 42',
        'countersign receipts show 42 --save receipt-42.json',
        'countersign receipts show 42 --json',
      ),
    )
    .action(async (number: string, opts: { save?: string }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const got = await s.call('receipts.get', { number: receiptNumber(number) })
        if (opts.save !== undefined) saveReceiptFile(opts.save, got.file)
        if (s.out.json) return s.out.data(got)
        const r = got.file.receipt
        s.out.line(`${s.out.bold(r.displayNumber)}  ${r.kind}  ${r.paidAt}`)
        s.out.line(`Payee     ${r.payee.name || '(no name)'}  ${r.payee.recipient}`)
        s.out.line(`Amount    ${r.amount.value} ${r.amount.code}  (${r.amount.assetId})`)
        if (r.fee) s.out.line(`Fee       ${r.fee.value} ${r.fee.code}`)
        s.out.line(`Payer     ${r.payer.name || '(organisation not set)'}  ${r.payer.account}`)
        s.out.line(`Reference ${r.subject.reference || '—'}`)
        s.out.line(`Evidence  ${evidenceLine(r.evidence)}`)
        for (const e of r.timeline) s.out.line(`  ${e.at}  ${e.kind}${e.by ? ` by ${e.by}` : ''}${e.detail ? ` (${e.detail})` : ''}`)
        if (r.previous) s.out.line(`Corrects  ${r.previous.displayNumber} (sha256 ${r.previous.sha256})`)
        s.out.line(`SHA-256   ${got.file.sha256}`)
        s.out.line(
          `Signed by key ${got.file.workspaceSignature.keyId}${got.file.batchAttestation ? `; batch attested by ${got.file.batchAttestation.signer}` : ''}`,
        )
        if (opts.save !== undefined) s.out.line(`Receipt file written to ${opts.save}.`)
      })
    })

  receipts
    .command('issue')
    .description('Issue the receipts still due now, in order (the background poller does it as payments confirm).')
    .option('--batch <id>', 'only the payouts (and reversals) of this batch')
    .addHelpText(
      'after',
      examples('countersign receipts issue --as "Alice Preparer"', 'countersign receipts issue --batch b_123 --as "Alice Preparer" --json'),
    )
    .action(async (opts: { batch?: string }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const result = await s.call('receipts.issue', opts.batch !== undefined ? { batchId: opts.batch } : {})
        if (s.out.json) return s.out.data(result)
        s.out.line(result.issued === 0 ? 'No receipt was due.' : `Issued ${result.issued} receipt(s): ${result.first}–${result.last}.`)
        if (result.waiting > 0) s.out.line(`${result.waiting} payment(s) wait: for finality, an earlier receipt or rail evidence.`)
        for (const w of result.waitingFor) s.out.line(`  ${w.subjectKey}  ${w.reason}`)
        if (result.waitingFor.length < result.waiting && result.waitingFor.length > 0)
          s.out.line(`  … and more: countersign receipts due lists them.`)
      })
    })

  receipts
    .command('due')
    .description(
      'Payments due a receipt and not receipted yet, and why each waits (an EVM payout or escrow outcome until its block is past the reorg window).',
    )
    .option('--batch <id>', 'only the payouts (and reversals) of this batch')
    .option('--limit <n>', 'most listed (default 50)')
    .addHelpText('after', examples('countersign receipts due', 'countersign receipts due --batch b_123 --json'))
    .action(async (opts: { batch?: string; limit?: string }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const due = await s.call('receipts.due', {
          ...(opts.batch !== undefined ? { batchId: opts.batch } : {}),
          ...(opts.limit !== undefined ? { limit: wholeNumber(opts.limit, '--limit') } : {}),
        })
        if (s.out.json) return s.out.data(due)
        if (due.due === 0) return s.out.line('Nothing is due: every final payment has its receipt.')
        s.out.line(`${due.due} payment(s) due a receipt; ${due.waiting} waiting.`)
        for (const d of due.items) s.out.line(`  ${d.subjectKey}  ${d.reason}`)
        if (due.items.length < due.due) s.out.line(`  … ${due.due - due.items.length} more (--limit).`)
      })
    })

  receipts
    .command('verify')
    .argument('<file>', 'the receipt file (JSON) or the receipt PDF')
    .description(
      'Check a receipt as its payee would: hash, signature, key hand-overs, batch proof, and the rail when online. Exit 1 unless it holds.',
    )
    .option('--public-key <file>', "the payer's public key file (receipts key export) to trust")
    .option('--offline', 'do not look the payment up on its rail')
    .addHelpText(
      'after',
      examples(
        'countersign receipts verify receipt-42.json --public-key acme-receipt-key.json',
        'countersign receipts verify receipt-42.pdf --offline --json',
      ),
    )
    .action(async (file: string, opts: { publicKey?: string; offline?: boolean }, cmd: Command) => {
      const bytes = readFileCapped(file, RECEIPT_VERIFY_BYTES_MAX, 'a receipt')
      const publicKey =
        opts.publicKey === undefined
          ? undefined
          : readFileCapped(opts.publicKey, RECEIPT_PUBLIC_KEY_FILE_CHARS_MAX, 'a public key file').toString('utf8')
      const online = opts.offline !== true
      const globals = globalsOf(cmd)
      const dataDir = dataDirOf(globals, io)
      const { workspaceExists } = await import('../../main/core/db/openDb')
      if (!workspaceExists(dataDir)) {
        // A payee's machine: no workspace, no database — the file and the key file are enough.
        const { verifyReceiptFile } = await import('../../main/core/receipts/verifyReceiptFile')
        const result = await verifyReceiptFile(null, new Uint8Array(bytes), {
          online,
          ...(publicKey !== undefined ? { publicKeyFile: publicKey } : {}),
        })
        state.exitCode = printVerification(createPlainOut(io, globals.json === true), result)
        return
      }
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const result = await s.call('receipts.verify', {
          content: bytes.toString('base64'),
          encoding: 'base64',
          online,
          ...(publicKey !== undefined ? { publicKey } : {}),
        })
        return printVerification(s.out, result)
      })
    })

  registerKey(receipts, io, state)
  registerReceiptsAttest(receipts, io, state)
  registerReceiptsPdf(receipts, io, state)
  registerReceiptsExport(receipts, io, state)
  return receipts
}

function registerKey(receipts: Command, io: CliIo, state: RunState): void {
  const key = receipts
    .command('key')
    .description("The workspace's receipt key: show it, rotate it (signed hand-over), export the public key file.")
  key
    .command('show', { isDefault: true })
    .description('The live key and every earlier one.')
    .action(async (_opts: object, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const k = await s.call('receipts.key.get', {})
        if (s.out.json) return s.out.data(k)
        if (k.current === null) return s.out.line('No receipt key yet: one is made with the first receipt (or receipts key rotate).')
        s.out.line(
          renderTable(
            [{ header: 'KEY' }, { header: 'PUBLIC KEY' }, { header: 'CREATED' }, { header: 'RETIRED' }],
            k.keys.map((x) => [x.keyId, x.publicKey, x.createdAt, x.retiredAt ?? 'live']),
            s.out.bold,
          ),
        )
      })
    })
  key
    .command('rotate')
    .description('Make a new receipt key (admin); the old key signs the hand-over, so receipts it signed stay verifiable.')
    .addHelpText('after', examples('countersign receipts key rotate --as "Dana Admin"'))
    .action(async (_opts: object, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const k = await s.call('receipts.key.rotate', {})
        if (s.out.json) return s.out.data(k)
        s.out.line(
          `Receipt key is now ${k.current!.keyId} (${k.keys.length} key(s) in the chain). Hand payees the new public key file: receipts key export.`,
        )
      })
    })
  key
    .command('export')
    .description('The public key file payees and auditors verify receipts with (JSON: key, hand-overs).')
    .option('--out <file>', 'write it here instead of standard output')
    .addHelpText('after', examples('countersign receipts key export --out acme-receipt-key.json'))
    .action(async (opts: { out?: string }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const k = await s.call('receipts.key.get', {})
        if (k.publicKeyFile === null)
          throw new CsError(
            'RECEIPT_KEY_MISSING',
            'This workspace has no receipt key yet — it is made with the first receipt (or receipts key rotate).',
          )
        const text = JSON.stringify(k.publicKeyFile, null, 2) + '\n'
        if (opts.out === undefined) return void io.stdout.write(s.out.json ? JSON.stringify(k.publicKeyFile) + '\n' : text)
        writeFile(opts.out, text)
        if (s.out.json) return s.out.data({ keyId: k.publicKeyFile.keyId, file: opts.out })
        s.out.line(`Public key ${k.publicKeyFile.keyId} written to ${opts.out}.`)
      })
    })
}

/** `settings organisation`: the payer printed on every receipt. */
export function registerOrganisationSettings(settings: Command, io: CliIo, state: RunState): void {
  const org = settings
    .command('organisation')
    .description('The organisation printed as the payer on receipts: name, address, registration number, logo.')
  org
    .command('show', { isDefault: true })
    .description('What receipts print as the payer.')
    .action(async (_opts: object, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const o = await s.call('settings.organisation.get', {})
        if (s.out.json) return s.out.data(o)
        s.out.line(`Name          ${o.name || '(not set)'}`)
        s.out.line(`Address       ${o.address.replaceAll('\n', ', ') || '(not set)'}`)
        s.out.line(`Registration  ${o.registrationNumber || '(not set)'}`)
        s.out.line(`Logo          ${o.logoPng === null ? 'none' : `PNG, ${Buffer.from(o.logoPng, 'base64').length} bytes`}`)
      })
    })
  org
    .command('set')
    .description('Change the organisation details (admin); what is not given stays as it is. Receipts already issued keep what they say.')
    .option('--name <name>', 'the organisation name')
    .option('--address <text>', 'postal address; "|" (or "\\n") separates lines')
    .option('--registration <number>', 'company registration number')
    .option('--logo <file>', `a PNG of at most ${ORGANISATION_LOGO_BYTES_MAX / 1024} KiB`)
    .option('--no-logo', 'remove the logo')
    .addHelpText(
      'after',
      examples(
        'countersign settings organisation set --name "Acme GmbH" --address "Hauptstr. 1|10115 Berlin" --registration "HRB 1234" --logo logo.png --as "Dana Admin"',
        'countersign settings organisation set --no-logo --as "Dana Admin"',
      ),
    )
    .action(async (opts: { name?: string; address?: string; registration?: string; logo?: string | false }, cmd: Command) => {
      const logo =
        typeof opts.logo === 'string' ? readFileCapped(opts.logo, ORGANISATION_LOGO_BYTES_MAX, 'a logo').toString('base64') : opts.logo
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const now = await s.call('settings.organisation.get', {})
        const o = await s.call('settings.organisation.set', {
          name: opts.name ?? now.name,
          address: opts.address === undefined ? now.address : opts.address.replaceAll('\\n', '\n').replaceAll('|', '\n'),
          registrationNumber: opts.registration ?? now.registrationNumber,
          logoPng: logo === undefined ? now.logoPng : logo === false ? null : logo,
        })
        if (s.out.json) return s.out.data(o)
        s.out.line(`Receipts now name ${o.name || '(no name)'} as the payer${o.logoPng === null ? '' : ', with the logo'}.`)
      })
    })
}

function printPage(s: Session, page: ReceiptPage): void {
  if (page.items.length === 0) return s.out.line('No receipt matches.')
  s.out.line(
    renderTable(
      [
        { header: 'RECEIPT' },
        { header: 'PAID (UTC)' },
        { header: 'KIND' },
        { header: 'PAYEE' },
        { header: 'AMOUNT', align: 'right' },
        { header: 'ASSET' },
        { header: 'REFERENCE' },
        { header: 'TX' },
      ],
      page.items.map((r) => [
        r.displayNumber,
        r.paidAt.slice(0, 16).replace('T', ' '),
        r.kind,
        r.payeeName || r.recipient,
        r.amount,
        r.code,
        r.reference,
        r.txHash ?? '',
      ]),
      s.out.bold,
    ),
  )
  for (const t of page.totals ?? [])
    s.out.line(
      `Total ${t.code} (${t.assetId}): ${t.count} receipt(s), paid ${t.paid}, reversed ${t.reversed}, refunded ${t.refunded}, net ${t.net}`,
    )
  if (page.nextCursor !== null) s.out.line(`More: --cursor ${page.nextCursor}`)
}

function printVerification(out: Pick<Session['out'], 'json' | 'data' | 'line' | 'bold'>, result: ReceiptVerificationResult): number {
  if (out.json) out.data(result)
  else {
    const r = result.receipt
    if (r) out.line(`${out.bold(r.displayNumber)}: ${r.amount} ${r.code} to ${r.payeeName || r.recipient}, paid ${r.paidAt}`)
    for (const c of result.checks) out.line(`${c.status.toUpperCase().padEnd(7)} ${c.name.padEnd(17)} ${c.detail}`)
    out.line(result.ok ? 'The receipt verifies.' : 'The receipt does NOT verify.')
  }
  return result.ok ? 0 : EXIT_FAILURE
}

function createPlainOut(io: CliIo, json: boolean): Pick<Session['out'], 'json' | 'data' | 'line' | 'bold'> {
  return {
    json,
    data: (value) => void io.stdout.write(JSON.stringify(value) + '\n'),
    line: (text = '') => void (json ? undefined : io.stdout.write(text + '\n')),
    bold: (text) => text,
  }
}

function evidenceLine(e: ReceiptEvidence): string {
  switch (e.rail) {
    case 'evm':
      return `${networkName('evm', String(e.chainId))}, tx ${e.txHash}, block ${e.blockNumber}${e.logIndex === null ? '' : `, log ${e.logIndex}`}`
    case 'stellar':
      return `${networkName('stellar', e.network)} (${e.networkPassphrase}), tx ${e.txHash}, ledger ${e.ledger}, operation ${e.operationIndex}`
    default:
      return `Stripe ${e.transferId}${e.balanceTransactionId ? `, ${e.balanceTransactionId}` : ''} to ${e.destination}`
  }
}

function receiptNumber(text: string): number {
  const m = /^(?:#|cs-\d{4}-)?0*(\d{1,15})$/i.exec(text.trim())
  if (!m || Number(m[1]) < 1)
    throw new CsError('INVALID_INPUT', `"${text.slice(0, 40)}" is not a receipt number — give 42 or CS-2026-000042.`)
  return Number(m[1])
}

function wholeNumber(text: string, option: string): number {
  if (!/^\d{1,6}$/.test(text)) throw new CsError('INVALID_INPUT', `${option} must be a whole number such as 100.`)
  return Number(text)
}

function readFileCapped(file: string, bytesMax: number, what: string): Buffer {
  try {
    const size = fs.statSync(file).size
    if (size > bytesMax)
      throw new CsError('FILE_INVALID', `${file} is ${size} bytes — too large for ${what} (at most ${bytesMax}); check the file.`)
    return fs.readFileSync(file)
  } catch (error) {
    if (error instanceof CsError) throw error
    throw new CsError('FILE_INVALID', `Could not read ${file} — check the path and try again.`, { cause: error })
  }
}

/** `receipts show --save`: the receipt file a payee gets, as JSON. */
export function saveReceiptFile(file: string, receipt: ReceiptFile): void {
  writeFile(file, JSON.stringify(receipt, null, 2) + '\n')
}

/**
 * Atomically (a temporary file beside it, fsynced, renamed): a crash or a full disk mid-write
 * leaves the old file or none under the name, never half a receipt a payee would be handed
 * (chaos seed 51.0: a kill mid-write left receipt-5.json torn, and a person saving "what is
 * missing" skipped it for good).
 */
function writeFile(file: string, text: string): void {
  try {
    writeFileDurably(file, text, 0o644)
  } catch (error) {
    throw new CsError('FILE_INVALID', `Could not write ${file} — check the folder exists, is writable and the disk has room.`, {
      cause: error,
    })
  }
}
