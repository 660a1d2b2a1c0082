/**
 * Handler of receipts.attest (src/shared/receiptsAttestApi.ts): signers attest; the device is
 * reached through the core's signer source in the execution lane — never two exchanges with the
 * Ledger at once, never while a batch is being signed — and only when a signature is needed.
 */
import type { receiptsAttestCalls } from '../../../../shared/receiptsAttestApi'
import type { Handler } from '../../api/createApi'
import { requireRole } from '../../operators/operators'
import type { ExecutionRuntime } from '../../payouts/execute/createExecutionRuntime'
import { SANDBOX_SIGNER_LABEL } from '../../signing/signerSource'
import { invariant } from '../../util/invariant'
import { attestBatch } from './attestBatch'

export type ReceiptsAttestHandlers = { [K in keyof typeof receiptsAttestCalls]: Handler<K> }

export function createReceiptsAttestHandlers(runtime: ExecutionRuntime): ReceiptsAttestHandlers {
  return {
    'receipts.attest': async ({ core, operator }, input) => {
      const actor = requireRole(operator, 'signer', 'sign receipts on the treasury Ledger').id
      const row = await runtime.exclusive(() =>
        attestBatch(core, input.batchId, {
          actor,
          ...(input.chain ? { chain: input.chain } : {}),
          signer: async () => {
            const { signer } = await runtime.depsWithSigner()
            invariant(signer, 'depsWithSigner returns a signer or throws')
            return signer
          },
          ...(runtime.signerLabel === SANDBOX_SIGNER_LABEL ? { deviceName: `the ${SANDBOX_SIGNER_LABEL}` } : {}),
          onProgress: ({ chain, message }) => core.events.emit('receipts.attest.progress', { batchId: input.batchId, chain, message }),
        }),
      )
      return {
        batchId: row.batchId,
        chain: row.chain,
        signer: row.signer,
        root: row.root,
        leafCount: row.leafCount,
        message: row.message,
        signature: row.signature,
        firstReceipt: row.leaves[0]!,
        lastReceipt: row.leaves[row.leaves.length - 1]!,
        createdAt: row.createdAt,
        createdBy: row.createdBy,
        signedNow: row.signedNow,
      }
    },
  }
}
