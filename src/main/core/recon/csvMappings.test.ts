/**
 * Saving a CSV column mapping: a mapping the schema refuses says every field that is wrong, with
 * its path, in details that cross the contract's whitelist — the mapping editor shows each beside
 * its field. A valid one is listed back as saved.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { pickErrorDetails } from '../../../shared/api'
import { CSV_COLUMN_FIELDS } from '../../../shared/csvMappingOptions'
import { ALICE, failure, openDesk, type Desk } from '../payouts/batches/testKit'
import { CSV_MAPPING_EXAMPLES } from './statements/csvStatementMapping'

let desk: Desk
beforeEach(async () => {
  desk = await openDesk({ start: '2026-12-02T09:00:00.000Z' })
})
afterEach(async () => {
  await desk.close()
})

describe('recon.saveMapping', () => {
  it('refuses an invalid mapping with every issue and its field', async () => {
    const bad = {
      ...CSV_MAPPING_EXAMPLES.germanBank,
      name: 'Broken',
      thousandsSeparator: ',',
      columns: { ...CSV_MAPPING_EXAMPLES.germanBank.columns, debit: 'Soll' },
      account: { id: 'DE89370400440532013000', currency: 'eur' },
    }
    const e = await failure(desk.as(ALICE, 'recon.saveMapping', { name: 'Broken', mapping: bad }))
    expect(e.code).toBe('STATEMENT_MAPPING_INVALID')
    expect(e.message).toMatch(/^The column mapping "Broken" is not valid: .+ \(and \d+ more\) — fix it and save it again\.$/)
    const details = pickErrorDetails(e.code, e.details)
    expect(details).toBeDefined()
    const paths = (details as { issues: { path: string; message: string }[] }).issues.map((i) => i.path)
    expect(paths).toEqual(expect.arrayContaining(['account.currency', 'columns.amount']))
    expect(new Set(paths).size).toBeGreaterThanOrEqual(2)
    expect((await desk.as(ALICE, 'recon.mappings', {})).mappings).toEqual([])
  })

  it('saves a valid one, whose columns are the editor’s', async () => {
    const saved = await desk.as(ALICE, 'recon.saveMapping', {
      name: CSV_MAPPING_EXAMPLES.usBank.name,
      mapping: CSV_MAPPING_EXAMPLES.usBank,
    })
    expect(saved.name).toBe(CSV_MAPPING_EXAMPLES.usBank.name)
    const [listed] = (await desk.as(ALICE, 'recon.mappings', {})).mappings
    expect(listed?.mapping).toMatchObject({ account: { id: '000123456789', currency: 'USD' } })
    for (const field of Object.keys(CSV_MAPPING_EXAMPLES.germanBank.columns)) expect(CSV_COLUMN_FIELDS).toContain(field)
  })
})
