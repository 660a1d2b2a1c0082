/**
 * Recipients a rail cannot pay, found when rows are typed in (import, add, change) rather than at
 * Submit: each configured rail with a `checkRecipients` (Stripe: the connected account exists and
 * can receive transfers) is asked about the batch's recipients on it, outside any transaction
 * (it calls the network), and the answers are kept with the batch as RECIPIENT_CANNOT_RECEIVE
 * warnings next to their rows. When a rail cannot be asked (offline), one RECIPIENTS_NOT_CHECKED
 * warning says so for the batch — never a row flagged for our own outage. The pre-flight at Submit
 * checks every account again and refuses; a passed pre-flight clears these warnings.
 */
import type { RowWarning } from '../../../../shared/payoutImport'
import type { CoreContext } from '../../context'
import { log } from '../../log'
import type { RailRegistry } from '../../rails/Rail'
import { rowWarning } from '../import/rowIssues'
import { networkName } from '../../../../shared/networkNames'
import { replaceOnlineWarnings } from './batchWarnings'
import { emitBatchChanged } from './transitionBatch'
import { batchStateOf, getBatchRow, payoutRowsOf } from './readBatch'

export interface CheckRecipientsOptions {
  /** Only these recipients (the rows just typed in); all of the batch's when absent. */
  recipients?: readonly string[]
}

/** Ask the rails, store what they said; returns the warnings stored by this check. */
export async function checkRecipientsOnline(
  ctx: CoreContext,
  rails: RailRegistry,
  batchId: string,
  options: CheckRecipientsOptions = {},
): Promise<RowWarning[]> {
  const only = options.recipients ? new Set(options.recipients) : null
  const payouts = (await payoutRowsOf(ctx, batchId)).filter((p) => only === null || only.has(p.recipient))
  const byNet = new Map<string, typeof payouts>()
  for (const p of payouts) {
    const rail = rails.get(p.rail, p.network)
    if (!rail?.checkRecipients) continue
    const key = `${p.rail}:${p.network}`
    const list = byNet.get(key)
    if (list) list.push(p)
    else byNet.set(key, [p])
  }
  if (byNet.size === 0) return []

  const warnings: RowWarning[] = []
  const checked: { rail: string; network: string; recipients: Set<string> }[] = []
  const notChecked: string[] = []
  let notCheckedPayouts = 0
  for (const [, list] of [...byNet].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const { rail: railName, network } = list[0]!
    const rail = rails.get(railName, network)!
    const recipients = [...new Set(list.map((p) => p.recipient))]
    let result
    try {
      result = await rail.checkRecipients!(recipients)
    } catch (error) {
      log('warn', 'recipient check failed', { rail: railName, network, batchId, error })
      result = { problems: new Map<string, string>(), unreachable: 'the check failed' }
    }
    if (result.unreachable !== null) {
      // Nothing learnt: what was said of these recipients before stays.
      notChecked.push(`${networkName(railName, network)}: ${result.unreachable}`)
      notCheckedPayouts += list.length
      continue
    }
    checked.push({ rail: railName, network, recipients: new Set(recipients) })
    for (const p of list) {
      const problem = result.problems.get(p.recipient)
      if (problem !== undefined) warnings.push(rowWarning(p.row_no, 'recipient', 'RECIPIENT_CANNOT_RECEIVE', problem))
    }
  }
  if (notChecked.length > 0) {
    const n = notCheckedPayouts
    warnings.unshift(
      rowWarning(
        null,
        null,
        'RECIPIENTS_NOT_CHECKED',
        `The recipients of ${n.toLocaleString('en-US')} ${n === 1 ? 'payout' : 'payouts'} could not be checked as they were typed in (${notChecked.join('; ')}) — they are checked again when you submit.`,
      ),
    )
  }

  const stored = await ctx.db.tx(async () => {
    // The batch may have been submitted while the rails were asked: its warnings are then the submission's.
    if (batchStateOf(await getBatchRow(ctx, batchId)) !== 'draft') return false
    await replaceOnlineWarnings(ctx, batchId, checked, warnings, only === null)
    return true
  })
  if (stored) emitBatchChanged(ctx, batchId)
  return stored ? warnings : []
}
