/**
 * The rows that passed their own checks, kept as columns — one array per field, the same index
 * across them — until validation ends; the rows ready to store are built at the very end.
 *
 * Why columns: on 100,000 rows, every object made per row early in validation lives through all
 * of it, and the young-generation collector copies each such object as it runs (twice, before it
 * moves it to the old generation). One array per field holds the same facts with no object per
 * row; the ValidPayoutRow objects are made last, and only for the rows that stay valid.
 */
import { formatAmount } from '../../../../shared/money'
import type { ParsedPayoutRow } from '../../../../shared/payoutImport'
import { invariant } from '../../util/invariant'
import type { AssetTarget, NetworkScope, Payee } from './openImportScope'
import type { RawRow } from './payoutCsvLayouts'

/** A row ready to store: the contract's view plus the exact minor units the core uses. */
export interface ValidPayoutRow extends ParsedPayoutRow {
  amountMinor: bigint
  scale: number
}

export class PayoutCandidates {
  readonly raws: RawRow[]
  readonly nets: NetworkScope[]
  readonly targets: AssetTarget[]
  readonly recipients: Payee[]
  /** 1: the recipient was written without a checksum (an EVM address in one case). */
  readonly noChecksum: Uint8Array
  /** Exact minor units at the target asset's scale. */
  readonly amounts: bigint[]
  private count = 0

  /** Room for `rowsMax` candidates up front: the columns are not copied as they grow. */
  constructor(rowsMax: number) {
    this.raws = new Array<RawRow>(rowsMax)
    this.nets = new Array<NetworkScope>(rowsMax)
    this.targets = new Array<AssetTarget>(rowsMax)
    this.recipients = new Array<Payee>(rowsMax)
    this.noChecksum = new Uint8Array(rowsMax)
    this.amounts = new Array<bigint>(rowsMax)
  }

  get length(): number {
    return this.count
  }

  add(raw: RawRow, net: NetworkScope, target: AssetTarget, recipient: Payee, noChecksum: boolean, amountMinor: bigint): void {
    invariant(this.count < this.raws.length, 'more candidates than rows')
    const i = this.count++
    this.raws[i] = raw
    this.nets[i] = net
    this.targets[i] = target
    this.recipients[i] = recipient
    this.noChecksum[i] = noChecksum ? 1 : 0
    this.amounts[i] = amountMinor
  }

  /** The candidates except those of the rows given (refused by a file-wide check). */
  without(rows: ReadonlySet<number>): PayoutCandidates {
    if (rows.size === 0) return this
    const kept = new PayoutCandidates(this.count)
    for (let i = 0; i < this.length; i++) {
      if (rows.has(this.raws[i]!.row)) continue
      kept.add(this.raws[i]!, this.nets[i]!, this.targets[i]!, this.recipients[i]!, this.noChecksum[i] === 1, this.amounts[i]!)
    }
    return kept
  }

  /** Candidate `i` as the row to store. */
  validRow(i: number): ValidPayoutRow {
    const raw = this.raws[i]!
    const net = this.nets[i]!
    const asset = this.targets[i]!.asset
    const amountMinor = this.amounts[i]!
    const row: ValidPayoutRow = {
      row: raw.row,
      id: raw.id,
      rail: net.rail,
      network: net.network,
      assetId: asset.id,
      recipient: this.recipients[i]!.canonical,
      amount: formatAmount(amountMinor, asset.scale),
      amountMinor,
      scale: asset.scale,
    }
    // Absent, not empty, when the cell is empty (the contract's optional fields).
    if (raw.memo !== '') row.memo = raw.memo
    if (raw.reference !== '') row.reference = raw.reference
    if (raw.name !== '') row.name = raw.name
    return row
  }

  validRows(): ValidPayoutRow[] {
    const out: ValidPayoutRow[] = new Array(this.length)
    for (let i = 0; i < this.length; i++) out[i] = this.validRow(i)
    return out
  }
}
