#!/usr/bin/env node
// The `countersign` command. Runs the built CLI (out/cli, made by `npm run build`) when it is
// there and no file it was built from has changed since; otherwise the TypeScript sources through
// tsx's ESM loader — so it works right after `npm ci` with no build step, and never runs stale
// code after an edit. COUNTERSIGN_CLI_FROM=sources forces the sources.
import { fileURLToPath } from 'node:url'
import { builtEntry } from './builtCli.mjs'

const root = new URL('../', import.meta.url)
const built = builtEntry(root)
let cli
if (built !== null) {
  cli = await import(built.href)
} else {
  const { register } = await import('tsx/esm/api')
  register({ tsconfig: fileURLToPath(new URL('tsconfig.node.json', root)) })
  cli = await import('../src/cli/index.ts')
}
process.exitCode = await cli.main(process.argv.slice(2), cli.processIo())
