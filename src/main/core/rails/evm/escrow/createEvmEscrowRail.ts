/**
 * The EVM escrow rail for one chain: escrows are held by CountersignEscrow, one EIP-1559
 * transaction per operation, signed on the Ledger's Ethereum app like payouts and from the same
 * treasury (the engine reserves nonces for both from one sequence). Assembled from its parts:
 *   evmEscrowCall.ts        the calldata of each operation, the on-chain id (evmEscrowId)
 *   preflightEvmEscrow.ts   problems in words before anything is planned (balance, allowance,
 *                           the milestone's state, a fee-on-transfer token)
 *   prepareEvmEscrow.ts     fees and the gas estimate
 *   buildEvmEscrowTx.ts     build — pure
 *   lookupEvmEscrowTxs.ts   lookup — the payout rail's, plus block times
 *   classifyEvmEscrowTx.ts  classify — pure
 *   observeEvmEscrow.ts     the chain's own view of each milestone (claims made without us)
 * Signing, sending and the nonce floor are the payout rail's own parts, pointed at the escrow
 * contract. The only state kept is what may be lost at any time (the chain check, the head seen).
 */
import { parseMinor } from '../../../../../shared/money'
import { countersignEscrowRuntimeCodeHash } from '../abi'
import { checkEvmChain, checkEvmContractCode } from '../checkEvmChain'
import { evmExplorerTxUrl, evmRailDefaults, type EvmChainConfig } from '../evmRailConfig'
import { evmBlockWatched } from '../evmRailSetup'
import type { EvmHeadSeen, EvmObservation } from '../lookupEvmSubmissions'
import { readEvmHead, readEvmNonceFloor } from '../readEvmChain'
import { broadcastEvmSubmission } from '../sendEvmSubmission'
import { signEvmSubmission } from '../signEvmSubmission'
import type { EscrowRail } from '../../EscrowRail'
import { buildEvmEscrowTx } from './buildEvmEscrowTx'
import { classifyEvmEscrowTx } from './classifyEvmEscrowTx'
import { evmEscrowSetup, type EvmEscrowSetup } from './evmEscrowSetup'
import { lookupEvmEscrowTxs } from './lookupEvmEscrowTxs'
import { observeEvmEscrow } from './observeEvmEscrow'
import { preflightEvmEscrow } from './preflightEvmEscrow'
import { prepareEvmEscrow } from './prepareEvmEscrow'

export { evmEscrowId } from './evmEscrowCall'
export type { EvmEscrowObservation } from './lookupEvmEscrowTxs'
export type { EvmEscrowPrepared } from './prepareEvmEscrow'

export interface CreateEvmEscrowRailOptions {
  /** Override for tests (a counting proxy): the URL requests go to. */
  rpcUrl?: string
}

/** The escrow rail of a chain whose configuration names its CountersignEscrow (escrowContract). */
export function createEvmEscrowRail(config: EvmChainConfig, options: CreateEvmEscrowRailOptions = {}): EscrowRail {
  const setup = evmEscrowSetup(config, options.rpcUrl)
  const checkChain = createEscrowChainCheck(setup)
  const headSeen: EvmHeadSeen = { value: 0n }
  const contract = { address: setup.escrowContract, what: 'escrow contract' }
  return {
    rail: 'evm',
    network: setup.network,
    source: setup.source,
    feeAssetId: setup.feeAssetId,
    signer: 'evm',
    needsTx: () => true,
    preflight: (input) => preflightEvmEscrow(setup, checkChain, input),
    prepare: (input) => prepareEvmEscrow(setup, checkChain, input),
    nonceFloor: (source) => readEvmNonceFloor(setup, source),
    build: (input, prepared, nonce) => buildEvmEscrowTx(setup, input, prepared, nonce),
    sign: (tx, signer, signOptions) => signEvmSubmission(setup, tx, signer, signOptions, contract),
    broadcast: (tx) => broadcastEvmSubmission(setup, tx),
    lookup: (txs) => lookupEvmEscrowTxs(setup, headSeen, txs),
    classify: (tx, observation) => classifyEvmEscrowTx(setup, tx, observation),
    observe: (terms) => observeEvmEscrow(setup, terms),
    explorerUrl: (txHash) => evmExplorerTxUrl(config.explorerUrl, txHash),
    reorgWatch: {
      txsMax: evmRailDefaults.watchedConfirmedMax,
      head: () => readEvmHead(setup),
      isWatched: (tx) => evmBlockWatched(setup.reorgWatchBlocks, parseMinor(tx.block_number ?? '0'), headSeen.value),
      resend: (tx, observation) => {
        const o = observation as EvmObservation | undefined
        return o !== undefined && o.receipt === null && !o.known && !o.provablyDead && o.latestNonce <= parseMinor(tx.nonce ?? '0')
      },
    },
  }
}

/** The chain id, the batch contract (the payout rail's check) and the escrow contract's code, once per rail object. */
function createEscrowChainCheck(setup: EvmEscrowSetup): () => Promise<void> {
  let passed = false
  return async () => {
    if (passed) return
    await checkEvmChain(setup)
    await checkEvmContractCode(setup, setup.escrowContract, countersignEscrowRuntimeCodeHash, 'escrow contract', 'CountersignEscrow')
    passed = true
  }
}
