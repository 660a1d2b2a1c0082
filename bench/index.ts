/**
 * Runs every bench in turn and prints its table (`npm run bench`; `npm run bench -- ledger` runs
 * only the named ones). Figures are printed, never asserted. One bench failing (say, no Anvil on
 * this machine) is reported and does not hide the others' tables.
 */
import { printApprovalsBench, runApprovalsBench } from './approvals.bench'
import { printBatchPageBench, runBatchPageBench } from './batchPage.bench'
import { printCliStartBench, runCliStartBench } from './cliStart.bench'
import { printCsvBench, runCsvBench } from './csv.bench'
import { runGasBench } from './gas.bench'
import { printLedgerBench, runLedgerBench } from './ledger.bench'
import { printLedgerPostgresBench, runLedgerPostgresBench } from './ledgerPostgres.bench'
import { printMatchBench, runMatchBench } from './match.bench'
import { runPollerBench } from './poller.bench'
import { printReceiptsPdfBench, runReceiptsPdfBench } from './receiptsPdf.bench'
import { printReceiptsSearchBench, runReceiptsSearchBench } from './receiptsSearch.bench'
import { printStatementsBench, runStatementsBench } from './statements.bench'

const BENCHES: Record<string, () => Promise<void>> = {
  // SQLite first, so its table is printed even when the PostgreSQL half fails.
  ledger: async () => {
    printLedgerBench(await runLedgerBench())
    printLedgerPostgresBench(await runLedgerPostgresBench())
  },
  csv: async () => printCsvBench(await runCsvBench()),
  gas: async () => {
    await runGasBench()
  },
  poller: async () => console.log((await runPollerBench()).table),
  approvals: async () => printApprovalsBench(await runApprovalsBench()),
  statements: async () => printStatementsBench(await runStatementsBench()),
  match: async () => printMatchBench(runMatchBench()),
  'receipts-pdf': async () => printReceiptsPdfBench(await runReceiptsPdfBench()),
  'receipts-search': async () => printReceiptsSearchBench(await runReceiptsSearchBench()),
  'cli-start': async () => printCliStartBench(await runCliStartBench()),
  'batch-page': async () => printBatchPageBench(await runBatchPageBench()),
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2)
  const unknown = wanted.filter((name) => !(name in BENCHES))
  if (unknown.length > 0) throw new Error(`unknown bench ${unknown.join(', ')} — choose from ${Object.keys(BENCHES).join(', ')}`)
  for (const [name, run] of Object.entries(BENCHES)) {
    if (wanted.length > 0 && !wanted.includes(name)) continue
    try {
      await run()
    } catch (error) {
      console.error(`bench ${name} failed:`, error)
      process.exitCode = 1
    }
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
