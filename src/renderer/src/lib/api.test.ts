import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Result } from '../../../shared/api'
import type { Operator } from '../../../shared/workspaceApi'
import type * as Api from './api'
import type * as SessionStore from '../features/session/store'

const ALICE: Operator = {
  id: 'alice-preparer',
  name: 'Alice Preparer',
  roles: ['preparer'],
  createdAt: '2026-03-01T09:00:00.000Z',
  status: 'active',
  passphraseSet: true,
  approvalKey: null,
}
const BOB: Operator = { ...ALICE, id: 'bob-approver', name: 'Bob Approver', roles: ['approver'] }

let api: typeof Api
let session: typeof SessionStore
let reply: (name: string, meta: unknown) => Result<unknown>
const sent: { name: string; meta: unknown }[] = []

beforeEach(async () => {
  vi.resetModules()
  sent.length = 0
  vi.stubGlobal('window', {
    countersign: {
      invoke: (name: string, _input: unknown, meta: unknown) => {
        sent.push({ name, meta })
        return Promise.resolve(reply(name, meta))
      },
      on: () => () => {},
    },
  })
  vi.stubGlobal('document', { getElementById: () => null })
  api = await import('./api')
  session = await import('../features/session/store')
})

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('invoke and the unlocked session', () => {
  it('names the unlocked operator in meta, and nobody when locked', async () => {
    reply = () => ({ ok: true, data: [] })
    await api.invoke('operators.list', {})
    session.useSession.getState().setSession({ operator: ALICE, idleLockMinutes: 10, locksAt: '2026-03-01T09:10:00.000Z' })
    await api.invoke('batches.list', {})
    expect(sent.map((s) => s.meta)).toEqual([{}, { operatorId: ALICE.id }])
  })

  it('goes back to the picker, with the core’s sentence, when the core says the window is locked', async () => {
    session.useSession.getState().setSession({ operator: ALICE, idleLockMinutes: 10, locksAt: null })
    reply = () => ({ ok: false, error: { code: 'OPERATOR_LOCKED', message: 'This window is locked — choose your profile.' } })
    await expect(api.invoke('batches.list', {})).rejects.toMatchObject({ code: 'OPERATOR_LOCKED' })
    const s = session.useSession.getState()
    expect(s.operator).toBeNull()
    expect(s.lockNotice).toEqual({ reason: 'refused', message: 'This window is locked — choose your profile.' })
  })

  it('does not lock out the next person for a refusal of a call made as the previous one', async () => {
    session.useSession.getState().setSession({ operator: ALICE, idleLockMinutes: 10, locksAt: null })
    let answer: (r: Result<unknown>) => void = () => {}
    const pending = new Promise<Result<unknown>>((resolve) => (answer = resolve))
    ;(window as unknown as { countersign: { invoke: () => Promise<Result<unknown>> } }).countersign.invoke = () => pending
    const call = api.invoke('batches.list', {})
    // Alice locks; Bob unlocks before her call's answer arrives.
    session.useSession.getState().locked({ reason: 'manual', message: null })
    session.useSession.getState().setSession({ operator: BOB, idleLockMinutes: 10, locksAt: null })
    answer({ ok: false, error: { code: 'OPERATOR_SESSION_MISMATCH', message: 'This window is unlocked as someone else.' } })
    await expect(call).rejects.toMatchObject({ code: 'OPERATOR_SESSION_MISMATCH' })
    expect(session.useSession.getState().operator?.id).toBe(BOB.id)
  })

  it('clears what the views hold when the desk locks', async () => {
    const { clearViewsOnLock } = await import('../features/session/clearOnLock')
    const { usePayouts } = await import('../features/payouts/store')
    const { useNotify } = await import('../features/notify/store')
    const { useNav } = await import('../features/nav/store')
    const stop = clearViewsOnLock()
    session.useSession.getState().setSession({ operator: ALICE, idleLockMinutes: 10, locksAt: null })
    usePayouts.setState({ selectedId: 'b_1', batches: [{ id: 'b_1' } as never] })
    useNav.getState().go('payouts')
    useNotify.getState().push({ kind: 'success', title: 'Submitted', message: 'May contractors', code: null })
    session.useSession.getState().locked({ reason: 'manual', message: null })
    expect(usePayouts.getState().selectedId).toBeNull()
    expect(usePayouts.getState().batches).toEqual([])
    expect(useNav.getState().view).toBe('dashboard')
    expect(useNotify.getState().notices).toEqual([])
    stop()
  })
})
