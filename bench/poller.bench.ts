// HTTP requests per poller sweep with 1,000 open transactions. A counting proxy sits between the
// EVM rail and a local Anvil and counts every HTTP request, telling JSON-RPC batches (the lookup)
// from single calls (the head probe); the 1,000 transactions are real signed transfers from a
// TEST key with nonces far ahead of the account's, so they wait in Anvil's pool (known to the
// node, no receipt): exactly the steady state of a busy desk.
//
// The sweeps go through a SweepGate as the poller's do: the first one looks up; while no block
// arrives a sweep costs only the block-hash probe (0 batch lookups); after a block is mined
// (straight on Anvil, not through the proxy) the next sweep makes the probe and 1 batch lookup.
//
// Run alone: npx tsx bench/poller.bench.ts   (or: npm run bench -- poller)
import http from 'node:http'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { keccak256 } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { CoreEvents, fixedClock, type CoreContext } from '../src/main/core/context'
import { openDb } from '../src/main/core/db/openDb'
import { createSweepGate } from '../src/main/core/payouts/execute/sweepGate'
import { sweepRail } from '../src/main/core/payouts/execute/sweepRail'
import { createEvmRail } from '../src/main/core/rails/evm'
import { evmAccountPath } from '../src/main/core/signing/bip32Path'
import { startAnvil } from '../test/harness/evm/anvil'
import { deployHarness } from '../test/harness/evm/deployHarness'

export const pollerBenchOpenTxs = 1_000
/** Nonces this far ahead of the account's stay queued in the pool and never mine. */
const nonceGap = 10_000
/** Sweeps in a row with no new block (each should cost only the probe). */
const quietSweeps = 3

/** HTTP requests one sweep made: JSON-RPC batches (lookups) and single calls (by method). */
export interface SweepRequests {
  requests: number
  batches: number
  batchCalls: number[]
  singles: string[]
}

export interface PollerBenchResult {
  openTxs: number
  first: SweepRequests
  noBlock: SweepRequests[]
  newBlock: SweepRequests
  table: string
}

interface CountingProxy {
  url: string
  /** Requests since the last call of take(). */
  take(): SweepRequests
  close(): Promise<void>
}

/** A loopback proxy that forwards to `target` and counts requests, batches apart from single calls. */
async function countingProxy(target: string): Promise<CountingProxy> {
  let seen: SweepRequests = { requests: 0, batches: 0, batchCalls: [], singles: [] }
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown
      seen.requests++
      if (Array.isArray(body)) {
        seen.batches++
        seen.batchCalls.push(body.length)
      } else seen.singles.push(String((body as { method?: unknown }).method))
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
  return {
    url: `http://127.0.0.1:${port}`,
    take() {
      const out = seen
      seen = { requests: 0, batches: 0, batchCalls: [], singles: [] }
      return out
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
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
    await db.run(
      db.k.insertInto('operators').values({ id: 'op-bench', name: 'Bench', roles: '[]', created_at: '2026-01-01T00:00:00.000Z' }),
    )
    await db.run(
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
      await db.run(
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
    // The poller's gate, with an age bound far beyond the bench: only blocks and our writes count.
    const gate = createSweepGate({ lookupAgeMaxMs: 3_600_000 })
    const sweep = async (): Promise<SweepRequests> => {
      proxy.take()
      const r = await sweepRail(ctx, rail, gate)
      if (r.open !== pollerBenchOpenTxs) throw new Error(`expected ${pollerBenchOpenTxs} open, got ${r.open}`)
      return proxy.take()
    }
    const first = await sweep()
    const noBlock: SweepRequests[] = []
    for (let s = 0; s < quietSweeps; s++) noBlock.push(await sweep())
    await fetch(anvil.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'anvil_mine', params: ['0x1'] }),
    })
    const newBlock = await sweep()
    await db.close()
    const describe = (r: SweepRequests): string =>
      `${r.requests} request(s): ${r.batches} batch lookup(s)${r.batches > 0 ? ` (${r.batchCalls.join(', ')} calls)` : ''}, single calls [${r.singles.join(', ')}]`
    const table = [
      `EVM poller: HTTP requests per sweep with ${pollerBenchOpenTxs} open transactions (counting proxy in front of Anvil, poller's SweepGate)`,
      `first sweep:           ${describe(first)}`,
      ...noBlock.map((r, i) => `no block arrived (${i + 1}): ${describe(r)}`),
      `a block arrived:       ${describe(newBlock)}`,
    ].join('\n')
    return { openTxs: pollerBenchOpenTxs, first, noBlock, newBlock, table }
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
