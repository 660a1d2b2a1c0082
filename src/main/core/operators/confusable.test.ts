import { describe, expect, it } from 'vitest'
import { findConfusable, skeleton } from './confusable'

const DESK = ['Alice Preparer', 'Bob Approver', 'Carol Signer', 'Dana Admin']

describe('operator name look-alikes (TR39 skeleton)', () => {
  it('a Cyrillic о inside "Bob Approver" is the same skeleton', () => {
    expect('Bоb Approver').not.toBe('Bob Approver')
    expect(skeleton('Bоb Approver')).toBe(skeleton('Bob Approver'))
    expect(findConfusable(DESK, 'Bоb Approver')).toBe('Bob Approver')
  })

  it('the same name, decomposed, is the same name', () => {
    expect(findConfusable(['José Müller'], 'Jose\u0301 Mu\u0308ller')).toBe('José Müller')
  })

  it.each([
    ['Greek capital alpha', 'Αlice Preparer', 'Alice Preparer'],
    ['capital I for l', 'AIice Preparer', 'Alice Preparer'],
    ['digit 0 for O, any case', 'B0B APPROVER', 'Bob Approver'],
    ['rn for m', 'Dana Adrnin', 'Dana Admin'],
    ['extra spaces', 'Carol   Signer', 'Carol Signer'],
    ['fullwidth letters', 'Ｃａｒｏｌ Signer', 'Carol Signer'],
    ['a zero-width space kept in an old name', 'Dana Ad\u200Bmin', 'Dana Admin'],
  ])('%s', (_what, candidate, existing) => {
    expect(findConfusable(DESK, candidate)).toBe(existing)
  })

  it('different people stay different', () => {
    for (const name of ['Bob Approver Jr', 'Rob Approver', 'Dana Admins', 'José Müller', 'Jose Muller']) {
      expect(findConfusable(DESK, name)).toBeNull()
    }
    // TR39 does not fold accents: "José" and "Jose" are two names, as a person reads them.
    expect(skeleton('José')).not.toBe(skeleton('Jose'))
    for (const [i, a] of DESK.entries())
      expect(
        findConfusable(
          DESK.filter((_, j) => j !== i),
          a,
        ),
      ).toBeNull()
  })
})
