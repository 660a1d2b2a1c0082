/**
 * The rail's own id of a statement line pulled from a rail (recon.pull), as batches and receipts
 * show it: the EVM transaction hash, the Stellar transaction hash, the Stripe object the balance
 * transaction is about (tr_…, po_…; the balance transaction txn_… when it is about nothing else,
 * as a fee). Read from what the pull stored — the line's external key and its structured
 * reference (pull/pull*Records.ts) — so nothing is asked of the rail. Lines of bank files have
 * no external key and no rail id.
 */
import type { Rail } from '../../../shared/blocks'

export interface LineRailReference {
  rail: Rail
  /** The chain id, the Stellar network, or 'stripe'. */
  network: string
  reference: string
}

export function railReferenceOfLine(line: {
  externalKey: string | null
  structuredRef: string | null
  customerRef: string | null
}): LineRailReference | null {
  const key = line.externalKey
  if (key === null) return null
  const parts = key.split(':')
  switch (parts[0]) {
    case 'stripe': {
      // "stripe:txn_…" or "stripe:txn_…:fee"; the source (tr_…) is kept as the customer reference.
      const txn = parts[1]
      const reference = parts[2] === 'fee' ? txn : (line.customerRef ?? txn)
      return reference ? { rail: 'stripe', network: 'stripe', reference } : null
    }
    case 'evm': {
      // "evm:<chain>:<tx hash>:<log index | gas>"
      const [, network, hash] = parts
      return network && hash ? { rail: 'evm', network, reference: hash } : null
    }
    case 'stellar': {
      // "stellar:<network>:<tx hash>:fee", or "stellar:<network>:<operation id>" with "<tx hash>:<op>" beside it.
      const [, network, id, fee] = parts
      const hash = fee === 'fee' ? id : line.structuredRef?.split(':')[0]
      return network && hash ? { rail: 'stellar', network, reference: hash } : null
    }
    default:
      return null
  }
}
