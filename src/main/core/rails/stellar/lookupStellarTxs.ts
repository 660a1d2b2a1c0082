/**
 * What Horizon knows about our open Stellar transactions, gathered for `classify` (which decides,
 * purely). A transaction Horizon does not know is declared dead only on proof that it can never
 * land: Horizon's latest ledger closed after its time bound (plus a margin), or the source's
 * sequence moved past ours — and, asked AFTER that, Horizon still does not know it. Reading in
 * that order means a transaction applied between two of these reads is still seen.
 */
import { invariant } from '../../util/invariant'
import type { RailSubmission } from '../Rail'
import { readStellarTx } from './buildStellarTx'
import type { HorizonLedger, HorizonTransaction } from './horizon'
import { stellarRailDefaults } from './stellarRailConfig'
import type { StellarRailEnv } from './stellarRailEnv'

/** Everything classify() needs about one submission, gathered by lookup(). */
export interface StellarObservation {
  record: HorizonTransaction | null
  provablyDead: boolean
  deadReason: string | null
}

export async function lookupStellarTxs(env: StellarRailEnv, submissions: readonly RailSubmission[]): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>()
  const open = submissions.filter((s) => (s.state === 'signed' || s.state === 'broadcast') && s.tx_hash !== null)
  if (open.length === 0) return out
  const records = new Map<string, HorizonTransaction | null>()
  for (const s of open) records.set(s.id, await env.horizon.transaction(s.tx_hash!))
  const missing = open.filter((s) => records.get(s.id) === null)
  const dead = missing.length > 0 ? await proveDead(env, missing, records) : new Map<string, string>()
  for (const s of open) {
    out.set(s.id, {
      record: records.get(s.id) ?? null,
      provablyDead: dead.has(s.id),
      deadReason: dead.get(s.id) ?? null,
    } satisfies StellarObservation)
  }
  return out
}

/**
 * Of the transactions Horizon did not know, those that can never land (id → why). One found on
 * the second asking is put into `records` instead.
 */
async function proveDead(
  env: StellarRailEnv,
  missing: readonly RailSubmission[],
  records: Map<string, HorizonTransaction | null>,
): Promise<Map<string, string>> {
  const ledger = await env.horizon.latestLedger()
  const sequences = new Map<string, bigint | null>()
  for (const src of new Set(missing.map((s) => s.source))) {
    const account = await env.horizon.account(src)
    sequences.set(src, account ? BigInt(account.sequence) : null)
  }
  const dead = new Map<string, string>()
  for (const s of missing) {
    const reason = whyNeverLands(env, s, ledger, sequences.get(s.source) ?? null)
    if (reason === null) continue
    invariant(s.tx_hash !== null, () => `open submission ${s.id} has no hash`)
    const again = await env.horizon.transaction(s.tx_hash)
    if (again !== null) records.set(s.id, again)
    else dead.set(s.id, reason)
  }
  return dead
}

/** PURE: why this transaction can never land, or null while it still may. */
function whyNeverLands(env: StellarRailEnv, s: RailSubmission, ledger: HorizonLedger, seqNow: bigint | null): string | null {
  const tx = readStellarTx(env, s.id, s.signed_payload)
  const maxTime = Number(tx.timeBounds?.maxTime ?? '0')
  const closedAt = Date.parse(ledger.closed_at) / 1000
  if (maxTime !== 0 && closedAt > maxTime + stellarRailDefaults.expiryMarginSeconds)
    return `its time bound passed (ledger ${ledger.sequence} closed at ${ledger.closed_at}) and it is not in the ledger`
  if (seqNow !== null && seqNow >= BigInt(tx.sequence))
    return `sequence ${tx.sequence} was used by another transaction from ${s.source}, and this one is not in the ledger`
  return null
}

/**
 * Whether a PLANNED (never signed) transaction can no longer land: its sequence was used by
 * another transaction, or its time bound has passed. Either way it is dead before signing.
 */
export async function stellarNonceConsumed(env: StellarRailEnv, submission: RailSubmission): Promise<boolean> {
  const tx = readStellarTx(env, submission.id, submission.unsigned_payload)
  const account = await env.horizon.account(submission.source)
  if (account && BigInt(account.sequence) >= BigInt(tx.sequence)) return true
  const ledger = await env.horizon.latestLedger()
  const maxTime = Number(tx.timeBounds?.maxTime ?? '0')
  return maxTime !== 0 && Date.parse(ledger.closed_at) / 1000 > maxTime
}
