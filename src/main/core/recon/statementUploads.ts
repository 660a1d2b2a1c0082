/**
 * Large statement files arrive through the contract in chunks (one request carries at most
 * STATEMENT_CHUNK_CHARS_MAX): recon.upload appends to an upload held in memory, bound to the
 * channel that started it (another window or command cannot use or see it), and recon.import
 * takes it once it is final. Uploads left unfinished expire; the total is capped.
 */
import { randomUUID } from 'node:crypto'
import { CsError } from '../../../shared/errors'
import { formatFileSize } from '../../../shared/fileSize'
import { STATEMENT_CHARS_MAX } from '../../../shared/limits'
import type { Clock } from '../context'

/** An upload nobody touched for this long is dropped. */
const UPLOAD_IDLE_MS = 15 * 60_000
/** Uploads held at once (all channels). */
const UPLOADS_MAX = 8

interface Upload {
  channelId: string
  chunks: string[]
  chars: number
  ready: boolean
  touchedAt: number
}

export interface StatementUploads {
  append(
    channelId: string,
    uploadId: string | undefined,
    chunk: string,
    final: boolean,
  ): { uploadId: string; chars: number; ready: boolean }
  /** The whole text of a final upload, which is removed (an import takes it once). */
  take(channelId: string, uploadId: string): string
}

export function createStatementUploads(clock: Clock): StatementUploads {
  const uploads = new Map<string, Upload>()
  const sweep = () => {
    const now = clock.now().getTime()
    for (const [id, u] of uploads) if (now - u.touchedAt > UPLOAD_IDLE_MS) uploads.delete(id)
  }
  const find = (channelId: string, uploadId: string): Upload => {
    const u = uploads.get(uploadId)
    if (!u || u.channelId !== channelId) {
      throw new CsError(
        'UPLOAD_NOT_FOUND',
        `There is no upload "${uploadId}" from this window or command (it may have expired) — send the file again.`,
      )
    }
    return u
  }
  return {
    append(channelId, uploadId, chunk, final) {
      sweep()
      let id = uploadId
      let u: Upload
      if (id === undefined) {
        if (uploads.size >= UPLOADS_MAX)
          throw new CsError('STATEMENT_TOO_LARGE', 'Too many statement uploads are under way — finish or wait for one, then try again.')
        id = `upl_${randomUUID()}`
        u = { channelId, chunks: [], chars: 0, ready: false, touchedAt: 0 }
        uploads.set(id, u)
      } else {
        u = find(channelId, id)
        if (u.ready) throw new CsError('UPLOAD_NOT_FOUND', `The upload "${id}" is complete already — import it, or start a new one.`)
      }
      if (u.chars + chunk.length > STATEMENT_CHARS_MAX) {
        uploads.delete(id)
        throw new CsError(
          'STATEMENT_TOO_LARGE',
          `The statement is more than ${formatFileSize(STATEMENT_CHARS_MAX)} of text, the most one import may carry — ask the bank for shorter periods and import each.`,
        )
      }
      u.chunks.push(chunk)
      u.chars += chunk.length
      u.ready = final
      u.touchedAt = clock.now().getTime()
      return { uploadId: id, chars: u.chars, ready: u.ready }
    },
    take(channelId, uploadId) {
      const u = find(channelId, uploadId)
      if (!u.ready) throw new CsError('UPLOAD_NOT_FOUND', `The upload "${uploadId}" is not complete — send its last chunk with final set.`)
      uploads.delete(uploadId)
      return u.chunks.join('')
    },
  }
}
