/**
 * Reads the document an external signer returns and checks every item against what was
 * exported. All or nothing: one unknown, duplicate, tampered or wrongly signed item refuses the
 * whole file, so a chunk is never half accepted.
 */
import { CsError } from '../../../../shared/errors'
import { EXTERNAL_SIGNED_BYTES_MAX } from '../../../../shared/limits'
import { verifySignedEvm, type EvmExpected, type VerifiedSigned } from './externalEvm'
import { SignedFileSchema } from './externalFile'
import { verifySignedStellar, type StellarExpected } from './externalStellar'

export type ExpectedSigned = ({ rail: 'evm' } & EvmExpected) | ({ rail: 'stellar' } & StellarExpected)

export interface ImportedSigned extends VerifiedSigned {
  submissionId: string
  rail: 'evm' | 'stellar'
}

export interface ImportSignedOptions {
  /** Accept a file that signs only some of the expected submissions (default: every one is required). */
  allowMissing?: boolean
}

export async function importSignedFile(
  text: string,
  expected: ReadonlyMap<string, ExpectedSigned>,
  options: ImportSignedOptions = {},
): Promise<ImportedSigned[]> {
  // The contract's own limit (batches.external.import takes no more); a file this size has at most as many characters.
  if (text.length > EXTERNAL_SIGNED_BYTES_MAX)
    throw new CsError('EXTERNAL_FILE_INVALID', 'The signed file is too large to be a Countersign signing file.')
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new CsError('EXTERNAL_FILE_INVALID', 'The signed file is not JSON — nothing was accepted.')
  }
  const parsed = SignedFileSchema.safeParse(json)
  if (!parsed.success) {
    const format = typeof json === 'object' && json !== null ? (json as { format?: unknown }).format : undefined
    throw new CsError(
      'EXTERNAL_FILE_INVALID',
      typeof format === 'string' && !format.startsWith('countersign.external-sign')
        ? `The signed file has format "${format.slice(0, 80)}", not a Countersign external signing format — nothing was accepted.`
        : 'The signed file is not a Countersign external signing file (format, items with submissionId and signed) — nothing was accepted.',
      { cause: parsed.error },
    )
  }
  const file = parsed.data
  const seen = new Set<string>()
  for (const item of file.items) {
    if (seen.has(item.submissionId)) {
      throw new CsError('EXTERNAL_FILE_INVALID', `Submission ${item.submissionId} appears twice in the signed file — nothing was accepted.`)
    }
    seen.add(item.submissionId)
    const exp = expected.get(item.submissionId)
    if (!exp)
      throw new CsError('EXTERNAL_FILE_INVALID', `Submission ${item.submissionId} was not exported for signing — nothing was accepted.`)
    if (file.rail !== undefined && file.rail !== exp.rail) {
      throw new CsError(
        'EXTERNAL_FILE_INVALID',
        `The signed file is for ${file.rail}, but submission ${item.submissionId} is ${exp.rail} — nothing was accepted.`,
      )
    }
  }
  if (!options.allowMissing) {
    const missing = [...expected.keys()].filter((id) => !seen.has(id))
    if (missing.length > 0) {
      throw new CsError(
        'EXTERNAL_FILE_INVALID',
        `The signed file lacks submission(s) ${missing.slice(0, 5).join(', ')} — nothing was accepted.`,
      )
    }
  }
  const results: ImportedSigned[] = []
  for (const item of file.items) {
    const exp = expected.get(item.submissionId) as ExpectedSigned
    const verified = exp.rail === 'evm' ? await verifySignedEvm(exp, item.signed) : verifySignedStellar(exp, item.signed)
    results.push({ submissionId: item.submissionId, rail: exp.rail, ...verified })
  }
  return results
}
