import { Account, Asset, Keypair, Networks, Operation, TransactionBuilder, type Transaction } from '@stellar/stellar-base'
import { describe, expect, it } from 'vitest'
import { ExternalSigningFileSchema } from './externalFile'
import { exportUnsignedStellar, verifySignedStellar } from './externalStellar'
import { importSignedFile, type ExpectedSigned } from './importSignedFile'

// TEST KEYS: derived from fixed seeds, never funded, never used by the app.
const source = Keypair.fromRawEd25519Seed(Buffer.alloc(32, 1))
const other = Keypair.fromRawEd25519Seed(Buffer.alloc(32, 2))
const destination = Keypair.fromRawEd25519Seed(Buffer.alloc(32, 3)).publicKey()
const elsewhere = Keypair.fromRawEd25519Seed(Buffer.alloc(32, 4)).publicKey()
const networkPassphrase = Networks.TESTNET

function build(change: { amount?: string; destination?: string; sequence?: string } = {}): Transaction {
  return new TransactionBuilder(new Account(source.publicKey(), change.sequence ?? '41'), { fee: '100', networkPassphrase })
    .addOperation(
      Operation.payment({ destination: change.destination ?? destination, asset: Asset.native(), amount: change.amount ?? '12.5' }),
    )
    .setTimebounds(0, 1_900_000_000)
    .build()
}

const unsignedXdr = build().toEnvelope().toXDR('base64')
const expected = { submissionId: 'st-1', source: source.publicKey(), networkPassphrase, unsignedXdr }

function signedXdr(tx: Transaction, ...keys: Keypair[]): string {
  tx.sign(...keys)
  return tx.toEnvelope().toXDR('base64')
}

function refusal(xdrText: string): { code?: string; message: string } {
  try {
    verifySignedStellar(expected, xdrText)
  } catch (e) {
    return e as { code?: string; message: string }
  }
  throw new Error('expected a refusal')
}

describe('external Stellar signing', () => {
  it('round trip: the exported unsigned XDR signed externally is accepted', async () => {
    const file = ExternalSigningFileSchema.parse(JSON.parse(JSON.stringify(exportUnsignedStellar([expected]))))
    if (file.rail !== 'stellar') throw new Error('rail')
    const item = file.items[0]
    if (!item) throw new Error('item')
    expect(item.summary.sequence).toBe('42')
    expect(item.summary.operations).toEqual([{ type: 'payment', destination, asset: 'native', amount: '12.5000000' }])
    // The "air-gapped machine": reads the XDR it was given and signs it.
    const tx = TransactionBuilder.fromXDR(item.unsigned, item.networkPassphrase) as Transaction
    const signed = signedXdr(tx, source)
    const result = verifySignedStellar(expected, signed)
    expect(result.hash).toBe(build().hash().toString('hex'))
    expect(result.hash).toBe(item.summary.hash)

    const map = new Map<string, ExpectedSigned>([['st-1', { rail: 'stellar', ...expected }]])
    const imported = await importSignedFile(
      JSON.stringify({ format: 'countersign.external-signed.v1', items: [{ submissionId: 'st-1', signed }] }),
      map,
    )
    expect(imported).toEqual([{ submissionId: 'st-1', rail: 'stellar', hash: result.hash, signed }])
  })

  it.each([
    ['amount', { amount: '13' }, /operation 1 amount/],
    ['destination', { destination: elsewhere }, /operation 1 destination/],
    ['sequence', { sequence: '99' }, /sequence number/],
  ] as const)('refuses a signed tx with another %s', (_name, change, field) => {
    const error = refusal(signedXdr(build(change), source))
    expect(error.code).toBe('EXTERNAL_CONTENT_MISMATCH')
    expect(error.message).toMatch(field)
  })

  it('refuses a signature by another key, a missing one, or an extra one', () => {
    const byOther = refusal(signedXdr(build(), other))
    expect(byOther.code).toBe('EXTERNAL_SIGNATURE_INVALID')
    expect(byOther.message).toMatch(/not signed by the source/)
    expect(refusal(unsignedXdr).code).toBe('EXTERNAL_SIGNATURE_INVALID')
    expect(refusal(signedXdr(build(), source, other)).message).toMatch(/exactly one signature/)
    expect(refusal('AAAA').code).toBe('EXTERNAL_SIGNATURE_INVALID')
  })

  it('refuses to export an envelope whose source is not the named one', () => {
    expect(() => exportUnsignedStellar([{ ...expected, source: other.publicKey() }])).toThrow(/source/)
  })
})
