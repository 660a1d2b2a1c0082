/**
 * The Execution panel's words and numbers, derived from stored state only: per-rail progress
 * ("N of M confirmed" and where it stands, in the rail's own words), the summary once it has
 * ended (paid, failed, fees — exact), and the lines and warning shown beside Execute.
 */
import { describe, expect, it } from 'vitest'
import type { BatchDetail, Payout, SigningPlanRail, Submission } from '../../../../shared/payoutsApi'
import type { BatchState, PayoutState, SubmissionState } from '../../../../shared/payoutStates'
import {
  assetLabels,
  canResumeSigning,
  executionFinished,
  executionSummary,
  failedNextStep,
  latestAttempts,
  railProgress,
  railStatusSentence,
  signingPlanLine,
  signingPlanWarning,
} from './executionProgress'

const AT = '2026-03-02T09:00:00.000Z'
const TOTALS = [
  { assetId: 'USDC@evm:31337', assetCode: 'USDC', scale: 6, total: '0', payouts: 0 },
  { assetId: 'XLM@stellar:standalone', assetCode: 'XLM', scale: 7, total: '0', payouts: 0 },
  { assetId: 'USD@stripe', assetCode: 'USD', scale: 2, total: '0', payouts: 0 },
]
const RAIL_OF: Record<string, Pick<Payout, 'rail' | 'network'>> = {
  'USDC@evm:31337': { rail: 'evm', network: '31337' },
  'XLM@stellar:standalone': { rail: 'stellar', network: 'standalone' },
  'USD@stripe': { rail: 'stripe', network: 'stripe' },
}

let rowNo = 0
function payout(assetId: string, amount: string, state: PayoutState, extra: Partial<Payout> = {}): Payout {
  rowNo++
  return {
    id: `p${rowNo}`,
    rowNo,
    ...RAIL_OF[assetId]!,
    assetId,
    recipient: `recipient-${rowNo}`,
    amount,
    memo: null,
    reference: null,
    name: null,
    state,
    failureCode: null,
    failureMessage: null,
    submissionId: null,
    reversed: null,
    ...extra,
  }
}

function submission(
  rail: 'evm' | 'stellar' | 'stripe',
  chunkIndex: number,
  state: SubmissionState,
  extra: Partial<Submission> = {},
): Submission {
  const network = rail === 'evm' ? '31337' : rail === 'stellar' ? 'standalone' : 'stripe'
  return {
    id: `s${chunkIndex}:${extra.attempt ?? 1}`,
    rail,
    network,
    chunkIndex,
    attempt: 1,
    state,
    txHash: null,
    railRef: null,
    nonce: null,
    payoutCount: 1,
    failure: null,
    explorerUrl: null,
    fee: null,
    createdAt: AT,
    updatedAt: AT,
    ...extra,
  }
}

function detail(state: BatchState, payouts: Payout[], signingStopped: BatchDetail['batch']['signingStopped'] = null): BatchDetail {
  return {
    batch: {
      id: 'b1',
      name: 'March',
      state,
      version: 1,
      source: null,
      createdBy: 'alice',
      editors: [],
      createdAt: AT,
      updatedAt: AT,
      payouts: payouts.length,
      totals: TOTALS,
      rails: [...new Set(payouts.map((p) => p.rail))],
      signingStopped,
    },
    payouts,
    payoutsPage: { total: payouts.length, nextOffset: null },
    totalsByRail: [],
    approvals: [],
    lastRejection: null,
    approvalStatus: {
      required: 1,
      approvals: 1,
      remaining: 0,
      canApprove: false,
      sentences: [],
      callerSentences: [],
      limitSentences: [],
      dailyLimits: [],
    },
    signingPlan: [],
    warnings: [],
  }
}

describe('railProgress', () => {
  it('counts per rail N of M confirmed, with in-flight and failed apart, in EVM, Stellar, Stripe order', () => {
    const d = detail('executing', [
      payout('USD@stripe', '1.00', 'confirmed'),
      payout('USDC@evm:31337', '1.000000', 'confirmed'),
      payout('USDC@evm:31337', '2.000000', 'broadcast'),
      payout('USDC@evm:31337', '3.000000', 'planned'),
      payout('XLM@stellar:standalone', '1.0000000', 'failed'),
      payout('XLM@stellar:standalone', '2.0000000', 'confirmed'),
    ])
    const subs = [
      submission('evm', 0, 'confirmed'),
      submission('evm', 1, 'broadcast'),
      submission('evm', 2, 'planned'),
      submission('stripe', 3, 'confirmed'),
    ]
    const rails = railProgress(d, subs, true)
    expect(rails.map((r) => [r.key, r.title, r.confirmed, r.payouts, r.inFlight, r.failed, r.transactions, r.unsent, r.phase])).toEqual([
      ['evm:31337', 'Local Anvil', 1, 3, 2, 0, 3, 1, 'signing'],
      ['stellar:standalone', 'Local Stellar', 1, 2, 0, 1, 0, 0, 'finishedWithFailures'],
      ['stripe:stripe', 'Stripe', 1, 1, 0, 0, 1, 0, 'paid'],
    ])
    expect(rails[0]).toMatchObject({ sent: 1, toSign: 1 })
    expect(railStatusSentence(rails[0]!)).toBe('Confirm each transaction on the Ledger — 2 of 3 transactions signed.')
    expect(railStatusSentence(rails[1]!)).toBe('1 paid, 1 failed.')
    expect(railStatusSentence(rails[2]!)).toBe('All 1 paid.')
  })

  it('says "signing stopped" from the stored state (after a reload, or when another process stopped), not while this window signs', () => {
    const d = detail('executing', [payout('USDC@evm:31337', '1.000000', 'signed'), payout('USDC@evm:31337', '1.000000', 'planned')], {
      signed: 1,
      total: 2,
      unsigned: 1,
    })
    const subs = [submission('evm', 0, 'broadcast'), submission('evm', 1, 'planned')]
    const [stopped] = railProgress(d, subs, false)
    expect(stopped!.phase).toBe('stopped')
    expect(railStatusSentence(stopped!)).toBe('Signing stopped — 1 transaction still to sign on the Ledger. Press Resume signing.')
    expect(railProgress(d, subs, true)[0]!.phase).toBe('signing')
  })

  it('Stripe is never "signed": transfers are sent, then confirmed by Stripe', () => {
    const d = detail('executing', [payout('USD@stripe', '1.00', 'planned'), payout('USD@stripe', '2.00', 'broadcast')])
    const sending = railProgress(d, [submission('stripe', 0, 'planned'), submission('stripe', 1, 'broadcast')], false)[0]!
    expect(sending.signsOnDevice).toBe(false)
    expect(railStatusSentence(sending)).toBe('Sending 2 transfers to Stripe — nothing to sign.')
    const waiting = railProgress(
      detail('executing', [payout('USD@stripe', '1.00', 'broadcast')]),
      [submission('stripe', 0, 'broadcast')],
      false,
    )[0]!
    expect(railStatusSentence(waiting)).toBe('All sent — waiting for Stripe to confirm.')
    expect(railStatusSentence(waiting)).not.toMatch(/sign(ed)? on|Ledger/)
  })

  it('counts each chunk once, by its latest attempt (a retried chunk is not two transactions)', () => {
    const subs = [
      submission('evm', 0, 'failed'),
      submission('evm', 0, 'planned', { id: 's0:2', attempt: 2 }),
      submission('evm', 1, 'confirmed'),
    ]
    expect(latestAttempts(subs).map((s) => s.id)).toEqual(['s0:2', 's1:1'])
    const d = detail('executing', [payout('USDC@evm:31337', '1.000000', 'planned'), payout('USDC@evm:31337', '1.000000', 'confirmed')])
    expect(railProgress(d, subs, true)[0]).toMatchObject({ transactions: 2, unsent: 1 })
  })
})

describe('canResumeSigning', () => {
  const planned = [submission('evm', 0, 'broadcast'), submission('evm', 1, 'planned')]
  const payouts = [payout('USDC@evm:31337', '1.000000', 'broadcast'), payout('USDC@evm:31337', '1.000000', 'planned')]
  const stopped = { signed: 1, total: 2, unsigned: 1 }

  it('offers Resume only when signing has stopped: stored (after a reload, another process) or this window failed', () => {
    expect(canResumeSigning(detail('executing', payouts, stopped), planned, false)).toBe(true)
    expect(canResumeSigning(detail('executing', payouts, null), planned, true)).toBe(true)
    // Someone is signing it now (the core reports no stop) and this window has no error: no Resume.
    expect(canResumeSigning(detail('executing', payouts, null), planned, false)).toBe(false)
  })

  it('never for Stripe transfers, which the core sends on its own, nor once nothing waits for the device', () => {
    const stripe = [submission('stripe', 0, 'planned')]
    expect(canResumeSigning(detail('executing', [payout('USD@stripe', '1.00', 'planned')], null), stripe, true)).toBe(false)
    expect(canResumeSigning(detail('executing', payouts, stopped), [submission('evm', 0, 'broadcast')], true)).toBe(false)
    expect(canResumeSigning(detail('partially_failed', payouts, stopped), planned, true)).toBe(false)
  })
})

describe('executionSummary', () => {
  it('sums paid and failed exactly per asset, lists the failures with their reasons, and fees of landed transactions only', () => {
    const d = detail('partially_failed', [
      payout('USDC@evm:31337', '0.000001', 'confirmed'),
      payout('USDC@evm:31337', '9007199254740.993001', 'confirmed'),
      payout('XLM@stellar:standalone', '0.1000001', 'failed', {
        name: 'Lumen Design',
        failureCode: 'STELLAR_NO_TRUST',
        failureMessage: 'The payee has no trustline for XLM — ask them to add it, then retry.',
      }),
      payout('USD@stripe', '0.01', 'confirmed'),
    ])
    const eth = { assetId: 'ETH@evm:31337', assetCode: 'ETH', scale: 18 }
    const subs = [
      submission('evm', 0, 'confirmed', { fee: { ...eth, amount: '0.000021000000000001' } }),
      submission('evm', 1, 'failed', { fee: { ...eth, amount: '0.000000000000000009' } }),
      // Reorged back to broadcast: its fee was taken back in the books, so it is not counted.
      submission('evm', 2, 'broadcast', { fee: { ...eth, amount: '1.000000000000000000' } }),
      submission('stellar', 3, 'confirmed', {
        fee: { assetId: 'XLM@stellar:standalone', assetCode: 'XLM', scale: 7, amount: '0.0000100' },
      }),
    ]
    expect(executionFinished(d)).toBe(true)
    expect(executionSummary(d, subs)).toEqual({
      paid: {
        payouts: 3,
        totals: [
          { assetId: 'USDC@evm:31337', assetCode: 'USDC', scale: 6, amount: '9007199254740.993002' },
          { assetId: 'USD@stripe', assetCode: 'USD', scale: 2, amount: '0.01' },
        ],
      },
      failed: {
        payouts: 1,
        totals: [{ assetId: 'XLM@stellar:standalone', assetCode: 'XLM', scale: 7, amount: '0.1000001' }],
        rows: [
          {
            id: expect.any(String),
            rowNo: expect.any(Number),
            who: 'Lumen Design',
            amount: { assetId: 'XLM@stellar:standalone', assetCode: 'XLM', scale: 7, amount: '0.1000001' },
            code: 'STELLAR_NO_TRUST',
            reason: 'The payee has no trustline for XLM — ask them to add it, then retry.',
          },
        ],
      },
      fees: [
        { ...eth, amount: '0.000021000000000010' },
        { assetId: 'XLM@stellar:standalone', assetCode: 'XLM', scale: 7, amount: '0.0000100' },
      ],
    })
  })

  it('is not finished while anything is in flight, even in a finished-looking state', () => {
    expect(executionFinished(detail('executing', [payout('USD@stripe', '1.00', 'confirmed')]))).toBe(false)
    expect(executionFinished(detail('partially_failed', [payout('USD@stripe', '1.00', 'broadcast')]))).toBe(false)
    expect(executionFinished(detail('completed', [payout('USD@stripe', '1.00', 'confirmed')]))).toBe(true)
  })

  it('tells the person what to do about failures: a signer retries, others ask one', () => {
    expect(failedNextStep(true, true)).toContain('press Retry failed payouts')
    expect(failedNextStep(true, false)).toContain('a signer presses Retry failed payouts')
    expect(failedNextStep(false, true)).not.toContain('Retry')
  })
})

describe('assetLabels', () => {
  it('names the network only where one code is on two rails: USDC on EVM and on Stellar are different money', () => {
    const a = (assetId: string, assetCode: string) => ({ assetId, assetCode, scale: 2, amount: '1.00' })
    expect(assetLabels([a('USDC@evm:31337', 'USDC'), a('USDC@stellar:standalone', 'USDC'), a('USD@stripe', 'USD')])).toEqual([
      'USDC (Local Anvil)',
      'USDC (Local Stellar)',
      'USD',
    ])
  })
})

describe('signing plan lines and the warning before Execute', () => {
  const plan = (p: Partial<SigningPlanRail>): SigningPlanRail => ({
    rail: 'stellar',
    network: 'standalone',
    payouts: 25,
    transactions: 25,
    deviceConfirmations: 25,
    deviceConfirmationsIfShared: 1,
    distinctMemos: 25,
    precision: 'exact',
    ...p,
  })

  it('warns when distinct Stellar memos force 25 confirmations instead of 1', () => {
    expect(signingPlanLine(plan({}))).toBe('Local Stellar: 25 payouts in 25 transactions — 25 confirmations on the Ledger.')
    expect(signingPlanWarning(plan({}))).toContain('you will confirm 25 transactions on the Ledger instead of 1')
    expect(signingPlanWarning(plan({ transactions: 1, deviceConfirmations: 1, distinctMemos: 1 }))).toBeNull()
  })

  it('Stripe asks nothing of the device; EVM says it may take more where the node may split', () => {
    const stripe = plan({
      rail: 'stripe',
      network: 'stripe',
      payouts: 3,
      transactions: 3,
      deviceConfirmations: 0,
      deviceConfirmationsIfShared: 0,
    })
    expect(signingPlanLine(stripe)).toBe('Stripe: 3 transfers — sent by the app, nothing to sign.')
    expect(signingPlanWarning(stripe)).toBeNull()
    const evm = plan({
      rail: 'evm',
      network: '31337',
      payouts: 3,
      transactions: 1,
      deviceConfirmations: 1,
      deviceConfirmationsIfShared: 1,
      precision: 'atLeast',
    })
    expect(signingPlanLine(evm)).toBe(
      'Local Anvil: 3 payouts in 1 transaction — 1 confirmation on the Ledger (more if the network needs a transaction split).',
    )
  })
})
