/**
 * Poller task `sandbox.blocks` (a sandbox workspace only). A receipt attests a final payment: an
 * EVM payout's is issued once its block is past the reorg window (receipts/receiptFinality.ts).
 * The sandbox's Anvil mines a block only when a transaction arrives and nothing else mines there,
 * so those blocks would never come and a person trying the sandbox would never see an EVM receipt.
 * At the start of each sweep, when payouts or escrow outcomes on the sandbox's own chain (a loopback node) wait for
 * finality, the sandbox mines the blocks they still need; the receipts task later in the same
 * sweep issues them. Between the sweep that confirmed a payout and the next one, the Receipts view
 * shows it waiting for finality, as it would on a real chain.
 */
import type { CoreContext } from '../../context'
import { isLoopbackHost } from '../../rails/checkRailUrl'
import type { LiveRails } from '../../rails/createLiveRails'
import type { PollerTask } from '../createPoller'

export const SANDBOX_BLOCKS_TASK = 'sandbox.blocks'

export function createSandboxBlocksTask(rails: LiveRails): PollerTask {
  return {
    name: SANDBOX_BLOCKS_TASK,
    async run(ctx: CoreContext) {
      const local = (rails.config.evm?.chains ?? []).filter((c) => isLoopbackHost(new URL(c.rpcUrl).hostname))
      if (local.length === 0) return
      // Imported at the first sweep (they reach the rails' libraries), as the receipts task does.
      const [{ findDueReceipts }, { readReceiptFinality }, { rpcCall }, { hexQuantity }] = await Promise.all([
        import('../../receipts/findDueReceipts'),
        import('../../receipts/receiptFinality'),
        import('../../rails/evm/jsonRpc'),
        import('../../rails/evm/evmHex'),
      ])
      const due = await findDueReceipts(ctx)
      if (due.length === 0) return
      const { waiting } = await readReceiptFinality(ctx, () => rails.load(), due)
      for (const chain of local) {
        let blocks = 0
        for (const w of waiting.values())
          if (w.kind === 'finality' && w.network === String(chain.chainId)) blocks = Math.max(blocks, w.blocksLeft)
        if (blocks > 0) await rpcCall(chain.rpcUrl, 'anvil_mine', [hexQuantity(BigInt(blocks))])
      }
    },
  }
}
