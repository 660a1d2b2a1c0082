/**
 * The seal of a journal entry with its postings, and the check of each posting.
 *
 * seal = sha256 (base64url) of
 *   ["entry", seq, created_at, created_by, [asset_id of each posting], line]
 * where `line` is the entry's canonical line (../ledger/entryLineBuilder.ts: [id, date, kind,
 * description, metadata, [[account, amount], …]]) — the very text the journal writer builds for
 * its digest anyway, so sealing costs one hash per entry on the hot path of posting. The whole is
 * canonicalJson of that array (sealContent.test.ts asserts it).
 *
 * A posting check is a 32-bit FNV-1a of (idx, account, asset, amount), as decimal text (formatting
 * it as hex cost five times the hash), stored per entry in idx order. It proves nothing — the entry's seal does, and the audit row's digest
 * covers the seal — it only says WHICH posting differs once the seal no longer matches, so
 * `audit verify` can name "posting 1 of entry e_12". Being plain arithmetic, it costs no native
 * call per posting.
 */
import { EntryLineBuilder, jsonText, memoJsonText } from '../ledger/entryLineBuilder'
import { sealOf } from './sealContent'

/** The separator of entries.posting_checks. */
export const POSTING_CHECKS_SEPARATOR = ' '
const FNV_OFFSET = 0x811c9dc5
const FNV_PRIME = 0x01000193

/** The time and the actor repeat for every entry of a call: their JSON text is remembered. */
const createdAtJson = memoJsonText()
const createdByJson = memoJsonText()

export function entrySeal(seq: number, createdAt: string, createdBy: string, assetsJson: string, line: string): string {
  return sealOf(`["entry",${seq},${createdAtJson(createdAt)},${createdByJson(createdBy)},[${assetsJson}],${line}]`)
}

export function postingCheck(idx: number, accountId: string, assetId: string, amount: string): string {
  let h = Math.imul(Math.imul(FNV_OFFSET ^ idx, FNV_PRIME), FNV_PRIME)
  h = fnv(h, accountId)
  h = fnv(h, assetId)
  h = fnv(h, amount)
  return String(h >>> 0)
}

/** FNV-1a over the text's UTF-16 units, then a 0 unit as the separator. */
function fnv(start: number, text: string): number {
  let h = start
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME)
  return Math.imul(h, FNV_PRIME)
}

export interface StoredEntry {
  seq: number
  id: string
  date: string
  kind: string
  description: string
  /** As stored: canonical JSON text. */
  metadata: string
  created_at: string
  created_by: string
}

export interface StoredPosting {
  idx: number
  account_id: string
  asset_id: string
  amount: string
}

/** Seals entries as they are stored (`audit verify`, the one-time seal of old rows). */
export class StoredEntrySealer {
  /** One line builder per entry kind (a builder remembers the JSON text of repeated values). */
  private readonly lines = new Map<string, EntryLineBuilder>()

  /** The seal of the entry with these postings, in idx order. */
  seal(entry: StoredEntry, postings: readonly StoredPosting[]): string {
    let line = this.lines.get(entry.kind)
    if (!line) this.lines.set(entry.kind, (line = new EntryLineBuilder(entry.kind)))
    line.begin(entry.id, entry.date, entry.description, entry.metadata)
    let assets = ''
    for (const p of postings) {
      line.posting(p.account_id, p.amount)
      assets += (assets === '' ? '' : ',') + jsonText(p.asset_id)
    }
    return entrySeal(Number(entry.seq), entry.created_at, entry.created_by, assets, line.end())
  }

  /** The check of each posting, in the order given. */
  checks(postings: readonly StoredPosting[]): string[] {
    return postings.map((p) => postingCheck(Number(p.idx), p.account_id, p.asset_id, p.amount))
  }
}
