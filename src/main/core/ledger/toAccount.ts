import type { Account } from '../../../shared/ledgerApi'
import type { AccountRow } from '../db/schema'
import { unreachable } from '../util/invariant'
import { isAccountKind } from './accountRules'

/** Row -> contract. A kind we do not know is a programmer error (nothing writes one). */
export function toAccount(row: AccountRow): Account {
  if (!isAccountKind(row.kind)) unreachable(`account ${row.id} has unknown kind "${row.kind}"`)
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    assetId: row.asset_id,
    address: row.address,
    allowNegative: row.allow_negative === 1,
    createdAt: row.created_at,
  }
}
