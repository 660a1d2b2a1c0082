/**
 * `countersign receipts attest --batch ID [--chain evm|stellar] [--json]`: the treasury Ledger
 * signs the Merkle root of a paid batch's receipts (once per batch and chain), so every receipt of
 * the batch carries a proof its payee checks offline. What to confirm on the device goes to stderr
 * as it happens (the root on the Ethereum app; on the Stellar app, the hash it shows); the result
 * to stdout. In a sandbox workspace the "Sandbox device emulator" signs.
 */
import { Option, type Command } from 'commander'
import type { EventPayload } from '../../shared/api'
import type { BatchAttestationView } from '../../shared/receiptsAttestApi'
import type { CliIo } from '../io'
import { examples } from '../options'
import { withSession, type RunState, type Session } from '../session'

const CHAINS = ['evm', 'stellar'] as const

export function registerReceiptsAttest(receipts: Command, io: CliIo, state: RunState): void {
  receipts
    .command('attest')
    .description(
      "Sign the Merkle root of a paid EVM or Stellar batch's receipts on the treasury Ledger, once (needs --as a signer); each receipt then carries its proof.",
    )
    .requiredOption('--batch <id>', 'the paid batch')
    .addOption(new Option('--chain <chain>', 'for a batch that paid on both EVM and Stellar: which chain to attest').choices(CHAINS))
    .addHelpText(
      'after',
      `
The treasury address must have been verified on the device (settings → signers). On Stellar the
app signs a hash: turn "Hash signing" on in the Stellar app's settings first. A batch already
attested is shown again without asking the device.
` +
        examples(
          'countersign receipts attest --batch b_1a2b3c4d5e6f --as "Carol Signer"',
          'countersign receipts attest --batch b_1a2b3c4d5e6f --chain stellar --as "Carol Signer" --json',
        ),
    )
    .action(async (opts: { batch: string; chain?: (typeof CHAINS)[number] }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing', signer: true }, async (s) => {
        const off = s.core.events.subscribe((event, payload) => {
          if (event !== 'receipts.attest.progress') return
          const p = payload as EventPayload<'receipts.attest.progress'>
          if (p.batchId === opts.batch) s.out.note(p.message)
        })
        try {
          printAttestation(s, await s.call('receipts.attest', { batchId: opts.batch, ...(opts.chain ? { chain: opts.chain } : {}) }))
        } finally {
          off()
        }
      })
    })
}

function printAttestation(s: Session, a: BatchAttestationView): void {
  if (s.out.json) return s.out.data(a)
  const chain = a.chain === 'evm' ? 'EVM' : 'Stellar'
  const receipts = `${a.leafCount} receipt${a.leafCount === 1 ? '' : 's'} (${a.firstReceipt === a.lastReceipt ? `no. ${a.firstReceipt}` : `nos. ${a.firstReceipt}–${a.lastReceipt}`})`
  s.out.line(
    a.signedNow
      ? `Attested batch ${a.batchId} on ${chain}: ${s.out.bold(a.signer)} signed the root of ${receipts} on the device.`
      : `Batch ${a.batchId} was already attested on ${chain} (${a.createdAt}, by ${a.createdBy}): ${a.signer}, ${receipts}; the device was not asked.`,
  )
  s.out.line(`  root ${a.root}`)
  s.out.line('  Each receipt of the batch now carries its proof; a payee checks it offline with countersign receipts verify FILE.')
}
