#!/usr/bin/env node
/**
 * Builds the `countersign` CLI into out/cli/ (part of `npm run build`):
 *
 *   node scripts/build-cli.mjs
 *
 * Why: bin/countersign.mjs can run the TypeScript sources through tsx, but then every command
 * pays for compiling (or reading tsx's cache of) hundreds of modules before it does anything.
 * The build is plain ESM: src/cli/index.ts with every source file and pure-JS package it reaches
 * bundled in (resolving thousands of small package modules one by one was half of a command's
 * start), `import()`s kept as their own chunks (so what a command never reaches is never loaded).
 * Left as imports of node_modules (EXTERNAL): native modules, and packages that find their own
 * files or binaries at run time.
 *
 * Beside the bundle, out/cli/build.json lists every source file that went into it, so
 * bin/countersign.mjs can tell when a source is newer than the build (a developer edited it and
 * did not rebuild) and fall back to the sources instead of running stale code; and
 * out/cli/meta.json is esbuild's metafile (which inputs went into which chunk), so a test can
 * tell which packages a command loaded (test/cli/lazyRails.test.ts).
 *
 *   node scripts/build-cli.mjs [OUT_DIR]   — another folder inside the project (tests); default out/cli
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { BUILD_MANIFEST_VERSION } from '../bin/builtCli.mjs'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const OUT_DIR = process.argv[2] ? path.resolve(process.argv[2]) : path.join(ROOT, 'out', 'cli')
/** Loaded from node_modules at run time, never bundled. */
const EXTERNAL = [
  'better-sqlite3', // native
  'pg', // optional native binding (pg-native)
  'pdfkit', // reads its font metrics (.afm) from its own folder
  '@foundry-rs/anvil', // finds its binary beside itself
  '@ledgerhq/*', // node-hid (native), loaded through createRequire in ledgerPackages.ts
  'node-hid',
  'usb',
  // Its CRC helper calls the deprecated Buffer() where Buffer.from exists; node warns (DEP0005) on
  // such a call from outside node_modules — in the bundle it would print on every ZIP.
  'yazl',
  'base32.js', // the same (new Buffer(bytes) when decoding a Stellar key), for stellar-base
]
/** Besides the sources: a dependency change (npm ci after a pull) makes the build stale too. */
const PROJECT_INPUTS = ['package.json', 'package-lock.json']

const startedAtMs = Date.now()
fs.rmSync(OUT_DIR, { recursive: true, force: true })
const result = await build({
  absWorkingDir: ROOT,
  entryPoints: { index: 'src/cli/index.ts' },
  outdir: OUT_DIR,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: EXTERNAL,
  // CommonJS packages bundled into ESM still call require() for node's own modules.
  banner: {
    js: "import { createRequire as __countersignRequire } from 'node:module'; const require = __countersignRequire(import.meta.url);",
  },
  tsconfig: 'tsconfig.node.json',
  metafile: true,
  logLevel: 'warning',
})

const inputs = [...Object.keys(result.metafile.inputs).filter((file) => !file.startsWith('node_modules/')), ...PROJECT_INPUTS].sort()
const manifest = {
  version: BUILD_MANIFEST_VERSION,
  entry: 'index.mjs',
  // Every input's mtime is at most this when the build began; a later one means an edit since.
  sourcesAtMs: startedAtMs,
  inputs,
}
fs.writeFileSync(path.join(OUT_DIR, 'build.json'), JSON.stringify(manifest, null, 2) + '\n')
fs.writeFileSync(path.join(OUT_DIR, 'meta.json'), JSON.stringify(result.metafile))
const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0)
process.stdout.write(
  `${path.relative(ROOT, OUT_DIR)}: ${inputs.length} project files → ${(bytes / 1024 / 1024).toFixed(1)} MiB in ${Date.now() - startedAtMs} ms\n`,
)
