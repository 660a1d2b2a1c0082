/**
 * Receipts on the sandbox (issue 16, "What it must show"): a batch paid on all three rails
 * (Anvil, the Horizon harness, the Stripe harness) is receipted by the poller on its own, and
 * each receipt's evidence is the rail's own record — read back from Anvil (the Paid log at the
 * stated index pays that recipient that amount), from Horizon (the operation at the stated index
 * of that transaction pays them) and from the Stripe harness (the transfer, its balance
 * transaction). Every receipt verifies online against the rails. A Stripe reversal gets its own
 * receipt naming the original's number and hash; a Stripe escrow's release and resolve get
 * release and refund receipts. With every rail out of reach, verify still passes and says the
 * evidence was not checked.
 */
import { TransactionBuilder, type Transaction } from '@stellar/stellar-base'
import { createPublicClient, decodeEventLog, getAddress, http, type Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Sandbox } from '../../src/main/sandbox/sandboxUp'
import { createAnvilService } from '../../src/main/sandbox/anvilService'
import { createStellarService } from '../../src/main/sandbox/stellarService'
import { createStripeService } from '../../src/main/sandbox/stripeService'
import {
  ANVIL_ACCOUNTS,
  SANDBOX_STELLAR_NETWORK,
  SANDBOX_STELLAR_PAYEES,
  SANDBOX_STRIPE_ACCOUNTS,
} from '../../src/main/sandbox/sandboxPlan'
import { countersignBatchAbi } from '../../src/main/core/rails/evm/abi'
import { sweepEscrowTxs } from '../../src/main/core/escrow/sweepEscrowTxs'
import { verifyReceiptFile } from '../../src/main/core/receipts/verifyReceiptFile'
import { attestBatch } from '../../src/main/core/receipts/attest/batchAttestation'
import { canonicalJson } from '../../src/main/core/util/canonicalJson'
import type { ReceiptFile } from '../../src/shared/receiptTypes'
import { createHarnessClients } from '../harness/evm/clients'
import { mine, reorg } from '../harness/evm/control'
import { recipientAddresses } from '../harness/evm/recipients'
import type { StripeHarness } from '../harness/stripe'
import { paySandboxBatch, startQuietSandbox, type QuietSandbox, type SandboxOperators } from '../recon/sandboxBatchKit'

let quiet: QuietSandbox | undefined
let sb: Sandbox
let h: StripeHarness
let as: SandboxOperators

beforeAll(async () => {
  const stripe = createStripeService()
  quiet = await startQuietSandbox('receipts-sandbox', {
    services: [createAnvilService({ persist: false }), createStellarService(), stripe],
  })
  ;({ sb, as } = quiet)
  h = stripe.harness()!
}, 120_000)

afterAll(async () => {
  await quiet?.stop()
})

const PAYOUTS = [
  ['rc-evm-usdc', 'evm', '31337', 'USDC', ANVIL_ACCOUNTS[1], '12.345678'],
  ['rc-evm-eth', 'evm', '31337', 'ETH', ANVIL_ACCOUNTS[3], '0.01'],
  ['rc-xlm-usdc', 'stellar', SANDBOX_STELLAR_NETWORK, 'USDC', SANDBOX_STELLAR_PAYEES['payee-1'], '3.1234567'],
  ['rc-xlm-xlm', 'stellar', SANDBOX_STELLAR_NETWORK, 'XLM', SANDBOX_STELLAR_PAYEES['payee-2'], '2'],
  ['rc-stripe-1', 'stripe', 'stripe', 'USD', SANDBOX_STRIPE_ACCOUNTS.freelancer, '10.00'],
  ['rc-stripe-2', 'stripe', 'stripe', 'USD', SANDBOX_STRIPE_ACCOUNTS.studio, '20.00'],
] as const

async function fileOfPayout(payoutId: string): Promise<ReceiptFile> {
  const page = await sb.core.api.call('receipts.list', { query: payoutId })
  const item = page.items.find((i) => i.payoutId === payoutId && i.kind === 'payout')
  expect(item, `receipt of ${payoutId}`).toBeDefined()
  return (await sb.core.api.call('receipts.get', { number: item!.number })).file as ReceiptFile
}

/** Approves and executes an escrow action, then sweeps the escrow engine (after `eachRound`, e.g. a block mined) until it is done. */
async function runEscrowAction(escrowId: string, actionId: string, eachRound?: () => Promise<void>): Promise<void> {
  await sb.core.api.call('escrow.approve', { actionId }, as.bob)
  await sb.core.api.call('escrow.execute', { actionId }, as.carol)
  for (let round = 0; round < 6; round++) {
    await eachRound?.()
    await sweepEscrowTxs(sb.core.ctx, await sb.core.escrowRails.load())
    const detail = await sb.core.api.call('escrow.get', { id: escrowId })
    if (detail.actions.find((a) => a.id === actionId)?.state === 'done') return
  }
  throw new Error(`escrow action ${actionId} did not finish`)
}

const statusOf = (v: { checks: { name: string; status: string }[] }) => Object.fromEntries(v.checks.map((c) => [c.name, c.status]))

describe('receipts on the sandbox', () => {
  it('are issued by the poller, hold each rail’s own evidence, and verify online', async () => {
    const batchId = await paySandboxBatch(sb, as, PAYOUTS, 'Receipts end to end')
    // Nobody asks: the poller's sweep issues them.
    expect((await sb.core.api.call('receipts.list', {})).items).toHaveLength(0)
    await sb.core.poller.runOnce()
    const page = await sb.core.api.call('receipts.list', { batchId })
    expect(page.items.map((i) => i.payoutId).sort()).toEqual(PAYOUTS.map((p) => p[0]).sort())
    expect(page.items.map((i) => i.number).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6])

    // EVM: the log at the stated index is the contract's Paid event for this payee and amount.
    const evm = sb.core.rails.config.evm!.chains[0]!
    const client = createPublicClient({ transport: http(evm.rpcUrl) })
    for (const [id, , , , recipient, amount] of PAYOUTS.slice(0, 2)) {
      const f = await fileOfPayout(id)
      const e = f.receipt.evidence
      if (e.rail !== 'evm') throw new Error(`${id}: ${e.rail} evidence`)
      const tx = await client.getTransactionReceipt({ hash: e.txHash as Hex })
      expect([tx.blockNumber.toString(), tx.blockHash, getAddress(tx.from), getAddress(tx.to!)]).toEqual([
        e.blockNumber,
        e.blockHash,
        getAddress(e.from),
        getAddress(evm.batchContract),
      ])
      expect(getAddress(e.to)).toBe(getAddress(evm.batchContract))
      const log = tx.logs.find((l) => l.logIndex === e.logIndex)!
      const paid = decodeEventLog({ abi: countersignBatchAbi, eventName: 'Paid', topics: log.topics as [Hex, ...Hex[]], data: log.data })
      expect([getAddress(paid.args.recipient), paid.args.amount.toString()]).toEqual([getAddress(recipient), f.receipt.amount.minor])
      expect(f.receipt.amount.value).toBe(id === 'rc-evm-eth' ? '0.010000000000000000' : amount)
      expect(f.receipt.timeline.map((t) => t.kind)).toEqual(['created', 'approved', 'signed', 'broadcast', 'confirmed'])
      expect(f.receipt.timeline.at(-1)!.detail).toMatch(/confirmation/)
    }

    // Stellar: Horizon has the transaction in the stated ledger; the stated operation pays this payee this amount.
    const horizonUrl = sb.core.rails.config.stellar!.networks[0]!.horizonUrl
    for (const [id, , , , recipient, amount] of PAYOUTS.slice(2, 4)) {
      const e = (await fileOfPayout(id)).receipt.evidence
      if (e.rail !== 'stellar') throw new Error(`${id}: ${e.rail} evidence`)
      expect(e.networkPassphrase).toBe('standalone')
      const record = (await (await fetch(`${horizonUrl}/transactions/${e.txHash}`)).json()) as {
        ledger: number
        envelope_xdr: string
        source_account: string
      }
      expect([String(record.ledger), record.source_account]).toEqual([e.ledger, e.source])
      const op = (TransactionBuilder.fromXDR(record.envelope_xdr, 'Standalone Network ; February 2017') as Transaction).operations[
        e.operationIndex
      ] as {
        destination: string
        amount: string
      }
      expect([op.destination, Number(op.amount).toFixed(7)]).toEqual([recipient, Number(amount).toFixed(7)])
    }

    // Stripe: the transfer to this account, and its balance transaction once the sync saw it.
    await sb.core.api.call('stripe.sync', {}, as.dana)
    await sb.core.poller.runOnce()
    for (const [id, , , , destination] of PAYOUTS.slice(4)) {
      const e = (await fileOfPayout(id)).receipt.evidence
      if (e.rail !== 'stripe') throw new Error(`${id}: ${e.rail} evidence`)
      expect(e.transferId).toMatch(/^tr_/)
      expect(e.destination).toBe(destination)
      const transfer = (h.transfers() as { id: string; destination: string }[]).find((t) => t.id === e.transferId)
      expect(transfer?.destination).toBe(destination)
    }

    // Every receipt verifies, the rail's evidence included.
    for (const item of page.items) {
      const file = (await sb.core.api.call('receipts.get', { number: item.number })).file
      const v = await sb.core.api.call('receipts.verify', { content: canonicalJson(file), encoding: 'text' })
      expect(v.ok, JSON.stringify(v.checks)).toBe(true)
      expect(statusOf(v)).toMatchObject({ hash: 'pass', signature: 'pass', key: 'pass', 'rail-evidence': 'pass' })
    }

    // Every rail out of reach: nothing fails, the evidence is "not checked (offline)".
    const file = await fileOfPayout('rc-evm-usdc')
    const offline = await verifyReceiptFile(sb.core.ctx, canonicalJson(file), {
      online: true,
      sources: { evmRpcUrl: () => 'http://127.0.0.1:9', horizonUrl: () => 'http://127.0.0.1:9', stripe: async () => null },
    })
    expect(offline.ok).toBe(true)
    expect(offline.checks.find((c) => c.name === 'rail-evidence')).toMatchObject({
      status: 'skipped',
      detail: expect.stringMatching(/^not checked \(offline\)/),
    })

    // The rail contradicting the receipt is a failure: the same transaction claimed for another amount is caught by the evidence check only.
    const lying = { ...file.receipt, amount: { ...file.receipt.amount, minor: '12345679' } }
    const check = await verifyReceiptFile(sb.core.ctx, canonicalJson({ ...file, receipt: lying }), { online: true })
    expect(statusOf(check)).toMatchObject({ hash: 'fail', 'rail-evidence': 'fail' })
  })

  it('carries the treasury device’s signature over the batch; a proof from another batch does not verify', async () => {
    const signer = async () => (await sb.core.executionDeps()).signer!
    const first = (await fileOfPayout('rc-evm-usdc')).receipt.subject.batchId!
    await attestBatch(sb.core.ctx, first, { signer, chain: 'evm', actor: 'test' })
    const second = await paySandboxBatch(sb, as, [['rc-evm-2', 'evm', '31337', 'USDC', ANVIL_ACCOUNTS[2], '1.5']], 'Second EVM batch')
    // Confirmed is not final: asked now, its receipt waits; the sandbox's next sweep moves its chain past the reorg window and issues it.
    expect((await sb.core.api.call('receipts.issue', {}, as.alice)).waitingFor).toEqual([
      expect.objectContaining({ payoutId: 'rc-evm-2', waitingFor: expect.objectContaining({ kind: 'finality', windowBlocks: 64 }) }),
    ])
    await sb.core.poller.runOnce()
    await attestBatch(sb.core.ctx, second, { signer, chain: 'evm', actor: 'test' })

    const mine = await fileOfPayout('rc-evm-eth')
    const other = await fileOfPayout('rc-evm-2')
    expect(mine.batchAttestation).toMatchObject({ chain: 'evm', batchId: first, leafCount: 2 })
    expect(getAddress(mine.batchAttestation!.signer)).toBe(getAddress(mine.receipt.payer.account))
    const v = await sb.core.api.call('receipts.verify', { content: canonicalJson(mine), encoding: 'text', online: false })
    expect(v.ok, JSON.stringify(v.checks)).toBe(true)
    expect(statusOf(v)['batch-attestation']).toBe('pass')
    // Stripe and Stellar receipts of the first batch: Stripe carries none; Stellar is not attested yet.
    expect((await fileOfPayout('rc-stripe-1')).batchAttestation).toBeNull()

    const swapped = await verifyReceiptFile(sb.core.ctx, canonicalJson({ ...mine, batchAttestation: other.batchAttestation }), {
      online: false,
    })
    expect(swapped.ok).toBe(false)
    expect(statusOf(swapped)).toMatchObject({ hash: 'pass', signature: 'pass', 'batch-attestation': 'fail' })
  })

  it('gives a Stripe reversal its own receipt, linked to the original by number and hash', async () => {
    const original = await fileOfPayout('rc-stripe-2')
    const e = original.receipt.evidence
    if (e.rail !== 'stripe') throw new Error('not a Stripe receipt')
    h.reverseTransfer(e.transferId, 750n)
    await sb.core.api.call('stripe.sync', {}, as.dana)
    const issued = await sb.core.api.call('receipts.issue', {}, as.alice)
    expect(issued.issued).toBe(1)
    const reversal = (await sb.core.api.call('receipts.get', { number: issued.first! })).file
    expect(reversal.receipt).toMatchObject({
      kind: 'reversal',
      amount: { value: '7.50', minor: '750', assetId: 'USD@stripe' },
      payee: original.receipt.payee,
      subject: { id: 'rc-stripe-2' },
      previous: { number: original.receipt.number, displayNumber: original.receipt.displayNumber, sha256: original.sha256 },
      evidence: { rail: 'stripe', transferId: e.transferId },
    })
    expect(reversal.receipt.timeline.map((t) => t.kind)).toEqual(['reversed'])
    const v = await sb.core.api.call('receipts.verify', { content: canonicalJson(reversal), encoding: 'text' })
    expect(v.ok, JSON.stringify(v.checks)).toBe(true)
    expect(statusOf(v)['rail-evidence']).toBe('pass')
    const history = await sb.core.api.call('receipts.payee', { payee: SANDBOX_STRIPE_ACCOUNTS.studio })
    expect(history.totals).toEqual([
      expect.objectContaining({ assetId: 'USD@stripe', paid: '20.00', reversed: '7.50', net: '12.50', count: 2 }),
    ])
  })

  it('receipts a Stripe escrow’s release (to the payee) and its resolve (both parts)', async () => {
    const api = sb.core.api
    const order = 'RC-ORDER-1'
    const paid = h.customerPays({ amount: 30_000n, currency: 'usd', transferGroup: order })
    const later = (hours: number) => new Date(sb.core.ctx.clock.now().getTime() + hours * 3_600_000).toISOString()
    const created = await api.call(
      'escrow.create',
      {
        id: order,
        name: 'Receipt order',
        rail: 'stripe',
        network: 'stripe',
        assetId: 'USD@stripe',
        payee: SANDBOX_STRIPE_ACCOUNTS.agency,
        payeeName: 'Agency Ltd',
        funding: 'charge',
        fundingCharge: paid.charge,
        autoRelease: false,
        expiresAt: later(24 * 30),
        milestones: [
          { title: 'Design', amount: '100.00', reviewWindowHours: 1, reviewEndsAt: later(2) },
          { title: 'Build', amount: '200.00', reviewWindowHours: 1, reviewEndsAt: later(3) },
        ],
      },
      as.alice,
    )
    const run = (actionId: string) => runEscrowAction(order, actionId)
    await run(created.actions[0]!.id)
    await api.call('escrow.request', { id: order, kind: 'release', milestone: 1 }, as.alice)
    await run((await api.call('escrow.get', { id: order })).actions.at(-1)!.id)
    await api.call('escrow.dispute', { id: order, milestone: 2, reason: 'Not finished' }, as.alice)
    await api.call('escrow.request', { id: order, kind: 'resolve', milestone: 2, toPayee: '140.00', toPayer: '60.00' }, as.alice)
    await run((await api.call('escrow.get', { id: order })).actions.at(-1)!.id)

    const issued = await api.call('receipts.issue', {}, as.alice)
    expect(issued.issued).toBe(3)
    const files = await Promise.all(
      [issued.first!, issued.first! + 1, issued.first! + 2].map(async (n) => (await api.call('receipts.get', { number: n })).file),
    )
    expect(
      files.map((f) => [
        f.receipt.kind,
        f.receipt.amount.value,
        f.receipt.subject.milestone,
        f.receipt.evidence.rail === 'stripe' ? f.receipt.evidence.transferId.slice(0, 3) : '',
      ]),
    ).toEqual([
      ['escrow_release', '100.00', 1, 'tr_'],
      ['escrow_release', '140.00', 2, 'tr_'],
      ['escrow_refund', '60.00', 2, 're_'],
    ])
    for (const f of files) {
      expect(f.receipt).toMatchObject({
        payee: { name: 'Agency Ltd', recipient: SANDBOX_STRIPE_ACCOUNTS.agency },
        subject: { escrowId: order },
        previous: null,
      })
      const v = await api.call('receipts.verify', { content: canonicalJson(f), encoding: 'text' })
      expect(v.ok, JSON.stringify(v.checks)).toBe(true)
      expect(statusOf(v)['rail-evidence']).toBe('pass')
    }
  })

  it('holds an EVM escrow release’s receipt until its block is past the reorg window (a reorg meanwhile holds it too), then names that block and verifies online', async () => {
    const api = sb.core.api
    const db = sb.core.ctx.db
    const anvil = { rpcUrl: String(sb.description.services.anvil!.rpcUrl), chainId: 31337 }
    const head = async () => await createHarnessClients(anvil).publicClient.getBlockNumber()
    const later = (hours: number) => new Date(sb.core.ctx.clock.now().getTime() + hours * 3_600_000).toISOString()
    const order = 'RC-EVM-ORDER-1'
    const created = await api.call(
      'escrow.create',
      {
        id: order,
        name: 'Chain order',
        rail: 'evm',
        network: '31337',
        assetId: 'USDC@evm:31337',
        payee: recipientAddresses('rc-evm-escrow', 1)[0]!,
        payeeName: 'Chain Studio',
        autoRelease: false,
        expiresAt: later(24 * 30),
        milestones: [{ title: 'Design', amount: '5.00', reviewWindowHours: 1, reviewEndsAt: later(2) }],
      },
      as.alice,
    )
    // A block on top before each sweep: confirmed at confirmationsMin (2).
    const mineOne = () => mine(anvil, 1)
    await runEscrowAction(order, created.actions[0]!.id, mineOne)
    await api.call('escrow.request', { id: order, kind: 'release', milestone: 1 }, as.alice)
    const releaseId = (await api.call('escrow.get', { id: order })).actions.at(-1)!.id
    await runEscrowAction(order, releaseId, mineOne)
    const txOf = async () =>
      (await db.first(db.k.selectFrom('escrow_txs').selectAll().where('action_id', '=', releaseId).orderBy('attempt', 'desc')))!
    const first = await txOf()
    expect(first).toMatchObject({ rail: 'evm', state: 'confirmed' })
    expect((await head()) - BigInt(first.block_number!) + 1n).toBe(2n)

    // Confirmed, not final: no receipt; due, waiting for finality, named as the escrow it pays out of.
    const wait = { kind: 'finality', network: '31337', block: first.block_number, blocksLeft: 64, windowBlocks: 64 }
    const held = await api.call('receipts.issue', {}, as.alice)
    expect(held).toMatchObject({ issued: 0, waiting: 1 })
    const item = {
      subjectKey: `escrow:${releaseId}:1`,
      kind: 'escrow',
      payoutId: null,
      rail: 'evm',
      network: '31337',
      title: 'Escrow "Chain order", milestone 1: released to the payee',
      waitingFor: wait,
      reason: `Waiting for finality: block ${first.block_number} on Local Anvil is still inside the 64-block reorg window; the receipt is issued after 64 more blocks.`,
    }
    expect(held.waitingFor).toEqual([item])
    expect(await api.call('receipts.due', {})).toEqual({ due: 1, waiting: 1, items: [item] })

    // A reorg of depth 2 takes the block away; before the engine has seen it, the books still name the gone block: it waits.
    await reorg(anvil, 2)
    expect((await api.call('receipts.issue', {}, as.alice)).waitingFor).toEqual([
      expect.objectContaining({
        subjectKey: item.subjectKey,
        waitingFor: { kind: 'reorged', network: '31337', block: first.block_number },
      }),
    ])
    // The engine sends the same bytes again; they land in another block.
    for (let round = 0; round < 8; round++) {
      const now = await txOf()
      if (now.state === 'confirmed' && now.block_hash !== first.block_hash) break
      await sweepEscrowTxs(sb.core.ctx, await sb.core.escrowRails.load())
      await mineOne()
    }
    const moved = await txOf()
    expect(moved).toMatchObject({ state: 'confirmed', tx_hash: first.tx_hash })
    expect(moved.block_hash).not.toBe(first.block_hash)

    // Past the window by the one rule: one block short still waits, the next one issues.
    const left = BigInt(moved.block_number!) + 64n + 1n - (await head())
    if (left > 1n) await mine(anvil, Number(left - 1n))
    expect((await api.call('receipts.issue', {}, as.alice)).waitingFor).toEqual([
      expect.objectContaining({ waitingFor: { ...wait, block: moved.block_number, blocksLeft: 1 } }),
    ])
    await mineOne()
    const issued = await api.call('receipts.issue', {}, as.alice)
    expect(issued).toMatchObject({ issued: 1, waiting: 0 })
    const file = (await api.call('receipts.get', { number: issued.first! })).file
    expect(file.receipt).toMatchObject({
      kind: 'escrow_release',
      amount: { value: '5.000000', minor: '5000000', assetId: 'USDC@evm:31337' },
      subject: { escrowId: order, milestone: 1 },
      evidence: { rail: 'evm', txHash: moved.tx_hash, blockNumber: moved.block_number, blockHash: moved.block_hash },
    })
    const v = await api.call('receipts.verify', { content: canonicalJson(file), encoding: 'text' })
    expect(v.ok, JSON.stringify(v.checks)).toBe(true)
    expect(statusOf(v)['rail-evidence']).toBe('pass')
  })
})
