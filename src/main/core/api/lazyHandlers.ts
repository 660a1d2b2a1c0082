/**
 * A group of handlers whose module is imported on the first call to one of them (issue 17,
 * finding 15): the escrow, receipts and attestation groups reach the rails' client libraries
 * (viem, stellar-base), which a command such as `countersign batches list` never needs.
 *
 * The group's names come from its contract object (src/shared/*Api.ts) or a list of them, so they are known
 * before the module is; when it loads, the group must have exactly those names.
 */
import type { CallName } from '../../../shared/api'
import type { Handler } from './createApi'

export function lazyHandlers<K extends CallName>(
  contract: readonly K[] | { readonly [P in K]: unknown },
  load: () => Promise<{ [P in K]: Handler<P> }>,
): { [P in K]: Handler<P> } {
  const names: readonly K[] = Array.isArray(contract) ? (contract as readonly K[]) : (Object.keys(contract) as K[])
  let loaded: Promise<{ [P in K]: Handler<P> }> | null = null
  const group = (): Promise<{ [P in K]: Handler<P> }> => {
    if (!loaded) {
      const loading = load().then((handlers) => {
        const got = Object.keys(handlers).sort().join(',')
        if (got !== [...names].sort().join(',')) throw new Error(`lazy handler group has [${got}], its contract [${names.join(',')}]`)
        return handlers
      })
      // A failed import is tried again on the next call.
      loading.catch(() => {
        if (loaded === loading) loaded = null
      })
      loaded = loading
    }
    return loaded
  }
  const handlers = {} as { [P in K]: Handler<P> }
  for (const name of names) {
    const handler: Handler<typeof name> = async (call, input) => await (await group())[name](call, input)
    handlers[name] = handler
  }
  return handlers
}
