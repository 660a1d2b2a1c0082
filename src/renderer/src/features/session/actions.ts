import { errorMessage, invoke } from '../../lib/api'
import { notifyError, notifySuccess } from '../notify/store'
import type { Role } from '../../../../shared/blocks'
import { useSession } from './store'

export async function loadOperators(): Promise<void> {
  const { setLoading, setOperators } = useSession.getState()
  setLoading(true)
  try {
    setOperators(await invoke('operators.list', {}))
  } catch (error) {
    setLoading(false, errorMessage(error))
  }
}

/** Adds an operator; returns true on success. Errors are shown, never swallowed. */
export async function addOperator(name: string, roles: Role[]): Promise<boolean> {
  try {
    const added = await invoke('operators.add', { name, roles })
    notifySuccess('Operator added', `${added.name} (${added.roles.join(', ')}) can now pick their profile at the desk.`)
    await loadOperators()
    return true
  } catch (error) {
    notifyError('Could not add the operator', error)
    return false
  }
}
