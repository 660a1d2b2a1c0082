/**
 * Emulator fidelity: loaded with the Speculos default seed, the sandbox emulator must answer the
 * command APDUs of every vector SOURCES.md marks "Speculos, reproduced" or "Speculos seed,
 * computed" (Ledger's own framing, the answer signed with the seed) with byte-identical responses.
 * The list of vectors is read from SOURCES.md itself, so a vector added there is checked here too.
 * The emulated app reports the version the recording's `b0 01` answer names (the EIP-712 client
 * picks its filter format from it).
 */
import { describe, expect, it } from 'vitest'
import { createSandboxLedgerEmulator } from '../../src/main/core/signing/emulator/createSandboxLedgerEmulator'
import { SPECULOS_TEST_MNEMONIC } from '../../src/main/core/signing/emulator/sandboxSoftwareKeys'
import { parseExchanges, readFixture } from './helpers'

/** Files in the SOURCES.md table rows whose signature column says the Speculos seed gives its bytes. */
function speculosReproducedVectors(): string[] {
  const files: string[] = []
  for (const line of readFixture('SOURCES.md').split('\n')) {
    if (!line.startsWith('|') || !(line.includes('Speculos, reproduced') || line.includes('Speculos seed, computed'))) continue
    const firstCell = line.split('|')[1]?.trim() ?? ''
    const names = firstCell.split(' / ').map((n) => n.trim())
    const base = (names[0] ?? '').replace(/\.apdu$/, '')
    // "str-getPublicKey.apdu / -confirm.apdu" = str-getPublicKey.apdu and str-getPublicKey-confirm.apdu
    for (const name of names) files.push(name.startsWith('-') ? `${base}${name}` : name)
  }
  return files
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')

/** The app version in a recording's `b0 01` answer (01 ‖ name ‖ version ‖ flags), if it has one. */
function recordedAppVersion(file: string): [number, number, number] | undefined {
  const answer = parseExchanges(readFixture(file)).find((e) => e.command === 'b001000000')?.response
  if (!answer) return undefined
  const bytes = Buffer.from(answer, 'hex')
  const nameLength = bytes[1] ?? 0
  const versionLength = bytes[2 + nameLength] ?? 0
  const version = bytes.subarray(3 + nameLength, 3 + nameLength + versionLength).toString('ascii')
  const [major = 0, minor = 0, patch = 0] = version.split('.').map(Number)
  return [major, minor, patch]
}

const expectedPrompts: Record<string, string[]> = {
  'eth-signTransaction-eip1559.apdu': ['sign-transaction'],
  'eth-signTransaction-eip2930.apdu': ['sign-transaction'],
  'str-getPublicKey.apdu': [],
  'str-getPublicKey-confirm.apdu': ['verify-address'],
  'str-getPublicKey-path19773.apdu': [],
  'str-signHash.apdu': ['sign-hash'],
  'str-signTransaction-multichunk.apdu': ['sign-transaction'],
  'eth-signEIP712Message-mail-speculos.apdu': ['sign-typed-data'],
  'eth-signEIP712Message-nested-bytes-chunked-speculos.apdu': ['sign-typed-data'],
  'eth-signEIP712Message-filtered-v2-empty-array.apdu': ['sign-typed-data'],
}

describe('sandbox emulator fidelity (Speculos seed)', () => {
  const vectors = speculosReproducedVectors()

  it('finds the ten vectors SOURCES.md marks as reproduced from the Speculos seed', () => {
    expect(vectors).toEqual([
      'eth-signTransaction-eip1559.apdu',
      'eth-signTransaction-eip2930.apdu',
      'str-getPublicKey.apdu',
      'str-getPublicKey-confirm.apdu',
      'str-getPublicKey-path19773.apdu',
      'str-signHash.apdu',
      'str-signTransaction-multichunk.apdu',
      'eth-signEIP712Message-mail-speculos.apdu',
      'eth-signEIP712Message-nested-bytes-chunked-speculos.apdu',
      'eth-signEIP712Message-filtered-v2-empty-array.apdu',
    ])
  })

  it.each(vectors)('%s: every response is byte-identical', async (file) => {
    const emulator = createSandboxLedgerEmulator({
      mnemonic: SPECULOS_TEST_MNEMONIC,
      openApp: file.startsWith('eth-') ? 'Ethereum' : 'Stellar',
      user: 'approve',
      stellar: { hashSigning: true },
      // Unfiltered EIP-712 needs "Raw messages" (or blind signing) on a current app; with it on,
      // the app would ignore filters, so the filtered vector runs without it and its filters are checked.
      ethereum: { rawMessages: !file.includes('-filtered-'), version: recordedAppVersion(file) },
    })
    const exchanges = parseExchanges(readFixture(file))
    for (const { command, response } of exchanges) {
      expect(hex(await emulator.exchange(Buffer.from(command, 'hex')))).toBe(response)
    }
    // One prompt per request that needs the user, none for the silent ones.
    expect(emulator.stats.prompts.map((p) => p.kind)).toEqual(expectedPrompts[file])
  })
})
