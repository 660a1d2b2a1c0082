/**
 * Prepared downloads: read back part by part to the same bytes, only by the channel that asked,
 * deleted after the last part, when they expire, and when newer ones push them out; a failed
 * write leaves nothing behind.
 */
import { createHash } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { PreparedDownloads } from './preparedDownloads'

const opened: PreparedDownloads[] = []
afterEach(() => {
  for (const d of opened.splice(0)) d.close()
})

function downloads(options: ConstructorParameters<typeof PreparedDownloads>[0]): PreparedDownloads {
  const d = new PreparedDownloads(options)
  opened.push(d)
  return d
}

/** Bytes 0, 1, 2, … (mod 256), `n` of them. */
function counting(n: number): Buffer {
  return Buffer.from(Array.from({ length: n }, (_, i) => i % 256))
}

const writes =
  (bytes: Buffer, files = 1) =>
  async (out: NodeJS.WritableStream) => {
    out.write(bytes.subarray(0, 3))
    out.end(bytes.subarray(3))
    return { files }
  }

async function readAll(d: PreparedDownloads, channel: string, id: string, chunks: number): Promise<Buffer> {
  const parts: Buffer[] = []
  for (let i = 0; i < chunks; i++) parts.push(Buffer.from((await d.chunk(channel, id, i)).base64, 'base64'))
  return Buffer.concat(parts)
}

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    return (error as { code: string }).code
  }
  throw new Error('expected a refusal')
}

describe('PreparedDownloads', () => {
  it('hands a file over in parts that add up to it, then deletes it', async () => {
    const d = downloads({ chunkBytes: 10 })
    const bytes = counting(25)
    const z = await d.prepare('window-1', 'receipts.zip', writes(bytes, 7))
    expect(z).toMatchObject({ name: 'receipts.zip', files: 7, bytes: 25, chunks: 3, chunkBytes: 10 })
    expect(z.sha256).toBe(createHash('sha256').update(bytes).digest('hex'))
    expect((await d.chunk('window-1', z.downloadId, 1)).last).toBe(false)
    expect(await readAll(d, 'window-1', z.downloadId, 3)).toEqual(bytes)
    expect(d.size).toBe(0)
    expect(await code(d.chunk('window-1', z.downloadId, 0))).toBe('DOWNLOAD_EXPIRED')
  })

  it('is read only by the channel that asked, and a part past the end is refused', async () => {
    const d = downloads({ chunkBytes: 10 })
    const z = await d.prepare('window-1', 'a.zip', writes(counting(12)))
    expect(await code(d.chunk('window-2', z.downloadId, 0))).toBe('DOWNLOAD_EXPIRED')
    expect(await code(d.chunk('window-1', z.downloadId, 2))).toBe('DOWNLOAD_EXPIRED')
    expect(await readAll(d, 'window-1', z.downloadId, 2)).toEqual(counting(12))
  })

  it('lets an unread file expire, and the oldest go when too many wait', async () => {
    let now = 1_000_000
    const d = downloads({ ttlMs: 60_000, filesMax: 2, now: () => now })
    const first = await d.prepare('w', 'first.zip', writes(counting(5)))
    const second = await d.prepare('w', 'second.zip', writes(counting(5)))
    const third = await d.prepare('w', 'third.zip', writes(counting(5)))
    expect(d.size).toBe(2)
    expect(await code(d.chunk('w', first.downloadId, 0))).toBe('DOWNLOAD_EXPIRED')
    expect(third.expiresAt).toBe(new Date(now + 60_000).toISOString())
    now += 60_000
    expect(await code(d.chunk('w', second.downloadId, 0))).toBe('DOWNLOAD_EXPIRED')
    expect(d.size).toBe(0)
  })

  it('keeps nothing of a write that failed', async () => {
    const d = downloads({})
    await expect(
      d.prepare('w', 'broken.zip', async (out) => {
        out.write(counting(4))
        throw new Error('the renderer failed')
      }),
    ).rejects.toThrow('the renderer failed')
    expect(d.size).toBe(0)
    expect(d.filesOnDisk()).toBe(0)
    const ok = await d.prepare('w', 'ok.zip', writes(counting(4)))
    expect(d.filesOnDisk()).toBe(1)
    await readAll(d, 'w', ok.downloadId, ok.chunks)
    expect(d.filesOnDisk()).toBe(0)
  })
})
