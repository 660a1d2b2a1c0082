/**
 * `sandbox up` as a real process: one JSON line when ready, a clean exit on SIGTERM, and a second
 * run on the same folder replays the seed instead of posting it twice.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/index'
import { calls } from '../../src/shared/api'
import { BIN, REPO_ROOT, cleanEnv, json, runCli, tempDir } from './cliHarness'

let root: string
beforeAll(() => {
  root = tempDir('countersign-sandbox-')
})
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true })
})

interface SandboxRun {
  description: Record<string, unknown>
  exit: { code: number | null; signal: NodeJS.Signals | null }
  stderr: string
}

/** Start `sandbox up --json`, wait for its line, send SIGTERM, wait for the exit. */
function runSandbox(dataDir: string, beforeStop: () => Promise<void> = async () => undefined): Promise<SandboxRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'sandbox', 'up', '--data-dir', dataDir, '--json'], {
      cwd: REPO_ROOT,
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    let description: Record<string, unknown> | null = null
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s))
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s
      const nl = stdout.indexOf('\n')
      if (description !== null || nl === -1) return
      try {
        description = JSON.parse(stdout.slice(0, nl)) as Record<string, unknown>
      } catch (error) {
        child.kill('SIGKILL')
        reject(new Error(`sandbox printed a line that is not JSON: ${stdout.slice(0, 200)} (${String(error)})`))
        return
      }
      void beforeStop().then(
        () => child.kill('SIGTERM'),
        (error: unknown) => {
          child.kill('SIGKILL')
          reject(error instanceof Error ? error : new Error(String(error)))
        },
      )
    })
    child.once('error', reject)
    child.once('close', (code, signal) => {
      if (description === null) return reject(new Error(`sandbox exited (${code ?? signal}) before it was ready: ${stderr}`))
      if (stdout.trimEnd().split('\n').length !== 1) return reject(new Error(`sandbox printed more than one line on stdout: ${stdout}`))
      resolve({ description, exit: { code, signal }, stderr })
    })
  })
}

async function balancesOf(dataDir: string): Promise<unknown> {
  const r = await runCli(['--data-dir', dataDir, 'ledger', 'balances', '--json'])
  expect(r.code, r.stderr).toBe(0)
  return calls['ledger.balances'].output.parse(json(r))
}

describe('sandbox up', () => {
  it('seeds, reports one JSON object, stops cleanly on SIGTERM, and replays on a second run', async () => {
    const dataDir = path.join(root, 'sb')
    let whileRunning: unknown
    const first = await runSandbox(dataDir, async () => {
      // The CLI works beside the running sandbox (SQLite WAL, another process).
      whileRunning = await balancesOf(dataDir)
    })
    expect(first.exit).toEqual({ code: 0, signal: null })
    expect(first.stderr).toBe('')
    const d = first.description
    expect(d.dataDir).toBe(dataDir)
    expect(d.sandbox).toBe(true)
    const anvil = (d.services as Record<string, Record<string, unknown>>).anvil
    expect(anvil).toMatchObject({
      chainId: 31337,
      rpcUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      token: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
      batchContract: expect.stringMatching(/^0x[0-9a-fA-F]{40}$/),
      escrowContract: expect.stringMatching(/^0x[0-9a-fA-F]{40}$/),
      treasury: '0xDad77910DbDFdE764fC21FCD4E74D71bBACA6D8D',
      signer: 'Sandbox device emulator',
    })
    const operators = calls['operators.list'].output.parse(d.operators)
    // Every demo operator is set up (passphrase, approval key) and its demo passphrase is printed for scripts.
    expect(operators.every((o) => o.status === 'active' && o.passphraseSet && o.approvalKey !== null)).toBe(true)
    expect((d.operators as { demoPassphrase: string }[]).map((o) => o.demoPassphrase)).toEqual([
      'dana-demo-passphrase',
      'alice-demo-passphrase',
      'bob-demo-passphrase',
      'carol-demo-passphrase',
    ])
    expect(operators.map((o) => [o.name, o.roles])).toEqual([
      ['Dana Admin', ['admin']],
      ['Alice Preparer', ['preparer']],
      ['Bob Approver', ['approver']],
      ['Carol Signer', ['signer']],
    ])
    const assets = calls['assets.list'].output.parse(d.assets)
    expect(assets.map((a) => [a.id, a.scale])).toEqual([
      ['USDC@evm:31337', 6],
      ['ETH@evm:31337', 18],
      ['XLM@stellar:standalone', 7],
      ['USDC@stellar:standalone', 7],
      ['USD@stripe', 2],
    ])
    const accounts = calls['ledger.accounts.list'].output.parse(d.accounts)
    for (const a of assets) {
      expect(accounts.filter((x) => x.assetId === a.id).map((x) => x.kind)).toEqual(
        expect.arrayContaining(['treasury', 'external', 'fees']),
      )
    }
    // Escrow accounts are opened by the escrow engine when an escrow is first funded (escrow:<asset>).
    expect(accounts.some((a) => a.kind === 'escrow')).toBe(false)
    expect(accounts.filter((a) => a.kind === 'payee').length).toBeGreaterThanOrEqual(3)
    const entries = d.entries as { posted: string[]; replayed: string[] }
    expect(entries.posted.length).toBeGreaterThanOrEqual(assets.length)
    expect(entries.replayed).toEqual([])

    const balances = (await balancesOf(dataDir)) as { accountId: string; balance: string }[]
    expect(whileRunning).toEqual(balances)
    expect(balances.find((b) => b.accountId === 'treasury.usdc-evm31337')?.balance).toBe('1000000.000000')
    expect(balances.find((b) => b.accountId === 'treasury.eth-evm31337')?.balance).toBe('100.000000000000000000')

    const second = await runSandbox(dataDir)
    expect(second.exit).toEqual({ code: 0, signal: null })
    expect(second.description.entries).toEqual({ posted: [], replayed: entries.posted })
    // The chain survived the restart (its state file): the same contracts, not a second funding.
    expect((second.description.services as Record<string, Record<string, unknown>>).anvil).toMatchObject({
      token: anvil!.token,
      batchContract: anvil!.batchContract,
    })
    expect(fs.existsSync(path.join(dataDir, 'anvil-state.json'))).toBe(true)
    expect(second.description.operators).toEqual(d.operators)
    expect(second.description.accounts).toEqual(d.accounts)
    expect(await balancesOf(dataDir)).toEqual(balances)

    const info = await runCli(['--data-dir', dataDir, 'audit', 'verify'])
    expect(info.code, info.stderr).toBe(0)
  })

  it('runs in-process until its signal aborts', async () => {
    const dataDir = path.join(root, 'in-process')
    const controller = new AbortController()
    let ready: unknown = null
    let stdout = ''
    const code = await main(['sandbox', 'up', '--data-dir', dataDir], {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: () => true },
      env: cleanEnv(),
      signal: controller.signal,
      onReady: (d) => {
        ready = d
        controller.abort()
      },
    })
    expect(code).toBe(0)
    expect(ready).toMatchObject({ dataDir, sandbox: true })
    expect(stdout).toContain(`Sandbox running in ${dataDir}`)
    expect(stdout).toContain('treasury   1,000,000.000000 USDC@evm:31337')
    expect(stdout).toContain('Sandbox stopped.')
  })

  it('never falls back to the default (real) workspace folder', async () => {
    const r = await runCli(['sandbox', 'up'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^error INVALID_INPUT: The sandbox needs --data-dir DIR/)
  })

  it('refuses to seed demo money into a real workspace', async () => {
    const real = path.join(root, 'real')
    expect((await runCli(['--data-dir', real, 'init', '--admin', 'Dana Admin'])).code).toBe(0)
    const r = await runCli(['--data-dir', real, 'sandbox', 'up'])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^error DATA_DIR_INVALID: .*holds a real workspace/)
    expect(fs.existsSync(path.join(real, 'anvil-state.json'))).toBe(false)
    const accounts = await runCli(['--data-dir', real, 'ledger', 'accounts', '--json'])
    expect(json(accounts)).toEqual([])
  })
})
