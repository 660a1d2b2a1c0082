// HTTP requests per poller sweep with 1,000 open transactions. A counting proxy sits between the
// EVM rail and a local Anvil and counts every HTTP request; the 1,000 transactions are real signed
// transfers from a TEST key with nonces far ahead of the account's, so they wait in Anvil's pool
// (known to the node, no receipt): exactly the steady state of a busy desk.
//
// Run alone: npx tsx bench/poller.bench.ts
import http from 'node:http'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { keccak256 } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { CoreEvents, fixedClock, type CoreContext } from '../src/main/core/context'
import { openDb } from '../src/main/core/db/openDb'
import { sweepRail } from '../src/main/core/payouts/execute/sweepRail'
import { createEvmRail } from '../src/main/core/rails/evm'
import { evmAccountPath } from '../src/main/core/signing/bip32Path'
import { startAnvil } from '../test/harness/evm/anvil'
import { deployHarness } from '../test/harness/evm/deployHarness'

export const pollerBenchOpenTxs = 1_000
const sweeps = 3
/** Nonces this far ahead of the account's stay queued in the pool and never mine. */
const nonceGap = 10_000

export interface PollerBenchResult {
  openTxs: number
  requestsPerSweep: number[]
  table: string
}

/** A loopback proxy that forwards to `target` and counts requests. */
async function countingProxy(target: string): Promise<{ url: string; count(): number; close(): Promise<void> }> {
  let n = 0
  const server = http.createServer((req, res) => {
    n++
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.concat(chunks) })
        .then(async (r) => {
          res.writeHead(r.status, { 'content-type': 'application/json' })
          res.end(Buffer.from(await r.arrayBuffer()))
        })
        .catch(() => {
          res.writeHead(502)
          res.end()
        })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return { url: `http://127.0.0.1:${port}`, count: () => n, close: () => new Promise((resolve) => server.close(() => resolve())) }
}

export async function runPollerBench(): Promise<PollerBenchResult> {
  const anvil = await startAnvil({ accountCount: 3 })
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-poller-bench-'))
  const proxy = await countingProxy(anvil.rpcUrl)
  try {
    const h = await deployHarness(anvil)
    const account = privateKeyToAccount(h.treasury.testOnlyPrivateKey)
    const db = await openDb({ dataDir: dir })
    const ctx: CoreContext = { db, clock: fixedClock(), events: new CoreEvents() }
    db.run(db.k.insertInto('operators').values({ id: 'op-bench', name: 'Bench', roles: '[]', created_at: '2026-01-01T00:00:00.000Z' }))
    db.run(
      db.k.insertInto('batches').values({
        id: 'bench',
        name: 'bench',
        state: 'executing',
        version: 1,
        source: null,
        created_by: 'op-bench',
        editors: '[]',
        created_at: '2026-01-01T00:00:00.000Z',
        updated_at: '2026-01-01T00:00:00.000Z',
      }),
    )
    const raws: `0x${string}`[] = []
    for (let i = 0; i < pollerBenchOpenTxs; i++) {
      const nonce = nonceGap + i
      const signed = await account.signTransaction({
        type: 'eip1559',
        chainId: anvil.chainId,
        nonce,
        to: h.deployer.address,
        value: 1n,
        gas: 21_000n,
        maxFeePerGas: 10n ** 10n,
        maxPriorityFeePerGas: 10n ** 9n,
      })
      raws.push(signed)
      db.run(
        db.k.insertInto('submissions').values({
          id: `bench:${i}`,
          batch_id: 'bench',
          rail: 'evm',
          network: String(anvil.chainId),
          chunk_index: i,
          attempt: 1,
          state: 'broadcast',
          source: h.treasury.address,
          nonce: String(nonce),
          idempotency_key: `bench:${i}`,
          unsigned_payload: null,
          signed_payload: signed,
          tx_hash: keccak256(signed),
          fee_cap: null,
          fee_paid: null,
          block_number: null,
          block_hash: null,
          failure_code: null,
          failure_message: null,
          created_at: '2026-01-01T00:00:00.000Z',
          updated_at: '2026-01-01T00:00:00.000Z',
        }),
      )
    }
    // Put them in the pool directly (not through the proxy): the sweep should find them known.
    for (const raw of raws) {
      await fetch(anvil.rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_sendRawTransaction', params: [raw] }),
      })
    }
    const rail = createEvmRail(
      {
        chainId: anvil.chainId,
        rpcUrl: anvil.rpcUrl,
        batchContract: h.batch,
        confirmationsMin: 2,
        maxFeePerGasCap: 10n ** 12n,
        source: { address: h.treasury.address, path: evmAccountPath(0) },
      },
      { rpcUrl: proxy.url },
    )
    const requestsPerSweep: number[] = []
    for (let s = 0; s < sweeps; s++) {
      const before = proxy.count()
      const r = await sweepRail(ctx, rail)
      if (r.open !== pollerBenchOpenTxs) throw new Error(`expected ${pollerBenchOpenTxs} open, got ${r.open}`)
      requestsPerSweep.push(proxy.count() - before)
    }
    await db.close()
    const table = [
      `EVM poller: HTTP requests per sweep with ${pollerBenchOpenTxs} open transactions (counting proxy in front of Anvil)`,
      `sweeps: ${requestsPerSweep.join(', ')} request(s) — one JSON-RPC batch (${2 * pollerBenchOpenTxs + 2} calls) per sweep`,
    ].join('\n')
    return { openTxs: pollerBenchOpenTxs, requestsPerSweep, table }
  } finally {
    await proxy.close()
    await anvil.stop()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runPollerBench().then(
    (r) => console.log(r.table),
    (error: unknown) => {
      console.error(error)
      process.exit(1)
    },
  )
}
