/**
 * Handlers of the escrow calls (src/shared/escrowApi.ts). Roles as for batches: preparers create
 * escrows and ask for releases, resolves and refunds; approvers approve or reject (never what they
 * created or asked for); signers execute; anyone but a pure viewer may dispute (it only stops
 * money); preparers or admins cancel what was never funded. Execution runs in the core's execution
 * lane, so it never fights a payout batch for the device.
 */
import type { escrowCalls } from '../../../shared/escrowApi'
import { CsError } from '../../../shared/errors'
import type { Handler } from '../api/createApi'
import { requireRole } from '../operators/operators'
import type { ExecutionRuntime } from '../payouts/execute/createExecutionRuntime'
import type { LiveEscrowRails } from '../rails/EscrowRail'
import { cancelEscrow } from './cancelEscrow'
import { createEscrow } from './createEscrow'
import { approveEscrowAction, rejectEscrowAction } from './decideEscrowAction'
import { disputeEscrow } from './disputeEscrow'
import { getActionRow } from './escrowRows'
import { getEscrowDetail, listEscrows } from './escrowViews'
import { executeEscrowAction } from './executeEscrowAction'
import { importEscrowCsv } from './importEscrowCsv'
import { requestEscrowAction } from './requestEscrowAction'

export type EscrowHandlers = { [K in keyof typeof escrowCalls]: Handler<K> }

export function createEscrowHandlers(runtime: ExecutionRuntime, liveRails: LiveEscrowRails): EscrowHandlers {
  // Built (their modules imported) at the first call that needs them.
  const rails = () => liveRails.load()
  return {
    'escrow.list': async ({ core }, input) => await listEscrows(core, input),
    'escrow.get': async ({ core, operator }, input) => await getEscrowDetail(core, await rails(), input.id, operator),
    'escrow.create': async ({ core, operator }, input) => {
      const { escrowId } = await createEscrow(core, requireRole(operator, 'preparer', 'create escrows').id, await rails(), input)
      return await getEscrowDetail(core, await rails(), escrowId, operator)
    },
    'escrow.importCsv': async ({ core, operator }, input) => ({
      escrows: await importEscrowCsv(core, requireRole(operator, 'preparer', 'import escrows').id, await rails(), input),
    }),
    'escrow.request': async ({ core, operator }, input) => {
      await requestEscrowAction(core, requireRole(operator, 'preparer', `ask for an escrow ${input.kind}`).id, input)
      return await getEscrowDetail(core, await rails(), input.id, operator)
    },
    'escrow.approve': async ({ core, operator, sign }, input) =>
      await getEscrowDetail(core, await rails(), await approveEscrowAction(core, operator, sign, input), operator),
    'escrow.reject': async ({ core, operator }, input) =>
      await getEscrowDetail(core, await rails(), await rejectEscrowAction(core, operator, input), operator),
    'escrow.execute': async ({ core, operator }, input) => {
      const signer = requireRole(operator, 'signer', 'execute escrow actions')
      const action = await getActionRow(core, input.actionId)
      await runtime.exclusive(async () => {
        await executeEscrowAction(core, { rails: await rails(), getSigner: () => deviceOf(runtime) }, input.actionId, signer.id)
      })
      return await getEscrowDetail(core, await rails(), action.escrow_id, operator)
    },
    'escrow.dispute': async ({ core, operator }, input) => {
      if (!operator) throw new CsError('OPERATOR_REQUIRED', 'Unlock your operator profile to dispute a milestone.')
      if (!operator.roles.some((r) => r === 'preparer' || r === 'approver' || r === 'admin'))
        throw new CsError('ROLE_REQUIRED', `${operator.name} holds none of the roles that may dispute (preparer, approver, admin).`)
      await runtime.exclusive(async () => {
        await disputeEscrow(
          core,
          { rails: await rails(), ...(runtime.signerLabel !== null ? { getSigner: () => deviceOf(runtime) } : {}) },
          operator,
          input,
        )
      })
      return await getEscrowDetail(core, await rails(), input.id, operator)
    },
    'escrow.cancel': async ({ core, operator }, input) => {
      if (!operator || !operator.roles.some((r) => r === 'preparer' || r === 'admin'))
        throw new CsError('ROLE_REQUIRED', 'Cancelling an escrow needs the preparer or admin role.')
      await cancelEscrow(core, operator.id, input)
      return (await getEscrowDetail(core, await rails(), input.id, operator)).escrow
    },
  }
}

/** The device, or its own error when it is not there (locked, app closed, unplugged). */
async function deviceOf(runtime: ExecutionRuntime) {
  const deps = await runtime.depsWithSigner()
  if (!deps.signer) throw new CsError('SIGNER_UNAVAILABLE', 'No Ledger is connected — connect it, open the app and try again.')
  return deps.signer
}
