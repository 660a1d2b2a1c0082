/** End to end through the real entry point: `node bin/countersign.mjs …` in a child process. */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { calls } from '../../src/shared/api'
import { BUILD_MANIFEST_VERSION, builtEntry } from '../../bin/builtCli.mjs'
import { BIN, REPO_ROOT, spawnCli, tempDir } from './cliHarness'

let root: string
let dir: string

beforeAll(() => {
  root = tempDir('countersign-bin-')
  dir = path.join(root, 'books')
})
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true })
})

describe('bin/countersign.mjs', () => {
  it('is the package bin, runnable without a build', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }
    expect(path.resolve(REPO_ROOT, pkg.bin.countersign!)).toBe(BIN)
    expect(fs.readFileSync(BIN, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true)
    const help = await spawnCli(['--help'], { env: { COUNTERSIGN_CLI_FROM: 'sources' } })
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('Usage: countersign')
    expect(help.stderr).toBe('')
  })

  // `npm test` builds first, so this runs there; a lone run of this file without a build skips it.
  it.runIf(builtEntry(new URL(`file://${REPO_ROOT}/`)) !== null)('runs the build, which answers as the sources do', async () => {
    const lines = [['--help'], ['--data-dir', path.join(root, 'none'), '--json', 'batches', 'list'], ['ledger', 'nope']]
    for (const args of lines) {
      const [fromBuild, fromSources] = await Promise.all([spawnCli(args), spawnCli(args, { env: { COUNTERSIGN_CLI_FROM: 'sources' } })])
      expect(fromBuild, args.join(' ')).toEqual(fromSources)
    }
  })

  it('runs the build only while no file it was built from is newer or gone', () => {
    const project = tempDir('countersign-built-')
    const rootUrl = new URL(`file://${project}/`)
    const source = path.join(project, 'src', 'cli.ts')
    fs.mkdirSync(path.dirname(source), { recursive: true })
    fs.mkdirSync(path.join(project, 'out', 'cli'), { recursive: true })
    fs.writeFileSync(source, '')
    const builtAtMs = Date.now()
    fs.utimesSync(source, new Date(builtAtMs - 60_000), new Date(builtAtMs - 60_000))
    const manifest = { version: BUILD_MANIFEST_VERSION, entry: 'index.mjs', sourcesAtMs: builtAtMs, inputs: ['src/cli.ts'] }
    const writeManifest = (m: unknown): void => fs.writeFileSync(path.join(project, 'out', 'cli', 'build.json'), JSON.stringify(m))

    expect(builtEntry(rootUrl, {}), 'no build yet').toBeNull()
    writeManifest(manifest)
    expect(builtEntry(rootUrl, {})?.href).toBe(new URL('out/cli/index.mjs', rootUrl).href)
    expect(builtEntry(rootUrl, { COUNTERSIGN_CLI_FROM: 'sources' }), 'forced to the sources').toBeNull()
    writeManifest({ ...manifest, version: BUILD_MANIFEST_VERSION + 1 })
    expect(builtEntry(rootUrl, {}), 'a layout this bin does not know').toBeNull()
    writeManifest(manifest)
    fs.utimesSync(source, new Date(builtAtMs + 1_000), new Date(builtAtMs + 1_000))
    expect(builtEntry(rootUrl, {}), 'edited after the build').toBeNull()
    fs.rmSync(source)
    expect(builtEntry(rootUrl, {}), 'deleted after the build').toBeNull()
    fs.rmSync(project, { recursive: true, force: true })
  })

  it('runs a workspace end to end, with COUNTERSIGN_DATA_DIR and stdin', async () => {
    const env = { COUNTERSIGN_DATA_DIR: dir }
    expect((await spawnCli(['init', '--admin', 'Dana Admin'], { env })).code).toBe(0)
    for (const [id, kind] of [
      ['treasury', 'treasury'],
      ['opening', 'external'],
    ]) {
      const r = await spawnCli(
        ['ledger', 'accounts', 'add', '--as', 'Dana Admin', '--id', id!, '--name', id!, '--kind', kind!, '--asset', 'ETH@evm:1'],
        { env },
      )
      expect(r.code, r.stderr).toBe(0)
    }
    // 2^256 - 1 wei: the largest amount there is, far past 2^63 and any float.
    const max = '115792089237316195423570985008687907853269984665640564039457.584007913129639935'
    const entry = {
      id: 'max-eth',
      date: '2026-01-01',
      description: 'uint256 max',
      postings: [
        { account: 'treasury', debit: max },
        { account: 'opening', credit: max },
      ],
    }
    const posted = await spawnCli(['ledger', 'post', '-', '--as', 'dana-admin', '--json'], { env, stdin: JSON.stringify(entry) })
    expect(posted.code, posted.stderr).toBe(0)
    expect(JSON.parse(posted.stdout)).toEqual({ posted: ['max-eth'], replayed: [] })
    const balances = await spawnCli(['ledger', 'balances', '--kind', 'treasury', '--json'], { env })
    expect(calls['ledger.balances'].output.parse(JSON.parse(balances.stdout))[0]!.balance).toBe(max)
  })

  it('fails with exit 1 and "error CODE: sentence" on stderr, exit 2 on usage errors', async () => {
    const r = await spawnCli(['--data-dir', dir, 'ledger', 'post', path.join(root, 'missing.json'), '--as', 'Dana Admin'])
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/^error FILE_INVALID: Cannot read .*missing\.json: there is no such file — check the path\.\n$/)
    const usage = await spawnCli(['--data-dir', dir, 'ledger', 'balances', '--nope', '--json'])
    expect(usage.code).toBe(2)
    expect(JSON.parse(usage.stdout)).toEqual({
      error: { code: 'INVALID_INPUT', message: expect.stringContaining("Unknown option '--nope'") },
    })
  })
})
