// Preloaded with `node --import` by test/cli/lazyRails.test.ts: appends every module the process
// loads — ES modules through a loader hook (module.register), CommonJS through Module._load — one
// per line to the file named by COUNTERSIGN_TEST_LOAD_LOG.
import fs from 'node:fs'
import Module, { register } from 'node:module'

const logFile = process.env.COUNTERSIGN_TEST_LOAD_LOG
if (!logFile) throw new Error('moduleLoadLog.mjs: set COUNTERSIGN_TEST_LOAD_LOG to the file to write')

register('./moduleLoadHooks.mjs', import.meta.url)
const load = Module._load
Module._load = function logged(request, parent, isMain) {
  let where = request
  try {
    where = Module._resolveFilename(request, parent, isMain)
  } catch {
    // node's own modules and anything unresolvable: the request as written
  }
  fs.appendFileSync(logFile, `cjs ${where}\n`)
  return load.apply(this, arguments)
}
