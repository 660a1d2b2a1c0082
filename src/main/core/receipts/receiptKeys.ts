/**
 * The workspace's receipt key: an Ed25519 key whose public half is in `receipt_keys` and whose
 * private half (32 bytes, hex) is only ever in the SecretStore under "receipts.signingKey" — the
 * OS-encrypted file in the app, the environment (COUNTERSIGN_SECRET_RECEIPTS_SIGNING_KEY) in the
 * CLI and CI, memory in tests. It is never logged, audited or returned.
 *
 * - Created on first use (the first receipt, or receipts.key.rotate with no key yet), inside the
 *   write transaction, so two issuers on one desk cannot each make one: the second sees the
 *   first's row and uses the key the first stored. A store that cannot be written (the
 *   environment) never gets a key made for it: RECEIPT_KEY_MISSING says which variable to set.
 *   A key found in the store with no row (a crash between storing and committing, or a key put
 *   into the environment) is registered as the first key.
 * - Rotated: the new secret is stored first as "receipts.nextSigningKey"; one transaction then
 *   adds the new key with the old key's signed hand-over and retires the old one; only after the
 *   commit does the new secret replace "receipts.signingKey". A crash anywhere leaves either the
 *   old key live with its secret, or the new key live with its secret still under the "next"
 *   name — which loadSigningKey finishes moving. The old private key is dropped: receipts it
 *   signed verify by its public key and the hand-over chain.
 */
import { CsError } from '../../../shared/errors'
import { RECEIPT_PUBLIC_KEY_SCHEMA, type ReceiptKeyState, type ReceiptPublicKeyFile } from '../../../shared/receiptsApi'
import type { ReceiptKeyHandover } from '../../../shared/receiptTypes'
import { appendAudit } from '../audit/appendAudit'
import type { Actor, CoreContext } from '../context'
import type { ReceiptKeyRow } from '../db/schema'
import { newWorkspaceId, WORKSPACE_ID_KEY } from '../db/sqlite/sqliteFile'
import { secretEnvName, type SecretStore } from '../secrets/SecretStore'
import { invariant } from '../util/invariant'
import { isSecretHex, keyIdOf, newSecretHex, publicKeyOf, signHandover } from './receiptCrypto'

export const RECEIPT_SECRET_NAME = 'receipts.signingKey'
export const RECEIPT_NEXT_SECRET_NAME = 'receipts.nextSigningKey'

export interface SigningKey {
  keyId: string
  publicKey: string
  /** Hex of the 32-byte private key: kept in memory for one issuing run, never written anywhere else. */
  secretHex: string
  /** From the first key to this one, oldest first. */
  handovers: ReceiptKeyHandover[]
}

/** Every key in hand-over order (first key first), and the chain of hand-overs that links them. */
export async function keyChain(ctx: CoreContext): Promise<{ keys: ReceiptKeyRow[]; handovers: ReceiptKeyHandover[] }> {
  const rows = await ctx.db.all(ctx.db.k.selectFrom('receipt_keys').selectAll())
  const first = rows.filter((r) => r.handover === null)
  invariant(rows.length === 0 || first.length === 1, () => `receipt_keys has ${first.length} first keys`)
  const byFrom = new Map<string, { row: ReceiptKeyRow; handover: ReceiptKeyHandover }>()
  for (const row of rows) {
    if (row.handover === null) continue
    const handover = JSON.parse(row.handover) as ReceiptKeyHandover
    byFrom.set(handover.fromKeyId, { row, handover })
  }
  const keys: ReceiptKeyRow[] = first.slice(0, 1)
  const handovers: ReceiptKeyHandover[] = []
  for (let next = byFrom.get(keys[0]?.key_id ?? ''); next !== undefined; next = byFrom.get(next.row.key_id)) {
    keys.push(next.row)
    handovers.push(next.handover)
  }
  invariant(keys.length === rows.length, 'receipt_keys holds a key the hand-over chain does not reach')
  return { keys, handovers }
}

/** The hand-overs from the first key to `keyId` (empty for the first key). */
export function handoversUpTo(
  chain: { keys: readonly ReceiptKeyRow[]; handovers: readonly ReceiptKeyHandover[] },
  keyId: string,
): ReceiptKeyHandover[] {
  const at = chain.keys.findIndex((k) => k.key_id === keyId)
  invariant(at >= 0, () => `receipt key ${keyId} is not in this workspace`)
  return chain.handovers.slice(0, at)
}

export async function readKeyState(ctx: CoreContext): Promise<ReceiptKeyState> {
  const chain = await keyChain(ctx)
  const keys = chain.keys.map((k) => ({
    keyId: k.key_id,
    publicKey: k.public_key,
    createdAt: k.created_at,
    createdBy: k.created_by,
    retiredAt: k.retired_at,
  }))
  const live = chain.keys.find((k) => k.retired_at === null)
  const current = keys.find((k) => k.retiredAt === null) ?? null
  const publicKeyFile: ReceiptPublicKeyFile | null = live
    ? {
        schema: RECEIPT_PUBLIC_KEY_SCHEMA,
        workspaceId: await workspaceIdOf(ctx),
        algorithm: 'ed25519',
        keyId: live.key_id,
        publicKey: live.public_key,
        handovers: handoversUpTo(chain, live.key_id),
      }
    : null
  return { current, keys, publicKeyFile }
}

/** The workspace's id (meta "workspace_id"), made once when a database has none yet (memory, PostgreSQL). */
export async function workspaceIdOf(ctx: CoreContext): Promise<string> {
  const read = async () => (await ctx.db.first(ctx.db.k.selectFrom('meta').select('value').where('key', '=', WORKSPACE_ID_KEY)))?.value
  const existing = await read()
  if (existing !== undefined) return existing
  await ctx.db.tx(() =>
    ctx.db.run(
      ctx.db.k
        .insertInto('meta')
        .values({ key: WORKSPACE_ID_KEY, value: newWorkspaceId() })
        .onConflict((oc) => oc.column('key').doNothing()),
    ),
  )
  const made = await read()
  invariant(made !== undefined, 'workspace id vanished')
  return made
}

async function liveKey(ctx: CoreContext): Promise<ReceiptKeyRow | undefined> {
  return await ctx.db.first(ctx.db.k.selectFrom('receipt_keys').selectAll().where('retired_at', 'is', null))
}

async function readSecret(store: SecretStore, name: string): Promise<string | null> {
  const value = await store.get(name)
  if (value === null) return null
  const hex = value.trim().toLowerCase()
  if (!isSecretHex(hex))
    throw new CsError(
      'RECEIPT_KEY_MISMATCH',
      `The receipt key in the secret store (${name}) is not a 32-byte Ed25519 key in hex — put the workspace's key back, or remove the entry.`,
    )
  return hex
}

function missing(store: SecretStore, keyId: string | null): CsError {
  const where = store.writable ? 'the secret store of this computer' : `the environment (${secretEnvName(RECEIPT_SECRET_NAME)})`
  return new CsError(
    'RECEIPT_KEY_MISSING',
    keyId === null
      ? `This workspace has no receipt key yet and none can be saved in ${where} — set ${secretEnvName(RECEIPT_SECRET_NAME)} to a new 32-byte key in hex, or issue receipts from the app.`
      : `The receipt key ${keyId} of this workspace is not in ${where} — receipts are issued on the desk that holds it; copy the key there (${secretEnvName(RECEIPT_SECRET_NAME)}) to issue here.`,
  )
}

/**
 * The live key with its secret, ready to sign. `create`: make the first key when there is none
 * (the first receipt). Finishes a rotation a crash interrupted. Never awaits the network.
 */
export async function loadSigningKey(
  ctx: CoreContext,
  store: SecretStore,
  actor: Actor,
  options: { create: boolean },
): Promise<SigningKey> {
  let live = await liveKey(ctx)
  if (live === undefined) live = await createFirstKey(ctx, store, actor, options.create)
  let secret = await readSecret(store, RECEIPT_SECRET_NAME)
  if (secret === null || publicKeyOf(secret) !== live.public_key) {
    const next = await readSecret(store, RECEIPT_NEXT_SECRET_NAME)
    if (next === null || publicKeyOf(next) !== live.public_key) {
      if (secret === null) throw missing(store, live.key_id)
      throw new CsError(
        'RECEIPT_KEY_MISMATCH',
        `The receipt key in the secret store (${keyIdOf(publicKeyOf(secret))}) is not this workspace's live key ${live.key_id} — put key ${live.key_id} back before issuing receipts.`,
      )
    }
    // A rotation committed its new key but stopped before storing it under its own name: finish it.
    if (store.writable) {
      await store.set(RECEIPT_SECRET_NAME, next)
      await store.delete(RECEIPT_NEXT_SECRET_NAME)
    }
    secret = next
  }
  const chain = await keyChain(ctx)
  return { keyId: live.key_id, publicKey: live.public_key, secretHex: secret, handovers: handoversUpTo(chain, live.key_id) }
}

async function createFirstKey(ctx: CoreContext, store: SecretStore, actor: Actor, create: boolean): Promise<ReceiptKeyRow> {
  const stored = await readSecret(store, RECEIPT_SECRET_NAME)
  if (stored === null && (!create || !store.writable)) throw missing(store, null)
  await ctx.db.tx(async () => {
    if ((await liveKey(ctx)) !== undefined) return // another issuer made it first: theirs stands
    const found = await readSecret(store, RECEIPT_SECRET_NAME)
    const secret = found ?? newSecretHex()
    // Stored before the row commits: a crash in between leaves a key that is registered next time.
    if (found === null) await store.set(RECEIPT_SECRET_NAME, secret)
    const publicKey = publicKeyOf(secret)
    const keyId = keyIdOf(publicKey)
    const now = ctx.clock.now().toISOString()
    await ctx.db.run(
      ctx.db.k
        .insertInto('receipt_keys')
        .values({ key_id: keyId, public_key: publicKey, created_at: now, created_by: actor, retired_at: null, handover: null }),
    )
    await appendAudit(ctx, {
      actor,
      action: 'receipts.key.create',
      subject: `receipt-key:${keyId}`,
      change: { keyId, publicKey, origin: found === null ? 'generated' : 'secret store', protection: store.protection },
    })
  })
  const live = await liveKey(ctx)
  invariant(live, 'the first receipt key vanished')
  return live
}

/** A new live key, handed over from the old one (or the first key). Admin only: checked by the caller. */
export async function rotateKey(ctx: CoreContext, store: SecretStore, actor: Actor): Promise<ReceiptKeyState> {
  if ((await liveKey(ctx)) === undefined) {
    await createFirstKey(ctx, store, actor, true)
    return await readKeyState(ctx)
  }
  if (!store.writable) throw storeReadOnly(store)
  const old = await loadSigningKey(ctx, store, actor, { create: false })
  const nextSecret = newSecretHex()
  const nextPublic = publicKeyOf(nextSecret)
  const nextId = keyIdOf(nextPublic)
  await store.set(RECEIPT_NEXT_SECRET_NAME, nextSecret)
  await ctx.db.tx(async () => {
    const live = await liveKey(ctx)
    if (live?.key_id !== old.keyId)
      throw new CsError(
        'RECEIPT_KEY_MISMATCH',
        'The receipt key was rotated from another desk meanwhile — look at the keys again before rotating.',
      )
    const now = ctx.clock.now().toISOString()
    const handover = signHandover(old.secretHex, { publicKey: nextPublic }, now)
    await ctx.db.run(ctx.db.k.updateTable('receipt_keys').set({ retired_at: now }).where('key_id', '=', old.keyId))
    await ctx.db.run(
      ctx.db.k.insertInto('receipt_keys').values({
        key_id: nextId,
        public_key: nextPublic,
        created_at: now,
        created_by: actor,
        retired_at: null,
        handover: JSON.stringify(handover),
      }),
    )
    await appendAudit(ctx, {
      actor,
      action: 'receipts.key.rotate',
      subject: `receipt-key:${nextId}`,
      change: { from: old.keyId, to: nextId, publicKey: nextPublic, handoverSignature: handover.signature },
    })
  })
  await store.set(RECEIPT_SECRET_NAME, nextSecret)
  await store.delete(RECEIPT_NEXT_SECRET_NAME)
  return await readKeyState(ctx)
}

function storeReadOnly(store: SecretStore): CsError {
  return new CsError(
    'SECRETS_UNAVAILABLE',
    `The receipt key comes from the environment here (${secretEnvName(RECEIPT_SECRET_NAME)}, ${store.protection}) and cannot be rotated from this command — rotate it in the app.`,
  )
}
