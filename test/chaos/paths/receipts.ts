/**
 * The receipts path, parent side. Workload: the payouts path's (its own batches r0, r1, …, and a
 * follow-up batch rz-after), paid on the run's rails under the same faults; between faulty phases
 * some Stripe transfers of those payouts are reversed on the harness, in full or in part, as from
 * the Dashboard (the Stripe sync books them; each booked reversal is due a reversal receipt).
 * The child issues receipts (poller and person) and saves every receipt file, under SIGKILLs at a
 * seeded database call and disk faults on the file writes (receiptsChild.ts).
 *
 * Oracle, read from the rails themselves and the workspace:
 *  - the payouts oracle on these payouts (paid exactly once on the rail, ledger = rail, audit);
 *  - receipt numbers are 1..N: no gap, no duplicate; a receipt's `previous` is an earlier one;
 *  - every confirmed payout has exactly one payout receipt; every payout paid on its rail has
 *    one, naming the amount, asset and payee the rail paid; a payout never paid has none;
 *  - the reversal receipts of a payout add up to what the Stripe harness shows reversed;
 *  - nothing is still due a receipt once the run is quiet (stuck);
 *  - every receipt has its file saved, and every saved file verifies (verifyReceiptFile, online:
 *    hash, signature, key, and the rail evidence looked up on Anvil / Horizon / Stripe) and is the
 *    receipt the workspace holds.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { ReceiptFile } from '../../../src/shared/receiptTypes'
import { createStripeClient } from '../../../src/main/core/rails/stripe/createStripeClient'
import type { EvidenceSources } from '../../../src/main/core/receipts/checkRailEvidence'
import { findDueReceipts } from '../../../src/main/core/receipts/findDueReceipts'
import { verifyReceiptFile } from '../../../src/main/core/receipts/verifyReceiptFile'
import { NETWORK as STELLAR_NETWORK } from '../../execute/stellarKit'
import { SAVED_FILES_DIR } from '../childConfig'
import type { RunWorld } from '../world'
import { insertFollowUpBatch, insertPayoutBatches, paidOnRail, payoutsPath, type PayoutsWorkload } from './payouts'
import { receiptFileName } from './receiptsChild'
import type { ChaosPath, Findings } from './types'

export type ReceiptsWorkload = PayoutsWorkload

interface HarnessTransfer {
  id: string
  destination: string
  amount: bigint
  amount_reversed: bigint
  metadata: Record<string, string>
}

function transfersOf(run: RunWorld): HarnessTransfer[] {
  return run.stripe.transfers() as HarnessTransfer[]
}

function evidenceSources(run: RunWorld): EvidenceSources {
  const stripe = createStripeClient(run.stripe.secretKey, { host: run.stripe.host, port: run.stripe.port, protocol: 'http' })
  return {
    evmRpcUrl: (chainId) => (chainId === String(run.evm.anvil.chainId) ? run.evm.anvil.rpcUrl : null),
    horizonUrl: (network) => (network === STELLAR_NETWORK ? run.stellar.url : null),
    stripe: () => stripe,
  }
}

export const receiptsPath: ChaosPath<ReceiptsWorkload> & {
  followUp(
    ctx: Parameters<ChaosPath['setup']>[0],
    run: RunWorld,
    rng: Parameters<ChaosPath['setup']>[2],
    w: ReceiptsWorkload,
  ): Promise<void>
} = {
  name: 'receipts',
  setup: (ctx, run, rng) => insertPayoutBatches(ctx, run, rng, 'r'),
  followUp: (ctx, run, rng, w) => insertFollowUpBatch(ctx, run, rng, w, 'rz-after'),

  /** Some of these payouts' Stripe transfers are reversed meanwhile (from the Dashboard), in full or in part. */
  async afterPhase(run, rng, w): Promise<Record<string, number>> {
    const ours = new Set(w.payouts.filter((p) => p.rail === 'stripe').map((p) => p.id))
    let reversed = 0
    for (const t of transfersOf(run)) {
      const left = t.amount - t.amount_reversed
      if (!ours.has(t.metadata.countersign_payout_id ?? '') || left === 0n || !rng.chance(0.3)) continue
      run.stripe.reverseTransfer(t.id, rng.chance(0.5) ? left : rng.big(1n, left))
      reversed++
    }
    return reversed > 0 ? { 'stripe.transferReversed': reversed } : {}
  },

  async oracle(ctx, run, w) {
    const f = await payoutsPath.oracle(ctx, run, w)
    const k = ctx.db.k
    const receipts = await ctx.db.all(
      k
        .selectFrom('receipts')
        .select(['number', 'kind', 'subject_key', 'payout_id', 'amount', 'asset_id', 'recipient', 'sha256', 'previous_number'])
        .orderBy('number'),
    )
    // Numbering: 1..N, no gap, no duplicate; `previous` names an earlier receipt.
    for (const [i, r] of receipts.entries()) {
      const n = Number(r.number)
      if (n !== i + 1) f.other.push(`receipt numbering broken: the ${i + 1}th receipt is number ${n} (a gap or a duplicate)`)
      if (r.previous_number !== null && !(Number(r.previous_number) < n))
        f.other.push(`receipt ${n} names receipt ${r.previous_number} as its previous, not an earlier one`)
    }
    const bySubject = new Map<string, number[]>()
    for (const r of receipts) bySubject.set(r.subject_key, [...(bySubject.get(r.subject_key) ?? []), Number(r.number)])
    for (const [subject, numbers] of bySubject)
      if (numbers.length > 1) f.duplicates.push(`${subject} has ${numbers.length} receipts: ${numbers.join(', ')}`)

    // Every confirmed payout (of any path) has one payout receipt; no payout receipt for one not confirmed.
    const payoutReceipts = new Map<string, (typeof receipts)[number][]>()
    for (const r of receipts)
      if (r.kind === 'payout' && r.payout_id !== null) payoutReceipts.set(r.payout_id, [...(payoutReceipts.get(r.payout_id) ?? []), r])
    const payouts = await ctx.db.all(k.selectFrom('payouts').select(['id', 'state']))
    const stateOf = new Map(payouts.map((p) => [p.id, p.state]))
    for (const p of payouts) {
      const n = payoutReceipts.get(p.id)?.length ?? 0
      if (p.state === 'confirmed' && n === 0) f.lost.push(`payout ${p.id} is confirmed but has no receipt`)
      if (p.state === 'confirmed' && n > 1) f.duplicates.push(`payout ${p.id} has ${n} payout receipts`)
    }
    for (const [id, rs] of payoutReceipts)
      if (stateOf.get(id) !== 'confirmed')
        f.other.push(`receipt ${rs.map((r) => r.number).join(', ')} for payout ${id}, which is ${stateOf.get(id) ?? 'not in the books'}`)

    // Against the rails: paid once ⇔ one receipt with what the rail paid; reversals add up.
    const scratch: Findings = { duplicates: [], lost: [], stuck: [], other: [], checked: {} } // the payouts oracle reported these
    const transfers = transfersOf(run)
    for (const p of w.payouts) {
      const paid = await paidOnRail(run, p, scratch)
      const rs = payoutReceipts.get(p.id) ?? []
      const what = `payout ${p.id} (${p.assetId}, ${p.amount} to ${p.recipient})`
      if (paid === 1 && rs.length === 0) f.lost.push(`${what} was paid on the rail but has no receipt`)
      if (paid === 0 && rs.length > 0) f.other.push(`${what} was never paid on the rail, yet has receipt ${rs[0]!.number}`)
      for (const r of rs)
        if (r.amount !== p.amount.toString() || r.asset_id !== p.assetId || r.recipient !== p.recipient)
          f.other.push(`receipt ${r.number} says ${r.amount} ${r.asset_id} to ${r.recipient}; the rail paid ${what}`)
      if (p.rail !== 'stripe') continue
      const onRail = transfers.filter((t) => t.metadata.countersign_payout_id === p.id).reduce((s, t) => s + t.amount_reversed, 0n)
      const receipted = receipts.filter((r) => r.kind === 'reversal' && r.payout_id === p.id).reduce((s, r) => s + BigInt(r.amount), 0n)
      if (receipted < onRail) f.lost.push(`${what}: Stripe reversed ${onRail}, the reversal receipts say ${receipted}`)
      if (receipted > onRail) f.duplicates.push(`${what}: Stripe reversed ${onRail}, the reversal receipts say ${receipted}`)
    }

    // Quiet means nothing is left due.
    for (const d of await findDueReceipts(ctx))
      f.stuck.push(
        `${d.subjectKey} is still due a receipt after the run went quiet and the chain moved past the reorg window (issuing says it waits for finality, an earlier receipt or rail evidence)`,
      )

    // The saved files: one per receipt, each verifies online and is the receipt the workspace holds.
    const dir = path.join(run.dir, SAVED_FILES_DIR)
    const sources = evidenceSources(run)
    const shaOf = new Map(receipts.map((r) => [Number(r.number), r.sha256]))
    for (const r of receipts)
      if (!fs.existsSync(path.join(dir, receiptFileName(Number(r.number)))))
        f.stuck.push(`receipt ${r.number} (${r.subject_key}) has no saved file after the run went quiet`)
    const names = fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => /^receipt-\d+\.json$/.test(n)) : []
    for (const name of names) {
      const text = fs.readFileSync(path.join(dir, name), 'utf8')
      const v = await verifyReceiptFile(ctx, text, { online: true, sources })
      const failed = v.checks.filter((c) => c.status === 'fail' || (c.name === 'rail-evidence' && c.status !== 'pass'))
      if (!v.ok || failed.length > 0) {
        f.other.push(`saved file ${name} does not verify: ${failed.map((c) => `${c.name}: ${c.detail}`).join('; ') || 'not ok'}`)
        continue
      }
      const number = Number(/\d+/.exec(name)![0])
      const file = JSON.parse(text) as ReceiptFile
      if (file.receipt.number !== number || file.sha256 !== shaOf.get(number))
        f.other.push(`saved file ${name} holds receipt ${file.receipt.number} (${file.sha256}), not the workspace's receipt ${number}`)
    }
    return f
  },
}
