/**
 * The EVM rail for one chain, assembled from its parts: payouts go out through CountersignBatch
 * (payToken / payNative), one EIP-1559 transaction per chunk, signed on the Ledger's Ethereum
 * app, confirmed after `confirmationsMin` blocks and watched for reorgs afterwards — as is a signed
 * transaction declared dead, for the same window from the head it died at (a deeper reorg can
 * still let it land).
 *
 * Like a Ledger Live coin bridge, the rail is a set of functions over one plain `EvmRailSetup`:
 *   planEvmChunks.ts         plan / prepare (fees, gas estimates, the chain and contract check)
 *   buildEvmTransaction.ts   build / renumber — pure
 *   signEvmSubmission.ts     sign on the device
 *   sendEvmSubmission.ts     broadcast / rebroadcast of committed bytes
 *   readEvmChain.ts          head, nonceFloor, nonceConsumed
 *   lookupEvmSubmissions.ts  lookup — one batch request per sweep
 *   classifyEvmSubmission.ts classify — pure
 * The only state it keeps is what may be lost at any time: whether the chain check passed, and
 * the highest head seen (the reorg window; 0 after a restart means "watch all recent").
 */
import { parseMinor } from '../../../../shared/money'
import type { DeviceRail } from '../Rail'
import { buildEvmTransaction, renumberEvmTransaction } from './buildEvmTransaction'
import { createEvmChainCheck } from './checkEvmChain'
import { classifyEvmSubmission } from './classifyEvmSubmission'
import { evmExplorerTxUrl, evmRailDefaults, type EvmChainConfig } from './evmRailConfig'
import { evmBlockWatched, evmRailSetup } from './evmRailSetup'
import { readEvmFinality } from './readEvmFinality'
import { lookupEvmSubmissions, type EvmHeadSeen } from './lookupEvmSubmissions'
import { planEvmChunks, prepareEvmChunks } from './planEvmChunks'
import { readEvmBalances } from './readEvmBalances'
import { evmNonceConsumed, readEvmHead, readEvmNonceFloor } from './readEvmChain'
import { broadcastEvmSubmission, rebroadcastEvmSubmissions } from './sendEvmSubmission'
import { signEvmSubmission } from './signEvmSubmission'

export { evmBatchRef } from './evmCallData'
export type { EvmObservation } from './lookupEvmSubmissions'

export interface CreateEvmRailOptions {
  /** Override for tests and benches (a counting proxy): the URL requests go to. */
  rpcUrl?: string
}

export function createEvmRail(config: EvmChainConfig, options: CreateEvmRailOptions = {}): DeviceRail {
  const setup = evmRailSetup(config, options.rpcUrl)
  const checkChain = createEvmChainCheck(setup)
  const headSeen: EvmHeadSeen = { value: 0n }
  return {
    rail: 'evm',
    network: setup.network,
    source: setup.source,
    feeAssetId: setup.feeAssetId,
    capabilities: {
      signer: 'evm',
      verifiesSourceAddress: true,
      externalSigning: true,
      unit: { one: 'transaction', other: 'transactions' },
      nonceName: 'nonce',
    },
    plan: (input) => planEvmChunks(setup, checkChain, input),
    prepare: (input) => prepareEvmChunks(setup, checkChain, input),
    nonceFloor: (source) => readEvmNonceFloor(setup, source),
    build: (input) => buildEvmTransaction(setup, input),
    renumber: (submission, nonce) => renumberEvmTransaction(setup, submission, nonce),
    nonceConsumed: (submission) => evmNonceConsumed(setup, submission),
    sign: (submission, signer, signOptions) => signEvmSubmission(setup, submission, signer, signOptions),
    broadcast: (submission) => broadcastEvmSubmission(setup, submission),
    rebroadcast: (submissions) => rebroadcastEvmSubmissions(setup, submissions),
    head: () => readEvmHead(setup),
    lookup: (submissions) => lookupEvmSubmissions(setup, headSeen, submissions),
    classify: (submission, observation) => classifyEvmSubmission(setup, submission, observation),
    readBalances: (address, assets) => readEvmBalances(setup, address, assets),
    explorerUrl: (txHash) => evmExplorerTxUrl(config.explorerUrl, txHash),
    reorgWatch: {
      submissionsMax: evmRailDefaults.watchedConfirmedMax,
      isWatched: (s) => evmBlockWatched(setup.reorgWatchBlocks, parseMinor(s.block_number ?? '0'), headSeen.value),
      finality: (submissions) => readEvmFinality(setup, headSeen, submissions),
    },
  }
}
