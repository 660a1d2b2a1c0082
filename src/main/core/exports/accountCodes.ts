/**
 * Which Xero account each ledger account is booked to (settings key "exports.accountCodes", JSON
 * ExportAccountCodes): one by one by ledger account id, else by account kind, else the defaults
 * below. An export may bring its own codes (`--account-codes FILE`), laid over the saved ones.
 *
 * The defaults are codes of Xero's standard chart of accounts (090 Business Bank Account, 404 Bank
 * Fees, 429 General Expenses) — a start, to be replaced by the organisation's own chart. Clearing,
 * escrow and external (opening balance, the world's side) accounts have no honest default: an
 * export that needs one is refused with the list of accounts to map, rather than booked to a guess.
 * Xero refuses its system accounts (Accounts Payable / Receivable) in manual journals, so payees
 * default to an expense account, not to 800.
 */
import type { AccountKind } from '../../../shared/blocks'
import { CsError } from '../../../shared/errors'
import { ExportAccountCodes } from '../../../shared/exportsApi'
import { appendAudit } from '../audit/appendAudit'
import type { Actor, CoreContext } from '../context'

export const ACCOUNT_CODES_SETTING_KEY = 'exports.accountCodes'
export const DEFAULT_ACCOUNT_CODES: Readonly<Partial<Record<AccountKind, string>>> = { treasury: '090', fees: '404', payee: '429' }
/** The tax rate written on every line unless the mapping or the export names another (by its name in Xero). */
export const DEFAULT_TAX_RATE = 'Tax Exempt'

export async function getAccountCodes(ctx: CoreContext): Promise<ExportAccountCodes> {
  const row = await ctx.db.first(ctx.db.k.selectFrom('settings').select('value').where('key', '=', ACCOUNT_CODES_SETTING_KEY))
  if (!row) return {}
  // Written only by setAccountCodes, which validates; checked again when read.
  const parsed = ExportAccountCodes.safeParse(JSON.parse(row.value))
  if (!parsed.success)
    throw new CsError('EXPORT_INVALID', 'The saved Xero account codes cannot be read — an admin should save the mapping again.', {
      cause: parsed.error,
    })
  return parsed.data
}

export async function setAccountCodes(ctx: CoreContext, actor: Actor, next: ExportAccountCodes): Promise<ExportAccountCodes> {
  const checked = ExportAccountCodes.parse(next)
  const at = ctx.clock.now().toISOString()
  await ctx.db.tx(async () => {
    const before = await getAccountCodes(ctx)
    const value = JSON.stringify(checked)
    await ctx.db.run(
      ctx.db.k
        .insertInto('settings')
        .values({ key: ACCOUNT_CODES_SETTING_KEY, value, updated_at: at, updated_by: actor })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: at, updated_by: actor })),
    )
    await appendAudit(ctx, {
      actor,
      action: 'exports.accountCodes.set',
      subject: `settings:${ACCOUNT_CODES_SETTING_KEY}`,
      change: { from: before, to: checked },
    })
  })
  return checked
}

export interface AccountCodeBook {
  /** The code of a ledger account, or null when none is mapped. */
  codeOf(accountId: string, kind: AccountKind): string | null
  taxRate: string
}

/** The saved mapping with this export's codes laid over it, and the tax rate to write. */
export async function openAccountCodeBook(
  ctx: CoreContext,
  given: ExportAccountCodes | undefined,
  taxRate: string | undefined,
): Promise<AccountCodeBook> {
  const saved = await getAccountCodes(ctx)
  const byAccount = { ...saved.byAccount, ...given?.byAccount }
  const byKind = { ...DEFAULT_ACCOUNT_CODES, ...saved.byKind, ...given?.byKind }
  return {
    codeOf: (accountId, kind) =>
      (Object.prototype.hasOwnProperty.call(byAccount, accountId) ? byAccount[accountId] : undefined) ?? byKind[kind] ?? null,
    taxRate: taxRate ?? given?.taxRate ?? saved.taxRate ?? DEFAULT_TAX_RATE,
  }
}
