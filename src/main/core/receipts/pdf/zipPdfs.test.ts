/**
 * The receipts ZIP: its entries are the PDFs, byte for byte, in the order given, under safe and
 * unique names; the same entries make the same ZIP in any time zone; and it takes the next PDF
 * only when the destination has taken the last (a slow reader never lets PDFs pile up).
 */
import { Writable } from 'node:stream'
import { finished } from 'node:stream/promises'
import { describe, expect, it } from 'vitest'
import { writeReceiptZip, type ZipEntry } from './zipPdfs'

interface UnzippedEntry {
  name: string
  data: Buffer
  /** DOS date and time fields as stored. */
  dos: { year: number; month: number; day: number; hours: number; minutes: number; seconds: number }
}

/** A reader of stored (uncompressed) ZIP entries through the central directory: the test needs no unzip tool. */
function unzip(zip: Buffer): UnzippedEntry[] {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  const count = zip.readUInt16LE(eocd + 10)
  let at = zip.readUInt32LE(eocd + 16)
  const entries: UnzippedEntry[] = []
  for (let i = 0; i < count; i++) {
    expect(zip.readUInt32LE(at)).toBe(0x02014b50)
    const method = zip.readUInt16LE(at + 10)
    const time = zip.readUInt16LE(at + 12)
    const date = zip.readUInt16LE(at + 14)
    const size = zip.readUInt32LE(at + 20)
    const nameLength = zip.readUInt16LE(at + 28)
    const extraLength = zip.readUInt16LE(at + 30)
    const commentLength = zip.readUInt16LE(at + 32)
    const local = zip.readUInt32LE(at + 42)
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8')
    expect(method).toBe(0)
    const dataAt = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28)
    entries.push({
      name,
      data: zip.subarray(dataAt, dataAt + size),
      dos: {
        year: (date >> 9) + 1980,
        month: (date >> 5) & 0xf,
        day: date & 0x1f,
        hours: time >> 11,
        minutes: (time >> 5) & 0x3f,
        seconds: (time & 0x1f) * 2,
      },
    })
    at += 46 + nameLength + extraLength + commentLength
  }
  return entries
}

function collector(): { out: Writable; bytes: () => Buffer } {
  const chunks: Buffer[] = []
  const out = new Writable({
    write(chunk: Buffer, _e, done) {
      chunks.push(chunk)
      done()
    },
  })
  return { out, bytes: () => Buffer.concat(chunks) }
}

async function* fromArray(entries: readonly ZipEntry[]): AsyncGenerator<ZipEntry> {
  for (const e of entries) yield e
}

const fakePdf = (seed: number, bytes: number) => Uint8Array.from({ length: bytes }, (_, i) => (i * 31 + seed * 7) % 256)

describe('writeReceiptZip', () => {
  const entries: ZipEntry[] = [
    { name: 'receipt-CS-2026-000001.pdf', pdf: fakePdf(1, 5_000), mtime: new Date('2026-01-02T03:04:06Z') },
    { name: '../../etc/passwd', pdf: fakePdf(2, 7_000), mtime: new Date('2026-03-31T23:59:58Z') },
    { name: 'receipt-CS-2026-000001.pdf', pdf: fakePdf(3, 1), mtime: new Date('2026-07-15T12:00:00Z') },
  ]

  it('holds the PDFs byte for byte, in order, under safe unique names, dated in UTC', async () => {
    const { out, bytes } = collector()
    const result = await writeReceiptZip(fromArray(entries), out)
    const zip = bytes()
    expect(result).toEqual({ files: 3, bytes: zip.length })
    const unzipped = unzip(zip)
    expect(unzipped.map((e) => e.name)).toEqual(['receipt-CS-2026-000001.pdf', '__.._etc_passwd.pdf', 'receipt-CS-2026-000001-2.pdf'])
    unzipped.forEach((e, i) => {
      expect(Buffer.compare(e.data, Buffer.from(entries[i]!.pdf))).toBe(0)
      const m = entries[i]!.mtime
      expect(e.dos).toEqual({
        year: m.getUTCFullYear(),
        month: m.getUTCMonth() + 1,
        day: m.getUTCDate(),
        hours: m.getUTCHours(),
        minutes: m.getUTCMinutes(),
        seconds: m.getUTCSeconds(),
      })
    })
  })

  it('writes the same bytes whatever the time zone', async () => {
    const tz = process.env.TZ
    const zips: Buffer[] = []
    try {
      for (const zone of ['UTC', 'America/St_Johns', 'Asia/Kathmandu']) {
        process.env.TZ = zone
        const { out, bytes } = collector()
        await writeReceiptZip(fromArray(entries), out)
        zips.push(bytes())
      }
    } finally {
      if (tz === undefined) delete process.env.TZ
      else process.env.TZ = tz
    }
    expect(Buffer.compare(zips[0]!, zips[1]!)).toBe(0)
    expect(Buffer.compare(zips[0]!, zips[2]!)).toBe(0)
  })

  it("fails with the destination's error and stops taking PDFs", async () => {
    let pulled = 0
    async function* many(): AsyncGenerator<ZipEntry> {
      for (let i = 0; i < 1_000; i++) {
        pulled++
        yield { name: `r${i}.pdf`, pdf: fakePdf(i, 50_000), mtime: new Date('2026-01-01T00:00:00Z') }
      }
    }
    const out = new Writable({
      write(_chunk: Buffer, _e, done) {
        done(new Error('disk full'))
      },
    })
    await expect(writeReceiptZip(many(), out)).rejects.toThrow('disk full')
    expect(pulled).toBeLessThan(5)
  })

  it('pulls the next PDF only when a slow destination has taken the previous ones', async () => {
    const pdfBytes = 200_000
    const count = 12
    let pulled = 0
    let taken = 0
    let aheadMax = 0
    async function* slowlyRead(): AsyncGenerator<ZipEntry> {
      for (let i = 0; i < count; i++) {
        pulled++
        aheadMax = Math.max(aheadMax, pulled - Math.floor(taken / pdfBytes))
        yield { name: `r${i}.pdf`, pdf: fakePdf(i, pdfBytes), mtime: new Date('2026-01-01T00:00:00Z') }
      }
    }
    const out = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _e, done) {
        taken += chunk.length
        setImmediate(done)
      },
    })
    const result = await writeReceiptZip(slowlyRead(), out)
    out.end()
    await finished(out)
    expect(result.files).toBe(count)
    expect(taken).toBe(result.bytes)
    // At most the PDF being written and the next one: never the whole batch in memory.
    expect(aheadMax).toBeLessThanOrEqual(2)
  })
})
