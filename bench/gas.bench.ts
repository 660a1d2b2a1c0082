// Gas per recipient: CountersignBatch vs one transaction per payout, for ERC-20 (tUSD) and native
// ETH, at N = 1, 100, 500, to recipients that are new (no balance yet) and already funded.
// Gas comes from receipts on a fresh local Anvil, so the table is deterministic (gas is not time).
//
// Run alone: npx tsx bench/gas.bench.ts     (bench/index.ts calls runGasBench())
import { pathToFileURL } from 'node:url'
import { erc20Abi, maxUint256, type Hex } from 'viem'
import { anvilHardfork, gasPerTxMax, startAnvil, type Anvil } from '../test/harness/evm/anvil'
import { revert, snapshot } from '../test/harness/evm/control'
import { deployHarness, type EvmHarness } from '../test/harness/evm/deployHarness'
import { findLargestBatchUnderGasCap, sampleAmounts, type BatchKind } from '../test/harness/evm/gasCap'
import { measureBatchGas, measureSingleGas, type GasMeasurement } from '../test/harness/evm/measureGas'
import { recipientAddresses } from '../test/harness/evm/recipients'

/** Payout counts the issue asks for. */
export const benchRecipientCounts = [1, 100, 500] as const

type RecipientState = 'new' | 'funded'

export interface GasBenchRow {
  recipients: RecipientState
  kind: BatchKind
  count: number
  batch: GasMeasurement
  single: GasMeasurement
}

export interface GasBenchResult {
  /** Largest chunk of fresh recipients whose estimated gas fits under 2^24. */
  chunkSizeMax: Record<BatchKind, number>
  rows: GasBenchRow[]
  /** The rendered table, as printed. */
  table: string
}

const assetLabel: Record<BatchKind, string> = { token: 'tUSD (ERC-20)', native: 'ETH (native)' }

const formatGas = (gas: bigint) => gas.toLocaleString('en-US')

/** Gas per recipient, rounded to whole gas for display only (the rows keep exact totals). */
const perRecipient = (m: GasMeasurement) => m.gasUsed / BigInt(m.recipientCount)

function renderTable(result: Omit<GasBenchResult, 'table'>): string {
  const header = ['recipients', 'asset', 'N', 'batch txs', 'batch gas/recipient', 'single gas/recipient', 'batch vs single']
  const lines = result.rows.map((r) => {
    const batch = perRecipient(r.batch)
    const single = perRecipient(r.single)
    // Display ratio only: a float is fine for a percentage in a report, never for money.
    const change = (Number(r.batch.gasUsed) / Number(r.single.gasUsed) - 1) * 100
    return [
      r.recipients,
      assetLabel[r.kind],
      String(r.count),
      String(r.batch.txCount),
      formatGas(batch),
      formatGas(single),
      `${change >= 0 ? '+' : ''}${change.toFixed(1)}%`,
    ]
  })
  const widths = header.map((h, c) => Math.max(h.length, ...lines.map((l) => (l[c] ?? '').length)))
  const row = (cells: string[]) =>
    `| ${cells.map((cell, c) => (c <= 1 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join(' | ')} |`
  return [
    `EVM gas per recipient — CountersignBatch vs one transaction per payout (Anvil, ${anvilHardfork}, gas cap 2^24 = ${formatGas(gasPerTxMax)})`,
    `Largest batch under the cap (fresh recipients): ${result.chunkSizeMax.token} token payouts, ${result.chunkSizeMax.native} native payouts per transaction.`,
    '',
    row(header),
    `|${widths.map((w, c) => (c <= 1 ? ':' : '-') + '-'.repeat(w) + (c <= 1 ? '-' : ':')).join('|')}|`,
    ...lines.map(row),
    '',
    'batch gas/recipient = total gasUsed of all batch transactions / N (includes each transaction’s 21,000 base and calldata).',
    'new = recipients with no prior balance (an ERC-20 balance slot or an account is created); funded = they already hold some.',
  ].join('\n')
}

/** Prints a result's table (for callers that ran with a silent log). */
export function printGasBench(result: GasBenchResult): void {
  console.log(result.table)
}

/**
 * Starts its own Anvil, measures, stops it, and prints the table through options.log (default
 * console.log; pass () => {} to stay silent and print later with printGasBench).
 */
export async function runGasBench(options: { log?: (text: string) => void } = {}): Promise<GasBenchResult> {
  const log = options.log ?? ((text: string) => console.log(text))
  const anvil: Anvil = await startAnvil()
  try {
    const h: EvmHarness = await deployHarness(anvil)
    const approval = await h.clients.walletFor(h.treasury).writeContract({
      address: h.testUsd,
      abi: erc20Abi,
      functionName: 'approve',
      args: [h.batch, maxUint256],
    })
    await h.clients.publicClient.waitForTransactionReceipt({ hash: approval })

    // Every measurement starts from this state (a snapshot is consumed by revert, so retake it).
    let base: Hex = await snapshot(anvil)
    const reset = async () => {
      await revert(anvil, base)
      base = await snapshot(anvil)
    }

    const chunkSizeMax = {
      token: (await findLargestBatchUnderGasCap(h, 'token')).countMax,
      native: (await findLargestBatchUnderGasCap(h, 'native')).countMax,
    }

    const rows: GasBenchRow[] = []
    for (const recipients of ['new', 'funded'] as const) {
      for (const kind of ['token', 'native'] as const) {
        for (const count of benchRecipientCounts) {
          await reset()
          const to = recipientAddresses(`bench-${recipients}-${kind}-${count}`, count)
          const amounts = sampleAmounts(kind, count)
          if (recipients === 'funded') {
            // One minor unit each beforehand, not measured.
            await measureBatchGas(h, kind, to, new Array<bigint>(count).fill(1n), chunkSizeMax[kind], `bench-prefund-${kind}-${count}`)
          }
          const beforeBatch = await snapshot(anvil)
          const batch = await measureBatchGas(h, kind, to, amounts, chunkSizeMax[kind], `bench-${recipients}-${kind}-${count}`)
          // The same recipients in the same state, paid one transaction each.
          await revert(anvil, beforeBatch)
          const single = await measureSingleGas(h, kind, to, amounts)
          rows.push({ recipients, kind, count, batch, single })
        }
      }
    }

    const table = renderTable({ chunkSizeMax, rows })
    log(table)
    return { chunkSizeMax, rows, table }
  } finally {
    await anvil.stop()
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runGasBench().catch((error: unknown) => {
    console.error(error)
    process.exitCode = 1
  })
}
