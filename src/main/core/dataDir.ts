/** Where a workspace lives: --data-dir, else COUNTERSIGN_DATA_DIR, else Electron's userData path. */
import os from 'node:os'
import path from 'node:path'

export const DATA_DIR_ENV = 'COUNTERSIGN_DATA_DIR'
export const PRODUCT_NAME = 'Countersign'

export function resolveDataDir(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return path.resolve(flag)
  const fromEnv = env[DATA_DIR_ENV]
  if (fromEnv) return path.resolve(fromEnv)
  return defaultDataDir(env)
}

/** Mirrors Electron's app.getPath('userData') for productName "Countersign". */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const home = os.homedir()
  switch (process.platform) {
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', PRODUCT_NAME)
    case 'win32':
      return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), PRODUCT_NAME)
    default:
      return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), PRODUCT_NAME)
  }
}
