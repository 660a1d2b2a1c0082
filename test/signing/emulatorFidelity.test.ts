/**
 * Emulator fidelity: loaded with the Speculos default seed, the sandbox emulator must answer the
 * command APDUs of every vector SOURCES.md marks "Speculos, reproduced" with byte-identical
 * responses. The list of vectors is read from SOURCES.md itself, so a vector added there is
 * checked here too.
 */
import { describe, expect, it } from 'vitest'
import { createSandboxLedgerEmulator } from '../../src/main/core/signing/emulator/createSandboxLedgerEmulator'
import { SPECULOS_TEST_MNEMONIC } from '../../src/main/core/signing/emulator/sandboxSoftwareKeys'
import { parseExchanges, readFixture } from './helpers'

/** Files in the SOURCES.md table rows whose last column says "Speculos, reproduced". */
function speculosReproducedVectors(): string[] {
  const files: string[] = []
  for (const line of readFixture('SOURCES.md').split('\n')) {
    if (!line.startsWith('|') || !line.includes('Speculos, reproduced')) continue
    const firstCell = line.split('|')[1]?.trim() ?? ''
    const names = firstCell.split(' / ').map((n) => n.trim())
    const base = (names[0] ?? '').replace(/\.apdu$/, '')
    // "str-getPublicKey.apdu / -confirm.apdu" = str-getPublicKey.apdu and str-getPublicKey-confirm.apdu
    for (const name of names) files.push(name.startsWith('-') ? `${base}${name}` : name)
  }
  return files
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')

const expectedPrompts: Record<string, string[]> = {
  'eth-signTransaction-eip1559.apdu': ['sign-transaction'],
  'eth-signTransaction-eip2930.apdu': ['sign-transaction'],
  'str-getPublicKey.apdu': [],
  'str-getPublicKey-confirm.apdu': ['verify-address'],
  'str-getPublicKey-path19773.apdu': [],
  'str-signHash.apdu': ['sign-hash'],
  'str-signTransaction-multichunk.apdu': ['sign-transaction'],
}

describe('sandbox emulator fidelity (Speculos seed)', () => {
  const vectors = speculosReproducedVectors()

  it('finds the seven vectors SOURCES.md marks as reproduced', () => {
    expect(vectors).toEqual([
      'eth-signTransaction-eip1559.apdu',
      'eth-signTransaction-eip2930.apdu',
      'str-getPublicKey.apdu',
      'str-getPublicKey-confirm.apdu',
      'str-getPublicKey-path19773.apdu',
      'str-signHash.apdu',
      'str-signTransaction-multichunk.apdu',
    ])
  })

  it.each(vectors)('%s: every response is byte-identical', async (file) => {
    const emulator = createSandboxLedgerEmulator({
      mnemonic: SPECULOS_TEST_MNEMONIC,
      openApp: file.startsWith('eth-') ? 'Ethereum' : 'Stellar',
      user: 'approve',
      stellar: { hashSigning: true },
    })
    const exchanges = parseExchanges(readFixture(file))
    for (const { command, response } of exchanges) {
      expect(hex(await emulator.exchange(Buffer.from(command, 'hex')))).toBe(response)
    }
    // One prompt per request that needs the user, none for the silent ones.
    expect(emulator.stats.prompts.map((p) => p.kind)).toEqual(expectedPrompts[file])
  })
})
