import { describe, expect, it } from 'vitest'
import { DEFAULT_EXPORT_FORM, exportFormProblem, toExportRequest } from './exportForm'

describe('the export request', () => {
  it('sends only what the kind takes', () => {
    const form = {
      ...DEFAULT_EXPORT_FORM,
      account: 'treasury-usdc',
      columns: 4 as const,
      dateFormat: 'DD/MM/YYYY' as const,
      taxRate: 'No VAT',
    }
    expect(toExportRequest(form)).toEqual({ kind: 'receipts', format: 'csv' })
    expect(toExportRequest({ ...form, kind: 'quickbooks' })).toEqual({
      kind: 'quickbooks',
      account: 'treasury-usdc',
      columns: 4,
      dateFormat: 'DD/MM/YYYY',
    })
    expect(toExportRequest({ ...form, kind: 'xero' })).toEqual({
      kind: 'xero',
      account: 'treasury-usdc',
      dateFormat: 'DD/MM/YYYY',
      taxRate: 'No VAT',
    })
    expect(toExportRequest({ ...form, kind: 'journal-bundle', format: 'json' })).toEqual({
      kind: 'journal-bundle',
      format: 'json',
      account: 'treasury-usdc',
    })
  })

  it('leaves out empty filters and keeps the ones given', () => {
    expect(toExportRequest({ ...DEFAULT_EXPORT_FORM, from: '2026-03-01', to: '', payee: '  Ada  ', batchId: 'b-1' })).toEqual({
      kind: 'receipts',
      format: 'csv',
      from: '2026-03-01',
      payee: 'Ada',
      batch: 'b-1',
    })
  })

  it('drops a date format the kind does not read (QuickBooks has no "DD MMM YYYY")', () => {
    expect(toExportRequest({ ...DEFAULT_EXPORT_FORM, kind: 'quickbooks', account: 'a', dateFormat: 'DD MMM YYYY' })).toEqual({
      kind: 'quickbooks',
      account: 'a',
      columns: 3,
    })
  })

  it('says what is missing before asking the core', () => {
    expect(exportFormProblem({ ...DEFAULT_EXPORT_FORM, kind: 'quickbooks' })).toContain('ledger account')
    expect(exportFormProblem({ ...DEFAULT_EXPORT_FORM, from: '2026-03-02', to: '2026-03-01' })).toContain('swap')
    expect(exportFormProblem(DEFAULT_EXPORT_FORM)).toBeNull()
  })
})
