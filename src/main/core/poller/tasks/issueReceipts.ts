/**
 * Poller task `receipts.issue`: receipts appear once a payment is final, without anyone asking.
 * It runs after the confirm, Stripe and escrow tasks of the same sweep, so a payout confirmed in
 * this sweep is receipted in this sweep.
 *
 * Cheap when nothing happened: a receipt only becomes due when the ledger books something — or,
 * for a payment that waited (an EVM payout inside the reorg window), when its chain moves on — so
 * the task remembers the newest entry it looked at and skips the search until there is a newer
 * one, unless the last run left something waiting.
 * A desk without the receipt key (a CLI with the key in no environment variable, another desk of a
 * team) logs that once and leaves issuing to the desk that has it — it does not fail the sweep.
 */
import { hasErrorCode, type ErrorCode } from '../../../../shared/errors'
import { SYSTEM_ACTOR, type CoreContext } from '../../context'
import { log } from '../../log'
import type { LiveRails } from '../../rails/createLiveRails'
import type { SecretStore } from '../../secrets/SecretStore'
import type { PollerTask } from '../createPoller'

export const ISSUE_RECEIPTS_TASK = 'receipts.issue'
/** This desk cannot sign receipts: not a failure of the sweep. */
const KEY_PROBLEMS: readonly ErrorCode[] = ['RECEIPT_KEY_MISSING', 'RECEIPT_KEY_MISMATCH', 'SECRETS_UNAVAILABLE']

export function createIssueReceiptsTask(secrets: () => SecretStore, rails: LiveRails): PollerTask {
  let seenSeq: number | null = null
  let waiting = 0
  let keyProblemLogged = false
  return {
    name: ISSUE_RECEIPTS_TASK,
    async run(ctx: CoreContext) {
      const head = await ctx.db.first(ctx.db.k.selectFrom('entries').select((eb) => eb.fn.max('seq').as('seq')))
      const seq = Number(head?.seq ?? 0)
      if (seenSeq === seq && waiting === 0) return
      try {
        // Imported at the first sweep that issues: it reaches the rails' libraries (a CLI command that never polls does not load them).
        const { issueReceipts } = await import('../../receipts/issueReceipts')
        const result = await issueReceipts(ctx, { secrets: secrets(), actor: SYSTEM_ACTOR, rails: () => rails.load() })
        if (result.issued > 0) log('info', 'receipts issued', { first: result.first, last: result.last })
        waiting = result.waiting
        keyProblemLogged = false
      } catch (error) {
        if (!KEY_PROBLEMS.some((code) => hasErrorCode(error, code))) throw error
        if (!keyProblemLogged) log('warn', 'receipts are not issued on this desk', { error })
        keyProblemLogged = true
      }
      seenSeq = seq
    },
  }
}
