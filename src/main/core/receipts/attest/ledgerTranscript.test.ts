/**
 * A Ledger personal-message transcript (3 APDU frames of the Ethereum app, replayed through
 * hw-app-eth and the real Ledger signer code) verifies with the attestation's EVM check — the
 * same framing and signature format the device produces for an attestation message.
 * Source of the vector: test/fixtures/ledger/personal-message/SOURCES.md.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { createManualTimer, openAppExchange, replayFactory } from '../../../../../test/signing/helpers'
import { createLedgerSigner } from '../../signing/ledgerDevice/createLedgerSigner'
import { attestationSignatureProblem, encodeEvmSignature } from './attestationMessage'

const dir = new URL('../../../../../test/fixtures/ledger/personal-message/', import.meta.url)
const transcript = readFileSync(new URL('eth-signPersonalMessage-siwe-300.apdu', dir), 'utf8')
const input = JSON.parse(readFileSync(new URL('eth-signPersonalMessage-siwe-300.input.json', dir), 'utf8')) as {
  path: string
  messageHex: string
  messageUtf8: string
}
/** The account of the Speculos seed at the vector's path (SOURCES.md). */
const SIGNER = '0xD07bf8314CC4491ca915A90202c67d40C4067def'

describe('a recorded Ledger personal-message transcript', () => {
  it('verifies with the EVM attestation check, and only for its own text and signer', async () => {
    expect(Buffer.from(input.messageUtf8, 'utf8').toString('hex')).toBe(input.messageHex)
    const { store, factory } = replayFactory(openAppExchange('Ethereum', '1.10.3'), transcript)
    const signer = createLedgerSigner({ factory, deviceId: 'replay', timer: createManualTimer() })
    const sig = await signer.signEvmPersonalMessage({
      path: input.path,
      expectedAddress: SIGNER,
      message: new TextEncoder().encode(input.messageUtf8),
    })
    store.ensureQueueEmpty()
    const signature = encodeEvmSignature(sig)
    expect(signature.startsWith('a3287055')).toBe(true)
    expect(signature.endsWith('1b')).toBe(true)
    const check = { chain: 'evm' as const, message: input.messageUtf8, signer: SIGNER, signature }
    expect(attestationSignatureProblem(check)).toBeNull()
    expect(attestationSignatureProblem({ ...check, signer: SIGNER.toLowerCase() })).toBeNull()
    expect(attestationSignatureProblem({ ...check, message: input.messageUtf8.replace('Version: 1', 'Version: 2') })).toMatch(
      /not by the treasury address/,
    )
    expect(attestationSignatureProblem({ ...check, signer: '0xDad77910DbDFdE764fC21FCD4E74D71bBACA6D8D' })).toMatch(
      new RegExp(`made by ${SIGNER}`),
    )
  })
})
