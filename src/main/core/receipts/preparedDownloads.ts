/**
 * Files too large for one answer (a batch's receipts ZIP), prepared for one window to read a part
 * at a time. Each is written to a private temporary folder (0700, the file 0600), named by 16
 * random bytes and bound to the channel (window, connection, command) that asked: another window
 * cannot read it even with its id. A file is deleted after its last part is read, when it expires
 * unread (`ttlMs`), or when newer ones push it out (`filesMax`): the folder never holds more than a
 * few. The folder goes when `close()` is called; what a crash leaves behind stays private and is
 * swept by the next one to start (folders of this prefix older than a day).
 */
import { createHash, randomBytes } from 'node:crypto'
import { once } from 'node:events'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Transform } from 'node:stream'
import { finished } from 'node:stream/promises'
import { CsError } from '../../../shared/errors'
import { DOWNLOAD_CHUNK_BYTES_MAX } from '../../../shared/limits'
import type { DownloadChunk, ZipDownload } from '../../../shared/receiptsPdfApi'
import { invariant } from '../util/invariant'

/** Unread files are deleted after this long: the window reads them at once, part after part. */
export const PREPARED_TTL_MS = 15 * 60_000
/** Files waiting at most, over every window; the oldest goes first. */
export const PREPARED_FILES_MAX = 4
const DIR_PREFIX = 'countersign-downloads-'
/** A folder of this prefix untouched this long belongs to a process that is gone. */
const STALE_DIR_AGE_MS = 24 * 60 * 60_000
const ID_BYTES = 16

interface Prepared {
  id: string
  channelId: string
  file: string
  bytes: number
  chunks: number
  expiresAtMs: number
  timer: ReturnType<typeof setTimeout>
}

export interface PreparedDownloadsOptions {
  ttlMs?: number
  filesMax?: number
  chunkBytes?: number
  /** Wall-clock milliseconds (expiry is about this process's files, not the workspace's clock). */
  now?: () => number
}

/** What `prepare` writes: the file's bytes into `out` (ending it or not), and how many entries it holds. */
export type WriteFile = (out: NodeJS.WritableStream) => Promise<{ files: number }>

export class PreparedDownloads {
  private dir: string | null = null
  private readonly waiting = new Map<string, Prepared>()
  private readonly ttlMs: number
  private readonly filesMax: number
  private readonly chunkBytes: number
  private readonly now: () => number

  constructor(options: PreparedDownloadsOptions = {}) {
    this.ttlMs = options.ttlMs ?? PREPARED_TTL_MS
    this.filesMax = options.filesMax ?? PREPARED_FILES_MAX
    this.chunkBytes = options.chunkBytes ?? DOWNLOAD_CHUNK_BYTES_MAX
    this.now = options.now ?? Date.now
    invariant(this.chunkBytes >= 1 && this.chunkBytes <= DOWNLOAD_CHUNK_BYTES_MAX, 'a download part fits one answer')
    invariant(this.filesMax >= 1, 'at least one download may wait')
  }

  /** Writes a file for `channelId` and says how to read it. */
  async prepare(channelId: string, name: string, write: WriteFile): Promise<ZipDownload> {
    this.sweepExpired()
    const id = randomBytes(ID_BYTES).toString('hex')
    const file = path.join(this.folder(), `${id}.part`)
    const written = await writeHashed(file, write)
    while (this.waiting.size >= this.filesMax) this.drop([...this.waiting.keys()][0]!)
    const expiresAtMs = this.now() + this.ttlMs
    const chunks = Math.max(1, Math.ceil(written.bytes / this.chunkBytes))
    const timer = setTimeout(() => this.drop(id), this.ttlMs)
    timer.unref()
    this.waiting.set(id, { id, channelId, file, bytes: written.bytes, chunks, expiresAtMs, timer })
    return {
      downloadId: id,
      name,
      files: written.files,
      bytes: written.bytes,
      sha256: written.sha256,
      chunks,
      chunkBytes: this.chunkBytes,
      expiresAt: new Date(expiresAtMs).toISOString(),
    }
  }

  /** Part `index` of a prepared file, for the channel it was prepared for; the last part deletes it. */
  async chunk(channelId: string, id: string, index: number): Promise<DownloadChunk> {
    this.sweepExpired()
    const p = this.waiting.get(id)
    if (!p || p.channelId !== channelId)
      throw new CsError(
        'DOWNLOAD_EXPIRED',
        'This download is no longer prepared (it was read to its end, or expired) — press Download again.',
      )
    if (index >= p.chunks)
      throw new CsError(
        'DOWNLOAD_EXPIRED',
        `This download has ${p.chunks} parts, numbered from 0 — part ${index} does not exist; press Download again.`,
      )
    const start = index * this.chunkBytes
    const length = Math.min(this.chunkBytes, p.bytes - start)
    const buffer = Buffer.alloc(length)
    const handle = await fs.promises.open(p.file, 'r')
    try {
      const { bytesRead } = await handle.read(buffer, 0, length, start)
      invariant(bytesRead === length, () => `download ${id}: part ${index} read ${bytesRead} of ${length} bytes`)
    } finally {
      await handle.close()
    }
    const last = index === p.chunks - 1
    if (last) this.drop(id)
    return { index, base64: buffer.toString('base64'), last }
  }

  /** Files waiting now (tests, and the limit). */
  get size(): number {
    return this.waiting.size
  }

  /** Files in the folder now: one per waiting download, none left by a failed write. */
  filesOnDisk(): number {
    return this.dir === null || !fs.existsSync(this.dir) ? 0 : fs.readdirSync(this.dir).length
  }

  /** Deletes every waiting file and the folder. */
  close(): void {
    for (const id of [...this.waiting.keys()]) this.drop(id)
    if (this.dir !== null) fs.rmSync(this.dir, { recursive: true, force: true })
    this.dir = null
  }

  private folder(): string {
    if (this.dir === null || !fs.existsSync(this.dir)) {
      sweepStaleFolders(Date.now())
      this.dir = fs.mkdtempSync(path.join(os.tmpdir(), DIR_PREFIX))
      fs.chmodSync(this.dir, 0o700)
    }
    return this.dir
  }

  private sweepExpired(): void {
    const now = this.now()
    for (const p of [...this.waiting.values()]) if (p.expiresAtMs <= now) this.drop(p.id)
  }

  private drop(id: string): void {
    const p = this.waiting.get(id)
    if (!p) return
    clearTimeout(p.timer)
    this.waiting.delete(id)
    fs.rmSync(p.file, { force: true })
  }
}

async function writeHashed(file: string, write: WriteFile): Promise<{ files: number; bytes: number; sha256: string }> {
  const hash = createHash('sha256')
  let bytes = 0
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk)
      bytes += chunk.length
      done(null, chunk)
    },
  })
  const out = fs.createWriteStream(file, { flags: 'wx', mode: 0o600 })
  tap.pipe(out)
  try {
    const { files } = await write(tap)
    if (!tap.writableEnded) tap.end()
    await finished(out)
    return { files, bytes, sha256: hash.digest('hex') }
  } catch (error) {
    tap.destroy()
    out.destroy()
    // The stream opens its file lazily: wait until it is closed, or the file appears after the delete.
    if (!out.closed) await once(out, 'close')
    fs.rmSync(file, { force: true })
    throw error
  }
}

/** Folders a crashed process left (this prefix, untouched for a day): private, but not kept forever. */
function sweepStaleFolders(nowMs: number): void {
  let names: string[]
  try {
    names = fs.readdirSync(os.tmpdir())
  } catch {
    return
  }
  for (const name of names) {
    if (!name.startsWith(DIR_PREFIX)) continue
    const dir = path.join(os.tmpdir(), name)
    try {
      if (nowMs - fs.statSync(dir).mtimeMs > STALE_DIR_AGE_MS) fs.rmSync(dir, { recursive: true, force: true })
    } catch {
      // Another user's folder, or gone meanwhile: not ours to clean.
    }
  }
}
