/**
 * scripts/electron-native.mjs decides whether to build better-sqlite3 for Electron. The build
 * itself needs an Electron binary and headers (not here); the deciding is tested on temp trees.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  decide,
  electronBinaryStatus,
  main,
  paths,
  verifyNotNodeAbi,
  wantedStamp,
  type NativeStamp,
} from '../../scripts/electron-native.mjs'

const REPO = path.resolve(__dirname, '..', '..')
const roots: string[] = []

function fakeRoot(opts: { electronBinary?: boolean } = {}): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-native-'))
  roots.push(root)
  const electron = path.join(root, 'node_modules', 'electron')
  fs.mkdirSync(electron, { recursive: true })
  fs.writeFileSync(path.join(electron, 'package.json'), JSON.stringify({ name: 'electron', version: '45.4.1' }))
  fs.writeFileSync(path.join(electron, 'abi_version'), '150')
  if (opts.electronBinary) {
    fs.writeFileSync(path.join(electron, 'path.txt'), 'electron')
    fs.mkdirSync(path.join(electron, 'dist'))
    fs.writeFileSync(path.join(electron, 'dist', 'electron'), '')
  }
  const sqlite = path.join(root, 'node_modules', 'better-sqlite3')
  fs.mkdirSync(sqlite, { recursive: true })
  fs.writeFileSync(path.join(sqlite, 'package.json'), JSON.stringify({ name: 'better-sqlite3', version: '12.9.0' }))
  return root
}

function writeBuilt(root: string, stamp: NativeStamp, binary = 'ELF electron build'): void {
  const p = paths(root)
  fs.mkdirSync(p.outDir, { recursive: true })
  fs.writeFileSync(p.binary, binary)
  const sha256 = createHash('sha256').update(binary).digest('hex')
  fs.writeFileSync(p.stamp, JSON.stringify({ ...stamp, sha256 }))
}

afterEach(() => {
  for (const r of roots.splice(0)) fs.rmSync(r, { recursive: true, force: true })
})

describe('electron-native', () => {
  it('reports a missing Electron binary without running electron/index.js (which would download)', () => {
    const status = electronBinaryStatus(fakeRoot())
    expect(status.present).toBe(false)
    expect(electronBinaryStatus(fakeRoot({ electronBinary: true }))).toMatchObject({ present: true })
  })

  it('reads what is installed: Electron version and ABI, better-sqlite3 version, host', () => {
    expect(wantedStamp(fakeRoot(), { platform: 'linux', arch: 'x64' })).toEqual({
      electronVersion: '45.4.1',
      abi: '150',
      betterSqlite3Version: '12.9.0',
      platform: 'linux',
      arch: 'x64',
    })
    // The real install, for the record.
    expect(wantedStamp(REPO).electronVersion).toMatch(/^\d+\.\d+\.\d+/)
  })

  it('builds when nothing is built, the stamp is missing, any part changed, or the binary was swapped', () => {
    const root = fakeRoot()
    const wanted = wantedStamp(root, { platform: 'linux', arch: 'x64' })
    expect(decide(root, wanted).action).toBe('build')

    writeBuilt(root, wanted)
    expect(decide(root, wanted)).toMatchObject({ action: 'skip' })
    expect(decide(root, wanted, { force: true }).action).toBe('build')
    expect(decide(root, { ...wanted, electronVersion: '46.0.0' })).toMatchObject({
      action: 'build',
      reason: expect.stringContaining('electronVersion'),
    })
    expect(decide(root, { ...wanted, abi: '151' }).action).toBe('build')
    expect(decide(root, { ...wanted, betterSqlite3Version: '12.10.0' }).action).toBe('build')
    expect(decide(root, { ...wanted, arch: 'arm64' }).action).toBe('build')

    fs.writeFileSync(paths(root).binary, 'tampered')
    expect(decide(root, wanted)).toMatchObject({ action: 'build', reason: expect.stringContaining('stamp') })

    fs.rmSync(paths(root).stamp)
    expect(decide(root, wanted).action).toBe('build')
    fs.writeFileSync(paths(root).stamp, '{not json')
    expect(decide(root, wanted).action).toBe('build')
  })

  it('main exits 1 with a clear message when there is no Electron binary, and builds nothing', async () => {
    const root = fakeRoot()
    const err = vi.spyOn(console, 'error').mockImplementation(() => {})
    expect(await main([], root)).toBe(1)
    expect(err.mock.calls.flat().join('\n')).toMatch(/no binary|ELECTRON_SKIP_BINARY_DOWNLOAD/)
    err.mockRestore()
    expect(fs.existsSync(paths(root).outDir)).toBe(false)
  })

  it('main skips quietly when the stamp matches (no rebuild, no network)', async () => {
    const root = fakeRoot({ electronBinary: true })
    writeBuilt(root, wantedStamp(root))
    const out = vi.spyOn(console, 'log').mockImplementation(() => {})
    expect(await main([], root)).toBe(0)
    expect(out.mock.calls.flat().join('\n')).toMatch(/already built/)
    out.mockRestore()
    const err = vi.spyOn(console, 'error').mockImplementation(() => {})
    fs.writeFileSync(paths(root).binary, 'tampered')
    expect(await main(['--check'], root)).toBe(3)
    err.mockRestore()
  })

  it('refuses a "rebuilt" binary that is really Node’s own build', () => {
    const nodeBuild = path.join(REPO, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node')
    expect(() => verifyNotNodeAbi(nodeBuild, { abi: '150' })).toThrow(/built for Node's ABI/)
    const notABinary = path.join(fakeRoot(), 'node_modules', 'better-sqlite3', 'package.json')
    expect(() => verifyNotNodeAbi(notABinary, { abi: '150' })).not.toThrow()
  })

  it('leaves Node’s own better-sqlite3 build alone (the tests and CLI keep using it)', () => {
    expect(paths(REPO).binary).toContain(path.join('build', 'electron-native'))
    expect(paths(REPO).binary).not.toContain('node_modules')
  })
})
