import { describe, expect, it } from 'vitest'
import { businessDaysBetween, calendarDaysWithin } from './businessDays'
import { dayNumber } from './matchKeys'

const day = (iso: string): number => dayNumber(iso)!

/** The slow, obvious count the arithmetic must agree with. */
function countByLoop(a: number, b: number): number {
  const [from, to] = a < b ? [a, b] : [b, a]
  let count = 0
  for (let d = from + 1; d <= to; d++) {
    const weekday = new Date(d * 86_400_000).getUTCDay()
    if (weekday !== 0 && weekday !== 6) count++
  }
  return count
}

describe('businessDaysBetween', () => {
  it('is 0 on the same day and 1 from Friday to Monday', () => {
    expect(businessDaysBetween(day('2026-12-04'), day('2026-12-04'))).toBe(0)
    expect(businessDaysBetween(day('2026-12-04'), day('2026-12-07'))).toBe(1) // Fri → Mon
    expect(businessDaysBetween(day('2026-12-04'), day('2026-12-08'))).toBe(2) // Fri → Tue
    expect(businessDaysBetween(day('2026-12-05'), day('2026-12-06'))).toBe(0) // Sat → Sun
    expect(businessDaysBetween(day('2026-12-04'), day('2026-12-05'))).toBe(0) // Fri → Sat
    expect(businessDaysBetween(day('2026-12-05'), day('2026-12-07'))).toBe(1) // Sat → Mon
    expect(businessDaysBetween(day('2026-12-01'), day('2026-12-15'))).toBe(10) // two whole weeks
  })

  it('is symmetric', () => {
    expect(businessDaysBetween(day('2026-12-07'), day('2026-12-04'))).toBe(1)
    expect(businessDaysBetween(day('2026-12-15'), day('2026-12-01'))).toBe(10)
  })

  it('agrees with counting day by day, before and after 1970, across years', () => {
    for (let a = -30; a < 30; a++) {
      for (let b = a - 20; b <= a + 20; b++) expect(businessDaysBetween(a, b), `${a} → ${b}`).toBe(countByLoop(a, b))
    }
    const start = day('2023-12-20')
    for (let offset = 0; offset < 800; offset += 7) {
      expect(businessDaysBetween(start, start + offset + 3)).toBe(countByLoop(start, start + offset + 3))
    }
  })
})

describe('calendarDaysWithin', () => {
  it('covers every date at most windowDays business days away, and is tight for some start', () => {
    for (let window = 0; window <= 30; window++) {
      const span = calendarDaysWithin(window)
      let widest = 0
      for (let start = 0; start < 7; start++) {
        for (let d = start; d <= start + span + 10; d++) if (businessDaysBetween(start, d) <= window) widest = Math.max(widest, d - start)
      }
      expect(widest, `window ${window}`).toBe(span)
    }
  })
})
