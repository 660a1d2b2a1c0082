/**
 * scripts/electronegativity.mjs really scans (including the .cjs preload) and really fails: a
 * negative control with an insecure window must exit non-zero, a hardened one must pass.
 * `npm run test:security` runs the same script on the real build in out/.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const REPO = path.resolve(__dirname, '..', '..')
const SCRIPT = path.join(REPO, 'scripts', 'electronegativity.mjs')
let tmp: string

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-eng-'))
})
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true })
})

function fixture(name: string, main: string, preload: string): string {
  const out = path.join(tmp, name, 'out')
  fs.mkdirSync(path.join(out, 'main'), { recursive: true })
  fs.mkdirSync(path.join(out, 'preload'), { recursive: true })
  fs.writeFileSync(path.join(out, 'main', 'index.js'), main)
  fs.writeFileSync(path.join(out, 'preload', 'index.cjs'), preload)
  return out
}

function scan(out: string): {
  status: number | null
  stdout: string
  stderr: string
  report: { scanned: string[]; findings: { id: string; severity: string; file: string }[] }
} {
  const reportDir = path.join(path.dirname(out), 'report')
  const r = spawnSync(process.execPath, [SCRIPT, '--out', out, '--report-dir', reportDir], { encoding: 'utf8', timeout: 120_000 })
  const report = JSON.parse(fs.readFileSync(path.join(reportDir, 'report.json'), 'utf8'))
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, report }
}

const HARDENED_MAIN = `
import { app, BrowserWindow, session } from 'electron'
app.on('web-contents-created', (_e, contents) => {
  contents.on('will-navigate', (event) => event.preventDefault())
  contents.setWindowOpenHandler(() => ({ action: 'deny' }))
})
app.whenReady().then(() => {
  session.defaultSession.setPermissionRequestHandler((_wc, _p, cb) => cb(false))
  const win = new BrowserWindow({ webPreferences: { preload: '/x/index.cjs', contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, disableBlinkFeatures: 'Auxclick' } })
  win.loadFile('index.html')
})
`

describe('scripts/electronegativity.mjs', () => {
  it('fails on an insecure window and an insecure preload, and scans the .cjs preload', () => {
    const out = fixture(
      'bad',
      `import { BrowserWindow } from 'electron'\nconst win = new BrowserWindow({ webPreferences: { contextIsolation: false, nodeIntegration: true, sandbox: false } })\nwin.loadURL('http://example.com')\n`,
      `const { ipcRenderer } = require('electron')\neval('void ' + ipcRenderer.sendSync('code'))\n`,
    )
    const r = scan(out)
    expect(r.status).toBe(1)
    expect(r.report.scanned).toEqual(expect.arrayContaining(['out/main/index.js', 'out/preload/index.cjs']))
    const high = r.report.findings.filter((f) => f.severity === 'HIGH').map((f) => `${f.id} ${f.file}`)
    expect(high).toContain('CONTEXT_ISOLATION_JS_CHECK out/main/index.js')
    expect(r.report.findings.map((f) => `${f.id} ${f.file}`)).toContain('DANGEROUS_FUNCTIONS_JS_CHECK out/preload/index.cjs')
  })

  it('passes a hardened fixture, and leaves out the CLI bundle (plain Node, never loaded by Electron)', () => {
    const out = fixture('good', HARDENED_MAIN, `const { contextBridge } = require('electron')\ncontextBridge.exposeInMainWorld('x', {})\n`)
    // A class private field: the scanner's parser cannot read one, so out/cli would fail the scan.
    fs.mkdirSync(path.join(out, 'cli'), { recursive: true })
    fs.writeFileSync(path.join(out, 'cli', 'index.mjs'), 'export class Kept { #secret = 1; get value() { return this.#secret } }\n')
    const r = scan(out)
    expect(r.report.scanned.filter((f) => f.startsWith('out/cli/'))).toEqual([])
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(r.report.findings.filter((f) => f.severity === 'HIGH')).toEqual([])
  })

  it('fails when out/main has nothing it can parse (nothing scanned is not a pass)', () => {
    const out = fixture('unparseable', 'this is not ( javascript', `module.exports = {}\n`)
    const r = scan(out)
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/could not be parsed|no JavaScript file of out\/main/)
  })
})
