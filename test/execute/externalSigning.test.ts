/**
 * External signing through the engine, on Anvil and on the Stellar harness: a batch is planned
 * (nonces / sequences reserved) and exported; the "air-gapped machine" — viem's local account or
 * a Stellar keypair from the same public test seed, never the app — signs the files; the import
 * checks every item, commits all, then sends. Tampered content is refused with nothing committed
 * or sent; importing the same file twice sends nothing twice.
 */
import { TransactionBuilder, type Transaction } from '@stellar/stellar-base'
import { parseTransaction, type Hex, type TransactionSerializableEIP1559 } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { executeBatch } from '../../src/main/core/payouts/execute'
import { exportPlanned, importSigned } from '../../src/main/core/payouts/execute/externalSigning'
import { parseBip32Path, stellarAccountPath } from '../../src/main/core/signing/bip32Path'
import { createSandboxSoftwareKeys, SPECULOS_TEST_MNEMONIC } from '../../src/main/core/signing/emulator/sandboxSoftwareKeys'
import { EXTERNAL_SIGNED_FORMAT } from '../../src/main/core/signing/external'
import { recipientAddresses } from '../harness/evm/recipients'
import {
  insertApprovedBatchForTest,
  MAKER,
  pollUntilQuiet,
  railsFor,
  recipientBalance,
  setupWorkspace,
  startWorld,
  tempDir,
  type TestPayout,
  type World,
} from './executeKit'
import {
  pollStellarUntilQuiet,
  setupStellarWorkspace,
  startStellarWorld,
  stellarPayouts,
  stellarRails,
  type StellarWorld,
} from './stellarKit'

/** The air-gapped machine: the treasury key of the public test seed, outside Countersign. */
const offline = mnemonicToAccount(SPECULOS_TEST_MNEMONIC, { path: "m/44'/60'/0'/0/0" })

let world: World
beforeAll(async () => {
  world = await startWorld()
}, 60_000)
afterAll(async () => world?.stop())

async function signEvmFile(
  content: string,
  tamper?: (tx: TransactionSerializableEIP1559) => TransactionSerializableEIP1559,
): Promise<string> {
  const file = JSON.parse(content) as { items: { submissionId: string; unsigned: Hex }[] }
  const items = []
  for (const item of file.items) {
    const tx = parseTransaction(item.unsigned) as TransactionSerializableEIP1559
    items.push({ submissionId: item.submissionId, signed: await offline.signTransaction(tamper ? tamper(tx) : tx) })
  }
  return JSON.stringify({ format: EXTERNAL_SIGNED_FORMAT, items })
}

function payoutsFor(label: string, n: number): TestPayout[] {
  return recipientAddresses(`ext-${label}`, n).map((recipient, i) => ({
    id: `${label}-${i}`,
    assetId: world.tokenAssetId,
    recipient,
    amount: 1_000_000n + BigInt(i),
  }))
}

describe('external signing on Anvil', () => {
  it('export → sign offline → import → confirmed, each payout once; a second import sends nothing', async () => {
    const { ctx } = await setupWorkspace(world, tempDir('ext-ok'))
    const rails = railsFor(world.chain({ payoutsPerChunkMax: 2 }))
    const payouts = payoutsFor('ext-ok', 4)
    await insertApprovedBatchForTest(ctx, 'b-ext', payouts)
    const planned = await executeBatch(ctx, { rails }, 'b-ext', MAKER, { external: true })
    expect(planned).toMatchObject({ chunks: 2, signed: 0, broadcast: 0 })
    const exported = await exportPlanned(ctx, { rails }, 'b-ext')
    expect(exported.files.map((f) => [f.rail, f.transactions])).toEqual([['evm', 2]])
    expect(exported.files[0]!.content).toContain('2 payouts, 2.000001 TUSD')
    const signed = await signEvmFile(exported.files[0]!.content)

    const result = await importSigned(ctx, { rails }, 'b-ext', MAKER, signed)
    expect(result).toMatchObject({ accepted: 2, alreadySigned: 0, broadcast: 2, stillUnsigned: 0 })
    const again = await importSigned(ctx, { rails }, 'b-ext', MAKER, signed)
    expect(again).toMatchObject({ accepted: 0, alreadySigned: 2, broadcast: 0 })
    await pollUntilQuiet(ctx, world, rails)
    for (const p of payouts) expect(await recipientBalance(world, p)).toBe(p.amount)
    const subs = await ctx.db.all(ctx.db.k.selectFrom('submissions').selectAll().where('batch_id', '=', 'b-ext'))
    expect(subs.map((s) => s.state)).toEqual(['confirmed', 'confirmed'])
    for (const s of subs) {
      const receipt = await world.h.clients.publicClient.getTransactionReceipt({ hash: s.tx_hash as Hex })
      expect(receipt.from.toLowerCase()).toBe(offline.address.toLowerCase())
    }
    await ctx.db.close()
  })

  const tampers: [string, (tx: TransactionSerializableEIP1559) => TransactionSerializableEIP1559][] = [
    ['amount (calldata)', (tx) => ({ ...tx, data: `${tx.data!.slice(0, -2)}ff` as Hex })],
    ['nonce', (tx) => ({ ...tx, nonce: (tx.nonce ?? 0) + 1 })],
    ['recipient contract', (tx) => ({ ...tx, to: offline.address })],
    ['fee', (tx) => ({ ...tx, maxFeePerGas: tx.maxFeePerGas! * 2n })],
  ]
  it.each(tampers)('a signed transaction with another %s is refused: nothing committed, nothing sent', async (label, tamper) => {
    const tag = label.replace(/[^a-z]+/g, '-')
    const { ctx } = await setupWorkspace(world, tempDir(`ext-${tag}`))
    const rails = railsFor(world.chain())
    const payouts = payoutsFor(`ext-${tag}`, 2)
    await insertApprovedBatchForTest(ctx, `b-${tag}`, payouts)
    await executeBatch(ctx, { rails }, `b-${tag}`, MAKER, { external: true })
    const file = (await exportPlanned(ctx, { rails }, `b-${tag}`)).files[0]!.content
    const bad = await signEvmFile(file, tamper)
    await expect(importSigned(ctx, { rails }, `b-${tag}`, MAKER, bad)).rejects.toMatchObject({ code: 'EXTERNAL_CONTENT_MISMATCH' })
    const subs = await ctx.db.all(ctx.db.k.selectFrom('submissions').selectAll().where('batch_id', '=', `b-${tag}`))
    expect(subs.map((s) => [s.state, s.signed_payload])).toEqual([['planned', null]])
    for (const p of payouts) expect(await recipientBalance(world, p)).toBe(0n)
    await ctx.db.close()
  })

  it('a file for another batch, or another key, is refused', async () => {
    const { ctx } = await setupWorkspace(world, tempDir('ext-other'))
    const rails = railsFor(world.chain())
    await insertApprovedBatchForTest(ctx, 'b-other', payoutsFor('ext-other', 1))
    await executeBatch(ctx, { rails }, 'b-other', MAKER, { external: true })
    const exported = JSON.parse((await exportPlanned(ctx, { rails }, 'b-other')).files[0]!.content) as {
      items: { submissionId: string; unsigned: Hex }[]
    }
    const stranger = mnemonicToAccount(SPECULOS_TEST_MNEMONIC, { path: "m/44'/60'/0'/0/7" })
    const byStranger = JSON.stringify({
      format: EXTERNAL_SIGNED_FORMAT,
      items: [
        {
          submissionId: exported.items[0]!.submissionId,
          signed: await stranger.signTransaction(parseTransaction(exported.items[0]!.unsigned)),
        },
      ],
    })
    await expect(importSigned(ctx, { rails }, 'b-other', MAKER, byStranger)).rejects.toMatchObject({ code: 'EXTERNAL_SIGNATURE_INVALID' })
    const otherBatch = JSON.stringify({
      format: EXTERNAL_SIGNED_FORMAT,
      batchId: 'b-elsewhere',
      items: [{ submissionId: 'x', signed: '0x00' }],
    })
    await expect(importSigned(ctx, { rails }, 'b-other', MAKER, otherBatch)).rejects.toMatchObject({
      code: 'EXTERNAL_FILE_INVALID',
      message: expect.stringContaining('for batch b-elsewhere'),
    })
    await ctx.db.close()
  })
})

describe('external signing on the Stellar harness', () => {
  let xlm: StellarWorld
  beforeAll(async () => {
    xlm = await startStellarWorld()
  })
  afterAll(async () => xlm?.stop())

  it('export XDR → sign offline → import → applied once; another amount is refused', async () => {
    const ctx = await setupStellarWorkspace(xlm, tempDir('ext-xlm'))
    const rails = stellarRails(xlm.config())
    const payouts = stellarPayouts(xlm, 'ext-xlm', 3, xlm.usdcAssetId)
    await insertApprovedBatchForTest(ctx, 'b-ext-xlm', payouts)
    await executeBatch(ctx, { rails }, 'b-ext-xlm', MAKER, { external: true })
    const file = JSON.parse((await exportPlanned(ctx, { rails }, 'b-ext-xlm')).files[0]!.content) as {
      rail: string
      items: { submissionId: string; unsigned: string; networkPassphrase: string }[]
    }
    expect(file.rail).toBe('stellar')
    const seed = createSandboxSoftwareKeys(SPECULOS_TEST_MNEMONIC)
    // The offline machine's key: the same public test seed at m/44'/148'/0' (never the app's).
    const sign = (xdr: string, passphrase: string, mutate?: (x: string) => string): string => {
      const tx = TransactionBuilder.fromXDR(mutate ? mutate(xdr) : xdr, passphrase) as Transaction
      const signature = seed.ed25519Sign(tx.hash(), parseBip32Path(stellarAccountPath(0)))!
      tx.addSignature(tx.source, Buffer.from(signature).toString('base64'))
      return tx.toEnvelope().toXDR('base64')
    }
    // Tampered: the same transaction rebuilt with another fee is another hash: refused.
    const item = file.items[0]!
    const other = ((): string => {
      const tx = TransactionBuilder.fromXDR(item.unsigned, item.networkPassphrase) as Transaction
      const env = tx.toEnvelope()
      env
        .v1()
        .tx()
        .fee(env.v1().tx().fee() + 1)
      return env.toXDR('base64')
    })()
    const bad = JSON.stringify({
      format: EXTERNAL_SIGNED_FORMAT,
      items: [{ submissionId: item.submissionId, signed: sign(other, item.networkPassphrase) }],
    })
    await expect(importSigned(ctx, { rails }, 'b-ext-xlm', MAKER, bad)).rejects.toMatchObject({ code: 'EXTERNAL_CONTENT_MISMATCH' })

    const good = JSON.stringify({
      format: EXTERNAL_SIGNED_FORMAT,
      items: [{ submissionId: item.submissionId, signed: sign(item.unsigned, item.networkPassphrase) }],
    })
    expect(await importSigned(ctx, { rails }, 'b-ext-xlm', MAKER, good)).toMatchObject({ accepted: 1, broadcast: 1 })
    await pollStellarUntilQuiet(ctx, xlm, rails)
    for (const p of payouts) expect(xlm.h.balance(p.recipient, xlm.usdc)).toBe(p.amount)
    await ctx.db.close()
  })
})
