/**
 * A batch whose signing stopped part-way is shown as waiting for a signer, and nobody is told it
 * carries on by itself (issue 17, finding 14). On the sandbox (Anvil + the device emulator behind
 * the real Ledger signer), one payout per transaction: the device locks after transaction 1 of 3.
 * Then batches.list and batches.get report it (signed 1 of 3, 2 waiting), the CLI's list names
 * the command, executing it again is refused with what to do — but not while someone holds the
 * batch (signing it now) — and Resume pays the rest, after which nothing is reported any more.
 */
import { getAddress, keccak256, toHex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Sandbox } from '../../src/main/sandbox/sandboxUp'
import { createAnvilService } from '../../src/main/sandbox/anvilService'
import { thisHost } from '../../src/main/core/payouts/execute/claimBatch'
import { sweepRail } from '../../src/main/core/payouts/execute/sweepRail'
import { createSandboxEmulators, createSandboxSigner, type SandboxEmulators } from '../../src/main/core/signing/sandboxSigner'
import { SANDBOX_SIGNER_LABEL, staticSignerSource } from '../../src/main/core/signing/signerSource'
import { hasErrorCode } from '../../src/shared/errors'
import { runCli } from '../cli/cliHarness'
import { SETTLE_ROUNDS_MAX, startQuietSandbox, type QuietSandbox, type SandboxOperators } from '../recon/sandboxBatchKit'

let root: string
let quiet: QuietSandbox | undefined
let sb: Sandbox
let as: SandboxOperators
let emulators: SandboxEmulators

beforeAll(async () => {
  emulators = createSandboxEmulators()
  quiet = await startQuietSandbox('signing-stopped', {
    services: [createAnvilService({ persist: false })],
    signer: staticSignerSource(createSandboxSigner(emulators), SANDBOX_SIGNER_LABEL),
  })
  ;({ sb, dir: root, as } = quiet)
  // One payout per transaction: three transactions for three payouts.
  const rails = await sb.core.api.call('settings.rails.get', {})
  await sb.core.api.call(
    'settings.rails.set',
    { ...rails.rails, evm: { chains: rails.rails.evm!.chains.map((c) => ({ ...c, payoutsPerChunkMax: 1 })) } },
    as.dana,
  )
}, 120_000)

afterAll(async () => {
  await quiet?.stop()
})

describe('signing stopped part-way', () => {
  it('is reported until a signer resumes it, with what to do; never while someone signs it', async () => {
    const api = sb.core.api
    const payees = [1, 2, 3].map((n) => getAddress(keccak256(toHex(`countersign signing stopped ${n}`)).slice(0, 42)))
    const csv = ['id,rail,network,asset,recipient,amount', ...payees.map((p, i) => `stop-${i},evm,31337,USDC,${p},${i + 1}.25`)].join('\n')
    const imported = await api.call('payouts.import', { csv, batchName: 'Interrupted run' }, as.alice)
    const id = imported.batchId!
    const submitted = await api.call('batches.submit', { id }, as.alice)
    await api.call('batches.approve', { id, version: submitted.version }, as.bob)

    // The signer approves transaction 1 on the device, which then locks before transaction 2.
    const eth = emulators.ethereum
    eth.setUser('manual')
    const executing = api.call('batches.execute', { id }, as.carol)
    ;(await eth.nextPrompt()).approve()
    eth.lock()
    const failure = await executing.then(
      () => null,
      (error: unknown) => error,
    )
    expect(hasErrorCode(failure, 'DEVICE_LOCKED'), String(failure)).toBe(true)

    const stopped = { signed: 1, total: 3, unsigned: 2 }
    const listed = (await api.call('batches.list', {})).batches.find((b) => b.id === id)!
    expect([listed.state, listed.signingStopped]).toEqual(['executing', stopped])
    expect((await api.call('batches.get', { id })).batch.signingStopped).toEqual(stopped)

    // The CLI's list says it under the table, with the command; --json carries the same field.
    const text = await runCli(['--data-dir', root, 'batches', 'list'])
    expect(text.stdout).toContain('executing — SIGNING STOPPED 1/3')
    expect(text.stdout).toContain(`Signing of batch "Interrupted run" stopped at transaction 2 of 3 (2 still to sign on the device)`)
    expect(text.stdout).toContain(`countersign batches resume ${id} --as NAME`)
    const json = JSON.parse((await runCli(['--data-dir', root, '--json', 'batches', 'list'])).stdout) as {
      batches: { id: string; signingStopped: unknown }[]
    }
    expect(json.batches.find((b) => b.id === id)!.signingStopped).toEqual(stopped)

    // Executing it again is refused with exactly what to do (not "it resumes by itself").
    const again = await api.call('batches.execute', { id }, as.carol).then(
      () => null,
      (error: unknown) => error as { code: string; message: string; details?: unknown },
    )
    expect(again?.code).toBe('EXECUTION_STATE')
    expect(again?.message).toContain('stopped at transaction 2 of 3')
    expect(again?.message).toContain(`countersign batches resume ${id}`)
    expect(again?.message).not.toContain('by itself)')
    expect(again?.details).toEqual({ batchId: id, signingStopped: stopped })

    // While someone holds the batch (signing it now, from another process on this desk), it is not "stopped".
    const now = Date.now()
    await sb.core.ctx.db.run(
      sb.core.ctx.db.k
        .updateTable('batch_claims')
        .set({
          released_at: null,
          host: thisHost(),
          pid: process.pid,
          claimed_at: new Date(now).toISOString(),
          expires_at: new Date(now + 60_000).toISOString(),
        })
        .where('batch_id', '=', id),
    )
    expect((await api.call('batches.get', { id })).batch.signingStopped).toBeNull()
    await sb.core.ctx.db.run(
      sb.core.ctx.db.k
        .updateTable('batch_claims')
        .set({ released_at: new Date(now).toISOString() })
        .where('batch_id', '=', id),
    )
    expect((await api.call('batches.get', { id })).batch.signingStopped).toEqual(stopped)

    // Resume at the device: the two left are signed, and the batch completes.
    eth.unlock()
    eth.setUser('approve')
    const resumed = await api.call('batches.resume', { id }, as.carol)
    expect(resumed.signed).toBe(2)
    expect((await api.call('batches.get', { id })).batch.signingStopped).toBeNull()
    for (let round = 1; round <= SETTLE_ROUNDS_MAX; round++) {
      for (const rail of (await sb.core.rails.load()).all()) await sweepRail(sb.core.ctx, rail)
      if ((await api.call('batches.get', { id })).batch.state === 'completed') break
    }
    const done = await api.call('batches.get', { id })
    expect([done.batch.state, done.batch.signingStopped]).toEqual(['completed', null])
    expect(done.payouts.map((p) => p.state)).toEqual(['confirmed', 'confirmed', 'confirmed'])
  })
})
