#!/usr/bin/env node
// The `countersign` command. Runs the TypeScript sources directly through tsx's ESM loader, so it
// works right after `npm ci` with no build step.
import { fileURLToPath } from 'node:url'
import { register } from 'tsx/esm/api'

register({ tsconfig: fileURLToPath(new URL('../tsconfig.node.json', import.meta.url)) })
const { main, processIo } = await import('../src/cli/index.ts')
process.exitCode = await main(process.argv.slice(2), processIo())
