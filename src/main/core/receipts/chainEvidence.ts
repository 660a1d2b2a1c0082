/**
 * The evidence of an EVM or Stellar payment, read from the rail-transaction columns payouts
 * (submissions) and escrows (escrow_txs) share. The index is the `Paid` log index (EVM; null when
 * the engine does not record it) or the operation index (Stellar).
 */
import { parseTransaction, type Hex } from 'viem'
import type { ReceiptEvidence } from '../../../shared/receiptTypes'
import type { ReceiptFacts } from './receiptFacts'

export interface RailTxColumns {
  rail: string
  network: string
  tx_hash: string | null
  block_number: string | null
  block_hash: string | null
  source: string
  signed_payload: string | null
}

export function chainEvidence(facts: ReceiptFacts, tx: RailTxColumns, index: number | null): ReceiptEvidence | null {
  switch (tx.rail) {
    case 'evm':
      return {
        rail: 'evm',
        chainId: tx.network,
        network: tx.network,
        txHash: tx.tx_hash ?? '',
        blockNumber: tx.block_number ?? '',
        blockHash: tx.block_hash ?? '',
        logIndex: index,
        from: tx.source,
        to: calledContract(tx.signed_payload),
      }
    case 'stellar':
      return {
        rail: 'stellar',
        network: tx.network,
        networkPassphrase: facts.passphraseName(tx.network),
        txHash: tx.tx_hash ?? '',
        ledger: tx.block_number ?? '',
        operationIndex: index ?? 0,
        source: tx.source,
      }
    default:
      return null
  }
}

/** The `to` of a signed EVM transaction ("" when the bytes cannot be read). */
function calledContract(signedPayload: string | null): string {
  if (signedPayload === null) return ''
  try {
    return parseTransaction(signedPayload as Hex).to ?? ''
  } catch {
    return ''
  }
}
