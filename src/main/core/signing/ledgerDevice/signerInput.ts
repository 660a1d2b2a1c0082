/**
 * Input checks shared by the Ledger signer's parts. They run before a device job starts, so bad
 * input never reaches the device (and never waits behind someone else's prompt to be refused).
 */
import { CsError } from '../../../../shared/errors'
import { canonicalBip32Path, isHardened, parseBip32Path } from '../bip32Path'
import { toChecksumAddress } from '../evmCrypto'
import { signerLimits, type SignerChain } from '../Signer'
import { stellarPublicKeyFromAddress } from '../stellarCrypto'

/** The path in canonical form (`44'/60'/0'/0/0`); Stellar paths must be hardened throughout. */
export function validatePath(chain: SignerChain, path: string): string {
  const components = parseBip32Path(path)
  // SLIP-10 ed25519 has no public derivation: every Stellar step must be hardened.
  if (chain === 'stellar' && !components.every(isHardened)) {
    throw new CsError('INVALID_INPUT', `Stellar derivation path "${path}" must have only hardened steps (like 44'/148'/0').`)
  }
  return canonicalBip32Path(path)
}

/** An EVM address in checksum form, or a Stellar G… address checked as it is. */
export function normaliseAddress(chain: SignerChain, address: string): string {
  if (chain === 'evm') return toChecksumAddress(address)
  stellarPublicKeyFromAddress(address)
  return address
}

export function checkBatchSize<T>(requests: readonly T[]): readonly T[] {
  if (requests.length === 0 || requests.length > signerLimits.transactionsPerBatchMax) {
    throw new CsError(
      'INVALID_INPUT',
      `A signing batch has 1 to ${signerLimits.transactionsPerBatchMax} transactions, not ${requests.length}.`,
    )
  }
  return requests
}
