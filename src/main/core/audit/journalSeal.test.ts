/**
 * The journal's seal is canonicalJson of a documented array — anyone can recompute it from the
 * rows — even though it is built by hand on the hot path; and posting checks tell postings apart.
 */
import { describe, expect, it } from 'vitest'
import { canonicalJson } from '../util/canonicalJson'
import { StoredEntrySealer, postingCheck } from './journalSeal'
import { sealOf } from './sealContent'

describe('journal seals', () => {
  it('seals an entry as canonicalJson(["entry", seq, created_at, created_by, assets, line]), escapes included', () => {
    const entry = {
      seq: 42,
      id: 'inv-"7"\\x',
      date: '2026-01-15',
      kind: 'manual',
      description: 'Tab\there — ünïcode 𝄞 and a "quote"',
      metadata: canonicalJson({ invoice: 'INV-7', ünïcode: 'ꝏ 𝄞' }),
      created_at: '2026-01-15T09:00:00.000Z',
      created_by: 'dana-admin',
    }
    const postings = [
      {
        idx: 0,
        account_id: 'treasury-usdc',
        asset_id: 'USDC@evm:8453',
        amount: '115792089237316195423570985008687907853269984665640564039457584007913129639935',
      },
      {
        idx: 1,
        account_id: 'opening\nusdc',
        asset_id: 'USDC@evm:8453',
        amount: '-115792089237316195423570985008687907853269984665640564039457584007913129639935',
      },
    ]
    const expected = sealOf(
      canonicalJson([
        'entry',
        42,
        entry.created_at,
        entry.created_by,
        postings.map((p) => p.asset_id),
        [entry.id, entry.date, entry.kind, entry.description, JSON.parse(entry.metadata), postings.map((p) => [p.account_id, p.amount])],
      ]),
    )
    const sealer = new StoredEntrySealer()
    expect(sealer.seal(entry, postings)).toBe(expected)
    // The builder remembers repeated text between entries: a second entry is sealed just as exactly.
    const line = [
      entry.id,
      entry.date,
      entry.kind,
      entry.description,
      JSON.parse(entry.metadata),
      postings.map((p) => [p.account_id, p.amount]),
    ]
    const assets = postings.map((p) => p.asset_id)
    expect(sealer.seal({ ...entry, seq: 43 }, postings)).toBe(
      sealOf(canonicalJson(['entry', 43, entry.created_at, entry.created_by, assets, line])),
    )
    expect(expected).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })

  it('checks each posting by place, account, asset and amount', () => {
    const base = postingCheck(0, 'treasury-usdc', 'USDC@evm:8453', '100')
    expect(base).toMatch(/^\d{1,10}$/)
    expect(postingCheck(0, 'treasury-usdc', 'USDC@evm:8453', '100')).toBe(base)
    const variants = [
      postingCheck(1, 'treasury-usdc', 'USDC@evm:8453', '100'),
      postingCheck(0, 'treasury-usdd', 'USDC@evm:8453', '100'),
      postingCheck(0, 'treasury-usdc', 'USDC@evm:1', '100'),
      postingCheck(0, 'treasury-usdc', 'USDC@evm:8453', '101'),
      // The separator keeps field boundaries: moving a character across them is a change.
      postingCheck(0, 'treasury-usd', 'cUSDC@evm:8453', '100'),
    ]
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1)
  })
})
