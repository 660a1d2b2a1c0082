// Types for scripts/electron-native.mjs (imported by test/ipc/electronNative.test.ts).
export declare const OUT_DIR_RELATIVE: string
export declare const BINARY_NAME: string
export declare const STAMP_NAME: string
export interface NativeStamp {
  electronVersion: string
  abi: string | null
  betterSqlite3Version: string
  platform: string
  arch: string
}
export declare function paths(root: string): {
  outDir: string
  binary: string
  stamp: string
  workDir: string
  electronPkgDir: string
  moduleDir: string
}
export declare function electronBinaryStatus(
  root: string,
  env?: NodeJS.ProcessEnv,
): { present: true; executable: string } | { present: false; reason: string }
export declare function wantedStamp(root: string, host?: { platform?: string; arch?: string }): NativeStamp
export declare function decide(
  root: string,
  wanted: NativeStamp,
  options?: { force?: boolean },
): { action: 'skip' | 'build'; reason: string }
export declare function build(root: string, wanted: NativeStamp): Promise<void>
export declare function verifyNotNodeAbi(file: string, wanted: { abi: string | null }): void
export declare function main(argv?: string[], root?: string): Promise<number>
