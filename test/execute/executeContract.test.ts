/**
 * Execution end to end THROUGH THE CONTRACT (core.api.call) on the sandbox world: Anvil with the
 * token and batch contract, the treasury funded to equal the ledger, the device emulator as the
 * signer. Import a CSV -> submit (preparer) -> approve (second operator) -> execute (signer) ->
 * poller sweeps until confirmed -> every recipient holds what the CSV says, and the ledger equals
 * the chain. And the refusals: a non-signer, a second execute, no signer at all.
 */
import { unlockForTest } from '../../src/main/core/operators/operatorTestKit'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { erc20Abi, type Address } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CallMeta } from '../../src/shared/api'
import { formatAmount, parseAmount } from '../../src/shared/money'
import { createCore } from '../../src/main/core/core'
import { createSandboxSignerSource } from '../../src/main/core/signing/signerSource'
import { createAnvilService } from '../../src/main/sandbox/anvilService'
import { SANDBOX_EVM_TREASURY } from '../../src/main/sandbox/sandboxPlan'
import { sandboxUp, type Sandbox } from '../../src/main/sandbox/sandboxUp'
import { createHarnessClients, type HarnessClients } from '../harness/evm/clients'
import { recipientAddresses } from '../harness/evm/recipients'

const USDC = 'USDC@evm:31337'
const ETH = 'ETH@evm:31337'
/** Sweeps before giving up; each round mines one block. No sleeps. */
const POLL_ROUNDS_MAX = 20

let root: string
let sb: Sandbox
let chain: HarnessClients
let token: Address
const as: Record<'dana' | 'alice' | 'bob' | 'carol', CallMeta> = { dana: {}, alice: {}, bob: {}, carol: {} }

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-exec-contract-'))
  // The test drives every sweep itself: the background poller is as good as off.
  sb = await sandboxUp({ dataDir: root, services: [createAnvilService({ persist: false })], pollIntervalMs: 3_600_000 })
  await sb.core.poller.stop()
  const anvil = sb.description.services.anvil!
  chain = createHarnessClients({ rpcUrl: String(anvil.rpcUrl), chainId: Number(anvil.chainId) })
  token = anvil.token as Address
  for (const o of sb.description.operators) {
    const key = o.name.split(' ')[0]!.toLowerCase() as keyof typeof as
    as[key] = { operatorId: o.id }
  }
}, 90_000)

afterAll(async () => {
  await sb?.stop()
  fs.rmSync(root, { recursive: true, force: true })
})

async function chainUsdc(address: Address): Promise<bigint> {
  return chain.publicClient.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [address] })
}

async function ledgerMinor(assetId: string, scale: number, kinds: readonly string[]): Promise<bigint> {
  const balances = await sb.core.api.call('ledger.balances', { assetId })
  return balances.filter((b) => kinds.includes(b.kind)).reduce((s, b) => s + parseAmount(b.balance, scale, { allowZero: true }), 0n)
}

/** CSV -> draft -> submitted -> approved, all through the contract. */
async function approvedBatch(
  seed: string,
  rows: { asset: 'USDC' | 'ETH'; amount: string }[],
): Promise<{ id: string; recipients: Address[] }> {
  const recipients = recipientAddresses(seed, rows.length)
  const csv = [
    'id,rail,network,asset,recipient,amount,reference,name',
    ...rows.map((r, i) => `${seed}-${i},evm,31337,${r.asset},${recipients[i]},${r.amount},REF-${i},Payee ${i}`),
  ].join('\n')
  const imported = await sb.core.api.call('payouts.import', { csv, batchName: `Contract ${seed}` }, as.alice)
  expect(imported.issues).toEqual([])
  const id = imported.batchId!
  const submitted = await sb.core.api.call('batches.submit', { id }, as.alice)
  await sb.core.api.call('batches.approve', { id, version: submitted.version }, as.bob)
  return { id, recipients }
}

describe('batches.execute through the contract on the sandbox chain', () => {
  it('the sandbox chain holds exactly what the ledger says', async () => {
    expect(await chainUsdc(SANDBOX_EVM_TREASURY)).toBe(await ledgerMinor(USDC, 6, ['treasury', 'escrow']))
    expect(await chain.publicClient.getBalance({ address: SANDBOX_EVM_TREASURY })).toBe(await ledgerMinor(ETH, 18, ['treasury']))
    const rails = await sb.core.api.call('settings.rails.get', {})
    expect(rails.rails.evm?.chains.map((c) => [c.chainId, c.source.address])).toEqual([[31337, SANDBOX_EVM_TREASURY]])
  })

  it('import -> submit -> approve -> execute -> confirm: recipients paid as the CSV says, ledger = chain', async () => {
    const rows = [
      { asset: 'USDC' as const, amount: '125.50' },
      { asset: 'USDC' as const, amount: '0.000001' },
      { asset: 'USDC' as const, amount: '9999' },
      { asset: 'ETH' as const, amount: '0.25' },
    ]
    const { id, recipients } = await approvedBatch('ok', rows)

    // Only a signer may execute.
    await expect(sb.core.api.call('batches.execute', { id }, as.bob)).rejects.toMatchObject({ code: 'ROLE_REQUIRED' })

    const progress: string[] = []
    const off = sb.core.events.subscribe((event, payload) => {
      if (event === 'execution.progress') progress.push((payload as { message: string }).message)
    })
    const result = await sb.core.api.call('batches.execute', { id }, as.carol)
    off()
    expect(result).toMatchObject({ batchId: id, state: 'executing', chunks: 2, broadcast: 2, undelivered: 0 })
    expect(progress).toContainEqual(expect.stringMatching(/^Confirm transaction 1 of 2 on the Sandbox device emulator — \d payouts?, /))

    // A second execute is refused: the batch is executing, nothing is signed twice.
    await expect(sb.core.api.call('batches.execute', { id }, as.carol)).rejects.toMatchObject({ code: 'EXECUTION_STATE' })

    let state = ''
    for (let round = 1; round <= POLL_ROUNDS_MAX; round++) {
      expect((await sb.core.poller.runOnce()).failed).toEqual([])
      state = (await sb.core.api.call('batches.get', { id })).batch.state
      if (state === 'completed') break
      await chain.testClient.mine({ blocks: 1 })
    }
    expect(state).toBe('completed')

    for (const [i, r] of rows.entries()) {
      const onChain =
        r.asset === 'USDC' ? await chainUsdc(recipients[i]!) : await chain.publicClient.getBalance({ address: recipients[i]! })
      expect(formatAmount(onChain, r.asset === 'USDC' ? 6 : 18)).toBe(
        formatAmount(parseAmount(r.amount, r.asset === 'USDC' ? 6 : 18), r.asset === 'USDC' ? 6 : 18),
      )
    }
    expect(await chainUsdc(SANDBOX_EVM_TREASURY)).toBe(await ledgerMinor(USDC, 6, ['treasury', 'escrow']))
    expect(await chain.publicClient.getBalance({ address: SANDBOX_EVM_TREASURY })).toBe(await ledgerMinor(ETH, 18, ['treasury']))

    const subs = await sb.core.api.call('batches.submissions', { id })
    // One chunk per asset: the three USDC payouts, then the ETH one.
    expect(subs.map((s) => [s.chunkIndex, s.attempt, s.state, s.payoutCount])).toEqual([
      [0, 1, 'confirmed', 3],
      [1, 1, 'confirmed', 1],
    ])
    for (const s of subs) {
      expect(s.txHash).toMatch(/^0x[0-9a-f]{64}$/)
      expect(s.explorerUrl).toBeNull()
      expect(s.failure).toBeNull()
    }
    const detail = await sb.core.api.call('batches.get', { id })
    expect(detail.payouts.every((p) => p.state === 'confirmed')).toBe(true)
  }, 60_000)

  it('a core opened with a signer runs the resume pass in the background and says so', async () => {
    const reopened = await createCore({ dataDir: root, signer: createSandboxSignerSource() })
    const seen: unknown[] = []
    reopened.events.subscribe((event, payload) => {
      if (event === 'execution.resumed') seen.push(payload)
    })
    try {
      await reopened.resumed
      expect(seen).toEqual([{ ok: true, code: null, message: expect.stringMatching(/^Resumed: 0 signed and sent, 0 re-sent/) }])
    } finally {
      await reopened.close()
    }
  })

  it('SIGNER_UNAVAILABLE without a signer, RAIL_NOT_CONFIGURED without the chain; nothing is planned', async () => {
    const { id } = await approvedBatch('nosigner', [{ asset: 'USDC', amount: '1' }])
    const bare = await createCore({ dataDir: root })
    try {
      // A new core is a new process: its sessions start locked, so Carol and Dana unlock here.
      for (const o of sb.description.operators) await unlockForTest(bare.api, o)
      await expect(bare.api.call('batches.execute', { id }, as.carol)).rejects.toMatchObject({
        code: 'SIGNER_UNAVAILABLE',
        message: 'No Ledger is connected — connect it, open the Ethereum app and try again.',
      })
      await bare.api.call('settings.rails.set', {}, as.dana)
      await expect(bare.api.call('batches.execute', { id }, as.carol)).rejects.toMatchObject({ code: 'RAIL_NOT_CONFIGURED' })
    } finally {
      await bare.close()
    }
    expect((await sb.core.api.call('batches.get', { id })).batch.state).toBe('approved')
    expect(await sb.core.api.call('batches.submissions', { id })).toEqual([])
  }, 30_000)
})
