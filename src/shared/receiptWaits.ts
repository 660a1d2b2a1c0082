/**
 * The sentence a person reads when a payment's receipt waits (receiptsApi.ts ReceiptWait): the
 * CLI (`receipts due`, `receipts issue`) and the Receipts view print the same words.
 */
import type { ReceiptWait } from './receiptsApi'
import { networkName } from './networkNames'

export function receiptWaitSentence(w: ReceiptWait): string {
  const chain = networkName('evm', w.network)
  switch (w.kind) {
    case 'finality':
      return `Waiting for finality: block ${w.block} on ${chain} is still inside the ${w.windowBlocks}-block reorg window; the receipt is issued after ${w.blocksLeft} more ${w.blocksLeft === 1 ? 'block' : 'blocks'}.`
    case 'reorged':
      return `Waiting for finality: block ${w.block} on ${chain} left the chain in a reorg; the payment is being confirmed again, and its receipt will name the block it lands in.`
    case 'chain-unreadable':
      return `Waiting for finality: the head of ${chain} could not be read (${w.detail}); the receipt is held until the node answers.`
  }
}

/** Most waiting payments an issue result lists by name (the rest are counted). */
export const RECEIPT_WAITS_LISTED_MAX = 20
