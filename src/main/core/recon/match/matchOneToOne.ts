/**
 * The 1:1 pass of an amount rule (issue 15): each free line against the free postings of its
 * account and currency within the rule's tolerance, window and counterparty. Postings are found in
 * an amount-sorted index by binary search, never by scanning them all; postings used since the
 * index was built are skipped in amortised O(1).
 *
 * Amounts are compared as numbers when the line's whole tolerance range is made of safe integers
 * (|x| < 2^53, every amount of a fiat file): every posting the index holds in that range is then a
 * safe integer too, so the doubles are the amounts themselves. Otherwise (wei-sized amounts) the
 * same scan runs on the bigints.
 */
import { businessDaysBetween } from './businessDays'
import {
  FREE,
  abs,
  byId,
  commitPair,
  counterpartiesFit,
  idList,
  money,
  noteCandidates,
  oneToOneHow,
  pairRecord,
  plural,
  pushException,
  ruleSees,
  toleranceFor,
  toleranceNumber,
  type AmountIndex,
  type Engine,
  type PreparedRule,
  type ScanResult,
} from './matchState'

/** Per partition, the postings still free after the key pass, sorted by amount. */
export function buildAmountIndex(e: Engine): (AmountIndex | undefined)[] {
  const { lg } = e
  const lists: number[][] = e.parts.map(() => [])
  for (let l = 0; l < lg.items.length; l++) if (lg.state[l] === FREE) lists[lg.part[l]!]!.push(l)
  const approx = lg.approx
  return lists.map((list) => {
    if (list.length === 0) return undefined
    const items = sortByAmount(list, approx)
    const amounts = new Float64Array(items.length)
    for (let p = 0; p < items.length; p++) {
      e.lPos[items[p]!] = p
      amounts[p] = approx[items[p]!]!
    }
    const next = new Int32Array(items.length + 1)
    for (let p = 0; p <= items.length; p++) next[p] = p
    return { items, amounts, next }
  })
}

/**
 * The postings of `list` by amount. When every amount times `span` (a power of two above the
 * list's length) stays a safe integer, amount and place pack exactly into one double —
 * amount × span + place — and a typed-array sort without a comparator orders them several times
 * faster; otherwise a comparator sort on the doubles. Equal amounts may come in any order: every
 * reader of the index breaks ties by day and id, never by position.
 */
function sortByAmount(list: readonly number[], approx: Float64Array): Int32Array {
  const n = list.length
  let most = 0
  for (const l of list) most = Math.max(most, Math.abs(approx[l]!))
  const span = 2 ** Math.ceil(Math.log2(n + 1))
  if (!((most + 1) * span <= Number.MAX_SAFE_INTEGER)) return Int32Array.from(list).sort((x, y) => approx[x]! - approx[y]!)
  const packed = new Float64Array(n)
  for (let i = 0; i < n; i++) packed[i] = approx[list[i]!]! * span + i
  packed.sort()
  const items = new Int32Array(n)
  for (let p = 0; p < n; p++) {
    const amount = Math.floor(packed[p]! / span) // exact: a power-of-two division of a safe integer
    items[p] = list[packed[p]! - amount * span]!
  }
  return items
}

/** The first free position at or after p (items.length when none), halving the path as it goes. */
function freeFrom(index: AmountIndex, p: number): number {
  const next = index.next
  while (next[p] !== p) {
    const q = next[p]!
    next[p] = next[q]!
    p = q
  }
  return p
}

function lowerBound(amounts: Float64Array, value: number): number {
  let low = 0
  let high = amounts.length
  while (low < high) {
    const mid = (low + high) >>> 1
    if (amounts[mid]! < value) low = mid + 1
    else high = mid
  }
  return low
}

export function runOneToOne(e: Engine, r: PreparedRule): void {
  const { st } = e
  for (let s = 0; s < st.items.length; s++) {
    if (st.state[s] !== FREE || !ruleSees(r.rule, e.parts[st.part[s]!]!.account, st.sign[s]!)) continue
    const index = e.amountIndex[st.part[s]!]
    if (index === undefined) continue
    scanAmounts(e, index, s, r, null, false)
    decideOneToOne(e, index, s, r)
  }
}

/**
 * Every free posting within the tolerance of line s's amount that the rule accepts (same sign,
 * window, counterparty). Counts exact and near candidates into e.scan and keeps the best of each
 * (exact: closest day, then smallest id; near: closest amount, then day, then id); with `collect`,
 * also lists the exact (or near) ones.
 */
function scanAmounts(e: Engine, index: AmountIndex, s: number, r: PreparedRule, collect: number[] | null, collectExact: boolean): void {
  const amount = e.st.approx[s]!
  const scan = e.scan
  scan.exactCount = scan.nearCount = 0
  scan.exactBest = scan.nearBest = -1
  const tolerance = Number.isSafeInteger(amount) ? toleranceNumber(r, amount) : -1
  if (tolerance >= 0 && Number.isSafeInteger(amount - tolerance) && Number.isSafeInteger(amount + tolerance))
    scanNumbers(e, index, s, r, tolerance, collect, collectExact)
  else scanBigints(e, index, s, r, collect, collectExact)
}

/** scanAmounts on numbers: `amount ± tolerance` are safe integers (see the header). */
function scanNumbers(
  e: Engine,
  index: AmountIndex,
  s: number,
  r: PreparedRule,
  tolerance: number,
  collect: number[] | null,
  collectExact: boolean,
): void {
  const { lg, scan } = e
  const rule = r.rule
  const amount = e.st.approx[s]!
  const sign = e.st.sign[s]!
  const day = e.st.day[s]!
  const hi = amount + tolerance
  const end = index.items.length
  for (let p = freeFrom(index, lowerBound(index.amounts, amount - tolerance)); p < end; p = freeFrom(index, p + 1)) {
    const candidate = index.amounts[p]!
    if (candidate > hi) break
    const l = index.items[p]!
    if (lg.sign[l] !== sign || businessDaysBetween(day, lg.day[l]!) > rule.windowDays) continue
    if (rule.counterparty && !counterpartiesFit(rule, e.st.items[s]!, lg.items[l]!)) continue
    const days = Math.abs(lg.day[l]! - day)
    if (candidate === amount) {
      if (collect !== null && collectExact) collect.push(l)
      if (scan.exactCount++ === 0 || days < scan.exactBestDays || (days === scan.exactBestDays && idBefore(e, l, scan.exactBest))) {
        scan.exactBest = l
        scan.exactBestDays = days
      }
    } else {
      if (collect !== null && !collectExact) collect.push(l)
      const gap = Math.abs(candidate - amount)
      if (scan.nearCount++ === 0 || (gap !== scan.nearBestGap ? gap < scan.nearBestGap : tieCloser(e, days, l, scan))) {
        scan.nearBest = l
        scan.nearBestGap = gap
        scan.nearBestDays = days
      }
    }
  }
}

/** scanAmounts on bigints, for amounts a double cannot hold; the doubles only narrow the range. */
function scanBigints(e: Engine, index: AmountIndex, s: number, r: PreparedRule, collect: number[] | null, collectExact: boolean): void {
  const { lg, scan } = e
  const line = e.st.items[s]!
  const sign = e.st.sign[s]!
  const amount = line.amount
  const tolerance = toleranceFor(r, amount)
  const lo = amount - tolerance
  const hi = amount + tolerance
  const hiApprox = Number(hi)
  const end = index.items.length
  for (let p = freeFrom(index, lowerBound(index.amounts, Number(lo))); p < end; p = freeFrom(index, p + 1)) {
    if (index.amounts[p]! > hiApprox) break
    const l = index.items[p]!
    const posting = lg.items[l]!
    const candidate = posting.amount
    if (
      candidate < lo ||
      candidate > hi ||
      lg.sign[l] !== sign ||
      businessDaysBetween(line.day, posting.day) > r.rule.windowDays ||
      !counterpartiesFit(r.rule, line, posting)
    )
      continue
    const days = Math.abs(posting.day - line.day)
    if (candidate === amount) {
      if (collect !== null && collectExact) collect.push(l)
      if (scan.exactCount++ === 0 || days < scan.exactBestDays || (days === scan.exactBestDays && idBefore(e, l, scan.exactBest))) {
        scan.exactBest = l
        scan.exactBestDays = days
      }
    } else {
      if (collect !== null && !collectExact) collect.push(l)
      const diff = abs(candidate - amount)
      if (scan.nearCount++ === 0 || (diff !== scan.nearBestDiff ? diff < scan.nearBestDiff : tieCloser(e, days, l, scan))) {
        scan.nearBest = l
        scan.nearBestDiff = diff
        scan.nearBestDays = days
      }
    }
  }
}

function idBefore(e: Engine, l: number, than: number): boolean {
  return e.lg.items[l]!.id < e.lg.items[than]!.id
}

/** Near candidate l, as far in amount as the best so far, is closer: by days, then id. */
function tieCloser(e: Engine, days: number, l: number, scan: ScanResult): boolean {
  if (days !== scan.nearBestDays) return days < scan.nearBestDays
  return idBefore(e, l, scan.nearBest)
}

/** One exact candidate (or the best, when the rule may pick) matches; else one near one; several with noAmbiguous are an exception. */
function decideOneToOne(e: Engine, index: AmountIndex, s: number, r: PreparedRule): void {
  const { exactCount, exactBest, nearCount, nearBest } = e.scan
  const rule = r.rule
  if (exactCount === 1 || (exactCount > 1 && !rule.noAmbiguous))
    return commitPair(e, '1:1', s, exactBest, pairRecord(e, oneToOneHow(e, r, e.st.part[s]!, true), s, exactBest, 0n))
  if (exactCount === 0 && (nearCount === 1 || (nearCount > 1 && !rule.noAmbiguous))) {
    const variance = e.st.items[s]!.amount - e.lg.items[nearBest]!.amount
    return commitPair(e, '1:1', s, nearBest, pairRecord(e, oneToOneHow(e, r, e.st.part[s]!, false), s, nearBest, variance))
  }
  if (exactCount + nearCount === 0) return
  const exact = exactCount > 0
  const line = e.st.items[s]!
  const candidates: number[] = []
  scanAmounts(e, index, s, r, candidates, exact)
  candidates.sort(byId(e.lg.items))
  const detail = `${plural(candidates.length, 'ledger item')} fit ${exact ? 'the amount' : 'near the amount'} ${money(e, e.st.part[s]!, line.amount)} under rule "${rule.name}" (${idList(e.lg.items, candidates)}): a person picks one.`
  pushException(e, 'statement', s, 'ambiguous', detail, candidates)
  noteCandidates(e.lg, candidates, s)
}
