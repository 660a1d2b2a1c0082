import { printLedgerBench, runLedgerBench } from './ledger.bench'
printLedgerBench(await runLedgerBench())
