/**
 * Test helpers for the import (imported by *.test.ts only): a real workspace in a temp folder via
 * createCore, an admin operator, a treasury and an address-book payee on Base, a Stellar testnet
 * asset, and counters to prove a refused import stored nothing.
 */
import { addOperatorForTest } from '../../operators/operatorTestKit'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createCore, type Core } from '../../core'
import { fixedClock } from '../../context'
import { markNetworksSetUpForTest } from './networksTestKit'

export const FIXTURES_DIR = fileURLToPath(new URL('../../../../../test/fixtures/csv/', import.meta.url))
export const HEADER = 'id,rail,network,asset,recipient,amount,memo,reference,name'
export const TREASURY_BASE = '0x9C9c9c9c9c9c9C9c9c9C9C9c9c9C9c9c9c9c9C9c'
export const PAYEE_ACME = '0x1111aBaBABababAbAbABABAbaBaBabaBAbab2222'
/** Same first and last 4 hex as PAYEE_ACME, different middle: a poisoning look-alike. */
export const LOOKALIKE_ACME = '0x1111cdcdCdCdcDcDCdcdCdcdCdcDcDcDCDcD2222'
export const NEW_A = '0x4a4a4A4A4A4a4a4A4a4A4a4a4a4A4a4a4A4A4a4A'
export const NEW_B = '0x5B5B5b5B5b5B5B5b5B5B5b5b5B5B5B5b5B5B5b5b'
export const PAID_BEFORE = '0x7D7d7d7d7d7d7d7d7D7D7D7d7D7d7D7d7d7D7D7D'
export const STELLAR_G1 = 'GAAQCAIBAEAQCAIBAEAQCAIBAEAQCAIBAEAQCAIBAEAQCAIBAEAQDZ7H'

export interface ImportWorld {
  core: Core
  operatorId: string
  dir: string
  counts(): Promise<{ batches: number; payouts: number; audit: number }>
  /** A batch with one payout in the given state, written directly (the batches module is not ours). */
  storePayout(p: { id: string; batchId: string; batchName: string; recipient: string; state: string; amount?: string }): Promise<void>
  close(): Promise<void>
}

export async function openImportWorld(): Promise<ImportWorld> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-import-'))
  const core = await createCore({ dataDir: dir, clock: fixedClock('2026-02-01T10:00:00.000Z') })
  const op = await addOperatorForTest(core.api, { name: 'Ada Admin', roles: ['admin', 'preparer'] })
  const meta = { operatorId: op.id }
  await core.api.call('assets.add', { code: 'XLM', scale: 7, rail: 'stellar', network: 'testnet' }, meta)
  await core.api.call(
    'ledger.accounts.add',
    { id: 'treasury-base-usdc', name: 'Treasury Base USDC', kind: 'treasury', assetId: 'USDC@evm:8453', address: TREASURY_BASE },
    meta,
  )
  await core.api.call(
    'ledger.accounts.add',
    { id: 'payee-acme', name: 'ACME GmbH', kind: 'payee', assetId: 'USDC@evm:8453', address: PAYEE_ACME },
    meta,
  )
  // Base and Stellar testnet are set up (a row elsewhere gets NETWORK_NOT_SET_UP); Stripe is not.
  await markNetworksSetUpForTest(core.ctx, { evm: [8453], stellar: ['testnet'] })
  const db = core.ctx.db
  const count = async (table: 'batches' | 'payouts' | 'audit_log'): Promise<number> =>
    Number((await db.first(db.k.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n'))))?.n ?? 0)
  return {
    core,
    operatorId: op.id,
    dir,
    counts: async () => ({ batches: await count('batches'), payouts: await count('payouts'), audit: await count('audit_log') }),
    async storePayout(p) {
      const now = '2026-01-05T10:00:00.000Z'
      await db.run(
        db.k
          .insertInto('batches')
          .values({
            id: p.batchId,
            name: p.batchName,
            state: 'completed',
            version: 1,
            source: 'test',
            created_by: op.id,
            editors: JSON.stringify([op.id]),
            created_at: now,
            updated_at: now,
          })
          .onConflict((oc) => oc.doNothing()),
      )
      await db.run(
        db.k.insertInto('payouts').values({
          id: p.id,
          batch_id: p.batchId,
          row_no: 2,
          rail: 'evm',
          network: '8453',
          asset_id: 'USDC@evm:8453',
          recipient: p.recipient,
          amount: p.amount ?? '1000000',
          state: p.state,
          attempt: 1,
          created_at: now,
          updated_at: now,
        }),
      )
    },
    async close() {
      await core.close()
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}

export function readFixture(name: string): Buffer {
  return fs.readFileSync(path.join(FIXTURES_DIR, name))
}
