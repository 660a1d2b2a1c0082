/**
 * Proves the import boundaries in eslint.config.js fire: each case is a small source text linted
 * by the repo's own config as if it lived at `filePath` (the file need not exist), so a wrong
 * import fails `npm run lint` exactly as it does here. The cases that must pass matter as much:
 * type-only imports from a rail, a rail's own folder that shares a name with a core room, the
 * renderer's own files and src/shared.
 */
import { readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { ESLint } from 'eslint'
import { beforeAll, describe, expect, it } from 'vitest'

const repoRoot = resolve(import.meta.dirname, '../..')
const BOUNDARY_RULES = new Set(['no-restricted-imports', 'no-restricted-syntax'])

let eslint: ESLint

beforeAll(() => {
  eslint = new ESLint({
    cwd: repoRoot,
    // The cases are virtual files outside tsconfig.node.json, so the type-aware rules (which need
    // the TypeScript program) are switched off for them; the boundary rules need no types.
    overrideConfig: {
      languageOptions: { parserOptions: { project: null } },
      rules: {
        '@typescript-eslint/no-floating-promises': 'off',
        '@typescript-eslint/no-misused-promises': 'off',
        '@typescript-eslint/await-thenable': 'off',
      },
    },
  })
})

/** The boundary messages ESLint gives `code` placed at `filePath` (repo-relative). */
async function boundaryMessages(filePath: string, code: string): Promise<{ ruleId: string | null; message: string }[]> {
  const [result] = await eslint.lintText(code, { filePath: join(repoRoot, filePath) })
  expect(result, `${filePath} was not linted`).toBeDefined()
  const messages = result!.messages
  // A fatal message (a parse error, an ignored file) would make a passing case pass for nothing.
  expect(messages.filter((m) => m.fatal || m.ruleId === null)).toEqual([])
  return messages.filter((m) => m.ruleId !== null && BOUNDARY_RULES.has(m.ruleId)).map(({ ruleId, message }) => ({ ruleId, message }))
}

async function expectFires(filePath: string, code: string, messagePart: string, ruleId = 'no-restricted-imports'): Promise<void> {
  const messages = await boundaryMessages(filePath, code)
  expect(messages).toHaveLength(1)
  expect(messages[0]!.ruleId).toBe(ruleId)
  expect(messages[0]!.message).toContain(messagePart)
}

async function expectPasses(filePath: string, code: string): Promise<void> {
  expect(await boundaryMessages(filePath, code)).toEqual([])
}

const RAILS = 'A rail is a pure adapter: src/main/core/rails may not import payouts/, api/ or db/ at runtime'
const TEST = 'Production code may not import test/'
const RENDERER = 'The renderer imports only src/shared, its own files and packages'
const RENDERER_PLATFORM = 'The renderer runs sandboxed in the browser: no node built-ins and no electron'
const SHARED = 'src/shared is the contract every process reads'
const ELECTRON = 'must not import electron'

describe('rails may not import the engine, the API or the database at runtime', () => {
  it('fires on a deliberate rails → payouts import', async () => {
    await expectFires(
      'src/main/core/rails/evm/lintFixture.ts',
      `import { chunkPayoutIds } from '../../payouts/execute/executionStore'\nexport const chunks = chunkPayoutIds\n`,
      RAILS,
    )
  })

  it('fires on rails → api and rails → db at runtime, from any depth and by any route', async () => {
    await expectFires(
      'src/main/core/rails/lintFixture.ts',
      `import { createApi } from '../api/createApi'\nexport const f = createApi\n`,
      RAILS,
    )
    await expectFires('src/main/core/rails/stripe/lintFixture.ts', `export { openDb } from '../../db/openDb'\n`, RAILS)
    await expectFires('src/main/core/rails/stripe/x/lintFixture.ts', `export * from '../../../../core/db/schema'\n`, RAILS)
    await expectFires(
      'src/main/core/rails/evm/lintFixture.ts',
      `export async function f() {\n  return import('../../payouts/execute/executionStore')\n}\n`,
      RAILS,
      'no-restricted-syntax',
    )
  })

  it('lets a type-only import from rails to db (and to payouts) pass', async () => {
    await expectPasses(
      'src/main/core/rails/evm/lintFixture.ts',
      [
        `import type { Database } from '../../db/schema'`,
        `import { type RailPreflight } from '../../payouts/batches/railPreflight'`,
        `export type { Database, RailPreflight }`,
        ``,
      ].join('\n'),
    )
  })

  it('does not mistake a rail’s own folder named api or db for the core room', async () => {
    await expectPasses(
      'src/main/core/rails/stripe/lintFixture.ts',
      `import { client } from './api/client'\nimport { rows } from './db/rows'\nexport const x = [client, rows]\n`,
    )
    await expectPasses('src/main/core/rails/stripe/x/lintFixture.ts', `import { client } from '../api/client'\nexport const x = client\n`)
  })

  it('leaves the rest of the core free to import the engine', async () => {
    await expectPasses(
      'src/main/core/poller/lintFixture.ts',
      `import { chunkPayoutIds } from '../payouts/execute/executionStore'\nexport const x = chunkPayoutIds\n`,
    )
  })
})

describe('src may not import test/', () => {
  it('fires on a deliberate src → test import, static or dynamic', async () => {
    await expectFires(
      'src/main/sandbox/lintFixture.ts',
      `import { startAnvil } from '../../../test/harness/evm/anvil'\nexport const start = startAnvil\n`,
      TEST,
    )
    await expectFires(
      'src/cli/lintFixture.ts',
      `export async function f() {\n  return import('../../test/harness/stripe')\n}\n`,
      TEST,
      'no-restricted-syntax',
    )
    await expectFires('src/renderer/src/lintFixture.tsx', `import { x } from '../../../test/fixtures/x'\nexport const y = x\n`, TEST)
  })

  it('lets tests beside the code use test/ helpers', async () => {
    await expectPasses(
      'src/main/core/signing/lintFixture.test.ts',
      `import { createManualTimer } from '../../../../test/signing/helpers'\nexport const t = createManualTimer\n`,
    )
  })

  it('does not mistake a folder named test inside src for the repo’s test/', async () => {
    await expectPasses('src/main/core/lintFixture.ts', `import { x } from '../test/x'\nexport const y = x\n`)
  })
})

describe('the renderer imports only src/shared, its own files and packages', () => {
  it('fires on the renderer reaching into main, preload or outside src', async () => {
    await expectFires(
      'src/renderer/src/features/payouts/lintFixture.tsx',
      `import { createCore } from '../../../../main/core/core'\nexport const c = createCore\n`,
      RENDERER,
    )
    await expectFires('src/renderer/src/lintFixture.ts', `import '../../preload/index'\n`, RENDERER)
    await expectFires('src/renderer/src/lintFixture.ts', `import x from '../../../scripts/demo'\nexport const y = x\n`, RENDERER)
  })

  it('fires on node built-ins and electron', async () => {
    await expectFires(
      'src/renderer/src/lintFixture.ts',
      `import { readFileSync } from 'node:fs'\nexport const r = readFileSync\n`,
      RENDERER_PLATFORM,
    )
    await expectFires(
      'src/renderer/src/lintFixture.ts',
      `import { ipcRenderer } from 'electron'\nexport const i = ipcRenderer\n`,
      RENDERER_PLATFORM,
    )
  })

  it('lets src/shared, its own files and packages pass', async () => {
    await expectPasses(
      'src/renderer/src/features/payouts/lintFixture.tsx',
      [
        `import { api } from '../../lib/api'`,
        `import { formatAmount } from '../../../../shared/money'`,
        `import { ViewHeader } from '../../components/ViewHeader'`,
        `import { create } from 'zustand'`,
        `export const x = [api, formatAmount, ViewHeader, create]`,
        ``,
      ].join('\n'),
    )
    await expectPasses(
      'src/renderer/lintFixture.ts',
      `import { x } from './src/lib/api'\nimport { y } from '../shared/api'\nexport const z = [x, y]\n`,
    )
  })
})

describe('src/shared imports only its own files and packages', () => {
  it('fires on node built-ins, electron, src/main and the renderer', async () => {
    await expectFires('src/shared/lintFixture.ts', `import { createHash } from 'node:crypto'\nexport const h = createHash\n`, SHARED)
    await expectFires('src/shared/lintFixture.ts', `import { readFile } from 'fs/promises'\nexport const r = readFile\n`, SHARED)
    await expectFires('src/shared/lintFixture.ts', `import { app } from 'electron'\nexport const a = app\n`, SHARED)
    await expectFires('src/shared/lintFixture.ts', `import { createCore } from '../main/core/core'\nexport const c = createCore\n`, SHARED)
    await expectFires('src/shared/lintFixture.ts', `import { api } from '../renderer/src/lib/api'\nexport const a = api\n`, SHARED)
  })

  it('lets its own files and packages pass', async () => {
    await expectPasses(
      'src/shared/lintFixture.ts',
      `import { z } from 'zod'\nimport { parseAmount } from './money'\nexport const x = [z, parseAmount]\n`,
    )
  })
})

describe('the core never imports electron', () => {
  it('fires on electron and its subpaths', async () => {
    await expectFires('src/main/core/lintFixture.ts', `import { app } from 'electron'\nexport const a = app\n`, ELECTRON)
    await expectFires('src/main/core/payouts/lintFixture.ts', `import { app } from 'electron/main'\nexport const a = app\n`, ELECTRON)
    await expectFires('src/main/core/rails/evm/lintFixture.ts', `import { app } from 'electron'\nexport const a = app\n`, ELECTRON)
  })

  it('leaves the Electron shell free to import it', async () => {
    await expectPasses('src/main/lintFixture.ts', `import { app } from 'electron'\nexport const a = app\n`)
  })
})

it('covers every source file: none sits deeper than the zones’ exact regexes reach', async () => {
  const files = readdirSync(join(repoRoot, 'src'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(ts|tsx)$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
  expect(files.length).toBeGreaterThan(100)
  const uncovered: string[] = []
  for (const file of files) {
    const config = (await eslint.calculateConfigForFile(file)) as { rules?: Record<string, unknown> } | undefined
    const rule = config?.rules?.['no-restricted-imports']
    if (!Array.isArray(rule) || rule[0] !== 2) uncovered.push(file)
  }
  expect(uncovered).toEqual([])
})
