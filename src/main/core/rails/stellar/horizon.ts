/**
 * The few Horizon endpoints the Stellar rail needs, over fetch with a bounded timeout. Kept
 * apart from the SDK's Horizon.Server on purpose: exactly-once depends on telling "nothing was
 * delivered" (connection refused) from "the answer was lost" (reset, timeout, 504), and on
 * reading Horizon's problem JSON (result codes) as data, not as thrown axios errors.
 */
import { CsError } from '../../../../shared/errors'
import { checkRailUrl } from '../checkRailUrl'

export const HORIZON_TIMEOUT_MS = 30_000

export interface HorizonAccount {
  id: string
  sequence: string
  subentry_count: number
  /** Reserves this account sponsors (claimable balances it created count one per claimant). */
  num_sponsoring?: number
  balances: { asset_type: string; asset_code?: string; asset_issuer?: string; balance: string; limit?: string }[]
}

export interface HorizonTransaction {
  hash: string
  ledger: number
  successful: boolean
  fee_charged: string | number
  source_account: string
  source_account_sequence: string
  result_xdr: string
  created_at: string
}

export interface HorizonLedger {
  sequence: number
  hash: string
  closed_at: string
  base_fee_in_stroops: number
  base_reserve_in_stroops: number
}

/** Horizon's claimable balance resource (the fields the escrow rail reads). */
export interface HorizonClaimableBalance {
  id: string
  /** "native" or "CODE:ISSUER". */
  asset: string
  amount: string
  sponsor?: string
  last_modified_ledger: number
  last_modified_time: string
  claimants: { destination: string; predicate: Record<string, unknown> }[]
}

/** An operation that created or claimed a claimable balance, as /claimable_balances/:id/operations lists it. */
export interface HorizonClaimableOperation {
  id: string
  type: string
  source_account: string
  transaction_hash: string
  transaction_successful: boolean
  created_at: string
  /** create_claimable_balance */
  amount?: string
  /** claim_claimable_balance */
  claimant?: string
  balance_id?: string
}

/** How a submission ended, seen from the client. */
export type HorizonSubmitResult =
  | { kind: 'ok'; record: HorizonTransaction }
  | { kind: 'refused'; status: number; transactionCode: string | null; operationCodes: string[]; detail: string }
  /** Connection refused: nothing reached Horizon. */
  | { kind: 'unreachable'; message: string }
  /** Reset, timeout, 5xx: it may have been applied. */
  | { kind: 'unknown'; message: string }

export class HorizonError extends Error {
  constructor(
    message: string,
    readonly delivered: 'no' | 'maybe',
  ) {
    super(message)
  }
}

function refusedConnection(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string } }).cause
  return cause?.code === 'ECONNREFUSED'
}

export function createHorizonClient(baseUrl: string) {
  const root = baseUrl.replace(/\/+$/, '')

  async function request(path: string, init: RequestInit = {}): Promise<Response> {
    try {
      // At every use, not only when set: a stored http:// URL to another machine is never used (checkRailUrl.ts).
      checkRailUrl('horizon', root, { sandbox: false })
    } catch (refusal) {
      throw new HorizonError((refusal as Error).message, 'no')
    }
    try {
      return await fetch(`${root}${path}`, { ...init, signal: AbortSignal.timeout(HORIZON_TIMEOUT_MS) })
    } catch (error) {
      throw new HorizonError(`Horizon at ${root} did not answer (${(error as Error).message})`, refusedConnection(error) ? 'no' : 'maybe')
    }
  }

  async function getJson<T>(path: string): Promise<T | null> {
    const res = await request(path, { headers: { accept: 'application/json' } })
    if (res.status === 404) return null
    if (!res.ok) {
      throw new CsError(
        'RAIL_UNAVAILABLE',
        `Horizon answered ${res.status} to ${path.split('?')[0]} — Countersign tries again on the next sweep.`,
      )
    }
    return (await res.json()) as T
  }

  return {
    url: root,
    root: async () => (await getJson<{ network_passphrase: string; history_latest_ledger: number }>('/'))!,
    account: (id: string) => getJson<HorizonAccount>(`/accounts/${encodeURIComponent(id)}`),
    transaction: (hash: string) => getJson<HorizonTransaction>(`/transactions/${encodeURIComponent(hash)}`),
    async latestLedger(): Promise<HorizonLedger> {
      const page = await getJson<{ _embedded: { records: HorizonLedger[] } }>('/ledgers?order=desc&limit=1')
      const ledger = page?._embedded.records[0]
      if (!ledger) throw new CsError('RAIL_UNAVAILABLE', `Horizon at ${root} reports no ledger yet — try again in a moment.`)
      return ledger
    },
    claimableBalance: (id: string) => getJson<HorizonClaimableBalance>(`/claimable_balances/${encodeURIComponent(id)}`),
    /** Who created and who claimed a balance (Horizon keeps the history after the claim); null: never seen. */
    async claimableBalanceOperations(id: string, limit: number): Promise<HorizonClaimableOperation[] | null> {
      const page = await getJson<{ _embedded: { records: HorizonClaimableOperation[] } }>(
        `/claimable_balances/${encodeURIComponent(id)}/operations?order=asc&limit=${limit}`,
      )
      return page ? page._embedded.records : null
    },
    feeStats: () => getJson<{ last_ledger_base_fee: string; fee_charged: { p90: string } }>('/fee_stats'),
    payments: (account: string, cursor: string | null, limit: number) =>
      getJson<{ _embedded: { records: Record<string, unknown>[] } }>(
        `/accounts/${encodeURIComponent(account)}/payments?order=asc&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      ),
    async submit(envelopeXdr: string): Promise<HorizonSubmitResult> {
      let res: Response
      try {
        res = await request('/transactions', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: `tx=${encodeURIComponent(envelopeXdr)}`,
        })
      } catch (error) {
        const e = error as HorizonError
        return e.delivered === 'no' ? { kind: 'unreachable', message: e.message } : { kind: 'unknown', message: e.message }
      }
      let body: Record<string, unknown>
      try {
        body = (await res.json()) as Record<string, unknown>
      } catch (error) {
        return { kind: 'unknown', message: `Horizon's answer (${res.status}) was cut off: ${(error as Error).message}` }
      }
      if (res.status === 200) return { kind: 'ok', record: body as unknown as HorizonTransaction }
      if (res.status >= 500 || res.status === 429)
        return { kind: 'unknown', message: `Horizon answered ${res.status} (${String(body['title'] ?? '')})` }
      const codes = (body['extras'] as { result_codes?: { transaction?: string; operations?: string[] } } | undefined)?.result_codes
      return {
        kind: 'refused',
        status: res.status,
        transactionCode: codes?.transaction ?? null,
        operationCodes: codes?.operations ?? [],
        detail: String(body['detail'] ?? body['title'] ?? ''),
      }
    },
  }
}

export type HorizonClient = ReturnType<typeof createHorizonClient>
