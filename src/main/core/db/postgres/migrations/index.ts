/**
 * The PostgreSQL migrations, by name. The names are the SQLite migrations' names
 * (../../migrations/), so both backends report the same schema version. 0001–0006 are the
 * PostgreSQL twins of the SQLite files (frozen before team mode existed); from 0007 on a
 * migration is one file in ../../migrations/ with its dialect differences inside, exporting `up`
 * (SQLite) and `postgres` (here). Frozen: add new files, never edit old ones.
 */
import type { Migration } from 'kysely'
import * as m0001 from './0001_foundation'
import * as m0002 from './0002_payouts'
import * as m0003 from './0003_stellar'
import * as m0005 from './0005_signers'
import * as m0006 from './0006_stripe'
import { postgres as m0007 } from '../../migrations/0007_team'
import { postgres as m0008 } from '../../migrations/0008_operator_auth'
import { postgres as m0009 } from '../../migrations/0009_row_seals'
import { postgres as m0010 } from '../../migrations/0010_escrow'
import { postgres as m0011 } from '../../migrations/0011_recon'
import { postgres as m0012 } from '../../migrations/0012_recon_matching'
import { postgres as m0013 } from '../../migrations/0013_receipts'
import { postgres as m0014 } from '../../migrations/0014_change_feed'
import { postgres as m0015 } from '../../migrations/0015_batch_warnings'
import { postgres as m0016 } from '../../migrations/0016_audit_filters'

export const POSTGRES_MIGRATIONS: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_payouts': m0002,
  '0003_stellar': m0003,
  '0005_signers': m0005,
  '0006_stripe': m0006,
  '0007_team': m0007,
  '0008_operator_auth': m0008,
  '0009_row_seals': m0009,
  '0010_escrow': m0010,
  '0011_recon': m0011,
  '0012_recon_matching': m0012,
  '0013_receipts': m0013,
  '0014_change_feed': m0014,
  '0015_batch_warnings': m0015,
  '0016_audit_filters': m0016,
}
