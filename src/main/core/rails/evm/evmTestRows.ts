/**
 * TEST ONLY: plain rows for the EVM rail's unit tests (build, renumber, classify) — the shapes
 * the engine hands a rail, written out as literals, so the pure parts are tested with no node
 * and no database.
 */
import type { AssetRow, PayoutRow } from '../../db/schema'
import type { PlannedChunk, RailSubmission } from '../Rail'
import { payoutRowForTest, railSubmissionForTest } from '../railTestRows'
import type { EvmPrepared } from './evmPrepared'
import { evmRailSetup, type EvmRailSetup } from './evmRailSetup'

export const TEST_CHAIN_ID = 8453
export const TEST_BATCH_CONTRACT = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
export const TEST_SOURCE = '0x9858EfFD232B4033E47d90003D41EC34EcaEda94'
export const TEST_TOKEN = '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913'
const AT = '2026-02-01T10:00:00.000Z'

export function testSetup(): EvmRailSetup {
  return evmRailSetup({
    chainId: TEST_CHAIN_ID,
    rpcUrl: 'http://127.0.0.1:9/never-called',
    batchContract: TEST_BATCH_CONTRACT,
    confirmationsMin: 2,
    maxFeePerGasCap: 500n * 10n ** 9n,
    source: { address: TEST_SOURCE, path: "44'/60'/0'/0/0" },
  })
}

export const USDC: AssetRow = {
  id: `USDC@evm:${TEST_CHAIN_ID}`,
  code: 'USDC',
  name: 'USD Coin',
  scale: 6,
  rail: 'evm',
  network: String(TEST_CHAIN_ID),
  issuer: TEST_TOKEN,
  created_at: AT,
}
export const ETH: AssetRow = { ...USDC, id: `ETH@evm:${TEST_CHAIN_ID}`, code: 'ETH', name: 'Ether', scale: 18, issuer: null }

export function testPayout(id: string, asset: AssetRow, recipient: string, amount: bigint): PayoutRow {
  return payoutRowForTest({ id, rail: 'evm', network: String(TEST_CHAIN_ID), asset_id: asset.id, recipient, amount: amount.toString() })
}

export function testChunk(chunkIndex: number, asset: AssetRow, payoutIds: string[], kind: EvmPrepared['kind']): PlannedChunk {
  const prepared: EvmPrepared = {
    kind,
    token: kind === 'token' ? TEST_TOKEN : null,
    gasLimit: '120000',
    maxFeePerGas: '3000000000',
    maxPriorityFeePerGas: '1000000000',
  }
  return { chunkIndex, assetId: asset.id, payoutIds, prepared }
}

export function testSubmission(over: Partial<RailSubmission> = {}): RailSubmission {
  return railSubmissionForTest({
    id: 'b-unit:c0:a1',
    rail: 'evm',
    network: String(TEST_CHAIN_ID),
    source: TEST_SOURCE,
    nonce: '7',
    idempotency_key: 'evm:unit',
    tx_hash: `0x${'ab'.repeat(32)}`,
    payoutIds: ['p-0', 'p-1'],
    ...over,
  })
}
