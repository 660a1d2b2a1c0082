/**
 * The receipts search store against a fake core that pages receipts newest first by cursor: the
 * first page and its totals, the next pages as the table scrolls, new receipts taken in at the top
 * without losing the rows scrolled to, and a newer filter winning over a slower older load.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ReceiptSummary } from '../../../../shared/receiptsApi'
import type * as Store from './store'

let store: typeof Store
/** Receipt numbers the fake core holds (1 … issued). */
let issued = 0
/** receipts.totals calls the store made (the rows come without totals; the totals in their own call). */
let totalsCalls = 0
/** Calls held back until released (to race two filters). */
let hold: ((release: () => void) => void) | null = null

function summary(number: number): ReceiptSummary {
  return {
    number,
    displayNumber: `CS-2026-${String(number).padStart(6, '0')}`,
    kind: 'payout',
    sha256: 'ab'.repeat(32),
    payoutId: `p-${number}`,
    batchId: 'b-1',
    escrowId: null,
    rail: 'evm',
    network: '31337',
    assetId: 'USDC@evm:31337',
    code: 'USDC',
    amount: '1.000000',
    payeeName: number % 2 === 0 ? 'Even Ltd' : 'Odd Ltd',
    recipient: '0x0000000000000000000000000000000000000001',
    reference: `INV-${number}`,
    txHash: null,
    paidAt: '2026-03-02T09:00:00.000Z',
    issuedAt: '2026-03-02T09:00:00.000Z',
    previousNumber: null,
  }
}

/** receipts.list as the core answers it: newest first, `number < cursor`, totals on the first page only unless left out. */
function list(input: { query?: string; cursor?: string; limit?: number; totals?: boolean }) {
  const limit = input.limit ?? 50
  const all: ReceiptSummary[] = []
  for (let n = issued; n >= 1; n--) {
    const r = summary(n)
    if (input.query === undefined || r.payeeName.startsWith(input.query)) all.push(r)
  }
  const after = input.cursor === undefined ? all : all.filter((r) => r.number < Number(input.cursor))
  const items = after.slice(0, limit)
  return {
    items,
    nextCursor: after.length > limit ? String(items.at(-1)!.number) : null,
    totals:
      input.cursor === undefined && input.totals !== false
        ? [
            {
              assetId: 'USDC@evm:31337',
              code: 'USDC',
              count: all.length,
              paid: `${all.length}.000000`,
              reversed: '0',
              refunded: '0',
              net: '0',
            },
          ]
        : null,
  }
}

beforeEach(async () => {
  vi.resetModules()
  issued = 0
  totalsCalls = 0
  hold = null
  vi.stubGlobal('window', {
    countersign: {
      invoke: async (name: string, input: { query?: string; cursor?: string; limit?: number; totals?: boolean }) => {
        if (name === 'receipts.totals') {
          totalsCalls++
          return { ok: true, data: { totals: list({ query: input.query }).totals } }
        }
        if (name !== 'receipts.list') return { ok: true, data: { batches: [], nextBefore: null } }
        expect(input.totals, 'the rows are asked for without their totals').toBe(false)
        if (hold) await new Promise<void>((release) => hold!(release))
        return { ok: true, data: list(input) }
      },
      on: () => () => {},
    },
  })
  store = await import('./store')
})

afterEach(() => {
  vi.unstubAllGlobals()
})

const state = () => store.useReceipts.getState()

describe('the receipts list', () => {
  it('loads the newest page with the totals, then the next page as the table scrolls', async () => {
    issued = 250
    await state().refresh()
    expect(
      state()
        .items.map((r) => r.number)
        .slice(0, 2),
    ).toEqual([250, 249])
    expect(state().items).toHaveLength(store.RECEIPTS_PAGE)
    expect(state().totals[0]?.count).toBe(250)
    expect(state().totalsLoading).toBe(false)
    expect(totalsCalls).toBe(1)
    expect(state().loadedAt).not.toBeNull()
    await state().loadMore()
    expect(state().items).toHaveLength(2 * store.RECEIPTS_PAGE)
    expect(state().items.at(-1)?.number).toBe(51)
    await state().loadMore()
    await state().loadMore() // nothing more to load
    expect(state().items).toHaveLength(250)
    expect(state().nextCursor).toBeNull()
    expect(totalsCalls, 'later pages never add the totals up again').toBe(1)
  })

  it('takes new receipts in at the top and keeps the rows scrolled to', async () => {
    issued = 250
    await state().refresh()
    await state().loadMore()
    const cursor = state().nextCursor
    issued = 253
    await state().changed()
    expect(
      state()
        .items.map((r) => r.number)
        .slice(0, 4),
    ).toEqual([253, 252, 251, 250])
    expect(state().items).toHaveLength(2 * store.RECEIPTS_PAGE + 3)
    expect(state().nextCursor).toBe(cursor)
    expect(state().totals[0]?.count).toBe(253)
    expect(new Set(state().items.map((r) => r.number)).size).toBe(state().items.length)
  })

  it('shows the newer filter when an older, slower load answers last', async () => {
    issued = 10
    const releases: (() => void)[] = []
    hold = (release) => releases.push(release)
    state().setFilter({ query: 'Odd' })
    state().setFilter({ query: 'Even' })
    // The Odd load is in flight; it answers first, and is not shown: the Even load follows it.
    await vi.waitFor(() => expect(releases).toHaveLength(1))
    releases.shift()!()
    await vi.waitFor(() => expect(releases).toHaveLength(1))
    expect(state().items).toEqual([])
    releases.shift()!()
    await vi.waitFor(() => expect(state().loading).toBe(false))
    expect(state().items.map((r) => r.payeeName)).toEqual(Array(5).fill('Even Ltd'))
    await vi.waitFor(() => expect(state().totalsLoading).toBe(false))
    expect(state().totals[0]?.count, 'the totals are the newer filter’s').toBe(5)
  })
})
