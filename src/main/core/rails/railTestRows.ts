/**
 * TEST ONLY: the rows the engine hands a rail (a payout, a submission with its payout ids),
 * written out once with neutral defaults, so each rail's unit tests name only what matters to
 * them (rail, network, asset, amounts) and run with no node, no server and no database.
 */
import type { PayoutRow } from '../db/schema'
import type { RailSubmission } from './Rail'

const AT = '2026-02-01T10:00:00.000Z'

export type PayoutRowForTest = Pick<PayoutRow, 'id' | 'rail' | 'network' | 'asset_id' | 'recipient' | 'amount'> & Partial<PayoutRow>

export function payoutRowForTest(row: PayoutRowForTest): PayoutRow {
  return {
    batch_id: 'b-unit',
    row_no: 1,
    memo: null,
    reference: null,
    name: null,
    state: 'pending',
    attempt: 0,
    submission_id: null,
    entry_id: null,
    failure_code: null,
    failure_message: null,
    created_at: AT,
    updated_at: AT,
    ...row,
  }
}

export type RailSubmissionForTest = Pick<RailSubmission, 'id' | 'rail' | 'network' | 'source' | 'idempotency_key'> & Partial<RailSubmission>

export function railSubmissionForTest(row: RailSubmissionForTest): RailSubmission {
  return {
    batch_id: 'b-unit',
    chunk_index: 0,
    attempt: 1,
    state: 'broadcast',
    nonce: null,
    unsigned_payload: null,
    signed_payload: null,
    tx_hash: null,
    fee_cap: null,
    fee_paid: null,
    block_number: null,
    block_hash: null,
    failure_code: null,
    failure_message: null,
    created_at: AT,
    updated_at: AT,
    payoutIds: [],
    ...row,
  }
}
