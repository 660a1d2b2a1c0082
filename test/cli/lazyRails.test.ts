/**
 * `countersign batches list` must not load the rails' client libraries (issue 17, finding 15:
 * they were most of a command's start). The CLI is built here (scripts/build-cli.mjs into a folder
 * of its own) and run as a real process with a preload that logs every module loaded; the build's
 * metafile says which packages went into each chunk it loaded.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { envFor, REPO_ROOT, runCli, tempDir } from './cliHarness'

/** The rails' client libraries and what only they reach (a `batches list` must load none of them). */
const RAIL_LIBRARIES = [
  'viem',
  'ox',
  '@stellar/stellar-base',
  '@stellar/stellar-sdk',
  '@stellar/js-xdr',
  'stripe',
  'hash-wasm',
  'unhomoglyph',
]

/** An EVM chain with its escrow contract, a Stellar network and Stripe: every rail factory has work. */
const EVERY_RAIL = {
  evm: {
    chains: [
      {
        chainId: 8453,
        rpcUrl: 'https://mainnet.base.org',
        batchContract: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
        escrowContract: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
        confirmationsMin: 2,
        maxFeePerGasCap: '500000000000',
        source: { address: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266', path: "44'/60'/0'/0/0" },
      },
    ],
  },
  stellar: {
    networks: [
      {
        network: 'pubnet',
        horizonUrl: 'https://horizon.stellar.org',
        networkPassphrase: 'Public Global Stellar Network ; September 2015',
        source: { address: 'GAAZI4TCR3TY5OJHCTJC2A4QSY6CJWJH5IAJTGKIN2ER7LBNVKOCCWN7', path: "44'/148'/0'" },
        maxFeePerOpStroops: '1000',
      },
    ],
  },
  stripe: { apiUrl: 'https://api.stripe.com' },
}

interface Metafile {
  outputs: Record<string, { inputs: Record<string, unknown> }>
}

let root: string
let outDir: string

beforeAll(async () => {
  root = tempDir('countersign-lazy-')
  // Inside the project, so the bundle finds node_modules (its external packages) as out/cli does.
  outDir = path.join(REPO_ROOT, 'out', `cli-lazy-test-${process.pid}`)
  const built = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'build-cli.mjs'), outDir], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  })
  if (built.status !== 0) throw new Error(`scripts/build-cli.mjs failed: ${built.stderr}`)
  const init = await runCli(['--data-dir', path.join(root, 'books'), 'init', '--admin', 'Dana Admin'])
  if (init.code !== 0) throw new Error(`init failed: ${init.stderr}`)
}, 120_000)

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true })
  fs.rmSync(outDir, { recursive: true, force: true })
})

/** The npm packages (by name) a run of the built CLI loaded, from the load log and the metafile. */
function packagesLoaded(args: string[]): Set<string> {
  const log = path.join(root, `loads-${Date.now()}.log`)
  const run = spawnSync(
    process.execPath,
    ['--import', path.join(REPO_ROOT, 'test', 'cli', 'moduleLoadLog.mjs'), path.join(outDir, 'index.mjs'), ...args],
    { cwd: REPO_ROOT, env: { ...envFor(args), COUNTERSIGN_TEST_LOAD_LOG: log }, encoding: 'utf8' },
  )
  expect(run.status, run.stderr).toBe(0)
  const meta = JSON.parse(fs.readFileSync(path.join(outDir, 'meta.json'), 'utf8')) as Metafile
  const files: string[] = []
  for (const line of fs.readFileSync(log, 'utf8').split('\n')) {
    const [kind, where] = [line.slice(0, 3), line.slice(4)]
    if (kind === 'esm' && where.startsWith('file:')) {
      const file = fileURLToPath(where)
      const chunk = meta.outputs[path.relative(REPO_ROOT, file)]
      // A chunk of the build stands for every input bundled into it.
      files.push(...(chunk ? Object.keys(chunk.inputs) : [file]))
    } else if (kind === 'cjs') files.push(where)
  }
  const names = new Set<string>()
  for (const file of files) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file.replaceAll('\\', '/'))
    if (m) names.add(m[1]!)
  }
  return names
}

describe('the built CLI loads rails only when a command uses them', () => {
  it("batches list opens the workspace without any rail's client library or the confusables tables", () => {
    const loaded = packagesLoaded(['--data-dir', path.join(root, 'books'), '--json', 'batches', 'list'])
    // The check can see packages at all: the database driver and the query builder are there.
    expect(loaded).toContain('better-sqlite3')
    expect(loaded).toContain('kysely')
    expect([...loaded].filter((name) => RAIL_LIBRARIES.includes(name))).toEqual([])
    // Nor the statement parser (recon handlers), nor — on a single-desk workspace — the PostgreSQL driver.
    expect(loaded).not.toContain('csv-parse')
    if (process.env.COUNTERSIGN_TEST_DB !== 'postgres') expect(loaded).not.toContain('pg')
  })

  it('batches list on a workspace with every rail configured still loads none of them', async () => {
    // Rails are built at their first use (createLiveRails.ts), not when the core opens.
    const books = path.join(root, 'railed')
    const ok = async (...args: string[]): Promise<void> => {
      const r = await runCli(['--data-dir', books, ...args])
      if (r.code !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`)
    }
    await ok('init', '--admin', 'Dana Admin')
    const rails = path.join(root, 'rails.json')
    fs.writeFileSync(rails, JSON.stringify(EVERY_RAIL))
    await ok('settings', 'rails', 'set', rails, '--as', 'Dana Admin')
    const shown = await runCli(['--data-dir', books, '--json', 'settings', 'rails', 'show'])
    expect(shown.stdout).toContain('stellar')
    const loaded = packagesLoaded(['--data-dir', books, '--json', 'batches', 'list'])
    expect(loaded).toContain('kysely')
    expect([...loaded].filter((name) => RAIL_LIBRARIES.includes(name))).toEqual([])
  })
})
