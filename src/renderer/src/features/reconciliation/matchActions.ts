/**
 * What a person does with matching: run it (or preview it), pull the rails' records, confirm,
 * reject, unmatch, match by hand, work the exceptions queue, decide adjustments, close a month,
 * save a CSV mapping. Actions started from a dialog throw, so the dialog keeps what was typed and
 * shows the core's sentence in place; one-click actions show it as a notice. Every change reloads
 * the lists afterwards, so the screen moves on even if the `recon.changed` event is missed.
 */
import type { CallInput } from '../../../../shared/api'
import type { RailPullResult } from '../../../../shared/reconPullApi'
import { invoke } from '../../lib/api'
import { formatCount } from '../../lib/format'
import { notifyError, notifySuccess } from '../notify/store'
import { useReconMatch } from './matchStore'
import { money, runSentence } from './matchWords'
import { useRecon } from './store'

function reload(): void {
  void useReconMatch.getState().refreshAll()
  void useRecon.getState().refreshList()
}

export async function runMatching(accountId: string, dryRun: boolean): Promise<boolean> {
  try {
    const r = await invoke('recon.run', { accountId, dryRun })
    useReconMatch.getState().setLastRun({
      accountId,
      tab: useReconMatch.getState().tab,
      dryRun,
      stats: r.stats,
      matches: r.matches,
      more: r.more,
      at: new Date(),
    })
    if (!dryRun) notifySuccess('Matching done', runSentence(r.stats, false))
    return true
  } catch (error) {
    notifyError(dryRun ? 'Could not preview matching' : 'Could not run matching', error)
    return false
  } finally {
    if (!dryRun) reload()
  }
}

/** One line per rail: what came in, or why the rail could not be read. */
export function pullSentence(p: RailPullResult): string {
  if (p.problem) return `${p.rail} (${p.network}): not read — ${p.problem.message}`
  if (p.lines === 0) return `${p.rail} (${p.network}): nothing new`
  return `${p.rail} (${p.network}): ${formatCount(p.records)} new ${p.records === 1 ? 'record' : 'records'}, ${formatCount(p.lines)} ${p.lines === 1 ? 'line' : 'lines'} stored`
}

export async function pullRailRecords(): Promise<RailPullResult[] | null> {
  try {
    const { pulls } = await invoke('recon.pull', {})
    const failed = pulls.filter((p) => p.problem !== null)
    const text = pulls.length === 0 ? 'No rail is set up to pull from.' : pulls.map(pullSentence).join(' · ')
    if (failed.length === pulls.length && pulls.length > 0) notifyError('Could not pull the rail records', new Error(text))
    else notifySuccess('Rail records pulled', text)
    return pulls
  } catch (error) {
    notifyError('Could not pull the rail records', error)
    return null
  } finally {
    reload()
  }
}

export async function confirmMatches(matchIds: string[]): Promise<boolean> {
  try {
    const { matches } = await invoke('recon.confirm', { matchIds })
    const withAdjustment = matches.filter((m) => m.adjustmentId !== null).length
    notifySuccess(
      matches.length === 1 ? 'Match confirmed' : `${formatCount(matches.length)} matches confirmed`,
      withAdjustment > 0
        ? `${formatCount(withAdjustment)} ${withAdjustment === 1 ? 'has a difference' : 'have differences'}: proposed as ${withAdjustment === 1 ? 'an adjustment' : 'adjustments'} for a second person to approve.`
        : 'Their lines are matched; nothing to book.',
    )
    return true
  } catch (error) {
    notifyError('Could not confirm', error)
    return false
  } finally {
    reload()
  }
}

export async function rejectMatch(matchId: string, reason: string): Promise<void> {
  try {
    await invoke('recon.reject', { matchId, reason })
    notifySuccess('Suggestion rejected', 'Its items are back in the queue; later runs do not suggest it again.')
  } finally {
    reload()
  }
}

export async function unmatch(matchId: string, reason: string): Promise<void> {
  try {
    await invoke('recon.unmatch', { matchId, reason })
    notifySuccess('Match undone', 'Its items are open again: match them anew, or run matching.')
  } finally {
    reload()
  }
}

export async function matchByHand(input: CallInput<'recon.match'>): Promise<void> {
  try {
    const m = await invoke('recon.match', input)
    notifySuccess(
      'Matched by hand',
      m.adjustmentId !== null
        ? `The ${money(m.variance, m.currency)} difference is proposed as an adjustment for a second person to approve.`
        : `${formatCount(m.statement.length + m.ledger.length)} items matched, nothing to book.`,
    )
    useReconMatch.getState().clearPicks()
  } finally {
    reload()
  }
}

export async function assignException(id: string, assignee: string | null): Promise<boolean> {
  try {
    await invoke('recon.updateException', { id, assignee })
    return true
  } catch (error) {
    notifyError('Could not assign the exception', error)
    return false
  } finally {
    reload()
  }
}

export async function addExceptionNote(id: string, note: string): Promise<void> {
  try {
    await invoke('recon.updateException', { id, note })
  } finally {
    reload()
  }
}

export async function resolveException(input: CallInput<'recon.resolveException'>): Promise<void> {
  try {
    await invoke('recon.resolveException', input)
    notifySuccess(
      'Exception resolved',
      input.action === 'book'
        ? `Booked against ${input.counterAccount ?? 'the account'}: the adjustment waits for a second person to approve it.`
        : 'Accepted as it is, with your note.',
    )
  } finally {
    reload()
  }
}

export async function decideAdjustment(id: string, decision: 'approve' | 'reject'): Promise<boolean> {
  try {
    const a = await invoke('recon.decideAdjustment', { id, decision })
    notifySuccess(
      decision === 'approve' ? 'Adjustment posted' : 'Adjustment rejected',
      decision === 'approve'
        ? `${money(a.amount, a.currency)} booked against ${a.counterAccountId} (entry ${a.entryId ?? '—'}).`
        : `Nothing was booked; the match keeps its difference.`,
    )
    return true
  } catch (error) {
    notifyError(decision === 'approve' ? 'Could not approve the adjustment' : 'Could not reject the adjustment', error)
    return false
  } finally {
    reload()
  }
}

export async function closePeriod(accountId: string, period: string): Promise<void> {
  try {
    const p = await invoke('recon.close', { accountId, period })
    notifySuccess('Period closed', `${p.period} of ${p.accountId}: ${formatCount(p.matches)} matches locked.`)
  } finally {
    reload()
  }
}

export async function saveMapping(name: string, mapping: unknown): Promise<void> {
  await invoke('recon.saveMapping', { name, mapping })
  notifySuccess('Column mapping saved', `“${name}” can now be chosen when a CSV statement is imported.`)
  void useRecon.getState().loadChoices()
}
