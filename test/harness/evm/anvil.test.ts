import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseEther } from 'viem'
import { AnvilStartError, anvilTestMnemonic, gasPerTxMax, startAnvil, type Anvil } from './anvil'
import { createHarnessClients } from './clients'
import { mine, reorg, revert, setBalance, snapshot } from './control'
import { recipientAddresses } from './recipients'

/** How long a dead Anvil may take to stop answering after its parent is killed. */
const deathTimeoutMs = 10_000

async function answers(rpcUrl: string): Promise<boolean> {
  try {
    const response = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(1_000),
    })
    return response.ok
  } catch {
    return false
  }
}

/** Waits (bounded) until rpcUrl stops answering; resolves false if it is still up at the deadline. */
async function becomesUnreachable(rpcUrl: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (!(await answers(rpcUrl))) return true
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return false
}

describe('startAnvil', () => {
  let anvil: Anvil
  beforeAll(async () => {
    anvil = await startAnvil()
  })
  afterAll(async () => {
    await anvil?.stop()
  })

  it('listens on 127.0.0.1 at an OS-chosen port with the requested chain id', async () => {
    expect(anvil.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(Number(new URL(anvil.rpcUrl).port)).toBeGreaterThan(0)
    expect(anvil.chainId).toBe(31337)
    expect(await createHarnessClients(anvil).publicClient.getChainId()).toBe(31337)
  })

  it('hands out the funded TEST accounts of the default mnemonic, and their keys sign', async () => {
    expect(anvil.accounts).toHaveLength(10)
    // Anvil's documented first dev account for `test test ... junk`.
    expect(anvil.accounts[0]?.address).toBe('0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266')
    const clients = createHarnessClients(anvil)
    const [from] = anvil.accounts
    const [to] = recipientAddresses('anvil-signing', 1)
    if (from === undefined || to === undefined) throw new Error('unreachable')
    const hash = await clients.walletFor(from).sendTransaction({ to, value: 12_345n })
    const receipt = await clients.publicClient.waitForTransactionReceipt({ hash })
    expect(receipt.status).toBe('success')
    expect(await clients.publicClient.getBalance({ address: to })).toBe(12_345n)
  })

  it('enforces the 2^24 per-transaction gas cap (EIP-7825), as mainnet does', async () => {
    const clients = createHarnessClients(anvil)
    const [from] = anvil.accounts
    const [to] = recipientAddresses('anvil-gas-cap', 1)
    if (from === undefined || to === undefined) throw new Error('unreachable')
    const wallet = clients.walletFor(from)
    await expect(wallet.sendTransaction({ to, value: 1n, gas: gasPerTxMax + 1n })).rejects.toThrow(/gas/i)
    const hash = await wallet.sendTransaction({ to, value: 1n, gas: gasPerTxMax })
    expect((await clients.publicClient.waitForTransactionReceipt({ hash })).status).toBe('success')
  })

  it('runs two instances side by side on different ports', async () => {
    const other = await startAnvil({ chainId: 8453 })
    try {
      expect(other.rpcUrl).not.toBe(anvil.rpcUrl)
      expect(await createHarnessClients(other).publicClient.getChainId()).toBe(8453)
    } finally {
      await other.stop()
    }
  })

  it('stop() ends the process: the port stops answering, and a second stop() is harmless', async () => {
    const temporary = await startAnvil()
    expect(await answers(temporary.rpcUrl)).toBe(true)
    await temporary.stop()
    expect(await answers(temporary.rpcUrl)).toBe(false)
    await temporary.stop()
  })

  it('surfaces Anvil’s own error output when it cannot start', async () => {
    const error = await startAnvil({ mnemonic: 'not a real mnemonic' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AnvilStartError)
    expect((error as Error).message).toMatch(/exited early/)
    expect((error as Error).message).toMatch(/invalid/)
  })

  it('with blockTime, mines on an interval instead of per transaction', async () => {
    const interval = await startAnvil({ blockTime: 1 })
    try {
      const clients = createHarnessClients(interval)
      const [from] = interval.accounts
      const [to] = recipientAddresses('anvil-interval', 1)
      if (from === undefined || to === undefined) throw new Error('unreachable')
      const hash = await clients.walletFor(from).sendTransaction({ to, value: 1n })
      // Waits for the next interval block (bounded by viem's receipt timeout), not a fixed sleep.
      const receipt = await clients.publicClient.waitForTransactionReceipt({ hash, timeout: 10_000 })
      expect(receipt.status).toBe('success')
      expect(receipt.blockNumber).toBeGreaterThan(0n)
    } finally {
      await interval.stop()
    }
  })

  it('dies with its parent, even when the parent is SIGKILLed', async () => {
    const anvilModule = fileURLToPath(new URL('./anvil.ts', import.meta.url))
    const script = `import(${JSON.stringify(anvilModule)}).then(async (m) => { const a = await m.startAnvil(); console.log('RPC ' + a.rpcUrl) })`
    const parent = spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] })
    try {
      const rpcUrl = await new Promise<string>((resolve, reject) => {
        let out = ''
        let err = ''
        parent.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString()
          const match = /RPC (\S+)/.exec(out)
          if (match?.[1] !== undefined) resolve(match[1])
        })
        parent.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
        parent.once('exit', (code) => reject(new Error(`parent exited (${code}) before starting Anvil:\n${out}\n${err}`)))
      })
      expect(await answers(rpcUrl)).toBe(true)
      parent.kill('SIGKILL')
      expect(await becomesUnreachable(rpcUrl, deathTimeoutMs)).toBe(true)
    } finally {
      parent.kill('SIGKILL')
    }
  })

  it('exports the default mnemonic, labelled as test-only', () => {
    expect(anvilTestMnemonic).toBe('test test test test test test test test test test test junk')
  })
})

describe('chain control helpers', () => {
  let anvil: Anvil
  beforeAll(async () => {
    anvil = await startAnvil()
  })
  afterAll(async () => {
    await anvil?.stop()
  })

  it('mine(n) adds n blocks', async () => {
    const { publicClient } = createHarnessClients(anvil)
    const before = await publicClient.getBlockNumber()
    await mine(anvil, 5)
    expect(await publicClient.getBlockNumber()).toBe(before + 5n)
  })

  it('setBalance sets an exact wei balance', async () => {
    const [who] = recipientAddresses('control-balance', 1)
    if (who === undefined) throw new Error('unreachable')
    await setBalance(anvil, who, parseEther('1.5'))
    expect(await createHarnessClients(anvil).publicClient.getBalance({ address: who })).toBe(parseEther('1.5'))
  })

  it('snapshot/revert restores balances and height, and a snapshot is single-use', async () => {
    const { publicClient } = createHarnessClients(anvil)
    const [who] = recipientAddresses('control-snapshot', 1)
    if (who === undefined) throw new Error('unreachable')
    const height = await publicClient.getBlockNumber()
    const id = await snapshot(anvil)
    await setBalance(anvil, who, 7n)
    await mine(anvil, 3)
    await revert(anvil, id)
    expect(await publicClient.getBalance({ address: who })).toBe(0n)
    expect(await publicClient.getBlockNumber()).toBe(height)
    await expect(revert(anvil, id)).rejects.toThrow(/no such snapshot/)
  })

  it('reorg(depth) replaces the last blocks: same height, new hashes, dropped transactions gone', async () => {
    const clients = createHarnessClients(anvil)
    const [from] = anvil.accounts
    const [to] = recipientAddresses('control-reorg', 1)
    if (from === undefined || to === undefined) throw new Error('unreachable')
    const hash = await clients.walletFor(from).sendTransaction({ to, value: 99n })
    const receipt = await clients.publicClient.waitForTransactionReceipt({ hash })
    await mine(anvil, 2)
    const height = await clients.publicClient.getBlockNumber()

    await reorg(anvil, 3)

    expect(await clients.publicClient.getBlockNumber()).toBe(height)
    const replaced = await clients.publicClient.getBlock({ blockNumber: receipt.blockNumber })
    expect(replaced.hash).not.toBe(receipt.blockHash)
    await expect(clients.publicClient.getTransactionReceipt({ hash })).rejects.toThrow(/could not be found/)
    expect(await clients.publicClient.getBalance({ address: to })).toBe(0n)
  })

  it('reorg refuses a depth deeper than the chain', async () => {
    await expect(reorg(anvil, 1_000_000)).rejects.toThrow(RangeError)
  })
})
