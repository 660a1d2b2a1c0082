import { RAILS, type Asset, type Rail } from '../../../shared/api'
import { assertScale } from '../../../shared/money'
import type { AssetRow } from '../db/schema'

/** Row -> contract. Asserts what the reader relies on (scale in range, known rail). */
export function toAsset(row: AssetRow): Asset {
  assertScale(row.scale)
  if (!(RAILS as readonly string[]).includes(row.rail)) throw new Error(`invariant: asset ${row.id} has unknown rail "${row.rail}"`)
  return { id: row.id, code: row.code, name: row.name, scale: row.scale, rail: row.rail as Rail, network: row.network, issuer: row.issuer }
}
