/**
 * An entry id is used once. For every field of an entry, resending the id with that field
 * changed is refused with ENTRY_CONFLICT naming the field, and changes nothing; resending it
 * unchanged is a replay.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EntryInput, PostingInput } from '../../../shared/ledgerApi'
import { formatAmount } from '../../../shared/money'
import { checkLedgerInvariants } from './checkLedgerInvariants'
import { postEntries } from './postEntries'
import { errorOf, openAccount, openTestLedger, snapshotLedger, TEST_ACTOR, type TestLedger } from './testKit'

const USDC = 'USDC@evm:1'
const ETH = 'ETH@evm:1'
const USDC_ACCOUNTS = ['u1', 'u2', 'u3'] as const
const ETH_ACCOUNTS = ['e1', 'e2'] as const

let t: TestLedger
beforeAll(async () => {
  t = await openTestLedger()
  // Clearing accounts may go negative: these tests are about ids, not funds.
  for (const id of USDC_ACCOUNTS) await openAccount(t.ctx, id, 'clearing', USDC)
  for (const id of ETH_ACCOUNTS) await openAccount(t.ctx, id, 'clearing', ETH)
})
afterAll(async () => {
  await t.close()
})

const post = async (entries: EntryInput[], kind = 'manual') => await postEntries(t.ctx, TEST_ACTOR, entries, { kind })

async function expectConflict(entry: EntryInput, field: string, kind = 'manual'): Promise<void> {
  const before = await snapshotLedger(t.ctx)
  const e = await errorOf(() => post([entry], kind))
  expect(e.code).toBe('ENTRY_CONFLICT')
  expect(e.details?.field).toBe(field)
  expect(e.message).toContain(`different ${field} `)
  expect(e.message).toContain(`Entry "${entry.id}"`)
  expect(await snapshotLedger(t.ctx)).toEqual(before)
}

describe('ENTRY_CONFLICT names the field that differs', () => {
  const base: EntryInput = {
    id: 'conflict-base',
    date: '2026-01-10',
    description: 'Opening balances',
    metadata: { ref: 'bank-1', batch: 'b-7' },
    postings: [
      { account: 'u1', debit: '100.25' },
      { account: 'e1', debit: '1.5' },
      { account: 'u2', credit: '100.25' },
      { account: 'e2', credit: '1.5' },
    ],
  }
  const withPostings = (postings: PostingInput[]): EntryInput => ({ ...base, postings })

  beforeAll(async () => {
    expect((await post([base])).posted).toEqual(['conflict-base'])
  })

  it('replays the unchanged entry, with or without the date, metadata keys in any order', async () => {
    const { date: _date, ...noDate } = base
    expect((await post([base, noDate, { ...base, metadata: { batch: 'b-7', ref: 'bank-1' } }])).replayed).toEqual([
      'conflict-base',
      'conflict-base',
      'conflict-base',
    ])
  })

  it('description', () => expectConflict({ ...base, description: 'Opening balances (fixed)' }, 'description'))
  it('date', () => expectConflict({ ...base, date: '2026-01-11' }, 'date'))
  it('metadata value', () => expectConflict({ ...base, metadata: { ref: 'bank-2', batch: 'b-7' } }, 'metadata.ref'))
  it('metadata key added', () => expectConflict({ ...base, metadata: { ...base.metadata, extra: 'x' } }, 'metadata.extra'))
  it('metadata key removed', () => expectConflict({ ...base, metadata: { ref: 'bank-1' } }, 'metadata.batch'))
  it('metadata omitted', async () => {
    const { metadata: _m, ...rest } = base
    await expectConflict(rest, 'metadata.batch')
  })
  it('kind', () => expectConflict(base, 'kind', 'payout'))
  it('number of postings', () =>
    expectConflict(withPostings([...base.postings, { account: 'u3', debit: '1' }, { account: 'u1', credit: '1' }]), 'postings count'))
  it('a posting’s account', () =>
    expectConflict(withPostings(base.postings.map((p, i) => (i === 2 ? { ...p, account: 'u3' } : p))), 'postings[2].account'))
  it('a posting’s amount (still balanced)', () =>
    expectConflict(
      withPostings(
        base.postings.map((p, i) =>
          i === 1 ? { account: 'e1', debit: '1.500000000000000001' } : i === 3 ? { account: 'e2', credit: '1.500000000000000001' } : p,
        ),
      ),
      'postings[1].amount',
    ))
  it('debit ↔ credit side', () =>
    expectConflict(
      withPostings(
        base.postings.map((p) =>
          p.debit !== undefined ? { account: p.account, credit: p.debit } : { account: p.account, debit: p.credit! },
        ),
      ),
      'postings[0].side',
    ))
  it('posting order is content too', () =>
    expectConflict(withPostings([base.postings[2]!, base.postings[1]!, base.postings[0]!, base.postings[3]!]), 'postings[0].account'))
})

// ---------------------------------------------------------------------------------------------
// The same, for random entries and random single-field changes.

const MUTATIONS = ['description', 'date', 'metadata', 'count', 'account', 'amount', 'side'] as const
type Mutation = (typeof MUTATIONS)[number]

interface Leg {
  asset: 'usdc' | 'eth'
  from: number
  to: number
  minor: bigint
}

const legArb: fc.Arbitrary<Leg> = fc.record({
  asset: fc.constantFrom('usdc' as const, 'eth' as const),
  from: fc.nat({ max: 2 }),
  to: fc.nat({ max: 2 }),
  minor: fc.oneof(fc.bigInt({ min: 1n, max: 10n ** 9n }), fc.bigInt({ min: 1n, max: 10n ** 40n })),
})

function postingsOf(legs: Leg[]): PostingInput[] {
  const out: PostingInput[] = []
  for (const leg of legs) {
    const accounts = leg.asset === 'usdc' ? USDC_ACCOUNTS : ETH_ACCOUNTS
    const scale = leg.asset === 'usdc' ? 6 : 18
    const amount = formatAmount(leg.minor, scale)
    out.push({ account: accounts[leg.to % accounts.length]!, debit: amount })
    out.push({ account: accounts[leg.from % accounts.length]!, credit: amount })
  }
  return out
}

let nextId = 0
describe('ENTRY_CONFLICT for random entries and a random changed field (property)', () => {
  it('refuses every single-field change, naming it, and changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(legArb, { minLength: 1, maxLength: 3 }),
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.option(fc.dictionary(fc.constantFrom('ref', 'batch', 'row', 'note'), fc.string({ maxLength: 10 }), { maxKeys: 3 }), {
          nil: undefined,
        }),
        fc.boolean(),
        fc.constantFrom(...MUTATIONS),
        fc.nat(),
        async (legs, description, metadata, withDate, mutation, pick) => {
          const id = `prop-${nextId++}`
          const base: EntryInput = {
            id,
            description,
            postings: postingsOf(legs),
            ...(metadata ? { metadata } : {}),
            ...(withDate ? { date: '2026-01-05' } : {}),
          }
          await post([base])
          const { changed, field } = mutate(base, mutation, pick)
          await expectConflict(changed, field)
          expect((await post([base])).replayed).toEqual([id])
        },
      ),
      { numRuns: 150 },
    )
    expect(await checkLedgerInvariants(t.ctx)).toEqual([])
  })
})

function mutate(base: EntryInput, mutation: Mutation, pick: number): { changed: EntryInput; field: string } {
  const postings = base.postings
  const i = pick % postings.length
  switch (mutation) {
    case 'description':
      return { changed: { ...base, description: base.description + '!' }, field: 'description' }
    case 'date':
      // Stored date is the given one or the clock's (2026-01-15); give a different one.
      return { changed: { ...base, date: '2025-06-30' }, field: 'date' }
    case 'metadata': {
      const m = { ...(base.metadata ?? {}) }
      const keys = Object.keys(m).sort()
      const key = keys.length > 0 ? keys[pick % keys.length]! : 'zz'
      m[key] = (m[key] ?? '') + '~'
      return { changed: { ...base, metadata: m }, field: `metadata.${key}` }
    }
    case 'count': {
      const p = postings[0]!
      return {
        changed: { ...base, postings: [...postings, { account: p.account, debit: '1' }, { account: p.account, credit: '1' }] },
        field: 'postings count',
      }
    }
    case 'account': {
      const p = postings[i]!
      const family: readonly string[] = (USDC_ACCOUNTS as readonly string[]).includes(p.account) ? USDC_ACCOUNTS : ETH_ACCOUNTS
      const other = family[(family.indexOf(p.account) + 1) % family.length]!
      return {
        changed: { ...base, postings: postings.map((q, j) => (j === i ? { ...q, account: other } : q)) },
        field: `postings[${i}].account`,
      }
    }
    case 'amount': {
      // Change the last digit (9 -> 8, else +1): a different amount, never zero, same scale.
      const bump = (text: string): string => text.replace(/\d$/, (d) => (d === '9' ? '8' : String(Number(d) + 1)))
      const changed = postings.map((q, j) =>
        j === i ? (q.debit !== undefined ? { ...q, debit: bump(q.debit) } : { ...q, credit: bump(q.credit!) }) : q,
      )
      return { changed: { ...base, postings: changed }, field: `postings[${i}].amount` }
    }
    case 'side':
      return {
        changed: {
          ...base,
          postings: postings.map((q) =>
            q.debit !== undefined ? { account: q.account, credit: q.debit } : { account: q.account, debit: q.credit! },
          ),
        },
        field: 'postings[0].side',
      }
  }
}
