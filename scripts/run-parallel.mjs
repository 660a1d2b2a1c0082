#!/usr/bin/env node
/**
 * Runs npm scripts at the same time and prints each one's output whole, in the order given:
 *
 *   node scripts/run-parallel.mjs typecheck lint
 *
 * Why: `npm test` starts with checks that are each one single-threaded process (tsc, the typed
 * ESLint, Prettier) and depend on nothing but the sources. Side by side on CI's two cores they
 * take about the time of the longest instead of their sum. Output is held until a script ends,
 * so two tools never interleave their lines. Exits 1 when any script failed (after all ended).
 */
import { spawn } from 'node:child_process'

const names = process.argv.slice(2)
if (names.length === 0) {
  process.stderr.write('usage: node scripts/run-parallel.mjs <npm script>…\n')
  process.exit(2)
}

// Under `npm run`, npm_execpath is npm's own CLI: run it with this node, as npm would.
const npmArgv = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm']

function run(name) {
  const started = Date.now()
  return new Promise((resolveRun) => {
    const child = spawn(npmArgv[0], [...npmArgv.slice(1), 'run', '--silent', name], { stdio: ['ignore', 'pipe', 'pipe'] })
    const chunks = []
    child.stdout.on('data', (chunk) => chunks.push(chunk))
    child.stderr.on('data', (chunk) => chunks.push(chunk))
    child.once('error', (error) => chunks.push(Buffer.from(`cannot start npm: ${error.message}\n`)))
    child.once('close', (code, signal) => {
      const seconds = Math.round((Date.now() - started) / 1000)
      resolveRun({ name, ok: code === 0, status: signal ?? `exit ${code}`, seconds, output: Buffer.concat(chunks) })
    })
  })
}

let failed = false
const runs = names.map(run)
for (const pending of runs) {
  const { name, ok, status, seconds, output } = await pending
  process.stdout.write(`\n> npm run ${name} — ${ok ? 'ok' : `FAILED (${status})`}, ${seconds} s\n`)
  process.stdout.write(output)
  failed ||= !ok
}
process.exit(failed ? 1 : 0)
