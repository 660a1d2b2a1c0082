/**
 * Cancel an escrow that was never funded (draft, or its funding failed): its open requests are
 * cancelled with it; nothing was ever on the rail or in the books. Preparer or admin.
 */
import { CsError } from '../../../shared/errors'
import { appendAudit } from '../audit/appendAudit'
import type { Actor, CoreContext } from '../context'
import { getEscrowRow } from './escrowRows'
import { setActionState } from './decideEscrowAction'

export async function cancelEscrow(ctx: CoreContext, actor: Actor, input: { id: string; comment?: string | undefined }): Promise<void> {
  await ctx.db.tx(async () => {
    const escrow = await getEscrowRow(ctx, input.id)
    if (escrow.state !== 'draft' && escrow.state !== 'failed')
      throw new CsError(
        'ESCROW_STATE',
        `Escrow "${escrow.name}" is ${escrow.state} — only an escrow never funded can be cancelled; refund or release what it holds.`,
        {
          details: { escrowId: escrow.id, state: escrow.state },
        },
      )
    const open = await ctx.db.first(
      ctx.db.k
        .selectFrom('escrow_txs')
        .select('id')
        .where('escrow_id', '=', escrow.id)
        .where('state', 'in', ['planned', 'signed', 'broadcast']),
    )
    if (open)
      throw new CsError('ESCROW_STATE', `Escrow "${escrow.name}" has a funding transaction under way (${open.id}) — wait for it to settle.`)
    const actions = await ctx.db.all(
      ctx.db.k
        .selectFrom('escrow_actions')
        .selectAll()
        .where('escrow_id', '=', escrow.id)
        .where('state', 'in', ['awaiting_approval', 'approved', 'failed']),
    )
    for (const a of actions) await setActionState(ctx, actor, a, 'cancelled', { comment: input.comment ?? null })
    await ctx.db.run(
      ctx.db.k.updateTable('escrows').set({ state: 'cancelled', updated_at: ctx.clock.now().toISOString() }).where('id', '=', escrow.id),
    )
    await appendAudit(ctx, {
      actor,
      action: 'escrow.cancel',
      subject: `escrow:${escrow.id}`,
      change: { from: escrow.state, comment: input.comment ?? null },
    })
  })
  ctx.events.emit('escrow.changed', { escrowId: input.id })
}
