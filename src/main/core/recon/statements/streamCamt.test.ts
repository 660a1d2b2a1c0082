/**
 * streamCamt: the lines it streams are exactly the lines the whole-document parser gave before the
 * import streamed (digests in test/recon/camtEquivalence.golden.json, taken from that parser), for
 * every real sample, its camt.052 / camt.054 / prefixed / CRLF / two-statement variants and
 * synthetic files around the chunk sizes — read in chunks of 1, 7, 500 and the whole file at once.
 * Also: the order and size of the events, and that a problem late in a file is thrown only after
 * the lines before it went out (the import's all-or-nothing rests on its transaction, not on reading
 * the whole file first).
 */
import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import { CsError } from '../../../../shared/errors'
import { camtEquivalenceCases, digestParsedFile, GOLDEN_FILE, type CamtDigest } from '../../../../../test/recon/camtEquivalence'
import { syntheticCamt053 } from './camt053Synthetic'
import { parseCamt } from './parseCamt'
import { collectStatements, type StatementEvent } from './statementStream'
import { streamCamt } from './streamCamt'

const golden = JSON.parse(fs.readFileSync(GOLDEN_FILE, 'utf8')) as Record<string, CamtDigest>
const CHUNK_SIZES = [1, 7, 500]

describe('streamCamt gives exactly the lines of the whole-document parse', () => {
  const cases = camtEquivalenceCases()

  it('covers every case the golden digests were taken for', () => {
    expect(cases.map((c) => c.name).sort()).toEqual(Object.keys(golden).sort())
  })

  for (const { name, text } of cases) {
    it(name, () => {
      const expected = golden[name]!
      expect(digestParsedFile(parseCamt(text))).toEqual(expected)
      // Big files once (the chunk size changes nothing but the pauses), small ones at every size.
      const sizes = expected.entries > 2_000 ? [500] : CHUNK_SIZES
      for (const entriesPerEvent of sizes) {
        expect(digestParsedFile(collectStatements(streamCamt(text, { entriesPerEvent }))), `${entriesPerEvent} per event`).toEqual(expected)
      }
    })
  }
})

function shape(events: Iterable<StatementEvent>): string[] {
  return [...events].map((e) => (e.type === 'entries' ? `entries ${e.entries.length}` : e.type === 'end' ? `end ${e.entries}` : e.type))
}

describe('streamCamt events', () => {
  it('file, then per statement start, full chunks, the rest, end', () => {
    expect(shape(streamCamt(syntheticCamt053(1_001, 3), { entriesPerEvent: 500 }))).toEqual([
      'file',
      'start',
      'entries 500',
      'entries 500',
      'entries 1',
      'end 1001',
    ])
    expect(shape(streamCamt(syntheticCamt053(500, 3), { entriesPerEvent: 500 }))).toEqual(['file', 'start', 'entries 500', 'end 500'])
    expect(shape(streamCamt(syntheticCamt053(0, 3), { entriesPerEvent: 500 }))).toEqual(['file', 'start', 'end 0'])
  })

  it('reads only as far as the events taken', () => {
    const text = syntheticCamt053(5_000, 3)
    // A file broken near its end still gives its first chunks: nothing past them was read yet.
    const broken =
      text.slice(0, text.lastIndexOf('<Amt Ccy="EUR">')) + '<Amt Ccy="EUR">1.234</Amt>' + text.slice(text.lastIndexOf('</Amt>') + 6)
    const events = streamCamt(broken, { entriesPerEvent: 100 })
    const first = [events.next().value, events.next().value, events.next().value] as StatementEvent[]
    expect(first.map((e) => e.type)).toEqual(['file', 'start', 'entries'])
    let read = 100
    let caught: unknown = null
    try {
      for (const event of events) if (event.type === 'entries') read += event.entries.length
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(CsError)
    expect((caught as CsError).message).toMatch(/^Ntry 5000 \(line \d+\)(, TxDtls.*)?: 1\.234 has more than 2 decimals/)
    // Every line before the broken one went out first.
    expect(read).toBe(4_900)
  })

  it('refuses a currency that only balances after the entries would give: lines already went out under the first', () => {
    const text = syntheticCamt053(3, 3)
    const balances = /<Bal>[\s\S]*<\/Bal>\n/.exec(text)![0]
    // No Acct/Ccy and no balance before the entries: the first entry's EUR is the currency...
    const moved = text
      .replace('<Ccy>EUR</Ccy>', '')
      .replace(balances, '')
      .replace(/<TxsSummry>[\s\S]*<\/TxsSummry>\n/, '')
      // ...until balances in USD follow the entries.
      .replace('    </Stmt>', `${balances.replaceAll('Ccy="EUR"', 'Ccy="USD"')}    </Stmt>`)
    expect(() => collectStatements(streamCamt(moved))).toThrow(/names its account or currency \(<Acct>, <Bal>\) after its entries/)
    // The same balances in EUR after the entries change nothing the lines went out under.
    const sameCurrency = moved.replaceAll('Ccy="USD"', 'Ccy="EUR"')
    expect(collectStatements(streamCamt(sameCurrency)).statements[0]!.opening).not.toBeNull()
  })

  it('refuses an empty file at once, before any event is asked for', () => {
    expect(() => streamCamt(' \n', { fileName: 'x.xml' })).toThrow(/"x\.xml" is empty/)
  })
})
