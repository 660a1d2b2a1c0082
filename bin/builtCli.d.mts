/** Types of builtCli.mjs (plain JS, so bin/ runs on node without a build). */
export declare const BUILD_MANIFEST_VERSION: number
export declare function builtEntry(root: URL, env?: Record<string, string | undefined>): URL | null
