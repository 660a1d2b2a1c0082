// ESLint flat config. Besides the TypeScript rules, it holds the boundaries between the rooms of
// the code (docs/STYLE.md, "Boundaries are lint rules"): a boundary that is only written down
// drifts — the rails came to import the engine — so a wrong import fails `npm run lint`.
// test/lint/boundaries.test.ts proves each zone fires.
import { builtinModules } from 'node:module'
import tseslint from 'typescript-eslint'
import reactHooks from 'eslint-plugin-react-hooks'

// ---------------------------------------------------------------------------------------------
// Boundaries. A zone is a folder, what its files may not import, and why (the message a person
// sees). Relative specifiers are matched exactly: for each depth of folders below a zone there is
// one config object whose regexes count the `../` steps, so "leaves the renderer" or "reaches
// core/payouts" is decided by where the path lands, not by a folder name that may repeat
// (`rails/stripe/api/` is not `core/api/`). Flat config keeps only the last matching object's
// options for a rule, so each object carries every restriction of the zones that contain it.
// `no-restricted-imports` covers import/export declarations (with `allowTypeImports` where a
// type-only import is fine); `no-restricted-syntax` covers `import()` with the same regexes.

/** Folders below a zone that get exact regexes; a test checks no source file sits deeper. */
const BOUNDARY_FOLDER_DEPTH_MAX = 10
const SOURCE_EXTENSIONS = '{ts,tsx,mts,cts,js,jsx,mjs,cjs}'
/** Tests beside the code may use the helpers in test/; production code may not. */
const TEST_FILE_GLOB = '*.test.{ts,tsx}'

const MESSAGES = {
  electron:
    'src/main/core, src/shared, the CLI and web mode must not import electron: put platform code behind an interface in src/main/platform.',
  test: 'Production code may not import test/: move what it needs into src (the sandbox keeps its own in src/main/sandbox/) and let test/ import it from there.',
  rails:
    'A rail is a pure adapter: src/main/core/rails may not import payouts/, api/ or db/ at runtime (a type-only import is fine) — take what it needs as data from the engine.',
  renderer: 'The renderer imports only src/shared, its own files and packages: it talks to the core through window.countersign.',
  rendererPlatform:
    'The renderer runs sandboxed in the browser: no node built-ins and no electron — ask the core through window.countersign.',
  shared:
    'src/shared is the contract every process reads: it imports only its own files and packages — no node built-ins, no electron, nothing from src/main or the renderer.',
}

const escapeRe = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
/** Exactly `count` leading `../` steps (a bare `..` specifier is not matched: the code has none). */
const up = (count) => `(?:\\.\\./){${count}}`
const segments = (dir) => dir.split('/')
const isUnder = (dir, root) => dir === root || dir.startsWith(root + '/')

/**
 * Regexes for relative specifiers that land in `target` (a folder from the repo root), written in
 * a file `depth` folders below `zone`: one per common ancestor the path can climb to.
 */
function landsIn(zone, depth, target) {
  const z = segments(zone)
  const t = segments(target)
  const res = []
  // j: how many leading folders the zone and the target share at the ancestor the path climbs to.
  for (let j = 0; j < z.length && j < t.length; j++) {
    res.push(`^${up(depth + z.length - j)}${escapeRe(t.slice(j).join('/'))}(?:/|$)`)
    if (z[j] !== t[j]) break
  }
  return res
}

/**
 * Regexes for relative specifiers that leave `zone` for anywhere but `allowed` folders, written in
 * a file `depth` folders below it: at each ancestor reached, anything but a way back into the zone
 * or an allowed folder (or a further climb, matched at the next ancestor); above the repo root, anything.
 */
function leaves(zone, depth, allowed) {
  const z = segments(zone)
  const res = []
  for (let j = z.length - 1; j >= 0; j--) {
    const ancestor = z.slice(0, j).join('/')
    const ways = [zone, ...allowed]
      .filter((dir) => j === 0 || isUnder(dir, ancestor))
      .map((dir) => escapeRe(j === 0 ? dir : dir.slice(ancestor.length + 1)))
    res.push(`^${up(depth + z.length - j)}(?!\\.\\./|(?:${ways.join('|')})(?:/|$))`)
  }
  res.push(`^${up(depth + z.length + 1)}`)
  return res
}

const ELECTRON_RE = '^electron(?:/|$)'
const NODE_BUILTIN_RE = `^(?:node:|(?:${builtinModules
  .filter((m) => !m.startsWith('_'))
  .map(escapeRe)
  .join('|')})(?:/|$))`

/**
 * The zones, from the widest folder to the narrowest. `restrict(depth, isTest)` gives the
 * restrictions of a file `depth` folders below the zone: `{ regexes, message, allowTypeImports? }`.
 */
const ZONES = [
  { zone: 'src', restrict: (depth, isTest) => (isTest ? [] : [{ regexes: landsIn('src', depth, 'test'), message: MESSAGES.test }]) },
  { zone: 'src/main/core', restrict: () => [{ regexes: [ELECTRON_RE], message: MESSAGES.electron }] },
  { zone: 'src/cli', restrict: () => [{ regexes: [ELECTRON_RE], message: MESSAGES.electron }] },
  { zone: 'src/web', restrict: () => [{ regexes: [ELECTRON_RE], message: MESSAGES.electron }] },
  {
    zone: 'src/main/core/rails',
    restrict: (depth) => [
      {
        regexes: ['payouts', 'api', 'db'].flatMap((room) => landsIn('src/main/core/rails', depth, `src/main/core/${room}`)),
        message: MESSAGES.rails,
        allowTypeImports: true,
      },
    ],
  },
  {
    zone: 'src/renderer',
    restrict: (depth) => [
      // test/ is left to the src-wide rule, so production code hears why and tests may use test/.
      { regexes: leaves('src/renderer', depth, ['src/shared', 'test']), message: MESSAGES.renderer },
      { regexes: [ELECTRON_RE, NODE_BUILTIN_RE], message: MESSAGES.rendererPlatform },
    ],
  },
  {
    zone: 'src/shared',
    restrict: (depth) => [{ regexes: [...leaves('src/shared', depth, ['test']), ELECTRON_RE, NODE_BUILTIN_RE], message: MESSAGES.shared }],
  },
]

/** The two rules' options for a set of restrictions. */
function boundaryRules(restrictions) {
  if (restrictions.length === 0) return { 'no-restricted-imports': 'off', 'no-restricted-syntax': 'off' }
  const patterns = restrictions.map(({ regexes, message, allowTypeImports }) => ({
    regex: regexes.join('|'),
    message,
    ...(allowTypeImports ? { allowTypeImports: true } : {}),
  }))
  // esquery reads a regex up to the next "/", so a slash is written \x2F in the selector.
  const dynamic = restrictions.map(({ regexes, message }) => ({
    selector: `ImportExpression[source.value=/${regexes.join('|').replaceAll('/', '\\x2F')}/]`,
    message,
  }))
  return { 'no-restricted-imports': ['error', { patterns }], 'no-restricted-syntax': ['error', ...dynamic] }
}

/**
 * One config object per zone and folder depth (tests after the rest, so the test variant is the
 * last to match a test file), each with the restrictions of every zone that contains it.
 */
function boundaryConfigs() {
  const configs = []
  for (const isTest of [false, true]) {
    for (const { zone } of ZONES) {
      for (let depth = 0; depth <= BOUNDARY_FOLDER_DEPTH_MAX; depth++) {
        const restrictions = ZONES.filter((outer) => isUnder(zone, outer.zone)).flatMap((outer) =>
          outer.restrict(depth + segments(zone).length - segments(outer.zone).length, isTest),
        )
        const dir = `${zone}/${'*/'.repeat(depth)}`
        configs.push({
          name: `countersign/boundaries ${dir}${isTest ? ' (tests)' : ''}`,
          files: [isTest ? dir + TEST_FILE_GLOB : `${dir}*.${SOURCE_EXTENSIONS}`],
          rules: boundaryRules(restrictions),
        })
      }
    }
  }
  return configs
}

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'build/**', 'test/fixtures/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  ...boundaryConfigs(),
  {
    // The core's database calls are async (src/main/core/db/Db.ts): a promise nobody awaits is a
    // write that may not have happened, or a transaction that ends before its last statement.
    files: ['src/main/**/*.ts', 'src/cli/**/*.ts', 'src/web/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    ignores: ['test/e2e/**', 'test/lint/**'],
    languageOptions: { parserOptions: { project: './tsconfig.node.json' } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: true, attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
)
