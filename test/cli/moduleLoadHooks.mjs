// The loader hook of moduleLoadLog.mjs (runs on node's hooks thread): logs each ES module loaded.
import fs from 'node:fs'

export async function load(url, context, nextLoad) {
  fs.appendFileSync(process.env.COUNTERSIGN_TEST_LOAD_LOG, `esm ${url}\n`)
  return nextLoad(url, context)
}
