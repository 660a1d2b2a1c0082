/**
 * One payout row given by hand (rows.add / rows.update) or read back from the database (the
 * pre-flight), checked by the CSV importer's own validatePayoutRows — one set of rules for every
 * way a row gets in: recipient checksums, memo limits per rail, control characters, our own
 * treasury as recipient, ids already stored. Only the first problem of the row is returned.
 * checkPayoutRowsWithWarnings also hands back the importer's warnings on the valid rows (new
 * payee, look-alike…), which a batch keeps (batchWarnings.ts).
 */
import type { Asset } from '../../../../shared/ledgerApi'
import { CsError } from '../../../../shared/errors'
import type { CoreContext } from '../../context'
import type { PayoutRow } from '../../db/schema'
import { formatAmount, parseMinor } from '../../../../shared/money'
import { findAsset } from '../../ledger'
import { NATIVE_ASSET, type RawRow } from '../import/parsePayoutCsv'
import { validatePayoutRows } from '../import/validatePayoutRows'
import { flagFormulaText } from '../import/flagFormulaText'
import { sortWarnings } from '../import/rowIssues'
import type { RowWarning } from '../../../../shared/payoutImport'
import { unreachable } from '../../util/invariant'

export interface PayoutRowCandidate {
  id: string
  rowNo: number
  assetId: string
  recipient: string
  amount: string
  memo?: string | null | undefined
  reference?: string | null | undefined
  name?: string | null | undefined
}

export interface ValidPayoutRow {
  asset: Asset
  recipient: string
  minor: bigint
  memo: string | null
  reference: string | null
  name: string | null
}

export type ValidatePayoutRowReturnType =
  | { ok: true; row: ValidPayoutRow }
  /** `message` is the sentence without a place ("has more than 6 decimals…"); `code` the importer's, when it has one. */
  | { ok: false; field: string; message: string; code?: string }

export interface ValidatePayoutRowOptions {
  /** The row belongs to this batch already (an update, a re-check): its own stored id is no duplicate. */
  batchIdForEdit?: string | undefined
}

/** One row: see validatePayoutRows for many (one registry load for the lot). */
export async function validatePayoutRow(
  ctx: CoreContext,
  input: PayoutRowCandidate,
  options: ValidatePayoutRowOptions = {},
): Promise<ValidatePayoutRowReturnType> {
  const result = (await validatePayoutRowsBatch(ctx, [input], options))[0]
  if (!result) unreachable('one row in, one result out')
  return result
}

/** Many rows at once, results in input order. Row numbers (`rowNo`) must be distinct. */
export async function validatePayoutRowsBatch(
  ctx: CoreContext,
  inputs: readonly PayoutRowCandidate[],
  options: ValidatePayoutRowOptions = {},
): Promise<ValidatePayoutRowReturnType[]> {
  return (await checkPayoutRowsWithWarnings(ctx, inputs, options)).results
}

export interface CheckedPayoutRows {
  /** One per input, in input order. */
  results: ValidatePayoutRowReturnType[]
  /**
   * The importer's warnings on the valid rows (by `rowNo`), in its order and cut like its list:
   * new payee, look-alike, no checksum, repeated payment, text a spreadsheet would run.
   */
  warnings: RowWarning[]
}

/** validatePayoutRowsBatch, and the warnings an import of the same rows would give (batchWarnings.ts keeps them). */
export async function checkPayoutRowsWithWarnings(
  ctx: CoreContext,
  inputs: readonly PayoutRowCandidate[],
  options: ValidatePayoutRowOptions = {},
): Promise<CheckedPayoutRows> {
  const warnings: RowWarning[] = []
  const results: (ValidatePayoutRowReturnType | undefined)[] = new Array(inputs.length)
  const raws: RawRow[] = []
  const assetOfRow = new Map<number, { index: number; asset: Asset }>()
  // Each asset looked up once, however many rows name it (a query each is a round trip on a server).
  const assetById = new Map<string, Asset | undefined>()
  for (const [index, input] of inputs.entries()) {
    if (!assetById.has(input.assetId)) assetById.set(input.assetId, await findAsset(ctx, input.assetId))
    const asset = assetById.get(input.assetId)
    if (!asset) {
      results[index] = {
        ok: false,
        field: 'asset',
        message: `there is no asset "${input.assetId.slice(0, 80)}" — use an id from the assets list, e.g. USDC@evm:8453`,
      }
      continue
    }
    if (assetOfRow.has(input.rowNo)) unreachable(`row number ${input.rowNo} given twice`)
    assetOfRow.set(input.rowNo, { index, asset })
    raws.push({
      row: input.rowNo,
      layout: 'countersign',
      id: input.id,
      rail: asset.rail,
      network: asset.network,
      // An EVM token by its contract (unambiguous), a native coin as such, anything else by code.
      asset: asset.rail === 'evm' ? (asset.issuer ?? NATIVE_ASSET) : asset.code,
      recipient: input.recipient.trim(),
      amount: input.amount,
      memo: input.memo?.trim() ?? '',
      reference: input.reference?.trim() ?? '',
      name: input.name?.trim() ?? '',
      idDerived: false,
    })
  }
  if (raws.length > 0) {
    const checked = await validatePayoutRows(ctx, raws, { batchIdForEdit: options.batchIdForEdit })
    const valid = new Set(checked.valid.map((v) => v.row))
    const formulaLike: RowWarning[] = []
    flagFormulaText(
      raws.filter((r) => valid.has(r.row)),
      formulaLike,
    )
    warnings.push(...sortWarnings([...formulaLike, ...checked.warnings]))
    for (const issue of checked.issues) {
      const at = issue.row === null ? undefined : assetOfRow.get(issue.row)
      if (!at) unreachable(`the importer reported a problem for no row we gave it (${issue.code})`)
      // The first problem of a row is enough to act on; the importer sorts them by column.
      results[at.index] ??= {
        ok: false,
        field: issue.column ?? 'row',
        // The importer hands the sentence without its place too: nothing is cut off a message.
        message: issue.problem.replace(/\.$/, ''),
        code: issue.code,
      }
    }
    for (const v of checked.valid) {
      const at = assetOfRow.get(v.row)
      if (!at || v.assetId !== at.asset.id) unreachable(`the importer read row ${v.row} as ${v.assetId}`)
      if (results[at.index] !== undefined) continue
      results[at.index] = {
        ok: true,
        row: {
          asset: at.asset,
          recipient: v.recipient,
          minor: v.amountMinor,
          memo: v.memo ?? null,
          reference: v.reference ?? null,
          name: v.name ?? null,
        },
      }
    }
  }
  return {
    results: results.map((r, i) => {
      if (!r) unreachable(`the importer neither accepted nor refused row ${inputs[i]!.rowNo}`)
      return r
    }),
    warnings,
  }
}

/** PAYOUT_INVALID with the row named, for edits. */
export async function requireValidPayoutRow(
  ctx: CoreContext,
  input: PayoutRowCandidate,
  where: string,
  options: ValidatePayoutRowOptions = {},
): Promise<ValidPayoutRow> {
  const result = await validatePayoutRow(ctx, input, options)
  if (!result.ok) {
    throw new CsError('PAYOUT_INVALID', `${where}, ${result.field}: ${result.message}.`, {
      details: {
        issues: [{ row: input.rowNo, column: result.field, payoutId: input.id, ...codeOf(result), message: `${result.message}.` }],
      },
    })
  }
  return result.row
}

/** The importer's issue code of a refusal, as the PAYOUT_INVALID details carry it. */
export function codeOf(result: { code?: string }): { code?: string } {
  return result.code !== undefined ? { code: result.code } : {}
}

/** Stored payouts as the rows they were given as (amounts back to decimals at their asset's scale), to check them again. */
export async function storedPayoutCandidates(ctx: CoreContext, payouts: readonly PayoutRow[]): Promise<PayoutRowCandidate[]> {
  const scales = new Map((await ctx.db.all(ctx.db.k.selectFrom('assets').select(['id', 'scale']))).map((a) => [a.id, a.scale]))
  return payouts.map((p) => ({
    id: p.id,
    rowNo: p.row_no,
    assetId: p.asset_id,
    recipient: p.recipient,
    amount: scales.has(p.asset_id) ? formatAmount(parseMinor(p.amount), scales.get(p.asset_id)!) : p.amount,
    memo: p.memo,
    reference: p.reference,
    name: p.name,
  }))
}
