/**
 * Signing on the EVM rail: the stored unsigned transaction goes to the device as it is; the
 * signature is checked by the signer against the treasury address and the signed bytes are
 * returned for the engine to commit before anything is sent.
 */
import { keccak256, serializeTransaction, type Hex } from 'viem'
import { CsError } from '../../../../shared/errors'
import type { Signer } from '../../signing/Signer'
import { invariant } from '../../util/invariant'
import type { RailSignOptions, RailSubmission, SignedSubmission } from '../Rail'
import { callsBatchContract, parseUnsignedEvm } from './buildEvmTransaction'
import { gwei } from './evmFees'
import type { EvmRailSetup } from './evmRailSetup'

export async function signEvmSubmission(
  setup: EvmRailSetup,
  submission: RailSubmission,
  signer: Signer,
  options: RailSignOptions = {},
  /** The contract the transaction must call (the escrow rail passes its escrow contract). */
  contract: { address: `0x${string}`; what: string } = { address: setup.batchContract, what: 'batch contract' },
): Promise<SignedSubmission> {
  const tx = parseUnsignedEvm(submission)
  // Checked again at the last moment: the cap or the contract may have been reconfigured since
  // planning, and what the device signs is what will be sent.
  if (!callsBatchContract(setup, tx, contract.address)) {
    throw new CsError(
      'CONTRACT_MISMATCH',
      `Submission ${submission.id} is not a call to the configured ${contract.what} on chain ${setup.chainId} — nothing was signed.`,
    )
  }
  if ((tx.maxFeePerGas ?? 0n) > setup.maxFeePerGasCap) {
    throw new CsError(
      'FEE_CAP_EXCEEDED',
      `This transaction allows up to ${gwei(tx.maxFeePerGas ?? 0n)} gwei per gas, above your cap of ${gwei(setup.maxFeePerGasCap)} gwei — nothing was signed.`,
    )
  }
  const [signature] = await signer.signEvmTransactions(
    [{ path: setup.source.path, expectedAddress: setup.source.address, unsignedTransaction: submission.unsigned_payload as Hex }],
    options.onProgress ? { onProgress: options.onProgress } : {},
  )
  invariant(signature !== undefined, 'the signer returned no signature')
  const signed = serializeTransaction(tx, { r: signature.r, s: signature.s, yParity: signature.yParity })
  return { signedPayload: signed, txHash: keccak256(signed) }
}
