/**
 * Handlers of Settings → Signers (src/shared/signersApi.ts). The device is read through the
 * core's signer source, in the execution lane: never two exchanges with the Ledger at once, and
 * never while a batch is being signed.
 */
import { hasErrorCode } from '../../../shared/errors'
import type { signerCalls } from '../../../shared/signersApi'
import type { Handler } from '../api/createApi'
import { requireRole } from '../operators/operators'
import type { ExecutionRuntime } from '../payouts/execute/createExecutionRuntime'
import { isDeviceRail } from '../rails/Rail'
import { getVerifiedSignerAddress, normalizeSignerAddress, verifySignerAddress } from './verifySignerAddress'

export type SignerHandlers = { [K in keyof typeof signerCalls]: Handler<K> }

function problemOf(error: unknown): { code: string; message: string } {
  const e = error as { code?: unknown; message?: unknown }
  return {
    code: typeof e.code === 'string' ? e.code : 'DEVICE_UNEXPECTED',
    message: typeof e.message === 'string' ? e.message : String(error),
  }
}

export function createSignerHandlers(runtime: ExecutionRuntime): SignerHandlers {
  // Every source a device signs for: the rail says which app (its signer chain), not its name.
  const treasuries = async () =>
    (await runtime.rails.load())
      .all()
      .filter(isDeviceRail)
      .map((r) => ({ chain: r.capabilities.signer, rail: r.rail, network: r.network, address: r.source.address, path: r.source.path }))

  return {
    'signers.status': async ({ core }) => {
      const listed = await Promise.all(
        (await treasuries()).map(async (t) => ({ ...t, verified: (await getVerifiedSignerAddress(core, t.chain, t.address)) ?? null })),
      )
      if (runtime.signerLabel === null) return { label: null, device: null, problem: null, treasuries: listed }
      try {
        const device = await runtime.exclusive(async () => (await runtime.depsWithSigner()).signer!.getStatus())
        return { label: runtime.signerLabel, device, problem: null, treasuries: listed }
      } catch (error) {
        if (!hasErrorCode(error, 'SIGNER_UNAVAILABLE') && !(error as { code?: string }).code?.startsWith('DEVICE_')) throw error
        return { label: runtime.signerLabel, device: null, problem: problemOf(error), treasuries: listed }
      }
    },
    'signers.accounts': async ({ core }, input) => {
      const accounts = await runtime.exclusive(async () =>
        (await runtime.depsWithSigner()).signer!.listAccounts(input.chain, { start: input.start, count: input.count }),
      )
      const paying = new Set((await treasuries()).map((t) => `${t.chain}:${normalizeSignerAddress(t.chain, t.address)}`))
      return Promise.all(
        accounts.map(async (a) => ({
          chain: a.chain,
          path: a.path,
          address: a.address,
          verified: (await getVerifiedSignerAddress(core, a.chain, a.address)) !== undefined,
          treasury: paying.has(`${a.chain}:${normalizeSignerAddress(a.chain, a.address)}`),
        })),
      )
    },
    'signers.verify': async ({ core, operator }, input) => {
      const actor = requireRole(operator, 'signer', 'verify a treasury address on the Ledger').id
      return runtime.exclusive(async () => verifySignerAddress(core, (await runtime.depsWithSigner()).signer!, actor, input))
    },
  }
}
