import { printLedgerPostgresBench, runLedgerPostgresBench } from './ledgerPostgres.bench'
printLedgerPostgresBench(await runLedgerPostgresBench())
