/**
 * Statement accounts and their link to the ledger: a statement in EUR can only show the
 * movements of a ledger account whose asset is EUR (any rail). Linking is audited; an account
 * keeps one link (changing it is a new link, audited with the old one).
 */
import { CsError } from '../../../shared/errors'
import { formatAmount } from '../../../shared/money'
import type { ReconAccount } from '../../../shared/reconApi'
import { appendAudit } from '../audit/appendAudit'
import type { Actor, CoreContext } from '../context'
import { getAccount, getAsset } from '../ledger'

/** The ledger account, checked to hold the statement's currency. */
export async function requireLedgerAccountFor(ctx: CoreContext, ledgerAccountId: string, currency: string): Promise<void> {
  const account = await getAccount(ctx, ledgerAccountId)
  const asset = await getAsset(ctx, account.assetId)
  if (asset.code.toUpperCase() !== currency.toUpperCase()) {
    throw new CsError(
      'RECON_ACCOUNT_MISMATCH',
      `The ledger account ${ledgerAccountId} holds ${asset.code} but the statement is in ${currency.toUpperCase()} — choose a ledger account in ${currency.toUpperCase()}.`,
    )
  }
}

export async function listReconAccounts(ctx: CoreContext): Promise<ReconAccount[]> {
  const { db } = ctx
  const accounts = await db.all(db.k.selectFrom('recon_accounts').selectAll().orderBy('id'))
  const out: ReconAccount[] = []
  for (const a of accounts) {
    const count = await db.first(
      db.k
        .selectFrom('statements')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('account_id', '=', a.id),
    )
    const last = await db.first(
      db.k
        .selectFrom('statements')
        .select(['sequence', 'closing', 'closing_date', 'scale'])
        .where('account_id', '=', a.id)
        .orderBy('imported_at', 'desc')
        .orderBy('idx', 'desc'),
    )
    out.push({
      id: a.id,
      externalId: a.external_id,
      currency: a.currency,
      name: a.name,
      bic: a.bic,
      ledgerAccountId: a.ledger_account_id,
      statements: Number(count?.n ?? 0),
      lastSequence: last?.sequence ?? null,
      lastClosing: last?.closing != null ? formatAmount(BigInt(last.closing), Number(last.scale)) : null,
      lastClosingDate: last?.closing_date ?? null,
    })
  }
  return out
}

export async function linkReconAccount(ctx: CoreContext, actor: Actor, accountId: string, ledgerAccountId: string): Promise<ReconAccount> {
  const { db } = ctx
  const row = await db.first(db.k.selectFrom('recon_accounts').selectAll().where('id', '=', accountId))
  if (!row)
    throw new CsError(
      'RECON_ACCOUNT_NOT_FOUND',
      `There is no statement account "${accountId}" — import one of its statements first (recon accounts lists them).`,
    )
  await requireLedgerAccountFor(ctx, ledgerAccountId, row.currency)
  if (row.ledger_account_id !== ledgerAccountId) {
    const now = ctx.clock.now().toISOString()
    await db.tx(async () => {
      await db.run(
        db.k.updateTable('recon_accounts').set({ ledger_account_id: ledgerAccountId, updated_at: now }).where('id', '=', accountId),
      )
      await appendAudit(ctx, {
        actor,
        action: 'recon.link',
        subject: `recon-account:${accountId}`,
        change: { from: row.ledger_account_id, to: ledgerAccountId },
      })
    })
    ctx.events.emit('recon.changed', { fileId: null })
  }
  const found = (await listReconAccounts(ctx)).find((a) => a.id === accountId)
  if (!found) throw new Error(`invariant: recon account ${accountId} vanished`)
  return found
}
