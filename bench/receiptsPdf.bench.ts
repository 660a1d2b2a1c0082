/**
 * Receipt PDFs streamed into a ZIP on disk (issue 16: "render 10,000 receipt PDFs, report
 * receipts/s and peak memory; the memory must stay flat as the count grows").
 *
 * For N = 1,000 and N = 10,000: N signed receipt files are generated one at a time (payee names
 * cycling through Latin, Cyrillic, Greek, Chinese, Japanese, Korean, Arabic and Hebrew, all three
 * rails), rendered with renderReceiptPdf and handed to writeReceiptZip, which writes a temp file.
 * Memory is sampled every SAMPLE_INTERVAL_MS and after every receipt; each run reports its own
 * peak RSS and peak heap (garbage not yet collected included), and the live heap: the largest heap
 * left after a full GC, forced every LIVE_SAMPLE_EVERY receipts — the figure that shows whether
 * anything is kept per receipt. CPU ms per receipt is this process's CPU time (user + system) over
 * the run: on a shared machine it moves less than receipts/s. One warm-up receipt first (fonts
 * parsed, code compiled), so the 1,000 row does not carry start-up cost. Figures are printed,
 * never asserted.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import v8 from 'node:v8'
import vm from 'node:vm'
import { renderReceiptPdf } from '../src/main/core/receipts/pdf/renderReceiptPdf'
import { writeReceiptZip, type ZipEntry } from '../src/main/core/receipts/pdf/zipPdfs'
import type { ReceiptRail } from '../src/shared/receiptTypes'
import { SAMPLE_PAYEE_NAMES, sampleReceiptFile } from '../test/receipts/sampleReceiptFile'

const COUNTS = [1_000, 10_000] as const
const SAMPLE_INTERVAL_MS = 25
const LIVE_SAMPLE_EVERY = 500
const RAILS: readonly ReceiptRail[] = ['evm', 'stellar', 'stripe']
const MIB = 1024 * 1024

export interface ReceiptsPdfBenchRow {
  receipts: number
  seconds: number
  receiptsPerSecond: number
  zipBytes: number
  peakRssMib: number
  peakHeapMib: number
  liveHeapMib: number
  cpuMsPerReceipt: number
}

/** V8's gc(), without a command-line flag: `npm run bench` runs plain tsx. */
function exposeGc(): () => void {
  v8.setFlagsFromString('--expose-gc')
  return vm.runInNewContext('gc') as () => void
}

function receiptEntries(count: number, onEach: () => void): AsyncGenerator<ZipEntry> {
  return (async function* () {
    for (let i = 0; i < count; i++) {
      const file = sampleReceiptFile({
        number: i + 1,
        rail: RAILS[i % RAILS.length]!,
        payeeName: SAMPLE_PAYEE_NAMES[i % SAMPLE_PAYEE_NAMES.length]!,
        withFee: i % 4 === 0,
      })
      yield { name: `receipt-${file.receipt.displayNumber}.pdf`, pdf: await renderReceiptPdf(file), mtime: new Date(file.receipt.paidAt) }
      onEach()
    }
  })()
}

async function runOnce(count: number, dir: string, gc: () => void): Promise<ReceiptsPdfBenchRow> {
  const file = path.join(dir, `receipts-${count}.zip`)
  let peakRss = 0
  let peakHeap = 0
  let liveHeap = 0
  let rendered = 0
  const sample = () => {
    const m = process.memoryUsage()
    peakRss = Math.max(peakRss, m.rss)
    peakHeap = Math.max(peakHeap, m.heapUsed)
  }
  const afterEach = () => {
    sample()
    if (++rendered % LIVE_SAMPLE_EVERY !== 0) return
    gc()
    liveHeap = Math.max(liveHeap, process.memoryUsage().heapUsed)
  }
  gc()
  const timer = setInterval(sample, SAMPLE_INTERVAL_MS)
  const cpu = process.cpuUsage()
  const started = performance.now()
  const out = fs.createWriteStream(file)
  try {
    const { files } = await writeReceiptZip(receiptEntries(count, afterEach), out)
    out.end()
    await new Promise<void>((resolve, reject) => out.once('finish', resolve).once('error', reject))
    const seconds = (performance.now() - started) / 1000
    const used = process.cpuUsage(cpu)
    sample()
    return {
      receipts: files,
      seconds,
      receiptsPerSecond: files / seconds,
      zipBytes: fs.statSync(file).size,
      peakRssMib: peakRss / MIB,
      peakHeapMib: peakHeap / MIB,
      liveHeapMib: liveHeap / MIB,
      cpuMsPerReceipt: (used.user + used.system) / 1000 / files,
    }
  } finally {
    clearInterval(timer)
    fs.rmSync(file, { force: true })
  }
}

export async function runReceiptsPdfBench(): Promise<ReceiptsPdfBenchRow[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-bench-pdf-'))
  try {
    const gc = exposeGc()
    await renderReceiptPdf(sampleReceiptFile({ number: 1 }))
    const rows: ReceiptsPdfBenchRow[] = []
    for (const count of COUNTS) rows.push(await runOnce(count, dir, gc))
    return rows
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

export function printReceiptsPdfBench(rows: readonly ReceiptsPdfBenchRow[]): void {
  console.log(
    '\nReceipt PDFs rendered and streamed into a ZIP on disk (memory sampled every %d ms and after each receipt)',
    SAMPLE_INTERVAL_MS,
  )
  console.table(
    rows.map((r) => ({
      receipts: r.receipts,
      seconds: r.seconds.toFixed(1),
      'receipts/s': r.receiptsPerSecond.toFixed(1),
      'ZIP MiB': (r.zipBytes / MIB).toFixed(1),
      'peak RSS MiB': r.peakRssMib.toFixed(0),
      'CPU ms/receipt': r.cpuMsPerReceipt.toFixed(1),
      'peak heap MiB': r.peakHeapMib.toFixed(0),
      'live heap MiB (after GC)': r.liveHeapMib.toFixed(0),
    })),
  )
}
