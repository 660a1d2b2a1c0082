/**
 * External signing, EVM side: export unsigned EIP-1559 transactions (as stored in
 * `submissions.unsigned_payload`) and accept a signed one only if it is exactly the approved
 * transaction and signed by the expected source account.
 */
import {
  getAddress,
  isAddress,
  isAddressEqual,
  keccak256,
  parseTransaction,
  recoverTransactionAddress,
  serializeTransaction,
  type Hex,
  type TransactionSerializable,
} from 'viem'
import { CsError } from '../../../../shared/errors'
import { EXTERNAL_SIGNING_FORMAT, type ExternalEvmItem, type ExternalSigningFile } from './externalFile'

export interface EvmExportItem {
  submissionId: string
  chainId: number
  from: Hex
  unsignedSerialized: Hex
}

export type EvmExpected = EvmExportItem

export interface VerifiedSigned {
  /** Transaction hash (EVM: keccak256 of the signed bytes, 0x…; Stellar: hex without 0x). */
  hash: string
  /** The signed transaction exactly as it will be broadcast. */
  signed: string
}

/** secp256k1 group order / 2: signatures with a higher s are refused by Ethereum nodes (EIP-2). */
const SECP256K1_HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n

type Parsed = ReturnType<typeof parseTransaction>

function parseUnsigned(item: EvmExportItem): Parsed {
  let tx: Parsed
  try {
    tx = parseTransaction(item.unsignedSerialized)
  } catch (error) {
    throw new CsError('INVALID_INPUT', `Submission ${item.submissionId} has no readable unsigned EVM transaction.`, { cause: error })
  }
  if (tx.r !== undefined || tx.s !== undefined) {
    throw new CsError('INVALID_INPUT', `Submission ${item.submissionId}: the payload to export is already signed.`)
  }
  if (tx.chainId !== item.chainId) {
    throw new CsError(
      'INVALID_INPUT',
      `Submission ${item.submissionId}: the unsigned transaction is for chain ${tx.chainId}, not ${item.chainId}.`,
    )
  }
  if (!isAddress(item.from, { strict: false })) {
    throw new CsError('INVALID_INPUT', `Submission ${item.submissionId}: the source ${item.from} is not an EVM address.`)
  }
  return tx
}

function dec(value: bigint | number | undefined): string {
  return (value ?? 0).toString()
}

export function exportUnsignedEvm(items: readonly EvmExportItem[], now: Date = new Date()): ExternalSigningFile {
  const seen = new Set<string>()
  const out: ExternalEvmItem[] = items.map((item) => {
    if (seen.has(item.submissionId)) throw new CsError('INVALID_INPUT', `Submission ${item.submissionId} is listed twice.`)
    seen.add(item.submissionId)
    const tx = parseUnsigned(item)
    return {
      submissionId: item.submissionId,
      chainId: item.chainId,
      from: getAddress(item.from),
      unsigned: item.unsignedSerialized.toLowerCase(),
      summary: {
        to: tx.to ? getAddress(tx.to) : null,
        nonce: dec(tx.nonce),
        value: dec(tx.value),
        maxFeePerGas: dec(tx.maxFeePerGas ?? tx.gasPrice),
        gas: dec(tx.gas),
        dataHash: keccak256(tx.data ?? '0x'),
      },
    }
  })
  return { format: EXTERNAL_SIGNING_FORMAT, rail: 'evm', createdAt: now.toISOString(), items: out }
}

/** The fields compared one by one, in the order a person would read them. */
const COMPARED = [
  ['type', 'transaction type'],
  ['chainId', 'chain id'],
  ['nonce', 'nonce'],
  ['to', 'recipient (to)'],
  ['value', 'amount (value)'],
  ['data', 'calldata (data)'],
  ['gas', 'gas limit'],
  ['gasPrice', 'gas price'],
  ['maxFeePerGas', 'max fee per gas'],
  ['maxPriorityFeePerGas', 'max priority fee per gas'],
  ['accessList', 'access list'],
] as const

function norm(value: unknown): string {
  if (value === undefined || value === null) return ''
  if (typeof value === 'string') return value.toLowerCase()
  if (typeof value === 'bigint' || typeof value === 'number') return value.toString()
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : typeof v === 'string' ? v.toLowerCase() : v))
}

function withoutSignature(tx: Parsed): TransactionSerializable {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { r, s, v, yParity, ...rest } = tx as Parsed & { v?: bigint; yParity?: number }
  return rest as TransactionSerializable
}

/**
 * Accepts `signedSerialized` only if it is the unsigned transaction, field for field and byte for
 * byte, with a canonical signature recovering to `from`. Throws EXTERNAL_CONTENT_MISMATCH (naming
 * the field) or EXTERNAL_SIGNATURE_INVALID.
 */
export async function verifySignedEvm(expected: EvmExpected, signedSerialized: Hex | string): Promise<VerifiedSigned> {
  const id = expected.submissionId
  const unsigned = parseUnsigned(expected)
  if (typeof signedSerialized !== 'string' || !/^0x([0-9a-fA-F]{2})+$/.test(signedSerialized)) {
    throw new CsError('EXTERNAL_SIGNATURE_INVALID', `Submission ${id}: the signed transaction is not hex bytes — nothing was accepted.`)
  }
  const signedHex = signedSerialized.toLowerCase() as Hex
  let signed: Parsed
  try {
    signed = parseTransaction(signedHex)
  } catch (error) {
    throw new CsError('EXTERNAL_SIGNATURE_INVALID', `Submission ${id}: the signed transaction cannot be read — nothing was accepted.`, {
      cause: error,
    })
  }
  for (const [field, label] of COMPARED) {
    const a = norm((unsigned as Record<string, unknown>)[field])
    const b = norm((signed as Record<string, unknown>)[field])
    if (a !== b) {
      throw new CsError(
        'EXTERNAL_CONTENT_MISMATCH',
        `Submission ${id}: the signed transaction has another ${label} than the approved one — nothing was accepted.`,
        { details: { field } },
      )
    }
  }
  if (signed.r === undefined || signed.s === undefined || (signed.yParity === undefined && signed.v === undefined)) {
    throw new CsError('EXTERNAL_SIGNATURE_INVALID', `Submission ${id}: the returned transaction is not signed — nothing was accepted.`)
  }
  // Any field not listed above (blob or authorization lists, future types) is caught here.
  if (serializeTransaction(withoutSignature(signed)).toLowerCase() !== expected.unsignedSerialized.toLowerCase()) {
    throw new CsError(
      'EXTERNAL_CONTENT_MISMATCH',
      `Submission ${id}: the signed transaction differs from the approved one — nothing was accepted.`,
      {
        details: { field: 'encoding' },
      },
    )
  }
  if (BigInt(signed.s) > SECP256K1_HALF_N || BigInt(signed.s) === 0n || BigInt(signed.r) === 0n) {
    throw new CsError('EXTERNAL_SIGNATURE_INVALID', `Submission ${id}: the signature is not canonical (high s) — nothing was accepted.`)
  }
  // The bytes broadcast must be exactly the bytes whose hash is recorded: no trailing or odd encoding.
  const reserialized = serializeTransaction(withoutSignature(signed), {
    r: signed.r,
    s: signed.s,
    ...(signed.yParity !== undefined ? { yParity: signed.yParity } : { v: signed.v as bigint }),
  })
  if (reserialized.toLowerCase() !== signedHex) {
    throw new CsError(
      'EXTERNAL_SIGNATURE_INVALID',
      `Submission ${id}: the signed transaction is not canonically encoded — nothing was accepted.`,
    )
  }
  let signer: Hex
  try {
    signer = await recoverTransactionAddress({
      serializedTransaction: signedHex as Parameters<typeof recoverTransactionAddress>[0]['serializedTransaction'],
    })
  } catch (error) {
    throw new CsError('EXTERNAL_SIGNATURE_INVALID', `Submission ${id}: the signature is not valid — nothing was accepted.`, {
      cause: error,
    })
  }
  if (!isAddressEqual(signer, getAddress(expected.from))) {
    throw new CsError(
      'EXTERNAL_SIGNATURE_INVALID',
      `Submission ${id}: the transaction is signed by ${signer}, not by the source ${getAddress(expected.from)} — nothing was accepted.`,
      { details: { field: 'signer' } },
    )
  }
  return { hash: keccak256(signedHex), signed: signedHex }
}
