#!/usr/bin/env node
/**
 * Electronegativity (Doyensec's Electron security linter) over the BUILT app in out/.
 *
 *   npm run build && node scripts/electronegativity.mjs
 *
 * Why the built code: it is what Electron runs, and Electronegativity's parser predates current
 * TypeScript. Why a staging copy: Electronegativity only reads .js/.jsx/.ts/.tsx/.html files, so
 * the sandboxed preload (out/preload/index.cjs) would silently be skipped; the copy under
 * test-results/electronegativity/input/ renames .cjs/.mjs to .js (the report maps names back).
 *
 * It runs the checks through the library API (the CLI would also fetch translations from S3 at
 * every start — the shim below configures the bundled English strings instead, so the scan is
 * the same offline and in CI), writes report.json + report.sarif under
 * test-results/electronegativity/, prints every finding, and exits non-zero if
 *   - out/main or out/preload has no JavaScript file, or any file failed to parse (not scanned);
 *   - any HIGH finding is not on the allow-list below.
 * MEDIUM/LOW/INFORMATIONAL findings are printed for review and do not fail the run.
 * package.json is scanned too (Chromium switches such as --disable-web-security in npm scripts).
 *
 * One check is excluded: AVAILABLE_SECURITY_FIXES_GLOBAL_CHECK downloads Electron's release list
 * from GitHub at scan time, so its answer changes with the day, not with our code. Keeping
 * Electron patched is the job of dependency updates (npm outdated / Dependabot), not this gate.
 *
 * Flags (for tests): --out DIR (default out), --report-dir DIR (default test-results/electronegativity).
 *
 * The allow-list is keyed by check id + file (path relative to out/), each with the reason it is
 * a false positive. Never add a blanket entry: a new file or a new check must be looked at.
 */
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import process from 'node:process'
import { fileURLToPath, pathToFileURL } from 'node:url'

const require = createRequire(import.meta.url)
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
/** Checks not run, each with its reason in the header comment. Lower-case, as Electronegativity wants. */
const EXCLUDED_CHECKS = ['availablesecurityfixesglobalcheck']
/** Folders of out/ that hold our Electron-side code; each must contribute at least one scanned file. */
const REQUIRED_DIRS = ['main', 'preload']
/**
 * The folders of out/ the Electron app is made of (main, preload, and the renderer it loads). Not
 * out/cli: the bundled command line runs on plain Node, never in Electron, and carries its npm
 * packages inside it (code this scan was never meant for, some of which its parser cannot read).
 */
const APP_DIRS = ['main', 'preload', 'renderer']
const SCANNED_EXTENSIONS = new Set(['.js', '.jsx', '.ts', '.tsx', '.html', '.htm'])
const RENAMED_EXTENSIONS = new Set(['.cjs', '.mjs'])

/**
 * Reviewed findings: { id, file (as printed: "out/main/index.js"), reason }. A HIGH finding fails
 * the run unless it is here; lower ones are printed either way, with the reason when reviewed.
 * @type {ReadonlyArray<{ id: string, file: string, reason: string }>}
 */
export const ALLOWED_FINDINGS = [
  {
    id: 'PRELOAD_JS_CHECK',
    file: 'out/main/index.js',
    reason:
      'the one preload (src/preload) runs sandboxed and context-isolated, exposes only countersign.invoke/on, never ipcRenderer or the IPC event (test/ipc/createBridge.test.ts)',
  },
  {
    id: 'CSP_GLOBAL_CHECK',
    file: 'out/main/index.js',
    reason:
      'the header value is computed by contentSecurityPolicy() (src/main/security.ts), which the tool cannot evaluate; the exact policy is asserted in test/security/policy.test.ts',
  },
]

/**
 * Replace Electronegativity's i18n loader (dist/locales/i18n.js) with one that uses only the
 * bundled en-US strings: the original downloads a locale file from S3 on every run.
 */
function installOfflineI18n() {
  const pkgDir = path.dirname(require.resolve('@doyensec/electronegativity/package.json'))
  const loaderPath = path.join(pkgDir, 'dist', 'locales', 'i18n.js')
  const i18n = require(require.resolve('i18n', { paths: [pkgDir] }))
  const configure = async () => {
    i18n.configure({
      locales: ['en-US'],
      defaultLocale: 'en-US',
      directory: path.dirname(loaderPath),
      updateFiles: false,
      objectNotation: true,
      retryInDefaultLocale: true,
      register: globalThis,
    })
    i18n.setLocale('en-US')
  }
  const Module = require('node:module')
  const shim = new Module(loaderPath)
  shim.filename = loaderPath
  shim.loaded = true
  shim.exports = configure
  shim.exports.default = configure
  require.cache[loaderPath] = shim
  return pkgDir
}

/**
 * Copy out/ (and package.json) to the staging folder, renaming .cjs/.mjs to .js; returns
 * staged path -> display path ("out/preload/index.cjs", "package.json").
 */
function stage(outDir, stagingDir) {
  fs.rmSync(stagingDir, { recursive: true, force: true })
  /** @type {Map<string, string>} */
  const display = new Map()
  const copy = (from, stagedRel, shown) => {
    const to = path.join(stagingDir, stagedRel)
    fs.mkdirSync(path.dirname(to), { recursive: true })
    fs.copyFileSync(from, to)
    display.set(toPosix(stagedRel), shown)
  }
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const from = path.join(dir, entry.name)
      if (entry.isDirectory()) {
        walk(from)
        continue
      }
      const rel = path.relative(outDir, from)
      const ext = path.extname(entry.name)
      if (RENAMED_EXTENSIONS.has(ext))
        copy(from, path.join('out', rel.slice(0, -ext.length) + `${ext.replace('.', '_')}.js`), `out/${toPosix(rel)}`)
      else if (SCANNED_EXTENSIONS.has(ext)) copy(from, path.join('out', rel), `out/${toPosix(rel)}`)
    }
  }
  for (const dir of APP_DIRS) if (fs.existsSync(path.join(outDir, dir))) walk(path.join(outDir, dir))
  const pkg = path.join(ROOT, 'package.json')
  if (fs.existsSync(pkg)) copy(pkg, 'package.json', 'package.json')
  return display
}

function toPosix(p) {
  return p.split(path.sep).join('/')
}

function installedElectronVersion() {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', 'electron', 'package.json'), 'utf8')).version
}

/** @param {string[]} argv */
function option(argv, name, fallback) {
  const i = argv.indexOf(name)
  return i >= 0 && argv[i + 1] ? path.resolve(argv[i + 1]) : fallback
}

export async function main(argv = process.argv.slice(2)) {
  const outDir = option(argv, '--out', path.join(ROOT, 'out'))
  const reportDir = option(argv, '--report-dir', path.join(ROOT, 'test-results', 'electronegativity'))
  const stagingDir = path.join(reportDir, 'input')
  for (const dir of REQUIRED_DIRS) {
    if (!fs.existsSync(path.join(outDir, dir))) {
      console.error(`electronegativity: ${path.join(outDir, dir)} does not exist — run "npm run build" (electron-vite build) first.`)
      return 1
    }
  }
  const pkgDir = installOfflineI18n()
  const run = require(path.join(pkgDir, 'dist', 'runner.js'))
  const display = stage(outDir, stagingDir)
  const shown = (file) => display.get(toPosix(path.isAbsolute(file) ? path.relative(stagingDir, file) : file)) ?? toPosix(file)
  const electronVersion = installedElectronVersion()

  fs.mkdirSync(reportDir, { recursive: true })
  const sarifPath = path.join(reportDir, 'report.sarif')
  const result = await run({
    input: stagingDir,
    output: sarifPath,
    isSarif: true,
    isRelative: true,
    customScan: [],
    excludeFromScan: EXCLUDED_CHECKS,
    electronVersionOverride: electronVersion,
    parserPlugins: [],
  })

  // What was scanned: every staged file the parser read without a fatal error.
  const failed = new Set(result.errors.filter((e) => !e.tolerable).map((e) => shown(e.file)))
  const scanned = [...display.values()].filter((f) => !failed.has(f))
  console.log(
    `electronegativity ${require(path.join(pkgDir, 'package.json')).version}: Electron ${electronVersion}, ${result.globalChecks} global + ${result.atomicChecks} atomic checks (excluded: ${EXCLUDED_CHECKS.join(', ')})`,
  )
  console.log(`scanned ${scanned.length} file(s):`)
  for (const f of scanned) console.log(`  ${f}`)

  let failures = 0
  for (const e of result.errors) {
    if (e.tolerable) {
      console.log(`  note: ${shown(e.file)} parsed with a warning: ${e.message}`)
    } else {
      console.error(`FAIL: ${shown(e.file)} could not be parsed, so it was not scanned: ${e.message}`)
      failures++
    }
  }
  for (const dir of REQUIRED_DIRS) {
    const n = scanned.filter((f) => f.startsWith(`out/${dir}/`) && /\.(c|m)?js$/.test(f)).length
    if (n === 0) {
      console.error(`FAIL: no JavaScript file of out/${dir} was scanned`)
      failures++
    }
  }

  const findings = result.issues.map((issue) => {
    const file = shown(issue.file)
    const allowed = ALLOWED_FINDINGS.find((a) => a.id === issue.id && a.file === file)
    return {
      id: issue.id,
      severity: issue.severity.name,
      confidence: issue.confidence.name,
      manualReview: Boolean(issue.manualReview),
      file,
      line: issue.location?.line ?? 0,
      column: issue.location?.column ?? 0,
      description: issue.description,
      sample: typeof issue.sample === 'string' ? issue.sample.slice(0, 200) : undefined,
      allowedBecause: allowed?.reason,
    }
  })
  const order = { HIGH: 0, MEDIUM: 1, LOW: 2, INFORMATIONAL: 3 }
  findings.sort((a, b) => (order[a.severity] ?? 9) - (order[b.severity] ?? 9) || a.file.localeCompare(b.file) || a.line - b.line)

  console.log(`\n${findings.length} finding(s):`)
  for (const f of findings) {
    const verdict = f.allowedBecause ? `reviewed — ${f.allowedBecause}` : f.severity === 'HIGH' ? 'FAIL' : 'review'
    console.log(`  [${f.severity}/${f.confidence}] ${f.id} ${f.file}:${f.line}:${f.column} — ${f.description} (${verdict})`)
    if (f.severity === 'HIGH' && !f.allowedBecause) failures++
  }
  for (const a of ALLOWED_FINDINGS) {
    if (!findings.some((f) => f.id === a.id && f.file === a.file))
      console.log(`  note: allow-list entry ${a.id} @ ${a.file} matched nothing — remove it`)
  }

  const reportPath = path.join(reportDir, 'report.json')
  const errors = result.errors.map((e) => ({ file: shown(e.file), message: e.message, tolerable: e.tolerable }))
  fs.writeFileSync(
    reportPath,
    JSON.stringify({ electronVersion, excludedChecks: EXCLUDED_CHECKS, scanned, errors, findings }, null, 2) + '\n',
  )
  console.log(`\nreport: ${reportPath} and ${sarifPath}`)
  if (failures > 0) {
    console.error(`electronegativity: ${failures} problem(s) — see above.`)
    return 1
  }
  console.log('electronegativity: no HIGH findings outside the reviewed allow-list.')
  return 0
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main()
}
