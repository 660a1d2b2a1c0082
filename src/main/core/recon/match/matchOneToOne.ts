/**
 * The 1:1 pass of an amount rule (issue 15): each free line against the free postings of its
 * account and currency within the rule's tolerance, window and counterparty. Postings are found in
 * an amount-sorted index by binary search, never by scanning them all; postings used since the
 * index was built are skipped in amortised O(1).
 */
import { formatAmount } from '../../../../shared/money'
import { businessDaysBetween } from './businessDays'
import {
  FREE,
  NO_KEYS,
  abs,
  byId,
  counterpartiesFit,
  idList,
  money,
  noteCandidates,
  plural,
  pushException,
  pushPair,
  ruleSees,
  toleranceFor,
  type AmountIndex,
  type Engine,
  type PreparedRule,
  type ScanResult,
} from './matchState'

/** Per partition, the postings still free after the key pass, sorted by amount. */
export function buildAmountIndex(e: Engine): (AmountIndex | undefined)[] {
  const { lg } = e
  const lists: number[][] = e.parts.map(() => [])
  const approx = new Float64Array(lg.items.length)
  for (let l = 0; l < lg.items.length; l++) {
    if (lg.state[l] !== FREE) continue
    lists[lg.part[l]!]!.push(l)
    approx[l] = Number(lg.items[l]!.amount)
    // The sign of a free posting, read with its amount (a double has the sign of the bigint).
    lg.sign[l] = Math.sign(approx[l]!)
  }
  return lists.map((list) => {
    if (list.length === 0) return undefined
    const items = Int32Array.from(list).sort((x, y) => approx[x]! - approx[y]!)
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
  const line = e.st.items[s]!
  const sign = e.st.sign[s]!
  const amount = line.amount
  const scan = e.scan
  const tolerance = toleranceFor(r, amount)
  const lo = tolerance === 0n ? amount : amount - tolerance
  const hi = tolerance === 0n ? amount : amount + tolerance
  const hiApprox = Number(hi)
  scan.exactCount = scan.nearCount = 0
  scan.exactBest = scan.nearBest = -1
  scan.tolerance = tolerance
  const end = index.items.length
  for (let p = freeFrom(index, lowerBound(index.amounts, Number(lo))); p < end; p = freeFrom(index, p + 1)) {
    if (index.amounts[p]! > hiApprox) break
    const l = index.items[p]!
    const posting = e.lg.items[l]!
    const candidate = posting.amount
    if (
      candidate < lo ||
      candidate > hi ||
      e.lg.sign[l] !== sign ||
      businessDaysBetween(line.day, posting.day) > r.rule.windowDays ||
      !counterpartiesFit(r.rule, line, posting)
    )
      continue
    const days = Math.abs(posting.day - line.day)
    if (candidate === amount) {
      if (collect !== null && collectExact) collect.push(l)
      if (
        scan.exactCount++ === 0 ||
        days < scan.exactBestDays ||
        (days === scan.exactBestDays && posting.id < e.lg.items[scan.exactBest]!.id)
      ) {
        scan.exactBest = l
        scan.exactBestDays = days
      }
    } else {
      if (collect !== null && !collectExact) collect.push(l)
      const diff = abs(candidate - amount)
      if (scan.nearCount++ === 0 || isCloser(e, diff, days, l, scan)) {
        scan.nearBest = l
        scan.nearBestDiff = diff
        scan.nearBestDays = days
      }
    }
  }
}

function isCloser(e: Engine, diff: bigint, days: number, l: number, scan: ScanResult): boolean {
  if (diff !== scan.nearBestDiff) return diff < scan.nearBestDiff
  if (days !== scan.nearBestDays) return days < scan.nearBestDays
  return e.lg.items[l]!.id < e.lg.items[scan.nearBest]!.id
}

/** One exact candidate (or the best, when the rule may pick) matches; else one near one; several with noAmbiguous are an exception. */
function decideOneToOne(e: Engine, index: AmountIndex, s: number, r: PreparedRule): void {
  const { exactCount, exactBest, nearCount, nearBest, tolerance } = e.scan
  const line = e.st.items[s]!
  const part = e.st.part[s]!
  const rule = r.rule
  if (exactCount === 1 || (exactCount > 1 && !rule.noAmbiguous)) {
    const days = businessDaysBetween(line.day, e.lg.items[exactBest]!.day)
    const summary = `Same amount ${money(e, part, line.amount)}, ${plural(days, 'business day')} apart (rule "${rule.name}")`
    return pushPair(e, '1:1', s, exactBest, 0n, rule.autoConfirm, rule, NO_KEYS, summary)
  }
  if (exactCount === 0 && (nearCount === 1 || (nearCount > 1 && !rule.noAmbiguous))) {
    const posting = e.lg.items[nearBest]!
    const variance = line.amount - posting.amount
    const days = businessDaysBetween(line.day, posting.day)
    const summary = `Amount ${money(e, part, line.amount)} against ${formatAmount(posting.amount, e.parts[part]!.scale)} differs by ${formatAmount(abs(variance), e.parts[part]!.scale)} (inside the ${formatAmount(tolerance, e.parts[part]!.scale)} tolerance of rule "${rule.name}"), ${plural(days, 'business day')} apart`
    return pushPair(e, '1:1', s, nearBest, variance, false, rule, NO_KEYS, summary)
  }
  if (exactCount + nearCount === 0) return
  const exact = exactCount > 0
  const candidates: number[] = []
  scanAmounts(e, index, s, r, candidates, exact)
  candidates.sort(byId(e.lg.items))
  const detail = `${plural(candidates.length, 'ledger item')} fit ${exact ? 'the amount' : 'near the amount'} ${money(e, part, line.amount)} under rule "${rule.name}" (${idList(e.lg.items, candidates)}): a person picks one.`
  pushException(e, 'statement', s, 'ambiguous', detail, candidates)
  noteCandidates(e.lg, candidates, s)
}
