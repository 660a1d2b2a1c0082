import { RAILS, type Rail } from '../../../shared/blocks'
import type { Asset } from '../../../shared/ledgerApi'
import { assertScale } from '../../../shared/money'
import type { AssetRow } from '../db/schema'
import { unreachable } from '../util/invariant'

/** Row -> contract. Asserts what the reader relies on (scale in range, known rail). */
export function toAsset(row: AssetRow): Asset {
  assertScale(row.scale)
  if (!(RAILS as readonly string[]).includes(row.rail)) unreachable(`asset ${row.id} has unknown rail "${row.rail}"`)
  return { id: row.id, code: row.code, name: row.name, scale: row.scale, rail: row.rail as Rail, network: row.network, issuer: row.issuer }
}
