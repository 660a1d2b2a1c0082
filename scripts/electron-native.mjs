#!/usr/bin/env node
/**
 * Electron-ABI SQLite, beside Node's.
 *
 * better-sqlite3 is a native module: its better_sqlite3.node is compiled against one ABI. The
 * CLI, tests and browser mode run on Node and load node_modules/better-sqlite3 as installed; the
 * Electron app needs the same module compiled for Electron's ABI. Rebuilding node_modules in
 * place (the usual `electron-rebuild`) would break `npm test`, so this script builds a SEPARATE
 * copy:
 *
 *   1. copy node_modules/better-sqlite3 (sources and the bundled SQLite, not its Node build/)
 *      to build/electron-native/work/node_modules/better-sqlite3, under a tiny package.json that
 *      depends on it;
 *   2. run @electron/rebuild there for the installed Electron version (onlyModules:
 *      better-sqlite3) — it fetches a prebuilt binary for Electron or compiles against Electron's
 *      headers;
 *   3. copy the result to build/electron-native/better_sqlite3.node and write stamp.json
 *      (Electron version, ABI, better-sqlite3 version, platform, arch, sha256).
 *
 * The main process passes that file to better-sqlite3 as `nativeBinding` (src/main/index.ts).
 * The next run skips all of it while the stamp still matches what is installed and the file's
 * hash. `npm start` and `npm run dev` run this first; it exits non-zero when there is no Electron
 * binary (ELECTRON_SKIP_BINARY_DOWNLOAD installs), because then there is nothing to start.
 *
 * Flags: --force (rebuild even if the stamp matches), --check (report, change nothing).
 * Exit codes: 0 ready, 1 no Electron binary, 2 build failed, 3 --check found it missing or stale.
 */
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import process from 'node:process'
import { fileURLToPath, pathToFileURL } from 'node:url'

export const OUT_DIR_RELATIVE = path.join('build', 'electron-native')
export const BINARY_NAME = 'better_sqlite3.node'
export const STAMP_NAME = 'stamp.json'
const MODULE_NAME = 'better-sqlite3'

/** @param {string} root */
export function paths(root) {
  const outDir = path.join(root, OUT_DIR_RELATIVE)
  return {
    outDir,
    binary: path.join(outDir, BINARY_NAME),
    stamp: path.join(outDir, STAMP_NAME),
    workDir: path.join(outDir, 'work'),
    electronPkgDir: path.join(root, 'node_modules', 'electron'),
    moduleDir: path.join(root, 'node_modules', MODULE_NAME),
  }
}

/**
 * Is the Electron executable installed? Mirrors node_modules/electron/index.js without running
 * it (that file starts a download when the binary is missing).
 * @param {string} root
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {{ present: true, executable: string } | { present: false, reason: string }}
 */
export function electronBinaryStatus(root, env = process.env) {
  const pkgDir = paths(root).electronPkgDir
  if (!fs.existsSync(path.join(pkgDir, 'package.json'))) return { present: false, reason: 'the electron package is not installed (npm ci)' }
  const pathFile = path.join(pkgDir, 'path.txt')
  if (!fs.existsSync(pathFile)) {
    return {
      present: false,
      reason: 'node_modules/electron has no binary (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1, or its download failed)',
    }
  }
  const relative = fs.readFileSync(pathFile, 'utf8').trim()
  const executable = env.ELECTRON_OVERRIDE_DIST_PATH
    ? path.join(env.ELECTRON_OVERRIDE_DIST_PATH, relative || 'electron')
    : path.join(pkgDir, 'dist', relative)
  if (!fs.existsSync(executable)) return { present: false, reason: `the Electron executable ${executable} is missing` }
  return { present: true, executable }
}

/**
 * What should be in the stamp for the current install.
 * @param {string} root
 * @param {{ platform?: string, arch?: string }} [host]
 */
export function wantedStamp(root, host = {}) {
  const p = paths(root)
  const electron = readJson(path.join(p.electronPkgDir, 'package.json'))
  const sqlite = readJson(path.join(p.moduleDir, 'package.json'))
  const abiFile = path.join(p.electronPkgDir, 'abi_version')
  const abi = fs.existsSync(abiFile) ? fs.readFileSync(abiFile, 'utf8').trim() : null
  return {
    electronVersion: String(electron.version),
    abi,
    betterSqlite3Version: String(sqlite.version),
    platform: host.platform ?? process.platform,
    arch: host.arch ?? process.arch,
  }
}

/**
 * Build or skip? Pure apart from reading the stamp and hashing the binary.
 * @param {string} root
 * @param {ReturnType<typeof wantedStamp>} wanted
 * @param {{ force?: boolean }} [options]
 * @returns {{ action: 'skip' | 'build', reason: string }}
 */
export function decide(root, wanted, options = {}) {
  const p = paths(root)
  if (options.force) return { action: 'build', reason: '--force' }
  if (!fs.existsSync(p.binary)) return { action: 'build', reason: `${BINARY_NAME} is not built yet` }
  if (!fs.existsSync(p.stamp)) return { action: 'build', reason: `${STAMP_NAME} is missing` }
  let stamp
  try {
    stamp = readJson(p.stamp)
  } catch {
    return { action: 'build', reason: `${STAMP_NAME} is unreadable` }
  }
  for (const key of /** @type {const} */ (['electronVersion', 'abi', 'betterSqlite3Version', 'platform', 'arch'])) {
    if (stamp[key] !== wanted[key]) return { action: 'build', reason: `${key} changed (${String(stamp[key])} -> ${String(wanted[key])})` }
  }
  if (stamp.sha256 !== sha256File(p.binary)) return { action: 'build', reason: `${BINARY_NAME} does not match its stamp` }
  return {
    action: 'skip',
    reason: `already built for Electron ${wanted.electronVersion} (ABI ${wanted.abi}) on ${wanted.platform}-${wanted.arch}`,
  }
}

/**
 * Copy the module and rebuild it for Electron; writes the binary, then the stamp.
 * @param {string} root
 * @param {ReturnType<typeof wantedStamp>} wanted
 */
export async function build(root, wanted) {
  const p = paths(root)
  fs.rmSync(p.workDir, { recursive: true, force: true })
  const target = path.join(p.workDir, 'node_modules', MODULE_NAME)
  fs.mkdirSync(target, { recursive: true })
  fs.writeFileSync(
    path.join(p.workDir, 'package.json'),
    JSON.stringify(
      { name: 'countersign-electron-native', private: true, dependencies: { [MODULE_NAME]: wanted.betterSqlite3Version } },
      null,
      2,
    ),
  )
  // Sources, lib and the bundled SQLite; not build/ (Node's ABI) — the rebuild must not reuse it.
  fs.cpSync(p.moduleDir, target, {
    recursive: true,
    filter: (src) => path.relative(p.moduleDir, src).split(path.sep)[0] !== 'build',
  })

  const { rebuild } = await import('@electron/rebuild')
  await rebuild({
    buildPath: p.workDir,
    electronVersion: wanted.electronVersion,
    arch: wanted.arch,
    onlyModules: [MODULE_NAME],
    force: true,
    mode: 'sequential',
  })

  const produced = path.join(target, 'build', 'Release', BINARY_NAME)
  if (!fs.existsSync(produced)) throw new Error(`@electron/rebuild finished but ${produced} does not exist`)
  verifyNotNodeAbi(produced, wanted)

  // Replace atomically, then stamp: a crash in between leaves no stamp, so the next run rebuilds.
  fs.rmSync(p.stamp, { force: true })
  const tmp = `${p.binary}.tmp`
  fs.copyFileSync(produced, tmp)
  fs.renameSync(tmp, p.binary)
  fs.writeFileSync(p.stamp, JSON.stringify({ ...wanted, sha256: sha256File(p.binary), builtAt: new Date().toISOString() }, null, 2) + '\n')
  fs.rmSync(p.workDir, { recursive: true, force: true })
}

/**
 * Guard against a build that silently came out for Node: loading it in Node must fail with
 * Node's "compiled against a different Node.js version" error naming Electron's ABI. The load
 * runs in a child process, so a binary that crashes Node cannot take this script down.
 * @param {string} file
 * @param {{ abi: string | null }} wanted
 */
export function verifyNotNodeAbi(file, wanted) {
  if (process.versions.modules === wanted.abi) return // same ABI number: nothing to tell apart
  const probe = spawnSync(process.execPath, ['-e', 'process.dlopen({ exports: {} }, process.argv[1])', file], {
    encoding: 'utf8',
    timeout: 30_000,
  })
  if (probe.status === 0)
    throw new Error(`${file} loads in Node ${process.version} — it was built for Node's ABI, not Electron's (${wanted.abi})`)
  const match = /NODE_MODULE_VERSION (\d+)/.exec(String(probe.stderr))
  if (match && wanted.abi && match[1] !== wanted.abi) throw new Error(`${file} was built for ABI ${match[1]}, not Electron's ${wanted.abi}`)
}

/** @param {string} file */
function sha256File(file) {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex')
}

/** @param {string} file */
function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'))
}

/** @param {string[]} argv */
export async function main(argv = process.argv.slice(2), root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')) {
  const force = argv.includes('--force')
  const check = argv.includes('--check')
  const status = electronBinaryStatus(root)
  if (!status.present) {
    console.error(
      [
        `electron-native: cannot start the Electron app — ${status.reason}.`,
        '  Install it where downloads are allowed:  npx install-electron --no   (or: rm -rf node_modules/electron && npm install)',
        '  Without Electron, run the same app in a browser:  npm run start:web   — or use the CLI:  npm run cli -- --help',
      ].join('\n'),
    )
    return 1
  }
  const wanted = wantedStamp(root)
  const decision = decide(root, wanted, { force })
  if (decision.action === 'skip') {
    console.log(`electron-native: ${decision.reason}.`)
    return 0
  }
  if (check) {
    console.error(`electron-native: needs a build — ${decision.reason}.`)
    return 3
  }
  console.log(
    `electron-native: building ${MODULE_NAME} ${wanted.betterSqlite3Version} for Electron ${wanted.electronVersion} (${decision.reason})…`,
  )
  try {
    await build(root, wanted)
  } catch (error) {
    console.error(`electron-native: the build failed — ${error instanceof Error ? error.message : String(error)}`)
    console.error(
      '  It needs the network (prebuilt binary or Electron headers) or a C++ toolchain (python3, make, g++ / Xcode / VS Build Tools).',
    )
    return 2
  }
  console.log(`electron-native: ready — ${path.relative(root, paths(root).binary)}.`)
  return 0
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main()
}
