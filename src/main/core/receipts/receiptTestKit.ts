/**
 * TEST ONLY: confirmed payouts without a network, for the receipts tests. A batch is made,
 * submitted and approved through the contract (real operators, signed approvals); its execution
 * is then played through the engine's own state moves — submissions planned, signed, broadcast
 * (audited as the engine audits them) and confirmed with applyVerdict, which books each payout
 * exactly as a real confirmation does. Only the rail is missing: the transaction hashes, blocks and
 * log indexes are made up, deterministically.
 *
 * A receipt attests a FINAL payment: the issuer asks chain 8453 whether each block is past the
 * reorg window (receiptFinality.ts). So each desk's rails setting names chain 8453 at a made-up
 * node in this process (fakeFinalNode): its head is far past every block, and the block at each
 * height is the one payBatch made up there (per desk: the URL's path). Nothing else is answered.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { getAddress } from 'viem'
import { fixedClock, SYSTEM_ACTOR } from '../context'
import { createCore } from '../core'
import { addOperatorForTest, unlockForTest } from '../operators/operatorTestKit'
import { applyVerdict } from '../payouts/execute/applyVerdict'
import { getSubmission, moveSubmission, movePayoutsOf } from '../payouts/execute/executionStore'
import { ALICE, BOB, CAROL, DANA, TREASURY_ADDRESS, USDC, type Desk } from '../payouts/batches/testKit'
import type { Rail } from '../rails/Rail'
import { transitionBatch } from '../payouts/batches/transitionBatch'
import { createMemorySecretStore, type SecretStore } from '../secrets/SecretStore'
import { getRailsSetting, railsConfigFromSetting } from '../rails/getRailsSetting'
import { setRailsSetting } from '../rails/setRailsSetting'
import { evmAccountPath } from '../signing/bip32Path'

export const ETH = 'ETH@evm:8453'

/**
 * The batches desk (payouts/batches/testKit.ts: the same operators, a funded USDC treasury) with a
 * writable secret store for the receipt key (memory unless given), in `dir` (a temp dir unless given),
 * plus a funded ETH treasury for the fees.
 */
export async function openReceiptDesk(
  options: { secrets?: SecretStore; dir?: string; start?: string } = {},
): Promise<Desk & { secrets: SecretStore; dir: string }> {
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-receipts-'))
  const clock = fixedClock(options.start ?? '2026-03-02T09:00:00.000Z')
  const secrets = options.secrets ?? createMemorySecretStore()
  const core = await createCore({ dataDir: dir, clock, secrets, dailyBackup: false })
  const events: Desk['events'] = []
  core.events.subscribe((event, payload) => events.push({ event, payload }))
  const as: Desk['as'] = (operatorId, name, input) => core.api.call(name, input, operatorId !== undefined ? { operatorId } : {})
  const desk = {
    core,
    clock,
    events,
    as,
    secrets,
    dir,
    async close() {
      await core.close()
      if (options.dir === undefined) fs.rmSync(dir, { recursive: true, force: true })
    },
  }
  const existing = await core.ctx.db.all(core.ctx.db.k.selectFrom('operators').select(['id', 'name']))
  if (existing.length > 0) {
    for (const o of existing) await unlockForTest(core.api, o)
    await configureFakeChain(desk, dir) // this process's node (its port) — the stored one was another's
    return desk
  }
  await addOperatorForTest(core.api, { name: 'Dana Admin', roles: ['admin'] })
  await configureFakeChain(desk, dir)
  for (const [name, roles] of [
    ['Alice Preparer', ['preparer']],
    ['Bob Approver', ['approver']],
    ['Carol Approver', ['approver']],
  ] as const)
    await addOperatorForTest(core.api, { name, roles: [...roles] }, { operatorId: DANA })
  await as(DANA, 'ledger.accounts.add', {
    id: 'treasury-usdc',
    name: 'Treasury USDC',
    kind: 'treasury',
    assetId: USDC,
    address: TREASURY_ADDRESS,
  })
  await as(DANA, 'ledger.accounts.add', { id: 'opening-usdc', name: 'Opening USDC', kind: 'external', assetId: USDC })
  await as(DANA, 'ledger.entries.post', {
    entries: [
      {
        id: 'opening-usdc',
        description: 'Opening balance',
        postings: [
          { account: 'treasury-usdc', debit: '100000000.000000' },
          { account: 'opening-usdc', credit: '100000000.000000' },
        ],
      },
    ],
  })
  await openEthTreasury(desk)
  return desk
}

/** Head of the made-up chain: every block payBatch makes up is far past the reorg window. */
export const FAKE_CHAIN_HEAD = 1_000_000n

/** The block hash made up at `height` on the desk `deskKey`. */
function fakeBlockHash(deskKey: string, height: bigint): string {
  return hex32(`block ${deskKey} ${height}`)
}

let fakeNode: Promise<string> | null = null

/**
 * A JSON-RPC "node" in this process, shared by every desk (unref'd: it never keeps the process
 * alive): eth_chainId 8453, the head FAKE_CHAIN_HEAD, and at each height the block payBatch made up
 * for the desk named by the URL's path. Anything else gets HTTP 503, a node that is down: a
 * receipt's evidence looked up online is "not checked (offline)", as with no node at all.
 */
function fakeFinalNode(): Promise<string> {
  fakeNode ??= new Promise((resolve, reject) => {
    const server = http.createServer((req, res) => {
      let body = ''
      req.setEncoding('utf8').on('data', (c: string) => (body += c))
      req.on('end', () => {
        const deskKey = decodeURIComponent((req.url ?? '/').slice(1))
        const parsed = JSON.parse(body) as unknown
        const answer = (c: { id: unknown; method: string; params?: unknown[] }) => {
          const ok = (result: unknown) => ({ jsonrpc: '2.0', id: c.id, result })
          if (c.method === 'eth_chainId') return ok('0x2105')
          if (c.method === 'eth_blockNumber') return ok(`0x${FAKE_CHAIN_HEAD.toString(16)}`)
          if (c.method === 'eth_getBlockByNumber') {
            const tag = String(c.params?.[0])
            const height = tag === 'latest' ? FAKE_CHAIN_HEAD : BigInt(tag)
            return ok(height > FAKE_CHAIN_HEAD ? null : { number: `0x${height.toString(16)}`, hash: fakeBlockHash(deskKey, height) })
          }
          return null
        }
        const out = Array.isArray(parsed) ? parsed.map(answer) : answer(parsed as Parameters<typeof answer>[0])
        // Anything else (a receipt's evidence looked up online): a node that is down — "not checked (offline)".
        if (out === null || (Array.isArray(out) && out.includes(null))) return void res.writeHead(503).end()
        res.setHeader('content-type', 'application/json').end(JSON.stringify(out))
      })
    })
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.unref()
      resolve(`http://127.0.0.1:${(server.address() as { port: number }).port}`)
    })
  })
  return fakeNode
}

/** The desk's rails: chain 8453 at the made-up node, path = the desk's folder name. */
async function configureFakeChain(desk: Desk, dir: string): Promise<void> {
  const url = `${await fakeFinalNode()}/${encodeURIComponent(path.basename(dir))}`
  const setting = await setRailsSetting(
    desk.core.ctx,
    DANA,
    {
      evm: {
        chains: [
          {
            chainId: 8453,
            rpcUrl: url,
            batchContract: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
            confirmationsMin: 2,
            maxFeePerGasCap: '500000000000',
            source: { address: TREASURY_ADDRESS, path: evmAccountPath(0) },
          },
        ],
      },
    },
    { sandbox: false },
  )
  desk.core.rails.replace(railsConfigFromSetting(setting.rails))
}

/** A payee address per index (deterministic, checksummed). */
export function payeeAddress(i: number): string {
  return getAddress(`0x${createHash('sha256').update(`receipt-payee-${i}`).digest('hex').slice(0, 40)}`)
}

function hex32(text: string): string {
  return `0x${createHash('sha256').update(text).digest('hex')}`
}

/** An ETH treasury at the test treasury address (fees are booked from it), funded. */
export async function openEthTreasury(desk: Desk): Promise<void> {
  await desk.as(DANA, 'ledger.accounts.add', {
    id: 'treasury-eth',
    name: 'Treasury ETH',
    kind: 'treasury',
    assetId: ETH,
    address: TREASURY_ADDRESS,
  })
  await desk.as(DANA, 'ledger.accounts.add', { id: 'opening-eth', name: 'Opening ETH', kind: 'external', assetId: ETH })
  await desk.as(DANA, 'ledger.entries.post', {
    entries: [
      {
        id: 'opening-eth',
        description: 'Opening ETH',
        postings: [
          { account: 'treasury-eth', debit: '100' },
          { account: 'opening-eth', credit: '100' },
        ],
      },
    ],
  })
}

export interface PaidRow {
  amount: string
  name?: string
  reference?: string
  recipient?: string
}

/**
 * A batch of USDC@evm:8453 payouts, approved and confirmed: `perTx` payouts per transaction, each
 * transaction's fee `feeWei`. Returns the batch id and the payout ids in row order.
 */
export async function payBatch(
  desk: Desk,
  rows: readonly PaidRow[],
  options: { name?: string; perTx?: number; feeWei?: bigint } = {},
): Promise<{ batchId: string; payoutIds: string[] }> {
  const ctx = desk.core.ctx
  const batch = await desk.as(ALICE, 'batches.create', { name: options.name ?? 'Receipts test batch' })
  await desk.as(ALICE, 'batches.rows.add', {
    id: batch.id,
    rows: rows.map((r, i) => ({
      assetId: USDC,
      recipient: r.recipient ?? payeeAddress(i),
      amount: r.amount,
      ...(r.name !== undefined ? { name: r.name } : {}),
      ...(r.reference !== undefined ? { reference: r.reference } : {}),
    })),
  })
  const submitted = await desk.as(ALICE, 'batches.submit', { id: batch.id })
  await desk.as(BOB, 'batches.approve', { id: batch.id, version: submitted.version })
  const payouts = await ctx.db.all(ctx.db.k.selectFrom('payouts').select('id').where('batch_id', '=', batch.id).orderBy('row_no'))
  const payoutIds = payouts.map((p) => p.id)
  const perTx = options.perTx ?? 100
  const feeWei = options.feeWei ?? 21_000n * 10n ** 9n
  await ctx.db.tx(() => transitionBatch(ctx, CAROL, batch.id, 'executing', { reason: 'executed (receipts test)' }))
  const fakeRail = { feeAssetId: ETH } as unknown as Rail
  // Each transaction in a block of its own, above every earlier one of this desk (the made-up node's blocks).
  const top = await ctx.db.first(
    ctx.db.k.selectFrom('submissions').select((eb) => eb.fn.max(eb.cast<number>('block_number', 'integer')).as('n')),
  )
  const firstBlock = top?.n === null || top?.n === undefined ? 1000n : BigInt(top.n) + 1n
  const rpcUrl = (await getRailsSetting(ctx)).rails.evm?.chains.find((c) => c.chainId === 8453)?.rpcUrl ?? ''
  const deskKey = decodeURIComponent(new URL(rpcUrl).pathname.slice(1))
  for (let start = 0, chunk = 0; start < payoutIds.length; start += perTx, chunk++) {
    const ids = payoutIds.slice(start, start + perTx)
    const id = `${batch.id}:c${chunk}:a1`
    const txHash = hex32(`tx ${id}`)
    await ctx.db.tx(async () => {
      const now = ctx.clock.now().toISOString()
      await ctx.db.run(
        ctx.db.k.insertInto('submissions').values({
          id,
          batch_id: batch.id,
          rail: 'evm',
          network: '8453',
          chunk_index: chunk,
          attempt: 1,
          state: 'planned',
          source: TREASURY_ADDRESS,
          nonce: String(chunk),
          idempotency_key: `receipt-test:${id}`,
          unsigned_payload: null,
          signed_payload: null,
          tx_hash: null,
          fee_cap: null,
          fee_paid: null,
          block_number: null,
          block_hash: null,
          failure_code: null,
          failure_message: null,
          created_at: now,
          updated_at: now,
        }),
      )
      for (const [idx, payoutId] of ids.entries()) {
        await ctx.db.run(ctx.db.k.insertInto('submission_payouts').values({ submission_id: id, payout_id: payoutId, idx }))
        await ctx.db.run(ctx.db.k.updateTable('payouts').set({ submission_id: id }).where('id', '=', payoutId))
      }
      await movePayoutsOf(ctx, id, 'planned')
      const planned = await getSubmission(ctx, id)
      await moveSubmission(ctx, CAROL, planned, 'signed', { signed_payload: '0x02', tx_hash: txHash })
      await movePayoutsOf(ctx, id, 'signed')
      await moveSubmission(ctx, SYSTEM_ACTOR, await getSubmission(ctx, id), 'broadcast')
      await movePayoutsOf(ctx, id, 'broadcast')
    })
    desk.clock.advance(60_000)
    await applyVerdict(ctx, fakeRail, await getSubmission(ctx, id), {
      kind: 'confirmed',
      blockNumber: String(firstBlock + BigInt(chunk)),
      blockHash: fakeBlockHash(deskKey, firstBlock + BigInt(chunk)),
      feePaid: feeWei,
      feeAssetId: ETH,
      payouts: ids.map((payoutId, i) => ({ payoutId, logIndex: 2 * i + 1 })),
    })
  }
  return { batchId: batch.id, payoutIds }
}
