/**
 * How many batches wait for the current operator's approval (batches.awaitingMe: the core decides
 * who may approve), for the Payouts navigation badge. Read again whenever a batch changes, the
 * operator changes, or the connection comes back.
 */
import { useEffect, useState } from 'react'
import { invoke, onEvent } from '../../lib/api'
import { coalesced } from '../../lib/coalesced'
import { useSession } from '../session/store'

export function useAwaitingMeCount(): number {
  const operatorId = useSession((s) => s.operator?.id)
  const [count, setCount] = useState(0)
  useEffect(() => {
    let live = true
    const load = coalesced(async () => {
      try {
        const r = await invoke('batches.awaitingMe', {})
        if (live) setCount(r.count)
      } catch {
        // The badge is a hint: a failed read leaves the last count (the Payouts list says what failed).
      }
    })
    void load()
    const offs = [onEvent('batches.changed', () => void load()), onEvent('payouts.changed', () => void load())]
    return () => {
      live = false
      offs.forEach((off) => off())
    }
  }, [operatorId])
  return operatorId ? count : 0
}
