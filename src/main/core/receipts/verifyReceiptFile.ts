/**
 * `receipts verify`: checks a receipt file (its JSON, or a receipt PDF carrying the JSON as an
 * attachment) the way a payee or an auditor would, each check reported on its own:
 *
 *   schema             the file is a Countersign receipt file of a known version
 *   hash               sha256 is SHA-256 of the receipt's canonical JSON
 *   signature          the workspace signature over those 32 bytes verifies with the key it names
 *   handovers          the key hand-overs link the workspace's first key to the signing key
 *   key                the signing key is trusted: one of this workspace's keys (when run in the
 *                      workspace), or reached from / reaching the key in a public key file given
 *   batch-attestation  the treasury device's signature over the batch's Merkle root, and this
 *                      receipt's proof into it (skipped when the file carries none)
 *   rail-evidence      online only: the payment is on its rail (checkRailEvidence.ts); a rail that
 *                      cannot be reached is "not checked", never a failure
 *
 * `ok` is true when nothing failed AND the key is trusted: a file signed by a key nobody vouches
 * for proves nothing about who issued it. Needs no database unless a workspace is given.
 */
import { canonicalJson } from '../util/canonicalJson'
import { CsError } from '../../../shared/errors'
import { ReceiptFileSchema, ReceiptPublicKeyFile, type ReceiptCheck, type ReceiptVerificationResult } from '../../../shared/receiptsApi'
import type { ReceiptFile } from '../../../shared/receiptTypes'
import type { CoreContext } from '../context'
import { getRailsSetting } from '../rails/getRailsSetting'
import { verifyBatchAttestation } from './attest/batchAttestation'
import { checkRailEvidence, type EvidenceSources } from './checkRailEvidence'
import { readEmbeddedReceiptJson } from './pdf/readReceiptPdf'
import { handoverChainProblem, keyIdOf, keysOfChain, sha256Hex, verifyHash } from './receiptCrypto'
import { workspaceIdOf } from './receiptKeys'

export interface VerifyReceiptOptions {
  online: boolean
  /** The text of a public key file (receipts key export) to trust. */
  publicKeyFile?: string
  /** Where the rails are asked when online; default: this workspace's rails setting (no Stripe key). */
  sources?: EvidenceSources
}

type Check = ReceiptCheck

export async function verifyReceiptFile(
  ctx: CoreContext | null,
  input: string | Uint8Array,
  options: VerifyReceiptOptions,
): Promise<ReceiptVerificationResult> {
  const checks: Check[] = []
  const parsed = await parseReceiptFile(input)
  if (!parsed.ok) {
    checks.push({ name: 'schema', status: 'fail', detail: parsed.problem })
    for (const name of ['hash', 'signature', 'handovers', 'key', 'batch-attestation', 'rail-evidence'] as const)
      checks.push({ name, status: 'skipped', detail: 'not checked: the file is not a receipt' })
    return { ok: false, receipt: null, checks }
  }
  const file = parsed.file
  const r = file.receipt
  const sig = file.workspaceSignature
  checks.push({ name: 'schema', status: 'pass', detail: `${file.schema} with ${r.schema}` })
  const hash = sha256Hex(canonicalJson(r))
  checks.push(
    hash === file.sha256
      ? { name: 'hash', status: 'pass', detail: `SHA-256 of the receipt is ${hash}` }
      : {
          name: 'hash',
          status: 'fail',
          detail: `the receipt's SHA-256 is ${hash}, not the ${file.sha256} the file states — the receipt was changed`,
        },
  )
  const keyOk = keyIdOf(sig.publicKey) === sig.keyId
  const sigOk = keyOk && verifyHash(sig.publicKey, file.sha256, sig.signature)
  checks.push(
    sigOk
      ? { name: 'signature', status: 'pass', detail: `the SHA-256 the file states is signed by key ${sig.keyId}` }
      : {
          name: 'signature',
          status: 'fail',
          detail: keyOk
            ? `the signature is not key ${sig.keyId}'s over this hash`
            : `key id ${sig.keyId} does not belong to the public key`,
        },
  )
  const chainProblem = handoverChainProblem(file.handovers, sig)
  checks.push(
    chainProblem === null
      ? {
          name: 'handovers',
          status: 'pass',
          detail:
            file.handovers.length === 0
              ? 'signed by the first key (no hand-over)'
              : `${file.handovers.length} hand-over(s) to key ${sig.keyId}`,
        }
      : { name: 'handovers', status: 'fail', detail: chainProblem },
  )
  checks.push(await keyCheck(ctx, file, options.publicKeyFile))
  checks.push(attestationCheck(file))
  checks.push(
    options.online
      ? await checkRailEvidence(r, options.sources ?? (ctx ? await workspaceSources(ctx) : NO_SOURCES))
      : { name: 'rail-evidence', status: 'skipped', detail: 'not checked (offline)' },
  )
  const ok = checks.every((c) => c.status !== 'fail') && checks.find((c) => c.name === 'key')?.status === 'pass'
  return {
    ok,
    receipt: {
      number: r.number,
      displayNumber: r.displayNumber,
      kind: r.kind,
      payeeName: r.payee.name,
      recipient: r.payee.recipient,
      amount: r.amount.value,
      code: r.amount.code,
      paidAt: r.paidAt,
      sha256: file.sha256,
      keyId: sig.keyId,
    },
    checks,
  }
}

/** The receipt file inside `input`: JSON text, JSON bytes, or a PDF with the JSON attached. */
export async function parseReceiptFile(
  input: string | Uint8Array,
): Promise<{ ok: true; file: ReceiptFile } | { ok: false; problem: string }> {
  let text: string | null
  if (typeof input === 'string') text = input
  else if (Buffer.from(input.subarray(0, 5)).toString('latin1') === '%PDF-') {
    try {
      text = readEmbeddedReceiptJson(input)
    } catch {
      text = null
    }
    if (text === null) return { ok: false, problem: 'the PDF carries no receipt file (it is not a Countersign receipt, or it was damaged)' }
  } else text = Buffer.from(input).toString('utf8')
  let json: unknown
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''))
  } catch {
    return { ok: false, problem: 'the file is not JSON — give the receipt JSON or the receipt PDF' }
  }
  const checked = ReceiptFileSchema.safeParse(json)
  if (!checked.success) {
    const issue = checked.error.issues[0]
    return {
      ok: false,
      problem: `not a Countersign receipt file: ${issue ? `${issue.path.join('.') || 'file'}: ${issue.message}` : 'unknown shape'}`,
    }
  }
  return { ok: true, file: checked.data }
}

async function keyCheck(ctx: CoreContext | null, file: ReceiptFile, publicKeyText: string | undefined): Promise<Check> {
  const sig = file.workspaceSignature
  const signing = { keyId: sig.keyId, publicKey: sig.publicKey }
  if (publicKeyText !== undefined) {
    const trusted = parsePublicKeyFile(publicKeyText)
    if (trusted.workspaceId !== file.receipt.workspaceId)
      return {
        name: 'key',
        status: 'fail',
        detail: `the public key file is workspace ${trusted.workspaceId}'s, the receipt workspace ${file.receipt.workspaceId}'s`,
      }
    const problem = handoverChainProblem(trusted.handovers, trusted)
    if (problem !== null) return { name: 'key', status: 'fail', detail: `the public key file's own hand-overs do not hold: ${problem}` }
    const trustedKeys = keysOfChain(trusted.handovers, trusted)
    const receiptKeys = keysOfChain(file.handovers, signing)
    const same = (a: { keyId: string; publicKey: string }, b: { keyId: string; publicKey: string }) =>
      a.keyId === b.keyId && a.publicKey === b.publicKey
    if (trustedKeys.some((k) => same(k, signing)))
      return { name: 'key', status: 'pass', detail: `key ${sig.keyId} is in the public key file (current key ${trusted.keyId})` }
    if (receiptKeys.some((k) => same(k, trusted)))
      return { name: 'key', status: 'pass', detail: `key ${sig.keyId} was handed over from the trusted key ${trusted.keyId}` }
    return {
      name: 'key',
      status: 'fail',
      detail: `key ${sig.keyId} is not the public key file's key ${trusted.keyId} nor linked to it by a hand-over`,
    }
  }
  if (ctx === null)
    return { name: 'key', status: 'skipped', detail: "no key to compare with — give the payer's public key file (--public-key)" }
  const ws = await workspaceIdOf(ctx)
  if (file.receipt.workspaceId !== ws)
    return { name: 'key', status: 'fail', detail: `the receipt is from workspace ${file.receipt.workspaceId}, not this one (${ws})` }
  const row = await ctx.db.first(ctx.db.k.selectFrom('receipt_keys').select(['public_key']).where('key_id', '=', sig.keyId))
  if (!row || row.public_key !== sig.publicKey)
    return { name: 'key', status: 'fail', detail: `key ${sig.keyId} is not one of this workspace's receipt keys` }
  return { name: 'key', status: 'pass', detail: `key ${sig.keyId} is this workspace's receipt key` }
}

function parsePublicKeyFile(text: string): ReceiptPublicKeyFile {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (cause) {
    throw new CsError('FILE_INVALID', 'The public key file is not JSON — use the file "countersign receipts key export" wrote.', { cause })
  }
  const parsed = ReceiptPublicKeyFile.safeParse(json)
  if (!parsed.success || keyIdOf(parsed.data.publicKey) !== parsed.data.keyId)
    throw new CsError(
      'FILE_INVALID',
      'That is not a Countersign receipt public key file — use the file "countersign receipts key export" wrote.',
    )
  return parsed.data
}

function attestationCheck(file: ReceiptFile): Check {
  const a = file.batchAttestation
  if (a === null)
    return {
      name: 'batch-attestation',
      status: 'skipped',
      detail: 'the file carries no device attestation (Stripe, escrow, or the batch was not attested)',
    }
  const r = file.receipt
  const v = verifyBatchAttestation(a, file.sha256, {
    workspaceId: r.workspaceId,
    ...(r.subject.batchId !== null ? { batchId: r.subject.batchId } : {}),
    payer: r.payer.account,
  })
  return v.ok
    ? {
        name: 'batch-attestation',
        status: 'pass',
        detail: `${a.signer} signed the root of ${a.leafCount} receipts of batch ${a.batchId}; this is receipt ${a.leafIndex + 1}`,
      }
    : { name: 'batch-attestation', status: 'fail', detail: v.problem }
}

const NO_SOURCES: EvidenceSources = { evmRpcUrl: () => null, horizonUrl: () => null, stripe: async () => null }

/** The node and Horizon URLs this workspace is configured with; no Stripe key (the handler passes one). */
async function workspaceSources(ctx: CoreContext): Promise<EvidenceSources> {
  const rails = (await getRailsSetting(ctx)).rails
  return {
    evmRpcUrl: (chainId) => rails.evm?.chains.find((c) => String(c.chainId) === chainId)?.rpcUrl ?? null,
    horizonUrl: (network) => rails.stellar?.networks.find((n) => n.network === network)?.horizonUrl ?? null,
    stripe: async () => null,
  }
}
