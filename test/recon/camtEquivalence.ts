/**
 * The camt files the streaming parser is held to, and a digest of what a parse returned. The
 * digests in camtEquivalence.golden.json were taken from the whole-document parseCamt as it was
 * before the import streamed (commit c36086c), so streamCamt.test.ts proves the streamed lines are
 * exactly the lines the old parser gave — every field, every `where`, every statement header.
 *
 * The cases: every real sample in test/fixtures/statements/camt053, each also rewritten as a
 * camt.052 report and a camt.054 notification (the folder holds no real 052/054 files), prefixed,
 * CRLF and two-statement variants, and synthetic files of sizes around the chunk boundaries.
 *
 * A deliberate change to what camt parsing returns needs new digests: write
 * `Object.fromEntries(camtEquivalenceCases().map((c) => [c.name, digestParsedFile(parseCamt(c.text))]))`
 * to GOLDEN_FILE (JSON, two-space indent) and say in the change why the lines differ.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import { fileURLToPath } from 'node:url'
import { syntheticCamt053 } from '../../src/main/core/recon/statements/camt053Synthetic'
import type { ParsedStatementFile } from '../../src/main/core/recon/statements/statementModel'
import { canonicalJson } from '../../src/main/core/util/canonicalJson'

const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/statements/camt053/', import.meta.url))
export const GOLDEN_FILE = fileURLToPath(new URL('./camtEquivalence.golden.json', import.meta.url))

/** Synthetic sizes: empty, tiny, either side of 250 / 500 / 1000 (chunk sizes tried), and a larger file. */
const SYNTHETIC_SIZES = [0, 1, 2, 249, 250, 251, 499, 500, 501, 999, 1000, 1001, 20_000]
const SYNTHETIC_SEED = 7

export interface CamtCase {
  name: string
  text: string
}

/** The same sample as another camt message: its namespace, message and statement elements renamed. */
function asKind(text: string, code: '052' | '054'): string {
  const [message, statement] = code === '052' ? ['BkToCstmrAcctRpt', 'Rpt'] : ['BkToCstmrDbtCdtNtfctn', 'Ntfctn']
  return text
    .replace(/camt\.053\.001/g, `camt.${code}.001`)
    .replace(/<(\/?)((?:\w+:)?)BkToCstmrStmt>/g, `<$1$2${message}>`)
    .replace(/<(\/?)((?:\w+:)?)Stmt>/g, `<$1$2${statement}>`)
}

/** The statement repeated: one message holding two statements. */
function twoStatements(text: string): string {
  const start = text.indexOf('<Stmt>')
  const end = text.indexOf('</Stmt>') + '</Stmt>'.length
  return text.slice(0, end) + '\n' + text.slice(start, end) + text.slice(end)
}

export function camtEquivalenceCases(): CamtCase[] {
  const cases: CamtCase[] = []
  const samples = fs
    .readdirSync(FIXTURES_DIR)
    .filter((name) => name.endsWith('.xml'))
    .sort()
  for (const name of samples) {
    const text = fs.readFileSync(FIXTURES_DIR + name, 'utf8')
    cases.push(
      { name, text },
      { name: `${name} as camt.052`, text: asKind(text, '052') },
      { name: `${name} as camt.054`, text: asKind(text, '054') },
    )
    cases.push({ name: `${name}, two statements`, text: twoStatements(text) })
  }
  const nordea = fs.readFileSync(FIXTURES_DIR + 'nordea_example_camt053_v02.xml', 'utf8')
  cases.push({ name: 'nordea, prefixed', text: nordea.replace(/<(\/?)([A-Za-z])/g, '<$1ns2:$2').replace('xmlns=', 'xmlns:ns2=') })
  cases.push({ name: 'nordea, BOM and CRLF', text: `\uFEFF${nordea.replace(/\n/g, '\r\n')}` })
  cases.push({ name: 'nordea, CR', text: nordea.replace(/\n/g, '\r') })
  for (const size of SYNTHETIC_SIZES) cases.push({ name: `synthetic ${size}`, text: syntheticCamt053(size, SYNTHETIC_SEED) })
  return cases
}

export interface CamtDigest {
  statements: number
  entries: number
  sha256: string
}

/** Bigints as "123n" (canonicalJson refuses them), then sorted-key JSON, hashed. */
export function digestParsedFile(file: ParsedStatementFile): CamtDigest {
  const json = canonicalJson(withoutBigints(file))
  return {
    statements: file.statements.length,
    entries: file.statements.reduce((n, s) => n + s.entries.length, 0),
    sha256: createHash('sha256').update(json, 'utf8').digest('hex'),
  }
}

function withoutBigints(value: unknown): unknown {
  if (typeof value === 'bigint') return `${value}n`
  if (Array.isArray(value)) return value.map(withoutBigints)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutBigints(v)]))
  }
  return value
}
