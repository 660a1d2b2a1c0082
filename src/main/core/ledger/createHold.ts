/**
 * Create a hold: a two-phase transfer (TigerBeetle's pending transfer) of one asset from a debit
 * account to a credit account. Nothing is posted yet: the amount is added to debits_pending of
 * the debit account and credits_pending of the credit account, which takes it out of what the
 * credit account (say, a treasury wallet) has available. postHold, voidHold or expiry resolves it.
 * The id is an idempotency key, as for entries.
 */
import type { Hold } from '../../../shared/ledgerApi'
import { CsError } from '../../../shared/errors'
import { formatAmount, parseAmount, parseMinor } from '../../../shared/money'
import { appendAudit } from '../audit/appendAudit'
import { openRowSeals } from '../audit/rowSeals'
import type { Actor, CoreContext } from '../context'
import type { HoldRow } from '../db/schema'
import { assertHoldInRange } from './entryGuards'
import { DESCRIPTION_CHARS_MAX, isRef } from './ids'
import { loadHoldRow, toHold, type HoldRowWithScale } from './holdRows'
import { LedgerBook, type BookAccount } from './ledgerBook'

export interface CreateHoldParameters {
  id: string
  debitAccountId: string
  creditAccountId: string
  /** Decimal string in the asset's units ("125.50"), exact at its scale. */
  amount: string
  description: string
  /** ISO-8601 time after which the hold can no longer be posted; omit for no expiry. */
  expiresAt?: string | undefined
}
export type CreateHoldReturnType = Hold

const ISO_TIMESTAMP_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/
/** Expiry times are stored as UTC ISO strings and compared as text: keep them in 4-digit years. */
const EXPIRES_AT_MAX_MS = Date.parse('9999-12-31T23:59:59.999Z')

export async function createHold(ctx: CoreContext, actorId: Actor, input: CreateHoldParameters): Promise<Hold> {
  if (!isRef(input.id)) {
    throw new CsError(
      'HOLD_INVALID',
      `Hold id "${String(input.id).slice(0, 40)}" is not valid — use letters, digits and . _ : / @ - (no spaces), starting with a letter or digit.`,
    )
  }
  const at = `Hold "${input.id}"`
  if (typeof input.description !== 'string' || input.description.length === 0 || input.description.length > DESCRIPTION_CHARS_MAX) {
    throw new CsError('HOLD_INVALID', `${at}: description must be 1–${DESCRIPTION_CHARS_MAX} characters — say what the hold is for.`)
  }
  if (typeof input.amount !== 'string') throw new CsError('HOLD_INVALID', `${at}: give the amount as a decimal string such as "12.50".`)
  const expiresAt = input.expiresAt === undefined ? null : normalizeExpiresAt(input.expiresAt, at)

  const out = await ctx.db.tx(async () => {
    const nowIso = ctx.clock.now().toISOString()
    const existing = await loadHoldRow(ctx, input.id)
    if (existing) {
      assertSameHold(existing, input, expiresAt, at)
      return { hold: toHold(existing), touched: null }
    }
    const book = new LedgerBook(ctx)
    await book.load([input.debitAccountId, input.creditAccountId].filter((id): id is string => typeof id === 'string'))
    const debit = requireAccount(book, input.debitAccountId, at, 'debitAccountId')
    const credit = requireAccount(book, input.creditAccountId, at, 'creditAccountId')
    if (debit.id === credit.id)
      throw new CsError('HOLD_INVALID', `${at}: the debit and credit accounts are the same — a hold moves money between two accounts.`)
    if (debit.assetId !== credit.assetId) {
      throw new CsError(
        'HOLD_INVALID',
        `${at}: "${debit.id}" holds ${debit.assetId} but "${credit.id}" holds ${credit.assetId} — a hold moves one asset between two accounts of that asset.`,
      )
    }
    const amount = parseHoldAmount(input.amount, debit, at)
    if (expiresAt !== null && expiresAt <= nowIso) {
      throw new CsError('HOLD_INVALID', `${at}: expiresAt ${expiresAt} has already passed — give a time in the future, or none.`)
    }
    book.pend(debit, credit, amount)
    assertHoldInRange(input.id, at, [debit, credit])
    // Pending credits reduce what a debit-normal account has available (and pending debits a
    // credit-normal one): the overdraft rule applies to them as to posted amounts.
    for (const acc of [credit, debit]) {
      const reduced = acc === credit ? acc.side === 'debit' : acc.side === 'credit'
      if (!reduced || acc.allowNegative) continue
      const available = book.available(acc)
      if (available >= 0n) continue
      throw new CsError(
        'INSUFFICIENT_FUNDS',
        `${at}: account "${acc.id}" has ${formatAmount(available + amount, acc.scale)} ${acc.assetCode} available but the hold needs ${formatAmount(amount, acc.scale)} ${acc.assetCode} — fund the account first, release another hold, or lower the amount.`,
        {
          details: {
            holdId: input.id,
            accountId: acc.id,
            available: formatAmount(available + amount, acc.scale),
            needed: formatAmount(amount, acc.scale),
          },
        },
      )
    }
    // Creation order, assigned under the write lock (db/Db.ts): nobody else takes the number meanwhile.
    const head = await ctx.db.first(ctx.db.k.selectFrom('holds').select((eb) => eb.fn.max('seq').as('seq')))
    const row: HoldRow = {
      seq: Number(head?.seq ?? 0) + 1,
      id: input.id,
      debit_account_id: debit.id,
      credit_account_id: credit.id,
      asset_id: debit.assetId,
      amount: amount.toString(),
      posted_amount: '0',
      state: 'pending',
      description: input.description,
      expires_at: expiresAt,
      created_at: nowIso,
      created_by: actorId,
      resolved_at: null,
    }
    await ctx.db.run(ctx.db.k.insertInto('holds').values(row))
    const seals = await openRowSeals(ctx)
    await seals.seal(ctx, 'holds', [row])
    const touched = await book.flush(nowIso)
    await appendAudit(ctx, {
      actor: actorId,
      action: 'ledger.holds.create',
      subject: `hold:${row.id}`,
      change: {
        debitAccountId: row.debit_account_id,
        creditAccountId: row.credit_account_id,
        assetId: row.asset_id,
        amount: formatAmount(amount, debit.scale),
        description: row.description,
        expiresAt,
      },
      seals,
    })
    return { hold: toHold({ ...row, scale: debit.scale, asset_code: debit.assetCode }), touched }
  })
  if (out.touched) ctx.events.emit('ledger.changed', { accountIds: out.touched })
  return out.hold
}

function requireAccount(book: LedgerBook, accountId: unknown, at: string, field: string): BookAccount {
  const acc = typeof accountId === 'string' ? book.account(accountId) : undefined
  if (!acc)
    throw new CsError(
      'ACCOUNT_NOT_FOUND',
      `${at}, ${field}: there is no account "${String(accountId).slice(0, 60)}" — open it first, or fix the id.`,
    )
  return acc
}

export function parseHoldAmount(text: string, acc: Pick<BookAccount, 'scale' | 'assetCode'>, at: string): bigint {
  try {
    return parseAmount(text, acc.scale, { assetLabel: acc.assetCode })
  } catch (error) {
    if (error instanceof CsError) throw new CsError(error.code, `${at}, amount: ${error.message}`, { cause: error })
    throw error
  }
}

function normalizeExpiresAt(text: unknown, at: string): string {
  const t = typeof text === 'string' && ISO_TIMESTAMP_RE.test(text) ? Date.parse(text) : Number.NaN
  if (!Number.isFinite(t) || t > EXPIRES_AT_MAX_MS || t < 0) {
    throw new CsError(
      'HOLD_INVALID',
      `${at}: expiresAt "${String(text).slice(0, 40)}" is not a time — use ISO-8601 with a zone, e.g. 2026-01-31T17:00:00Z.`,
    )
  }
  return new Date(t).toISOString()
}

/** A replay must match the stored hold in every field; HOLD_CONFLICT names the first that differs. */
function assertSameHold(stored: HoldRowWithScale, input: CreateHoldParameters, expiresAt: string | null, at: string): void {
  const conflict = (field: string, a: string, b: string): CsError =>
    new CsError(
      'HOLD_CONFLICT',
      `${at} already exists with a different ${field} (stored: ${a}; now: ${b}) — a hold id is used once: resend the original unchanged to retry, or give a new hold a new id.`,
      { details: { holdId: stored.id, field } },
    )
  // Accounts first: only with the same accounts is the amount read at the stored asset's scale.
  if (stored.debit_account_id !== input.debitAccountId)
    throw conflict('debitAccountId', stored.debit_account_id, String(input.debitAccountId).slice(0, 60))
  if (stored.credit_account_id !== input.creditAccountId)
    throw conflict('creditAccountId', stored.credit_account_id, String(input.creditAccountId).slice(0, 60))
  const storedAmount = parseMinor(stored.amount)
  const given = parseHoldAmount(input.amount, { scale: stored.scale, assetCode: stored.asset_code }, at)
  if (given !== storedAmount) throw conflict('amount', formatAmount(storedAmount, stored.scale), formatAmount(given, stored.scale))
  if (stored.description !== input.description)
    throw conflict('description', JSON.stringify(stored.description.slice(0, 60)), JSON.stringify(input.description.slice(0, 60)))
  if (stored.expires_at !== expiresAt) throw conflict('expiresAt', stored.expires_at ?? '(none)', expiresAt ?? '(none)')
}
