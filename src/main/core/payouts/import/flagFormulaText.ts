/**
 * A warning — never a refusal — on each free-text cell (name, reference, memo) that starts the way
 * a spreadsheet formula does (= + - @; src/shared/csvSafety.ts). `=HYPERLINK("http://…")` in a
 * payee's name is a classic of files passed from hand to hand: Countersign stores it as text and
 * writes it neutralised into its own CSV exports, but the person importing should know the file
 * carried it, and where it came from. A name such as "-" or "+44 …" is legitimate, hence a warning.
 *
 * The cells are already trimmed (so a leading tab or carriage return is gone, and one inside a
 * value is refused by checkFreeText as an unsafe character).
 */
import { formulaTrigger } from '../../../../shared/csvSafety'
import type { RowWarning } from '../../../../shared/payoutImport'
import { FIELD_LABELS, type RawRow } from './payoutCsvLayouts'
import { rowWarning } from './rowIssues'

const FORMULA_FIELDS = ['memo', 'reference', 'name'] as const

/** Pushes one TEXT_FORMULA_LIKE warning per cell that starts like a formula, in row and column order. */
export function flagFormulaText(rows: readonly RawRow[], warnings: RowWarning[]): void {
  for (const raw of rows) {
    for (const field of FORMULA_FIELDS) {
      const trigger = formulaTrigger(raw[field])
      if (trigger === null) continue
      const sentence = `the ${field} starts with "${trigger}", which a spreadsheet would run as a formula — check where this file came from; Countersign keeps it as text and writes it with a leading ' in its CSV exports.`
      warnings.push(rowWarning(raw.row, FIELD_LABELS[raw.layout][field], 'TEXT_FORMULA_LIKE', sentence))
    }
  }
}
