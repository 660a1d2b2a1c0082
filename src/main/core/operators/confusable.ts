/**
 * Look-alike operator names. An approval panel, the audit log and `--as` all name operators; a
 * second "Bоb Approver" (Cyrillic о) beside "Bob Approver" would let one person pass for another.
 * So a new name whose confusable skeleton equals an existing operator's is refused.
 *
 * The skeleton is Unicode TR39's (UTS #39 §4): NFD, each character replaced by its prototype from
 * Unicode's confusables.txt, NFD again. The mapping data comes from the `unhomoglyph` package
 * (nodeca; confusables.txt 13.0.0) rather than a copy here, so an update is a version bump.
 * On top of TR39, the comparison first folds compatibility forms (NFKC: fullwidth "Ｂｏｂ",
 * ligatures, superscripts — confusables.txt leaves those to normalisation), and ignores case
 * ("bob approver"), runs of whitespace, and invisible (default-ignorable) characters that names
 * stored before the contract refused them may still hold. The skeleton is for comparing only — never shown ("m" becomes "rn").
 */
import unhomoglyph from 'unhomoglyph'
import { CsError } from '../../../shared/errors'
import type { CoreContext } from '../context'

const INVISIBLE_RE = /\p{Default_Ignorable_Code_Point}/gu
const WHITESPACE_RUN_RE = /\s+/gu

/** TR39 skeleton, case-folded, whitespace collapsed: equal skeletons look alike. */
export function skeleton(name: string): string {
  const once = tr39Skeleton(name.normalize('NFKC').replace(INVISIBLE_RE, ''))
  // Lower-casing can produce characters that have prototypes of their own: map again.
  return tr39Skeleton(once.toLowerCase()).replace(WHITESPACE_RUN_RE, ' ').trim()
}

function tr39Skeleton(text: string): string {
  return unhomoglyph(text.normalize('NFD')).normalize('NFD')
}

/**
 * The first of `existingNames` that `name` could be mistaken for, or null. An identical name is
 * the caller's OPERATOR_EXISTS, so it is reported here too (it looks alike as well).
 */
export function findConfusable(existingNames: Iterable<string>, name: string): string | null {
  const wanted = skeleton(name)
  for (const existing of existingNames) if (skeleton(existing) === wanted) return existing
  return null
}

/**
 * OPERATOR_NAME_CONFUSABLE unless `name` is unlike every operator's (deactivated ones included:
 * their signatures stay in the books) and every invitation still waiting for a second admin.
 * `subjectId` is the operator the request would create: its own pending request is not a rival.
 */
export async function assertNotConfusable(ctx: CoreContext, name: string, subjectId: string): Promise<void> {
  const operators = await ctx.db.all(ctx.db.k.selectFrom('operators').select(['id', 'name']))
  const pending = await ctx.db.all(
    ctx.db.k
      .selectFrom('admin_changes')
      .select(['subject_id', 'payload'])
      .where('kind', '=', 'operator.add')
      .where('state', '=', 'pending'),
  )
  const names = [
    ...operators.filter((o) => o.id !== subjectId).map((o) => o.name),
    ...pending.filter((p) => p.subject_id !== subjectId).map((p) => String((JSON.parse(p.payload) as { name?: unknown }).name ?? '')),
  ]
  const existing = findConfusable(names, name)
  if (existing === null) return
  throw new CsError(
    'OPERATOR_NAME_CONFUSABLE',
    `"${name}" looks like the operator "${existing}" (the same letters, or letters from another script that look alike) — choose a name nobody could mistake for theirs.`,
    { details: { existing } },
  )
}
