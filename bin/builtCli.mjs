// Which CLI bin/countersign.mjs runs: the build in out/cli (scripts/build-cli.mjs), or the sources.
import fs from 'node:fs'

/** The layout of out/cli/build.json this file reads. */
export const BUILD_MANIFEST_VERSION = 1

/**
 * The built entry's URL under `root` (the project folder, as a file: URL ending in '/'), or null
 * — then run the sources — when COUNTERSIGN_CLI_FROM=sources, when there is no build, or when any
 * file it was built from is gone or changed after the build began (an edit not yet rebuilt).
 */
export function builtEntry(root, env = process.env) {
  if (env.COUNTERSIGN_CLI_FROM === 'sources') return null
  let manifest
  try {
    manifest = JSON.parse(fs.readFileSync(new URL('out/cli/build.json', root), 'utf8'))
  } catch {
    return null
  }
  if (manifest?.version !== BUILD_MANIFEST_VERSION || !Array.isArray(manifest.inputs) || typeof manifest.sourcesAtMs !== 'number') {
    return null
  }
  for (const input of manifest.inputs) {
    const stat = fs.statSync(new URL(input, root), { throwIfNoEntry: false })
    if (stat === undefined || stat.mtimeMs > manifest.sourcesAtMs) return null
  }
  return new URL(`out/cli/${manifest.entry}`, root)
}
