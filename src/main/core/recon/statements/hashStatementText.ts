/**
 * The SHA-256 of a decoded statement file's UTF-8 text — the key that recognises a file imported
 * twice — taken a chunk at a time: hashing a 100 MB string in one call first encodes all of it
 * into one more 100 MB buffer (measured: ~3× slower for a 112 Mi-character camt file than 1 Mi
 * chunks). The digest is exactly that of the whole text encoded at once.
 */
import { createHash } from 'node:crypto'
import { invariant } from '../../util/invariant'

/** Characters encoded and hashed per step. */
export const HASH_CHUNK_CHARS = 1 << 20

const HIGH_SURROGATE_MIN = 0xd800
const HIGH_SURROGATE_MAX = 0xdbff

export function hashStatementText(text: string, chunkChars: number = HASH_CHUNK_CHARS): string {
  // A chunk of two can always step back one character and still move on.
  invariant(Number.isInteger(chunkChars) && chunkChars >= 2, () => `chunkChars must be at least 2, got ${chunkChars}`)
  const hash = createHash('sha256')
  let from = 0
  while (from < text.length) {
    let to = Math.min(from + chunkChars, text.length)
    // Never end a chunk between the halves of a surrogate pair: each half alone would be encoded
    // as U+FFFD and change the digest. A lone high surrogate moves to the next chunk just the same.
    const last = text.charCodeAt(to - 1)
    if (to < text.length && last >= HIGH_SURROGATE_MIN && last <= HIGH_SURROGATE_MAX) to--
    hash.update(text.slice(from, to), 'utf8')
    from = to
  }
  return hash.digest('hex')
}
