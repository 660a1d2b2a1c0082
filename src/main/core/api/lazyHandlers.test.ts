import { describe, expect, it, vi } from 'vitest'
import { escrowCalls } from '../../../shared/escrowApi'
import { receiptCalls } from '../../../shared/receiptsApi'
import { receiptsAttestCalls } from '../../../shared/receiptsAttestApi'
import { receiptPdfCalls } from '../../../shared/receiptsPdfApi'
import { reconPullCalls } from '../../../shared/reconPullApi'
import { EXECUTE_CALL_NAMES } from '../payouts/execute/executeCallNames'
import type { CallContext } from './createApi'
import { lazyHandlers } from './lazyHandlers'

const call = {} as CallContext

describe('lazyHandlers', () => {
  it('loads the group at the first call, once, and answers from it', async () => {
    const handler = vi.fn(() => ({ ok: true }))
    const load = vi.fn(() => Promise.resolve({ 'escrow.get': handler }))
    const group = lazyHandlers(['escrow.get'], load as never)
    expect(load).not.toHaveBeenCalled()
    await Promise.all([group['escrow.get'](call, { id: 'e1' } as never), group['escrow.get'](call, { id: 'e2' } as never)])
    expect(load).toHaveBeenCalledTimes(1)
    expect(handler).toHaveBeenCalledTimes(2)
    expect(handler).toHaveBeenLastCalledWith(call, { id: 'e2' })
  })

  it('tries a failed import again at the next call', async () => {
    const load = vi
      .fn()
      .mockRejectedValueOnce(new Error('import failed'))
      .mockResolvedValueOnce({ 'escrow.get': () => 'answer' })
    const group = lazyHandlers(['escrow.get'], load)
    await expect(group['escrow.get'](call, {} as never)).rejects.toThrow('import failed')
    await expect(group['escrow.get'](call, {} as never)).resolves.toBe('answer')
  })

  it('refuses a group whose names differ from the ones it was declared with', async () => {
    const group = lazyHandlers(['escrow.get'], () => Promise.resolve({ 'escrow.get': () => 1, 'escrow.list': () => 2 }) as never)
    await expect(group['escrow.get'](call, {} as never)).rejects.toThrow(/lazy handler group/)
  })

  // The groups handlers.ts loads lazily: their names are exactly those declared for them.
  it.each([
    [
      'escrow',
      Object.keys(escrowCalls),
      async () => (await import('../escrow/escrowHandlers')).createEscrowHandlers({} as never, {} as never),
    ],
    ['receipts', Object.keys(receiptCalls), async () => (await import('../receipts/receiptHandlers')).createReceiptHandlers({} as never)],
    [
      'receipts attest',
      Object.keys(receiptsAttestCalls),
      async () => (await import('../receipts/attest/attestHandlers')).createReceiptsAttestHandlers({} as never),
    ],
    [
      'receipts pdf',
      Object.keys(receiptPdfCalls),
      async () => (await import('../receipts/receiptsPdfHandlers')).createReceiptPdfHandlers(),
    ],
    [
      'recon pull',
      Object.keys(reconPullCalls),
      async () => (await import('../recon/reconPullHandler')).createReconPullHandlers({} as never),
    ],
    [
      'execute',
      [...EXECUTE_CALL_NAMES],
      async () => (await import('../payouts/execute/executeHandlers')).createExecuteHandlers({} as never),
    ],
  ])('the %s group has exactly its declared names', async (_group, names, create) => {
    expect(Object.keys(await create()).sort()).toEqual([...names].sort())
  })
})
