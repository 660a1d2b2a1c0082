/**
 * The journal as rows: one per posting, with its entry, account and asset, and the amount on its
 * side (debit or credit) as a decimal string at the asset's scale — exact, never a number.
 */
import { formatAmount } from '../../../shared/money'
import type { ExportColumn, ExportRecord } from './exportFiles'
import type { JournalEntry } from './readJournal'

export const JOURNAL_COLUMNS: readonly ExportColumn[] = [
  { key: 'entryId', header: 'Entry' },
  { key: 'date', header: 'Date' },
  { key: 'kind', header: 'Kind' },
  { key: 'description', header: 'Description' },
  { key: 'line', header: 'Line' },
  { key: 'accountId', header: 'Account' },
  { key: 'accountName', header: 'Account name' },
  { key: 'accountKind', header: 'Account kind' },
  { key: 'asset', header: 'Asset' },
  { key: 'debit', header: 'Debit', amount: true },
  { key: 'credit', header: 'Credit', amount: true },
]

export function journalRecords(entries: readonly JournalEntry[]): ExportRecord[] {
  const out: ExportRecord[] = []
  for (const e of entries) {
    for (const l of e.lines) {
      out.push({
        entryId: e.id,
        date: e.date,
        kind: e.kind,
        description: e.description,
        line: l.idx,
        accountId: l.accountId,
        accountName: l.accountName,
        accountKind: l.accountKind,
        asset: l.assetId,
        debit: l.amount > 0n ? formatAmount(l.amount, l.scale) : null,
        credit: l.amount < 0n ? formatAmount(-l.amount, l.scale) : null,
      })
    }
  }
  return out
}
