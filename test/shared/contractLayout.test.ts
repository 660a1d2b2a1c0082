/**
 * The layout of src/shared, checked on the files themselves: contract files import the building
 * blocks and the limits, never each other (a cycle once left constants undefined at load), only
 * api.ts gathers them, and nothing in src/shared imports api.ts. See the header of src/shared/api.ts.
 */
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const SHARED = path.resolve('src/shared')
const CONTRACT_FILES = ['workspaceApi', 'ledgerApi', 'payoutsApi', 'payoutImport', 'signersApi', 'stripeApi', 'backupsApi']

function localImports(name: string): string[] {
  const text = fs.readFileSync(path.join(SHARED, `${name}.ts`), 'utf8')
  return [...text.matchAll(/from '\.\/([A-Za-z]+)'/g)].map((m) => m[1]!)
}

describe('src/shared layout', () => {
  it.each(CONTRACT_FILES)('%s imports no other contract file and not api.ts', (name) => {
    const imports = localImports(name)
    expect(imports.filter((i) => CONTRACT_FILES.includes(i) || i === 'api')).toEqual([])
  })

  it('the building blocks and the limits import no contract file', () => {
    expect(localImports('limits')).toEqual([])
    for (const i of localImports('blocks')) expect(['limits', 'payoutStates']).toContain(i)
  })

  it('api.ts gathers every contract file, and no shared module imports api.ts', () => {
    expect(localImports('api')).toEqual(expect.arrayContaining(CONTRACT_FILES))
    const modules = fs
      .readdirSync(SHARED)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'api.ts')
      .map((f) => f.slice(0, -3))
    for (const m of modules) expect(localImports(m), m).not.toContain('api')
  })
})
