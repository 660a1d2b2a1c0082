/**
 * The receipt file a payee gets (ReceiptFile): the stored document with its hash, the workspace
 * signature, the key hand-overs from the first key to the signing key, and — when the batch was
 * attested on the treasury device — that signature with this receipt's Merkle proof.
 *
 * Read back, a receipt is checked before it is handed out: its stored hash is the hash of its
 * document and its signature verifies. A row changed in the database is refused (RECEIPT_INVALID)
 * rather than handed to a payee.
 */
import { CsError } from '../../../shared/errors'
import type { ReceiptFilter } from '../../../shared/receiptsApi'
import { RECEIPT_FILE_SCHEMA, type ReceiptDocument, type ReceiptFile } from '../../../shared/receiptTypes'
import type { CoreContext } from '../context'
import type { ReceiptKeyRow, ReceiptRow } from '../db/schema'
import { loadBatchAttestationSet, type BatchAttestationSet } from './attest/batchAttestation'
import { receiptHash, verifyHash } from './receiptCrypto'
import { handoversUpTo, keyChain } from './receiptKeys'
import { filteredReceipts } from './listReceipts'

export { verifyReceiptFile } from './verifyReceiptFile'

/** Receipts read per query when many are loaded (a batch's ZIP, an export). */
const FILES_PAGE_ROWS = 500

export async function loadReceiptFile(ctx: CoreContext, number: number): Promise<ReceiptFile> {
  const row = await ctx.db.first(ctx.db.k.selectFrom('receipts').selectAll().where('number', '=', number))
  if (!row)
    throw new CsError('RECEIPT_NOT_FOUND', `There is no receipt ${number} in this workspace — pick one from the Receipts list.`, {
      cliHint: 'countersign receipts list',
    })
  const loader = await fileLoader(ctx)
  return await loader(row)
}

/**
 * Every receipt the filter matches, oldest first, as files — streamed page by page, so 10,000
 * receipts never sit in memory at once. A batch's attestation tree is built once per batch.
 */
export async function* loadReceiptFiles(ctx: CoreContext, filter: ReceiptFilter = {}): AsyncGenerator<ReceiptFile> {
  const loader = await fileLoader(ctx)
  let after = 0
  for (;;) {
    const rows = await ctx.db.all(
      filteredReceipts(ctx, filter).selectAll('r').where('r.number', '>', after).orderBy('r.number', 'asc').limit(FILES_PAGE_ROWS),
    )
    for (const row of rows) yield await loader(row)
    if (rows.length < FILES_PAGE_ROWS) return
    after = Number(rows.at(-1)!.number)
  }
}

type FileLoader = (row: ReceiptRow) => Promise<ReceiptFile>

async function fileLoader(ctx: CoreContext): Promise<FileLoader> {
  const chain = await keyChain(ctx)
  const keys = new Map<string, ReceiptKeyRow>(chain.keys.map((k) => [k.key_id, k]))
  const sets = new Map<string, BatchAttestationSet | null>()
  return async (row) => {
    const receipt = JSON.parse(row.document) as ReceiptDocument
    const key = keys.get(row.key_id)
    const number = Number(row.number)
    if (!key || receiptHash(receipt) !== row.sha256 || !verifyHash(key.public_key, row.sha256, row.signature))
      throw new CsError(
        'RECEIPT_INVALID',
        `Receipt ${number} in the database does not match its own hash and signature — it was changed after it was issued; run "countersign audit verify" and restore a backup.`,
      )
    let batchAttestation = null
    if (row.batch_id !== null && (row.rail === 'evm' || row.rail === 'stellar')) {
      const setKey = `${row.batch_id}|${row.rail}`
      if (!sets.has(setKey)) sets.set(setKey, await loadBatchAttestationSet(ctx, row.batch_id, row.rail))
      batchAttestation = sets.get(setKey)?.forReceipt(number) ?? null
    }
    return {
      schema: RECEIPT_FILE_SCHEMA,
      receipt,
      sha256: row.sha256,
      workspaceSignature: { algorithm: 'ed25519', keyId: key.key_id, publicKey: key.public_key, signature: row.signature },
      handovers: handoversUpTo(chain, key.key_id),
      batchAttestation,
    }
  }
}
