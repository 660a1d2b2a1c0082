/**
 * Business days (Monday to Friday) between two day numbers (days since 1970-01-01, UTC), for the
 * matching rules' windows (issue 15). Bank holidays are not known here: a window of 3 business
 * days over a holiday is one calendar day narrower than a person might count, which only ever
 * suggests less.
 *
 * Arithmetic, not a loop over days: the engine asks this once per candidate pair, hundreds of
 * thousands of times in a large run.
 */

/** 1970-01-01 was a Thursday: day 0 is weekday 3 when Monday is 0. */
const EPOCH_WEEKDAY = 3
const WEEK_DAYS = 7
const WORK_DAYS_PER_WEEK = 5

/** How many Monday–Friday days come before `day`, counted from the Monday 1969-12-29 (negative before it). */
function weekdaysBefore(day: number): number {
  const fromMonday = day + EPOCH_WEEKDAY
  const weeks = Math.floor(fromMonday / WEEK_DAYS)
  const partWeek = fromMonday - weeks * WEEK_DAYS
  return weeks * WORK_DAYS_PER_WEEK + Math.min(partWeek, WORK_DAYS_PER_WEEK)
}

/**
 * The Monday–Friday days strictly after the earlier day up to and including the later one: 0 for
 * the same day, 1 from Friday to Monday (a payment booked on Friday and settled on Monday is one
 * business day late), 0 from Saturday to Sunday. Symmetric in its arguments.
 */
export function businessDaysBetween(a: number, b: number): number {
  const earlier = a < b ? a : b
  const later = a < b ? b : a
  return weekdaysBefore(later + 1) - weekdaysBefore(earlier + 1)
}

/**
 * The most calendar days two dates can be apart and still be at most `windowDays` business days
 * apart: every whole week adds two weekend days, and one more weekend can sit at an edge. Used to
 * cut a day-sorted list down before the exact business-day check.
 */
export function calendarDaysWithin(windowDays: number): number {
  return windowDays + 2 * (Math.floor(windowDays / WORK_DAYS_PER_WEEK) + 1)
}
