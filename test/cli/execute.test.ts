/**
 * `batches execute` and `poll --once` in-process against a sandbox workspace whose sandbox (Anvil,
 * contracts, funded treasury, rails recorded in the workspace) runs beside the CLI — exactly as
 * a person runs `countersign sandbox up` in one terminal and the CLI in another.
 */
import fs from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ExecuteResult, RailsSetting } from '../../src/shared/payoutsApi'
import { ErrorPayloadSchema } from '../../src/shared/api'
import { createAnvilService } from '../../src/main/sandbox/anvilService'
import { sandboxUp, type Sandbox } from '../../src/main/sandbox/sandboxUp'
import { createHarnessClients } from '../harness/evm/clients'
import { recipientAddresses } from '../harness/evm/recipients'
import { parseTransaction } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { SPECULOS_TEST_MNEMONIC } from '../../src/main/core/signing/emulator/sandboxSoftwareKeys'
import { json, runCli, tempDir, type CliResult } from './cliHarness'

const POLL_ROUNDS_MAX = 10
const PollOutput = z.object({
  rails: z.array(
    z.object({ rail: z.string(), network: z.string(), changed: z.number(), open: z.number(), error: ErrorPayloadSchema.nullable() }),
  ),
  batches: z.array(z.object({ id: z.string(), name: z.string(), state: z.string() })),
})

let root: string
let dir: string
let sb: Sandbox

function cli(...args: string[]): Promise<CliResult> {
  return runCli(['--data-dir', dir, ...args])
}
async function ok(...args: string[]): Promise<CliResult> {
  const r = await cli(...args)
  expect(r.code, r.stderr).toBe(0)
  return r
}

beforeAll(async () => {
  root = tempDir('countersign-cli-exec-')
  dir = path.join(root, 'sandbox')
  sb = await sandboxUp({ dataDir: dir, services: [createAnvilService({ persist: false })], pollIntervalMs: 3_600_000 })
  // The CLI's `poll --once` does the confirming in this test.
  await sb.core.poller.stop()
}, 90_000)

afterAll(async () => {
  await sb?.stop()
  fs.rmSync(root, { recursive: true, force: true })
})

describe('countersign batches execute / poll', () => {
  it('the sandbox recorded its chain in the workspace', async () => {
    const rails = RailsSetting.parse(json(await ok('settings', 'rails', 'show', '--json')))
    expect(rails.rails.evm?.chains[0]).toMatchObject({ chainId: 31337, rpcUrl: sb.description.services.anvil!.rpcUrl })
  })

  it('execute prints progress on stderr and the result on stdout; poll --once confirms it', async () => {
    const [r1, r2] = recipientAddresses('cli-exec', 2)
    const csv = ['id,rail,network,asset,recipient,amount', `cli-1,evm,31337,USDC,${r1},10.5`, `cli-2,evm,31337,USDC,${r2},20`].join('\n')
    const file = path.join(root, 'pay.csv')
    fs.writeFileSync(file, csv)
    const imported = json(await ok('payouts', 'import', file, '--as', 'Alice Preparer', '--json')) as { batchId: string }
    const id = imported.batchId
    await ok('batches', 'submit', id, '--as', 'Alice Preparer')
    await ok('batches', 'approve', id, '--as', 'Bob Approver')

    const refused = await cli('batches', 'execute', id, '--as', 'Bob Approver')
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/^error ROLE_REQUIRED: /)

    const r = await ok('batches', 'execute', id, '--as', 'Carol Signer', '--json')
    const result = ExecuteResult.parse(json(r))
    expect(result).toMatchObject({ batchId: id, state: 'executing', chunks: 1, broadcast: 1 })
    expect(r.stderr).toContain('Confirm transaction 1 of 1 on the Sandbox device emulator — 2 payouts, 30.500000 USDC.')
    expect(r.stderr).toContain('Transaction 1 of 1 sent.')

    const again = await cli('batches', 'execute', id, '--as', 'Carol Signer')
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/^error EXECUTION_STATE: /)

    const chain = createHarnessClients({ rpcUrl: String(sb.description.services.anvil!.rpcUrl), chainId: 31337 })
    let state = ''
    for (let round = 1; round <= POLL_ROUNDS_MAX && state !== 'completed'; round++) {
      const polled = PollOutput.parse(json(await ok('poll', '--once', '--json')))
      expect(polled.rails.map((x) => [x.rail, x.network, x.error])).toEqual([['evm', '31337', null]])
      state = polled.batches.find((b) => b.id === id)?.state ?? state
      if (state !== 'completed') await chain.testClient.mine({ blocks: 1 })
    }
    expect(state).toBe('completed')

    const table = await ok('poll', '--once')
    // Networks by name in human output ("Local Anvil", not evm 31337).
    expect(table.stdout).toMatch(/NETWORK\s+LOOKED/)
    expect(table.stdout).toMatch(/^Local Anvil\s+\d/m)
    const subs = (await sb.core.api.call('batches.submissions', { id })).map((s) => s.state)
    expect(subs).toEqual(['confirmed'])
  }, 60_000)

  it('export-unsigned writes the signing file; import-signed (signed offline) sends it once', async () => {
    const [r1] = recipientAddresses('cli-ext', 1)
    const file = path.join(root, 'ext.csv')
    fs.writeFileSync(file, ['id,rail,network,asset,recipient,amount', `cli-ext-1,evm,31337,USDC,${r1},7.25`].join('\n'))
    const id = (json(await ok('payouts', 'import', file, '--as', 'Alice Preparer', '--json')) as { batchId: string }).batchId
    await ok('batches', 'submit', id, '--as', 'Alice Preparer')
    await ok('batches', 'approve', id, '--as', 'Bob Approver')
    const outDir = path.join(root, 'to-sign')
    const exported = json(await ok('batches', 'export-unsigned', id, '--out', outDir, '--as', 'Carol Signer', '--json')) as {
      files: { rail: string; file: string; transactions: number }[]
    }
    expect(exported.files).toEqual([{ rail: 'evm', file: path.join(outDir, `countersign-${id}-evm-unsigned.json`), transactions: 1 }])
    const unsigned = JSON.parse(fs.readFileSync(exported.files[0]!.file, 'utf8')) as {
      items: { submissionId: string; unsigned: `0x${string}` }[]
    }
    // The offline machine: the sandbox treasury's key from the public test seed, outside the app.
    const offline = mnemonicToAccount(SPECULOS_TEST_MNEMONIC, { path: "m/44'/60'/0'/0/0" })
    const signedFile = path.join(root, 'signed.json')
    fs.writeFileSync(
      signedFile,
      JSON.stringify({
        format: 'countersign.external-signed.v1',
        items: [
          {
            submissionId: unsigned.items[0]!.submissionId,
            signed: await offline.signTransaction(parseTransaction(unsigned.items[0]!.unsigned)),
          },
        ],
      }),
    )
    const first = await ok('batches', 'import-signed', id, signedFile, '--as', 'Carol Signer')
    expect(first.stdout).toContain('Accepted 1 signed transaction (0 already imported); 1 sent, 0 still unsigned.')
    const second = await ok('batches', 'import-signed', id, signedFile, '--as', 'Carol Signer')
    expect(second.stdout).toContain('Accepted 0 signed transactions (1 already imported); 0 sent')
    let state = ''
    for (let round = 1; round <= POLL_ROUNDS_MAX && state !== 'completed'; round++) {
      const polled = PollOutput.parse(json(await ok('poll', '--once', '--json')))
      state = polled.batches.find((b) => b.id === id)?.state ?? state
    }
    expect(state).toBe('completed')
  }, 60_000)
})
