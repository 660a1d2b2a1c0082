/**
 * hashStatementText: the digest is that of the whole text encoded at once, whatever the chunk size
 * and wherever surrogate pairs, lone surrogates and multi-byte characters fall against the chunks.
 */
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { HASH_CHUNK_CHARS, hashStatementText } from './hashStatementText'

function wholeDigest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex')
}

describe('hashStatementText', () => {
  it('equals the digest of the whole text, for every chunk size and boundary', () => {
    const texts = [
      '',
      'a',
      '<Nm>Müller</Nm>',
      // Pairs (emoji), a lone high and a lone low surrogate, three-byte characters, at every offset.
      'ab😀c😀😀d\uD800e\uDC00f€€g😀',
      '\uD83D',
      '😀'.repeat(50),
      'x\uD83D\uD83D\uDE00y',
    ]
    for (const text of texts) {
      const expected = wholeDigest(text)
      for (let chunk = 2; chunk <= text.length + 1; chunk++)
        expect(hashStatementText(text, chunk), `${JSON.stringify(text)} / ${chunk}`).toBe(expected)
    }
  })

  it('reads a large file in chunks to the same digest', () => {
    const text = `<Ntry>Zahlung 😀 Müller</Ntry>\n`.repeat(Math.ceil((2.5 * HASH_CHUNK_CHARS) / 30))
    expect(hashStatementText(text)).toBe(wholeDigest(text))
  })

  it('refuses a chunk that could not step back over a surrogate pair', () => {
    expect(() => hashStatementText('abc', 1)).toThrow(/invariant/)
  })
})
