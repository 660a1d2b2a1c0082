/**
 * The matches the engine returns (issue 15). Most of a large run are pairs — one line, one posting,
 * by key or by amount — and a pair is kept as what decided it: the two items, how it was made
 * (shared, see MatchHow) and the variance. Its id lists are made when first read (and kept), its
 * reason (sentence, keys, business days) each time it is read: a run of 100,000 pairs would
 * otherwise allocate four objects and a sentence per pair that all outlive the young generation —
 * most of the engine's time, spent before anyone reads a match. Nothing a caller reads changes:
 * the same functions (./matchReasons.ts) write the sentence. A caller that reads every match
 * (runRecon stores them all) pays for the lists and sentences then; `npm run bench -- match`
 * prints that cost beside the engine's own.
 *
 * Read field by field, a record is exactly the plain ProposedMatch it stands for, and its `reason`
 * is a plain object (so `{ ...m.reason }` in stored JSON is unchanged). The fields are getters,
 * so a copy of the record itself (`{ ...m }`) or `toEqual` would miss them: use `plainMatch`.
 * Its own state is TypeScript-private, not `#private`: the Electron main bundle is scanned by
 * electronegativity (npm run test:security), whose parser cannot read class private fields.
 */
import { invariant } from '../../util/invariant'
import { businessDaysBetween } from './businessDays'
import { KEY_RULE_ID, KEY_RULE_NAME, NO_KEYS, nearAmountText, pairKeys, ruleTolerance, sameAmountText, sameKeysText } from './matchReasons'
import type { MatchItem, MatchKind, MatchReason, MatchRule, ProposedMatch } from './matchTypes'

/**
 * How a set of matches was made — kind, confirmed or not, the rule, the currency's decimal places
 * — shared by every pair made the same way in one partition (one object per outcome, not per pair).
 */
export interface MatchHow {
  readonly kind: MatchKind
  readonly confirm: boolean
  /** The rule that made it; null for a match by keys alone. */
  readonly rule: MatchRule | null
  /** Decimal places of the currency, for a pair's sentence. */
  readonly scale: number
}

export class MatchRecord implements ProposedMatch {
  readonly variance: bigint
  private readonly made: MatchHow
  /** The (first) statement line: its account is the match's. */
  private readonly firstLine: MatchItem
  /** The posting of a pair; null for the other matches, which are written in full at once. */
  private readonly pairPosting: MatchItem | null
  private statementIds: readonly string[] | null
  private ledgerIds: readonly string[] | null
  /** The reason of a match written in full; null for a pair, whose reason is written on each read. */
  private readonly writtenReason: MatchReason | null

  private constructor(variance: bigint, how: MatchHow, line: MatchItem, posting: MatchItem | null, written: ProposedMatch | null) {
    this.variance = variance
    this.made = how
    this.firstLine = line
    this.pairPosting = posting
    this.statementIds = written?.statement ?? null
    this.ledgerIds = written?.ledger ?? null
    this.writtenReason = written?.reason ?? null
  }

  /**
   * A match written in full now (groups, fees, keys with a variance: few in any run). `first` is
   * its first statement line and `rule` the rule that made it (null for keys).
   */
  static written(m: ProposedMatch, first: MatchItem, rule: MatchRule | null): MatchRecord {
    const record = new MatchRecord(m.variance, { kind: m.kind, confirm: m.confirm, rule, scale: 0 }, first, null, m)
    invariant(record.account === m.account && record.adjustmentAccount === m.adjustmentAccount, 'a written match reads back as given')
    return record
  }

  /**
   * One line and one posting, made as `how` says: by key with equal amounts (kind 'key', no rule),
   * or 1:1 under its rule, exactly or inside the tolerance. `variance` is line − posting (the
   * caller knows when it is 0n: no subtraction).
   */
  static pair(how: MatchHow, line: MatchItem, posting: MatchItem, variance: bigint): MatchRecord {
    return new MatchRecord(variance, how, line, posting, null)
  }

  /** The shared `how` of the pairs of one partition matched by key, or 1:1 by `rule` (exactly or not). */
  static pairHow(kind: 'key' | '1:1', confirm: boolean, rule: MatchRule | null, scale: number): MatchHow {
    invariant((kind === 'key') === (rule === null), 'a key pair has no rule, a 1:1 pair has one')
    return Object.freeze({ kind, confirm, rule, scale })
  }

  get kind(): MatchKind {
    return this.made.kind
  }

  get confirm(): boolean {
    return this.made.confirm
  }

  get account(): string {
    return this.firstLine.account
  }

  get statement(): readonly string[] {
    return (this.statementIds ??= [this.firstLine.id])
  }

  get ledger(): readonly string[] {
    return (this.ledgerIds ??= [this.pairPosting!.id])
  }

  /** Where a proposed adjustment goes: the rule's fee account, for a fee or a match with a variance. */
  get adjustmentAccount(): string | null {
    return this.kind === 'fee' || this.variance !== 0n ? (this.made.rule?.feeAccount ?? null) : null
  }

  /**
   * A pair's reason is written anew on each read, not kept: a caller reads it to store or show it
   * and lets it go, and one kept on every record would outlive the young generation — costing more
   * than writing it again. Read it once into a local when several of its fields are needed.
   */
  get reason(): MatchReason {
    return this.writtenReason ?? this.pairReason()
  }

  private pairReason(): MatchReason {
    const line = this.firstLine
    const posting = this.pairPosting!
    const { rule, scale } = this.made
    const days = businessDaysBetween(line.day, posting.day)
    const keys = rule === null ? pairKeys(line, posting) : NO_KEYS
    const summary =
      rule === null
        ? sameKeysText(keys)
        : this.variance === 0n
          ? sameAmountText(line, scale, days, rule)
          : nearAmountText(line, posting, scale, days, rule, ruleTolerance(rule, BigInt(rule.toleranceBps), line.amount))
    return {
      rule: rule?.id ?? KEY_RULE_ID,
      ruleName: rule?.name ?? KEY_RULE_NAME,
      keys,
      amountDifference: this.variance === 0n ? '0' : this.variance.toString(),
      dayDifference: days,
      summary,
    }
  }

  /** JSON of a match carries every field, as a plain ProposedMatch's would. */
  toJSON(): ProposedMatch {
    return plainMatch(this)
  }
}

/** A match as a plain object, its reason included (for a copy, a comparison or a message). */
export function plainMatch(m: ProposedMatch): ProposedMatch {
  return {
    kind: m.kind,
    account: m.account,
    statement: m.statement,
    ledger: m.ledger,
    variance: m.variance,
    confirm: m.confirm,
    reason: { ...m.reason },
    adjustmentAccount: m.adjustmentAccount,
  }
}
