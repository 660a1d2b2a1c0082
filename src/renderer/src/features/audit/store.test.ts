/**
 * The audit view's store against a fake core that filters and pages like audit.list (newest first,
 * `seq < beforeSeq`): the form becomes the contract's filter, a refresh under a filter keeps the
 * older rows already loaded (matching seqs have gaps), and an answer for an older filter never
 * shows under a newer one.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { AuditFilter, AuditRow } from '../../../../shared/workspaceApi'
import type * as Store from './store'

let store: typeof Store
/** Rows the fake core holds: seq 1 … head; odd seqs by the system, even by dana. */
let head = 0
/** Calls held back until released (to race two filters). */
let hold: ((release: () => void) => void) | null = null
const asked: AuditFilter[] = []

function row(seq: number): AuditRow {
  return {
    seq,
    at: '2026-03-02T09:00:00.000Z',
    actor: seq % 2 === 1 ? 'system' : 'dana',
    action: 'x.y',
    subject: `s:${seq}`,
    change: null,
    prevHash: '0',
    hash: '1',
  }
}

function list(input: AuditFilter & { limit?: number; beforeSeq?: number }) {
  const all: AuditRow[] = []
  for (let seq = head; seq >= 1; seq--) {
    const r = row(seq)
    if (input.hideSystem && r.actor === 'system') continue
    if (input.actor !== undefined && r.actor !== input.actor) continue
    all.push(r)
  }
  const after = input.beforeSeq === undefined ? all : all.filter((r) => r.seq < input.beforeSeq!)
  const limit = input.limit ?? 200
  const rows = after.slice(0, limit)
  return { rows, nextBeforeSeq: after.length > limit ? rows.at(-1)!.seq : null }
}

beforeEach(async () => {
  vi.resetModules()
  head = 0
  hold = null
  asked.length = 0
  vi.stubGlobal('window', {
    countersign: {
      invoke: async (name: string, input: AuditFilter & { limit?: number; beforeSeq?: number }) => {
        if (name !== 'audit.list') return { ok: true, data: { actors: [], actions: [] } }
        const { limit: _limit, beforeSeq: _before, ...filter } = input
        asked.push(filter)
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

const state = () => store.useAudit.getState()

describe('the audit filter form', () => {
  it('becomes the contract’s filter: empty fields left out, half-typed dates not sent', () => {
    expect(store.auditFilterInput(store.AUDIT_FILTER_DEFAULT)).toEqual({ hideSystem: true })
    expect(
      store.auditFilterInput({
        actor: 'dana',
        actions: ['a.b'],
        subject: ' batch:b1 ',
        from: '2026-03-01',
        to: '2026-03',
        hideSystem: false,
      }),
    ).toEqual({ actor: 'dana', actions: ['a.b'], subject: 'batch:b1', from: '2026-03-01' })
  })

  it('says what is wrong with the dates', () => {
    expect(store.auditDateProblem({ from: '2026-03-02', to: '2026-03-01' })).toMatch(/after the "to" date/)
    expect(store.auditDateProblem({ from: '2026-03-01', to: '2026-03-01' })).toBeNull()
  })
})

describe('the audit rows', () => {
  it('hides the system’s rows at first, pages older rows, and keeps them through a refresh', async () => {
    head = 1_000
    await state().refresh()
    expect(asked.at(-1)).toEqual({ hideSystem: true })
    expect(state().rows).toHaveLength(store.AUDIT_PAGE_ROWS)
    expect(state().rows.every((r) => r.actor === 'dana')).toBe(true)
    await state().loadOlder()
    expect(state().rows).toHaveLength(2 * store.AUDIT_PAGE_ROWS)
    const before = state().nextBeforeSeq
    // Two new rows (one a person's): the fresh page overlaps what was loaded, so nothing is lost.
    head = 1_002
    await state().refresh()
    expect(state().rows[0]!.seq).toBe(1_002)
    expect(state().rows).toHaveLength(2 * store.AUDIT_PAGE_ROWS + 1)
    expect(state().nextBeforeSeq).toBe(before)
    const seqs = state().rows.map((r) => r.seq)
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a))
    expect(new Set(seqs).size).toBe(seqs.length)
  })

  it('an answer for an older filter never shows under a newer one', async () => {
    head = 10
    let release: (() => void) | null = null
    hold = (r) => (release = r)
    store.useAudit.setState({ filter: { ...store.AUDIT_FILTER_DEFAULT, hideSystem: false } })
    const slowLoad = state().refresh()
    await vi.waitFor(() => expect(release).not.toBeNull())
    hold = null
    state().setFilter({ actor: 'system' })
    await vi.waitFor(() => expect(state().rows.length).toBeGreaterThan(0))
    release!()
    await slowLoad
    // Everyone's rows (the older filter) came back last, and were dropped.
    expect(state().rows.map((r) => r.seq)).toEqual([9, 7, 5, 3, 1])
    expect(state().filter.actor).toBe('system')
  })
})
