// Gas per recipient: CountersignBatch vs one transaction per payout, for ERC-20 (tUSD) and native
// ETH, at N = 1, 100, 500, to recipients that are new (no balance yet) and already funded.
// Gas comes from receipts on a fresh local Anvil, so the table is deterministic (gas is not time).
// Then CountersignEscrow: fund with 1, 10 and 50 ERC-20 milestones, release and claim, beside a
// plain ERC-20 transfer measured in the same run.
//
// Run alone: npx tsx bench/gas.bench.ts     (bench/index.ts calls runGasBench())
import { pathToFileURL } from 'node:url'
import { erc20Abi, keccak256, maxUint256, toHex, type Hex, type TransactionReceipt } from 'viem'
import { countersignEscrowAbi } from '../src/main/core/rails/evm/abi'
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
  /** CountersignEscrow operations beside a plain ERC-20 transfer. */
  escrow: EscrowGasRow[]
  /** The rendered table, as printed. */
  table: string
}

export interface EscrowGasRow {
  operation: string
  gasUsed: bigint
}

/** Milestone counts of the escrow funding rows (50 is the contract's most). */
export const benchEscrowMilestoneCounts = [1, 10, 50] as const
const ESCROW_DAY_SECONDS = 86_400n
/** After the last release time of the largest escrow measured (50 milestones, one a day). */
const ESCROW_EXPIRY_DAYS = 60n
/** tUSD minor units per milestone (1 tUSD). */
const ESCROW_MILESTONE_MINOR = 1_000_000n

const assetLabel: Record<BatchKind, string> = { token: 'tUSD (ERC-20)', native: 'ETH (native)' }

const formatGas = (gas: bigint) => gas.toLocaleString('en-US')

/** Gas per recipient, rounded to whole gas for display only (the rows keep exact totals). */
const perRecipient = (m: GasMeasurement) => m.gasUsed / BigInt(m.recipientCount)

function renderTable(result: Omit<GasBenchResult, 'table' | 'escrow'>): string {
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
    const escrowApproval = await h.clients.walletFor(h.treasury).writeContract({
      address: h.testUsd,
      abi: erc20Abi,
      functionName: 'approve',
      args: [h.escrow, maxUint256],
    })
    await h.clients.publicClient.waitForTransactionReceipt({ hash: escrowApproval })

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

    const escrow = await measureEscrowGas(anvil, h, reset)
    const table = `${renderTable({ chunkSizeMax, rows })}\n\n${renderEscrowTable(escrow)}`
    log(table)
    return { chunkSizeMax, rows, escrow, table }
  } finally {
    await anvil.stop()
  }
}

/** Each operation from the same base state, to a payee / contract balance that starts empty. */
async function measureEscrowGas(anvil: Anvil, h: EvmHarness, reset: () => Promise<void>): Promise<EscrowGasRow[]> {
  const rows: EscrowGasRow[] = []
  await reset()
  const [plainTo] = recipientAddresses('bench-escrow-plain', 1)
  rows.push({ operation: 'plain ERC-20 transfer (new recipient)', gasUsed: (await plainTransfer(h, plainTo!)).gasUsed })
  for (const count of benchEscrowMilestoneCounts) {
    await reset()
    const { receipt } = await fundEscrow(h, `fund-${count}`, count)
    rows.push({ operation: `fund, ${count} milestone${count === 1 ? '' : 's'} (ERC-20)`, gasUsed: receipt.gasUsed })
  }
  await reset()
  const released = await fundEscrow(h, 'release', 3)
  rows.push({ operation: 'release 1 milestone (payer)', gasUsed: (await escrowCall(h, h.treasury, 'release', released.id)).gasUsed })
  await reset()
  const claimed = await fundEscrow(h, 'claim', 3)
  await h.clients.testClient.increaseTime({ seconds: Number(ESCROW_DAY_SECONDS) })
  await h.clients.testClient.mine({ blocks: 1 })
  const stranger = anvil.accounts[2] ?? h.deployer
  rows.push({
    operation: 'claim 1 milestone (anyone, after its time)',
    gasUsed: (await escrowCall(h, stranger, 'claim', claimed.id)).gasUsed,
  })
  return rows
}

async function plainTransfer(h: EvmHarness, to: `0x${string}`): Promise<TransactionReceipt> {
  const hash = await h.clients
    .walletFor(h.treasury)
    .writeContract({ address: h.testUsd, abi: erc20Abi, functionName: 'transfer', args: [to, ESCROW_MILESTONE_MINOR] })
  return successOf(h, hash)
}

/** Funds `count` milestones of 1 tUSD each, the first open after one day, to a fresh payee. */
async function fundEscrow(h: EvmHarness, label: string, count: number): Promise<{ id: Hex; receipt: TransactionReceipt }> {
  const now = (await h.clients.publicClient.getBlock({ blockTag: 'latest' })).timestamp
  const id = keccak256(toHex(`bench-escrow:${label}`))
  const [payee] = recipientAddresses(`bench-escrow-${label}`, 1)
  const releaseAfter = Array.from({ length: count }, (_, i) => now + ESCROW_DAY_SECONDS * BigInt(i + 1))
  const hash = await h.clients.walletFor(h.treasury).writeContract({
    address: h.escrow,
    abi: countersignEscrowAbi,
    functionName: 'fund',
    args: [
      id,
      h.testUsd,
      payee!,
      new Array<bigint>(count).fill(ESCROW_MILESTONE_MINOR),
      releaseAfter,
      now + ESCROW_DAY_SECONDS * ESCROW_EXPIRY_DAYS,
    ],
  })
  return { id, receipt: await successOf(h, hash) }
}

async function escrowCall(h: EvmHarness, from: EvmHarness['treasury'], op: 'release' | 'claim', id: Hex): Promise<TransactionReceipt> {
  const hash = await h.clients
    .walletFor(from)
    .writeContract({ address: h.escrow, abi: countersignEscrowAbi, functionName: op, args: [id, 0n] })
  return successOf(h, hash)
}

async function successOf(h: EvmHarness, hash: Hex): Promise<TransactionReceipt> {
  const receipt = await h.clients.publicClient.waitForTransactionReceipt({ hash })
  if (receipt.status !== 'success') throw new Error(`bench transaction ${hash} reverted`)
  return receipt
}

function renderEscrowTable(rows: readonly EscrowGasRow[]): string {
  const plain = rows[0]!.gasUsed
  const header = ['operation', 'gas', 'vs plain transfer']
  // Display ratio only: a float is fine in a report, never for money.
  const lines = rows.map((r) => [r.operation, formatGas(r.gasUsed), `×${(Number(r.gasUsed) / Number(plain)).toFixed(2)}`])
  const widths = header.map((h, c) => Math.max(h.length, ...lines.map((l) => (l[c] ?? '').length)))
  const row = (cells: string[]) =>
    `| ${cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join(' | ')} |`
  return [
    `CountersignEscrow gas (tUSD, Anvil ${anvilHardfork}), each from the same state, beside a plain ERC-20 transfer in the same run`,
    '',
    row(header),
    `|${widths.map((w, c) => (c === 0 ? ':' : '-') + '-'.repeat(w) + (c === 0 ? '-' : ':')).join('|')}|`,
    ...lines.map(row),
    '',
    "gas = the receipt's gasUsed (includes the 21,000 base and calldata); payees and the contract's balance start empty.",
  ].join('\n')
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runGasBench().catch((error: unknown) => {
    console.error(error)
    process.exitCode = 1
  })
}
