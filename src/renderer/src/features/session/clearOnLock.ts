/**
 * When the desk locks, what the last person saw goes with them: the views' data (balances,
 * batches, statements, the audit log), the open view and every notice. The next person who
 * unlocks starts from the dashboard and loads afresh, with their own permissions.
 */
import type { StoreApi } from 'zustand'
import { useAudit } from '../audit/store'
import { useDashboard } from '../dashboard/store'
import { useEscrow } from '../escrow/store'
import { useNav } from '../nav/store'
import { useNotify } from '../notify/store'
import { usePayees } from '../payees/store'
import { usePayouts } from '../payouts/store'
import { useReconMatch } from '../reconciliation/matchStore'
import { useRecon } from '../reconciliation/store'
import { usePayee } from '../receipts/payeeStore'
import { useReceipts } from '../receipts/store'
import { useSettings } from '../settings/store'
import { useSession } from './store'

/** recharts' text-measurement span (recharts/lib/util/DOMUtils.js). */
const CHART_MEASUREMENT_SPAN_ID = 'recharts_measurement_span'

function reset<T>(store: StoreApi<T>): void {
  store.setState(store.getInitialState(), true)
}

function clearViews(): void {
  reset(useDashboard)
  reset(usePayouts)
  reset(usePayees)
  reset(useEscrow)
  reset(useRecon)
  reset(useReconMatch)
  reset(useReceipts)
  reset(usePayee)
  reset(useAudit)
  reset(useSettings)
  reset(useNav)
  useNotify.getState().clear()
  // The chart library leaves its last measured label (an asset name) in an off-screen span of
  // <body>: a locked page keeps no text of the session, even off screen. It is made again when needed.
  document.getElementById(CHART_MEASUREMENT_SPAN_ID)?.remove()
}

/** Installs the watcher once (App); returns the function that removes it. */
export function clearViewsOnLock(): () => void {
  return useSession.subscribe((now, before) => {
    if (before.operator !== null && now.operator === null) clearViews()
  })
}
