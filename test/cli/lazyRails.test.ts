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
  it('batches list opens the workspace without stripe or the confusables tables', () => {
    const loaded = packagesLoaded(['--data-dir', path.join(root, 'books'), '--json', 'batches', 'list'])
    // The check can see packages at all: the database driver and the query builder are there.
    expect(loaded).toContain('better-sqlite3')
    expect(loaded).toContain('kysely')
    // TODO(issue 17, finding 15): viem, @stellar/stellar-base and @stellar/stellar-sdk belong here
    // too once the rail registry builds its rails behind a dynamic import (the API's handler groups,
    // the poller tasks and the sandbox signer no longer import them; createLiveRails and
    // createEscrowRails still do, and payouts/import/checkRecipient.ts uses stellar-base's StrKey).
    expect([...loaded].filter((name) => ['stripe', 'unhomoglyph'].includes(name))).toEqual([])
  })
})
