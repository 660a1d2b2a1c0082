// Starts and stops a local Anvil (npm @foundry-rs/anvil) for tests and `countersign sandbox up`.
//
// - Binds 127.0.0.1 only, on a port the OS picks (--port 0), read back from Anvil's own
//   "Listening on" line, so two test workers can never race for the same port.
// - Readiness is Anvil saying it listens, then eth_chainId answering over HTTP (bounded retries).
// - Anvil runs under a tiny Node watchdog that holds a pipe from us: if this process dies in any
//   way (exit, crash, SIGKILL), the pipe closes and the watchdog kills Anvil. No orphaned nodes.
// - Hardfork pinned to Osaka with the EIP-7825 per-transaction gas cap (2^24) enforced, as on
//   mainnet; Anvil does not enforce it unless asked.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { delimiter, join } from 'node:path'
import { mnemonicToAccount } from 'viem/accounts'
import { getAddress, toHex, type Address, type Hex } from 'viem'

/** Anvil's well-known default mnemonic. Its keys are public: TEST ONLY, never fund them anywhere real. */
export const anvilTestMnemonic = 'test test test test test test test test test test test junk'

/** EIP-7825 (Osaka): no transaction may ask for more gas than this, whatever the block limit. */
export const gasPerTxMax = 2n ** 24n

/** The hardfork the harness runs; pinned so gas figures do not move when Anvil's default does. */
export const anvilHardfork = 'osaka'

const accountCountDefault = 10
const startTimeoutMs = 20_000
const readyRetryCountMax = 50
const readyRetryDelayMs = 100
const rpcTimeoutMs = 5_000
const stopTimeoutMs = 10_000
/** How long the watchdog waits for Anvil to exit on SIGTERM before SIGKILL. */
const killGraceMs = 3_000
/** Anvil's recent output kept for error messages; older output is dropped. */
const logTailBytesMax = 64 * 1024

export interface StartAnvilOptions {
  chainId?: number
  /** Seconds between blocks (interval mining). Omit for automine: one block per transaction. */
  blockTime?: number
  /** BIP-39 mnemonic for the dev accounts. Defaults to anvilTestMnemonic. TEST KEYS ONLY. */
  mnemonic?: string
  /** 0 (default) lets the OS pick a free port. */
  port?: number
  /** Number of funded dev accounts. */
  accountCount?: number
  /**
   * Load the chain from this file if it exists and write it back on a clean stop (Anvil's
   * --state), so the sandbox chain survives `sandbox up` restarts beside its workspace.
   */
  statePath?: string
}

/** A funded dev account. Its private key is derived from a TEST mnemonic and is public knowledge. */
export interface AnvilTestAccount {
  address: Address
  /** TEST ONLY — derived from a published mnemonic. Never use outside Anvil. */
  testOnlyPrivateKey: Hex
}

export interface Anvil {
  rpcUrl: string
  chainId: number
  /** Funded dev accounts, 10 000 ETH each. TEST KEYS ONLY. */
  accounts: readonly AnvilTestAccount[]
  /** Anvil's recent stdout/stderr, for diagnosing a failing test. */
  logTail(): string
  /** Stops Anvil and waits until it has exited. Safe to call more than once. */
  stop(): Promise<void>
}

export class AnvilStartError extends Error {
  override name = 'AnvilStartError'
}

/**
 * Finds the Anvil binary. The project depends on `@foundry-rs/anvil-linux-amd64` directly (as an
 * optional dependency): the umbrella package `@foundry-rs/anvil` lists every platform's package,
 * and the registry these machines reach serves only the Linux x64 one, which leaves a lock file
 * that `npm ci` refuses. Elsewhere, install Foundry and put `anvil` on PATH (or set ANVIL_BIN).
 */
export function resolveAnvilBinary(env: NodeJS.ProcessEnv = process.env): string {
  const require = createRequire(import.meta.url)
  const arch = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch]
  const exe = process.platform === 'win32' ? 'anvil.exe' : 'anvil'
  const candidates: string[] = []
  if (env.ANVIL_BIN) candidates.push(env.ANVIL_BIN)
  if (arch !== undefined) {
    try {
      candidates.push(require.resolve(`@foundry-rs/anvil-${process.platform}-${arch}/bin/${exe}`))
    } catch {
      // no npm package for this platform: look on PATH below
    }
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir) candidates.push(join(dir, exe))
  }
  const found = candidates.find((p) => existsSync(p))
  if (found === undefined) {
    throw new AnvilStartError(
      `No Anvil binary for ${process.platform}-${process.arch}. On Linux x64 run npm ci (it installs @foundry-rs/anvil-linux-amd64); elsewhere install Foundry and put anvil on PATH or set ANVIL_BIN.`,
    )
  }
  return found
}

// Runs Anvil and kills it when our end of its stdin pipe closes, i.e. when the parent goes away
// by any means. Exits with Anvil's exit code. Written for plain node, no dependencies.
const watchdogSource = `
const { spawn } = require('node:child_process')
const [bin, graceMs, ...args] = process.argv.slice(1)
const child = spawn(bin, args, { stdio: ['ignore', 'inherit', 'inherit'] })
let stopping = false
const stop = () => {
  if (stopping) return
  stopping = true
  child.kill('SIGTERM')
  setTimeout(() => child.kill('SIGKILL'), Number(graceMs))
}
process.stdin.on('end', stop)
process.stdin.on('error', stop)
process.stdin.resume()
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
child.on('error', (e) => { process.stderr.write('watchdog: ' + e.message + '\\n'); process.exit(127) })
child.on('exit', (code, signal) => process.exit(code ?? (signal && !stopping ? 1 : 0)))
`

const accountsByMnemonic = new Map<string, AnvilTestAccount[]>()

/** Derives the dev accounts Anvil creates (m/44'/60'/0'/0/i). Memoised: derivation is slow-ish. */
function deriveTestAccounts(mnemonic: string, count: number): AnvilTestAccount[] {
  const cached = accountsByMnemonic.get(mnemonic)
  if (cached !== undefined && cached.length >= count) return cached.slice(0, count)
  const accounts: AnvilTestAccount[] = []
  for (let i = 0; i < count; i++) {
    const account = mnemonicToAccount(mnemonic, { addressIndex: i })
    const key = account.getHdKey().privateKey
    if (key === null) throw new Error(`no private key derived for account ${i}`)
    accounts.push({ address: account.address, testOnlyPrivateKey: toHex(key) })
  }
  accountsByMnemonic.set(mnemonic, accounts)
  return accounts
}

async function rpc<T>(rpcUrl: string, method: string, params: unknown[]): Promise<T> {
  const response = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    signal: AbortSignal.timeout(rpcTimeoutMs),
  })
  const body = (await response.json()) as { result?: T; error?: { message: string } }
  if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`)
  return body.result as T
}

/** Keeps the last logTailBytesMax bytes of a stream. */
function tailBuffer(): { push(chunk: Buffer): void; text(): string } {
  let chunks: Buffer[] = []
  let size = 0
  return {
    push(chunk) {
      chunks.push(chunk)
      size += chunk.length
      if (size > 2 * logTailBytesMax) {
        const joined = Buffer.concat(chunks)
        chunks = [joined.subarray(joined.length - logTailBytesMax)]
        size = logTailBytesMax
      }
    },
    text() {
      const joined = Buffer.concat(chunks)
      return joined.subarray(Math.max(0, joined.length - logTailBytesMax)).toString('utf8')
    },
  }
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true)
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve(true)
    })
  })
}

/**
 * Starts Anvil on 127.0.0.1 and resolves once it answers eth_chainId with the requested chain id.
 * The caller must call stop() (tests: in afterAll); if the caller dies first, Anvil dies with it.
 */
export async function startAnvil(options: StartAnvilOptions = {}): Promise<Anvil> {
  const chainId = options.chainId ?? 31337
  const mnemonic = options.mnemonic ?? anvilTestMnemonic
  const port = options.port ?? 0
  const accountCount = options.accountCount ?? accountCountDefault
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new RangeError(`port ${port} is not 0..65535`)
  if (options.blockTime !== undefined && !(options.blockTime > 0))
    throw new RangeError(`blockTime ${options.blockTime} must be > 0 seconds`)

  // Flag/value pairs, one per line.
  const flags: (readonly [string] | readonly [string, string])[] = [
    ['--host', '127.0.0.1'],
    ['--port', String(port)],
    ['--chain-id', String(chainId)],
    ['--mnemonic', mnemonic],
    ['--accounts', String(accountCount)],
    ['--hardfork', anvilHardfork],
    ['--enable-tx-gas-limit'],
    ['--color', 'never'],
  ]
  if (options.blockTime !== undefined) flags.push(['--block-time', String(options.blockTime)])
  if (options.statePath !== undefined) flags.push(['--state', options.statePath])
  const args = flags.flat()

  const binary = resolveAnvilBinary()
  const child = spawn(process.execPath, ['-e', watchdogSource, binary, String(killGraceMs), ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    // Under Electron, process.execPath is the Electron binary: make it behave as plain node.
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    windowsHide: true,
  })
  const log = tailBuffer()
  child.stdout?.on('data', (chunk: Buffer) => log.push(chunk))
  child.stderr?.on('data', (chunk: Buffer) => log.push(chunk))
  // Our end of the watchdog's lifeline. Errors here mean the watchdog is gone; 'exit' reports it.
  child.stdin?.on('error', () => undefined)
  // A spawn failure (e.g. no node binary) arrives as 'error', possibly without 'exit': keep it for the message.
  child.on('error', (error) => log.push(Buffer.from(`spawn error: ${error.message}\n`)))

  let stopped: Promise<void> | undefined
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      child.stdin?.end()
      child.kill('SIGTERM')
      if (!(await waitForExit(child, stopTimeoutMs))) {
        child.kill('SIGKILL')
        await waitForExit(child, stopTimeoutMs)
      }
    })()
    return stopped
  }

  const fail = async (what: string, cause?: unknown): Promise<never> => {
    await stop()
    throw new AnvilStartError(`Anvil ${what}. Its output:\n${log.text() || '(none)'}`, { cause })
  }

  // 1. Anvil prints "Listening on 127.0.0.1:<port>" once its HTTP server is bound.
  const listeningPort = await new Promise<number | string>((resolve) => {
    let seen = ''
    const onData = (chunk: Buffer): void => {
      seen = (seen + chunk.toString('utf8')).slice(-4096)
      const match = /Listening on 127\.0\.0\.1:(\d+)/.exec(seen)
      if (match?.[1] !== undefined) done(Number(match[1]))
    }
    const onExit = (code: number | null, signal: string | null): void => done(`exited early (code ${code}, signal ${signal})`)
    const timer = setTimeout(() => done(`did not start listening within ${startTimeoutMs} ms`), startTimeoutMs)
    const done = (result: number | string): void => {
      clearTimeout(timer)
      child.stdout?.off('data', onData)
      child.off('exit', onExit)
      child.off('error', onError)
      resolve(result)
    }
    const onError = (error: Error): void => done(`could not be spawned (${error.message})`)
    child.stdout?.on('data', onData)
    child.once('exit', onExit)
    child.once('error', onError)
  })
  if (typeof listeningPort === 'string') return fail(listeningPort)

  // 2. The RPC answers, and it is the chain we asked for.
  const rpcUrl = `http://127.0.0.1:${listeningPort}`
  let reportedChainId: number | undefined
  let lastError: unknown
  for (let attempt = 0; attempt < readyRetryCountMax && reportedChainId === undefined; attempt++) {
    if (child.exitCode !== null || child.signalCode !== null) return fail('exited while starting')
    try {
      reportedChainId = Number(BigInt(await rpc<string>(rpcUrl, 'eth_chainId', [])))
    } catch (error) {
      lastError = error
      // Back off between attempts; bounded by readyRetryCountMax.
      await new Promise((resolve) => setTimeout(resolve, readyRetryDelayMs))
    }
  }
  if (reportedChainId === undefined) return fail(`did not answer eth_chainId after ${readyRetryCountMax} attempts`, lastError)
  if (reportedChainId !== chainId) return fail(`reports chain id ${reportedChainId}, expected ${chainId}`)

  // 3. The keys we hand out are the ones Anvil funded (a wrong mnemonic or path would not be).
  let funded: Address[]
  let accounts: AnvilTestAccount[]
  try {
    accounts = deriveTestAccounts(mnemonic, accountCount)
    funded = (await rpc<string[]>(rpcUrl, 'eth_accounts', [])).map((a) => getAddress(a))
  } catch (error) {
    return fail('could not list its accounts', error)
  }
  if (funded.length !== accounts.length || accounts.some((a, i) => a.address !== funded[i])) {
    return fail(`funded accounts ${funded.join(', ')} do not match the derived test keys`)
  }

  return { rpcUrl, chainId, accounts, logTail: () => log.text(), stop }
}
