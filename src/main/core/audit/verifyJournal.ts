/**
 * The journal half of `audit verify`: every entry and posting recomputed against its seal, in
 * pages of entries (with their postings) in seq order, so a workspace of any size is read in
 * bounded memory. On the way it adds each entry's seal to the digest part of the audit row that
 * sealed it (compared with that row's rows_digest later) and each posting's amount to the
 * recomputed balances. Returns the first problem, naming the row.
 */
import type { CoreContext } from '../context'
import { minorOrNull, type BooksProblem, type RecomputedBalances, type SealingAuditRows } from './booksProblem'
import { POSTING_CHECKS_SEPARATOR, StoredEntrySealer } from './journalSeal'
import { SealPart, type SealPartSum, entrySealLine } from './rowSeals'

/** Entries read per page (their postings come with them). */
const JOURNAL_PAGE_ENTRIES = 2_000

interface EntryDbRow {
  seq: number
  id: string
  date: string
  kind: string
  description: string
  metadata: string
  created_at: string
  created_by: string
  seal: string | null
  posting_checks: string | null
  audit_seq: number | null
}

interface PostingDbRow {
  entry_seq: number
  idx: number
  account_id: string
  asset_id: string
  amount: string
}

export interface JournalCheck {
  problem: BooksProblem | null
  /** Audit seq -> the part of its digest made of entry seals. */
  entryParts: Map<number, SealPartSum>
  rowsChecked: number
}

export async function verifyJournal(ctx: CoreContext, sealing: SealingAuditRows, balances: RecomputedBalances): Promise<JournalCheck> {
  const walk = new JournalWalk(sealing, balances)
  let after = 0
  for (;;) {
    const entries = await ctx.db.all<EntryDbRow>(
      ctx.db.k.selectFrom('entries').selectAll().where('seq', '>', after).orderBy('seq').limit(JOURNAL_PAGE_ENTRIES),
    )
    const last = entries.length > 0 ? Number(entries.at(-1)!.seq) : null
    // The postings of this page's seq range — and any whose entry is gone.
    const postings = await ctx.db.all<PostingDbRow>(
      ctx.db.k
        .selectFrom('postings')
        .select(['entry_seq', 'idx', 'account_id', 'asset_id', 'amount'])
        .where('entry_seq', '>', after)
        .$if(last !== null, (q) => q.where('entry_seq', '<=', last!))
        .orderBy('entry_seq')
        .orderBy('idx')
        .$if(last === null, (q) => q.limit(1)),
    )
    const problem = walk.page(entries, postings)
    if (problem || last === null) return walk.result(problem)
    after = last
  }
}

/** The state of one walk over the journal. */
class JournalWalk {
  /** Finished parts; only the current audit row's part is still being hashed. */
  private readonly parts = new Map<number, SealPartSum>()
  private current: { seq: number; part: SealPart } | null = null
  private rowsChecked = 0
  private readonly sealer = new StoredEntrySealer()

  constructor(
    private readonly sealing: SealingAuditRows,
    private readonly balances: RecomputedBalances,
  ) {}

  /** Check one page; postings are in (entry_seq, idx) order and cover exactly the page's seq range. */
  page(entries: readonly EntryDbRow[], postings: readonly PostingDbRow[]): BooksProblem | null {
    let p = 0
    for (const entry of entries) {
      const seq = Number(entry.seq)
      // Postings before this entry's seq belong to no entry of the page: their entry is gone.
      if (p < postings.length && Number(postings[p]!.entry_seq) < seq) return orphanPosting(postings[p]!)
      const start = p
      while (p < postings.length && Number(postings[p]!.entry_seq) === seq) p++
      const problem = this.entry(entry, seq, postings.slice(start, p))
      if (problem) return problem
    }
    return p < postings.length ? orphanPosting(postings[p]!) : null
  }

  result(problem: BooksProblem | null): JournalCheck {
    if (this.current) this.parts.set(this.current.seq, this.current.part.finish())
    this.current = null
    return { problem, entryParts: this.parts, rowsChecked: this.rowsChecked }
  }

  private entry(entry: EntryDbRow, seq: number, postings: readonly PostingDbRow[]): BooksProblem | null {
    const subject = `entry:${entry.id}`
    if (entry.seal === null || entry.posting_checks === null || entry.audit_seq === null) {
      return problem('row-unsealed', null, subject, `entry ${entry.id} (seq ${seq}) was not written by Countersign: it has no seal`)
    }
    const auditSeq = Number(entry.audit_seq)
    const checks = entry.posting_checks.split(POSTING_CHECKS_SEPARATOR)
    if (this.sealer.seal({ ...entry, seq }, postings) !== entry.seal) return whatChanged(entry, auditSeq, checks, postings, this.sealer)
    if (
      postings.some((p, k) => Number(p.idx) !== k) ||
      this.sealer.checks(postings).join(POSTING_CHECKS_SEPARATOR) !== entry.posting_checks
    ) {
      return problem(
        'seal',
        auditSeq,
        subject,
        `the postings of entry ${entry.id} were renumbered, or their checks changed, after they were written`,
      )
    }
    if (!this.sealing.has(auditSeq)) {
      return problem(
        'seal',
        auditSeq,
        subject,
        `entry ${entry.id} claims audit row ${auditSeq} sealed it, but that row sealed nothing — the entry was not written by Countersign`,
      )
    }
    const problemOfPart = this.addToPart(auditSeq, entry)
    if (problemOfPart) return problemOfPart
    for (const p of postings) {
      const amount = minorOrNull(p.amount)
      if (amount !== null) this.balances.post(p.account_id, amount)
    }
    this.rowsChecked += 1 + postings.length
    return null
  }

  /** Entries of one audit row are written together, so they come in one run of seqs. */
  private addToPart(auditSeq: number, entry: EntryDbRow): BooksProblem | null {
    if (this.current?.seq !== auditSeq) {
      if (this.current) this.parts.set(this.current.seq, this.current.part.finish())
      if (this.parts.has(auditSeq)) {
        return problem(
          'seal',
          auditSeq,
          `entry:${entry.id}`,
          `entry ${entry.id} claims audit row ${auditSeq} sealed it, but that row's entries end before it — the entry was not written by Countersign`,
        )
      }
      this.current = { seq: auditSeq, part: new SealPart() }
    }
    this.current.part.add(entrySealLine(Number(entry.seq), entry.seal!))
    return null
  }
}

/**
 * An entry whose seal no longer matches: name what changed, by the posting checks stored beside
 * the seal — a posting removed, added or changed, or else the entry itself.
 */
function whatChanged(
  entry: EntryDbRow,
  auditSeq: number,
  checks: readonly string[],
  postings: readonly PostingDbRow[],
  sealer: StoredEntrySealer,
): BooksProblem {
  const at = `(sealed at audit row ${auditSeq})`
  const posting = (kind: BooksProblem['kind'], idx: number, what: string): BooksProblem =>
    problem(kind, auditSeq, `posting:${entry.id}/${idx}`, `posting ${idx} of entry ${entry.id} ${what}`)
  const found = sealer.checks(postings)
  let expected = 0
  for (const [k, p] of postings.entries()) {
    const idx = Number(p.idx)
    if (idx > expected && expected < checks.length)
      return posting('row-missing', expected, `is missing: it was deleted after it was written ${at}`)
    if (idx >= checks.length) return posting('row-unsealed', idx, 'was not written by Countersign: the entry was sealed without it')
    if (found[k] !== checks[idx]) return posting('row-changed', idx, `was changed after it was written ${at}`)
    expected = idx + 1
  }
  if (expected < checks.length) return posting('row-missing', expected, `is missing: it was deleted after it was written ${at}`)
  return problem('row-changed', auditSeq, `entry:${entry.id}`, `entry ${entry.id} was changed after it was written ${at}`)
}

function orphanPosting(p: PostingDbRow): BooksProblem {
  return problem(
    'row-unsealed',
    null,
    `posting:seq-${p.entry_seq}/${p.idx}`,
    `posting ${p.idx} of entry seq ${p.entry_seq} has no entry: it was not written by Countersign, or its entry was deleted`,
  )
}

function problem(kind: BooksProblem['kind'], seq: number | null, subject: string, reason: string): BooksProblem {
  return { kind, seq, subject, reason }
}
