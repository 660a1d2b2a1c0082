/**
 * Test helpers for batches and the approval policy (imported by *.test.ts only): a real core on a
 * SQLite file in a temp dir, a fixed clock, a desk of operators, a funded USDC treasury, and
 * recorded events.
 */
import { addOperatorForTest } from '../../operators/operatorTestKit'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { CallInput, CallName, CallOutput, EventName } from '../../../../shared/api'
import { fixedClock } from '../../context'
import { markNetworksSetUpForTest } from '../import/networksTestKit'
import { createCore, type Core } from '../../core'
import type { SignerProvider } from '../../signing/signerSource'

export const USDC = 'USDC@evm:8453'
export const TREASURY_ADDRESS = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
export const PAYEES = [
  '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
  '0x90F79bf6EB2c4f870365E785982E1f101E93b906',
] as const

/** Operator ids on the desk (ids are slugs of the names). */
export const DANA = 'dana-admin'
export const ALICE = 'alice-preparer'
export const BOB = 'bob-approver'
export const CAROL = 'carol-approver'
/** Preparer and approver at once: may approve others' batches, never one she edited. */
export const ERIN = 'erin-both'
export const SAM = 'sam-signer'

export interface Desk {
  core: Core
  clock: ReturnType<typeof fixedClock>
  events: { event: EventName; payload: unknown }[]
  as<K extends CallName>(operatorId: string | undefined, name: K, input: CallInput<K>): Promise<CallOutput<K>>
  close(): Promise<void>
}

export async function openDesk(options: { treasury?: string; start?: string; signer?: SignerProvider } = {}): Promise<Desk> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-batches-'))
  const clock = fixedClock(options.start ?? '2026-03-02T09:00:00.000Z')
  const core = await createCore({ dataDir: dir, clock, ...(options.signer ? { signer: options.signer, resumeOnStart: false } : {}) })
  const events: Desk['events'] = []
  core.events.subscribe((event, payload) => events.push({ event, payload }))
  const as: Desk['as'] = (operatorId, name, input) => core.api.call(name, input, operatorId !== undefined ? { operatorId } : {})
  // Invited and activated with their demo passphrases; unlocked on this desk's in-process channel.
  await addOperatorForTest(core.api, { name: 'Dana Admin', roles: ['admin'] })
  for (const [name, roles] of [
    ['Alice Preparer', ['preparer']],
    ['Bob Approver', ['approver']],
    ['Carol Approver', ['approver']],
    ['Erin Both', ['preparer', 'approver']],
    ['Sam Signer', ['signer']],
  ] as const)
    await addOperatorForTest(core.api, { name, roles: [...roles] }, { operatorId: DANA })
  await as(DANA, 'ledger.accounts.add', {
    id: 'treasury-usdc',
    name: 'Treasury USDC',
    kind: 'treasury',
    assetId: USDC,
    address: TREASURY_ADDRESS,
  })
  await as(DANA, 'ledger.accounts.add', { id: 'opening-usdc', name: 'Opening USDC', kind: 'external', assetId: USDC })
  // The importer warns of rows on networks not set up: this desk's USDC network is.
  await markNetworksSetUpForTest(core.ctx, { evm: [Number(USDC.split(':')[1])] })
  const treasury = options.treasury ?? '1000000.000000'
  await as(DANA, 'ledger.entries.post', {
    entries: [
      {
        id: 'opening-usdc',
        description: 'Opening balance',
        postings: [
          { account: 'treasury-usdc', debit: treasury },
          { account: 'opening-usdc', credit: treasury },
        ],
      },
    ],
  })
  return {
    core,
    clock,
    events,
    as,
    async close() {
      await core.close()
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** A draft made by `by` with one USDC payout per amount; returns its id. */
export async function draftWith(desk: Desk, by: string, amounts: readonly string[], name = 'March contractors'): Promise<string> {
  const batch = await desk.as(by, 'batches.create', { name })
  await desk.as(by, 'batches.rows.add', {
    id: batch.id,
    rows: amounts.map((amount, i) => ({ assetId: USDC, recipient: PAYEES[i % PAYEES.length]!, amount })),
  })
  return batch.id
}

/** A batch awaiting approval; returns its id and version. */
export async function submitted(desk: Desk, by: string, amounts: readonly string[]): Promise<{ id: string; version: number }> {
  const id = await draftWith(desk, by, amounts)
  const s = await desk.as(by, 'batches.submit', { id })
  return { id, version: s.version }
}

/** The code and message of a failed call. */
export async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string; details?: Record<string, unknown> }> {
  try {
    await promise
  } catch (error) {
    const details = (error as { details?: Record<string, unknown> }).details
    return { code: (error as { code: string }).code, message: (error as Error).message, ...(details ? { details } : {}) }
  }
  throw new Error('expected the call to fail, but it succeeded')
}
