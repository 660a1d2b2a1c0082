/**
 * EIP-712 typed data in full, on the Ledger path and in the device emulator:
 *  - Ledger's own transcripts (test/fixtures/ledger, SOURCES.md) replayed against the emulator:
 *    the "format only" ones (unknown device) are accepted frame for frame and the emulator's own
 *    signature recovers to its address over the digest SOURCES.md gives; the filtered one has its
 *    filter signatures checked, and a tampered filter is refused;
 *  - what the emulated Nano shows, for Ledger's sample and for a Countersign batch approval, equal
 *    to describeTypedDataForDevice;
 *  - signEvmTypedData through the real hw-app-eth client over the emulator transport: a signature
 *    viem recovers to the emulator's address, user rejection, the settings the app requires, no
 *    network, and refusal of typed data the client would send as something else.
 * (emulatorFidelity.test.ts checks the Speculos-seed EIP-712 vectors byte for byte; replay.test.ts
 * checks that our client sends exactly Ledger's recorded frames.)
 */
import { createRequire } from 'node:module'
import net from 'node:net'
import { keccak_256 } from '@noble/hashes/sha3.js'
import {
  domainSeparator,
  hashStruct,
  hashTypedData,
  recoverAddress,
  recoverTypedDataAddress,
  serializeSignature,
  type TypedDataDefinition,
} from 'viem'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { describeTypedDataForDevice } from '../../src/main/core/signing/describeTypedDataForDevice'
import {
  createSandboxLedgerEmulator,
  type SandboxLedgerEmulatorOptions,
} from '../../src/main/core/signing/emulator/createSandboxLedgerEmulator'
import { SPECULOS_TEST_MNEMONIC } from '../../src/main/core/signing/emulator/sandboxSoftwareKeys'
import { createLedgerSigner } from '../../src/main/core/signing/ledgerDevice/createLedgerSigner'
import type { LedgerTransportFactory } from '../../src/main/core/signing/ledgerDevice/LedgerTransportFactory'
import type { Hex } from '../../src/main/core/signing/Signer'
import { createSandboxEmulators, createSandboxSigner } from '../../src/main/core/signing/sandboxSigner'
import { createManualTimer, parseExchanges, readFixture, rejectionOf } from './helpers'

/** Speculos seed (SOURCES.md): m/44'/60'/0'/0/0 and m/44'/60'/0'/0'/0. */
const SPECULOS_EVM_ADDRESS = '0xDad77910DbDFdE764fC21FCD4E74D71bBACA6D8D'
const SPECULOS_EVM_ADDRESS_HARDENED = '0xD07bf8314CC4491ca915A90202c67d40C4067def'
const PATH = "44'/60'/0'/0/0"
/** Digests SOURCES.md gives for the two "format only" transcripts (viem hashTypedData of their inputs). */
const MAIL_DIGEST: Hex = '0xe1ba5e914d73ca971c6f36e8c6782929b2fec69b602442297f0a4bac35b387ce'
const NESTED_DIGEST: Hex = '0x7d1f9cac8f7edd3e5565f414e0113aba0cf472b016b9c1544d7d7634cb1bf100'

const input = (name: string) => JSON.parse(readFixture(name)) as { path: string; message: TypedDataDefinition }
const MAIL = input('eth-signEIP712Message-mail.input.json').message
const NESTED = input('eth-signEIP712Message-nested-bytes-chunked.input.json').message

/** A Countersign batch approval, as the approval flow signs it. */
const APPROVAL_DIGEST: Hex = '0x9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'
const APPROVAL = {
  domain: { name: 'Countersign', version: '1', chainId: 1 },
  types: {
    BatchApproval: [
      { name: 'batchId', type: 'string' },
      { name: 'batch', type: 'string' },
      { name: 'version', type: 'uint64' },
      { name: 'payouts', type: 'uint32' },
      { name: 'totals', type: 'string' },
      { name: 'digest', type: 'bytes32' },
    ],
  },
  primaryType: 'BatchApproval',
  message: {
    batchId: 'bat_01JQ7ZK3M4',
    batch: 'Payroll March',
    version: 3n,
    payouts: 250,
    totals: '12,400.00 USDC',
    digest: APPROVAL_DIGEST,
  },
} as const satisfies TypedDataDefinition

const APPROVAL_SCREENS = [
  { label: 'Review struct', value: 'EIP712Domain' },
  { label: 'name', value: 'Countersign' },
  { label: 'version', value: '1' },
  { label: 'chainId', value: '1' },
  { label: 'Review struct', value: 'BatchApproval' },
  { label: 'batchId', value: 'bat_01JQ7ZK3M4' },
  { label: 'batch', value: 'Payroll March' },
  { label: 'version', value: '3' },
  { label: 'payouts', value: '250' },
  { label: 'totals', value: '12,400.00 USDC' },
  { label: 'digest', value: '0x9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08' },
]

function emulatorFor(ethereum: SandboxLedgerEmulatorOptions['ethereum'] = { rawMessages: true }, user: 'approve' | 'reject' = 'approve') {
  return createSandboxLedgerEmulator({ mnemonic: SPECULOS_TEST_MNEMONIC, openApp: 'Ethereum', user, ethereum })
}

function signerOver(factory: LedgerTransportFactory, deviceId: string) {
  return createLedgerSigner({ factory, deviceId, timer: createManualTimer() })
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')

/** Sends every recorded command to the emulator; returns its answers in order. */
async function replayCommands(emulator: ReturnType<typeof emulatorFor>, file: string): Promise<{ recorded: string; answer: string }[]> {
  const out: { recorded: string; answer: string }[] = []
  for (const { command, response } of parseExchanges(readFixture(file))) {
    out.push({ recorded: response, answer: hex(await emulator.exchange(Buffer.from(command, 'hex'))) })
  }
  return out
}

/** v ‖ r ‖ s ‖ 9000 → the signer's address over `hash`. */
async function signerOfAnswer(answer: string, hash: Hex): Promise<string> {
  expect(answer.endsWith('9000')).toBe(true)
  const v = parseInt(answer.slice(0, 2), 16)
  return recoverAddress({ hash, signature: `0x${answer.slice(2, 130)}${v.toString(16)}` })
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('Ledger EIP-712 transcripts against the emulator', () => {
  it.each([
    ['eth-signEIP712Message-mail.apdu', MAIL, MAIL_DIGEST, 30],
    ['eth-signEIP712Message-nested-bytes-chunked.apdu', NESTED, NESTED_DIGEST, 43],
  ] as const)(
    '%s ("format only"): same frames accepted; its own signature recovers over the listed digest',
    async (file, message, digest, count) => {
      // The listed digest is viem's hash of the input the frames were made from.
      expect(hashTypedData(message)).toBe(digest)
      const emulator = emulatorFor({ rawMessages: true, version: [1, 0, 0] })
      const answers = await replayCommands(emulator, file)
      expect(answers).toHaveLength(count)
      for (const { recorded, answer } of answers.slice(0, -1)) expect(answer).toBe(recorded)
      const last = answers[answers.length - 1]
      if (!last) throw new Error('empty transcript')
      // Another device signed the recording; the emulator's signature is its own, over the same digest.
      expect(last.answer).not.toBe(last.recorded)
      expect(await signerOfAnswer(last.answer, digest)).toBe(SPECULOS_EVM_ADDRESS)
      expect(emulator.stats.prompts.map((p) => p.kind)).toEqual(['sign-typed-data'])
    },
  )

  it('eth-signEIP712HashedMessage.apdu (P2 00, "format only"): signed over keccak256(0x1901 ‖ domain ‖ message)', async () => {
    const emulator = emulatorFor({ blindSigning: true })
    const [only] = await replayCommands(emulator, 'eth-signEIP712HashedMessage.apdu')
    const digest = `0x${hex(
      keccak_256(
        Buffer.from(
          '1901c24f499b8c957196651b13edd64aaccc3980009674b2aea0966c8a56ba81278e9d96be8a7cca396e711a3ba356bd9878df02a726d753ddb6cda3c507d888bc77',
          'hex',
        ),
      ),
    )}` as Hex
    expect(await signerOfAnswer(only?.answer ?? '', digest)).toBe(SPECULOS_EVM_ADDRESS_HARDENED)
  })

  it('shows Ledger\'s mail sample field by field with "Raw messages" on', async () => {
    const emulator = emulatorFor({ rawMessages: true, version: [1, 0, 0] })
    await replayCommands(emulator, 'eth-signEIP712Message-mail-speculos.apdu')
    const screens = [
      { label: 'Review struct', value: 'EIP712Domain' },
      { label: 'name', value: 'Ether Mail' },
      { label: 'version', value: '1' },
      { label: 'chainId', value: '5' },
      { label: 'verifyingContract', value: '0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC' },
      { label: 'Review struct', value: 'Mail' },
      { label: 'name', value: 'Cow' },
      { label: 'wallets', value: '0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826' },
      { label: 'wallets', value: '0xDeaDbeefdEAdbeefdEadbEEFdeadbeEFdEaDbeeF' },
      { label: 'name', value: 'Bob' },
      { label: 'wallets', value: '0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB' },
      { label: 'wallets', value: '0xB0BdaBea57B0BDABeA57b0bdABEA57b0BDabEa57' },
      { label: 'wallets', value: '0xB0B0b0b0b0b0B000000000000000000000000000' },
      { label: 'contents', value: 'Hello, Bob!' },
    ]
    expect(emulator.lastDisplay()).toEqual(screens)
    expect(emulator.stats.prompts[0]?.lines).toEqual(screens)
    expect(describeTypedDataForDevice(MAIL)).toEqual(screens)
  })

  it('shows the chunked 256-byte bytes field as the app does: 188 bytes of uppercase hex, then "..."', async () => {
    const emulator = emulatorFor({ rawMessages: true, version: [1, 0, 0] })
    await replayCommands(emulator, 'eth-signEIP712Message-nested-bytes-chunked-speculos.apdu')
    // makeAsset.assetType.data (64 bytes), takeAsset.assetType.data (empty), then Order.data (256 bytes).
    const data = emulator.lastDisplay()?.filter((l) => l.label === 'data') ?? []
    expect(data.map((l) => l.value.length)).toEqual([2 + 64 * 2, 2, 379])
    expect(data[1]?.value).toBe('0x')
    expect(data[2]?.value).toMatch(/^0x0{62}20[0-9A-F]+\.\.\.$/)
    expect(emulator.lastDisplay()).toEqual(describeTypedDataForDevice(NESTED))
  })

  it('filtered message: checks each filter signature and shows only the filtered fields under their labels', async () => {
    const emulator = emulatorFor({ rawMessages: false, version: [1, 12, 0] })
    const answers = await replayCommands(emulator, 'eth-signEIP712Message-filtered-v2-empty-array.apdu')
    expect(answers.every((a) => a.answer === a.recorded)).toBe(true)
    expect(emulator.lastDisplay()).toEqual([
      { label: 'Contract', value: 'Chewie' },
      { label: 'Network', value: 'Goerli' },
      { label: 'Sender', value: 'Cow' },
      { label: 'Message', value: 'Hello, Bob!' },
    ])
  })

  it('filtered message: a filter whose signature does not verify is refused (0x6A80) and the message dropped', async () => {
    const emulator = emulatorFor({ rawMessages: false, version: [1, 12, 0] })
    const exchanges = parseExchanges(readFixture('eth-signEIP712Message-filtered-v2-empty-array.apdu'))
    const senderIndex = exchanges.findIndex(
      (e) => e.command.startsWith('e01e00ff') && e.command.includes(Buffer.from('Sender').toString('hex')),
    )
    expect(senderIndex).toBeGreaterThan(0)
    const answers: string[] = []
    for (const [i, { command }] of exchanges.entries()) {
      // Flip the label's last byte: "Sender" → "Sendes", still well-formed, no longer what Ledger signed.
      const sent = i === senderIndex ? command.replace('53656e646572', '53656e646573') : command
      answers.push(hex(await emulator.exchange(Buffer.from(sent, 'hex'))))
    }
    expect(answers[senderIndex]).toBe('6a80')
    // The message was dropped: the next value has no context to go to, and nothing is signed.
    expect(answers[senderIndex + 1]).toBe('6986')
    expect(answers[answers.length - 1]).toBe('6986')
    expect(emulator.stats.signatures).toBe(0)
  })
})

describe('signEvmTypedData through hw-app-eth over the emulator', () => {
  it('a Countersign approval: the device shows its fields, and the signature recovers to the emulator account', async () => {
    const emulator = emulatorFor({ rawMessages: true })
    const signer = signerOver(emulator.transportFactory, emulator.deviceId)
    const signature = await signer.signEvmTypedData({ path: PATH, expectedAddress: SPECULOS_EVM_ADDRESS, typedData: APPROVAL })
    expect(await recoverTypedDataAddress({ ...APPROVAL, signature: serializeSignature(signature) })).toBe(SPECULOS_EVM_ADDRESS)
    expect(await recoverAddress({ hash: hashTypedData(APPROVAL), signature: serializeSignature(signature) })).toBe(SPECULOS_EVM_ADDRESS)
    expect(emulator.lastDisplay()).toEqual(APPROVAL_SCREENS)
    expect(describeTypedDataForDevice(APPROVAL)).toEqual(APPROVAL_SCREENS)
    // The emulator hashed what it was streamed; its hashes are viem's.
    const [prompt] = emulator.stats.prompts
    expect(prompt).toMatchObject({ kind: 'sign-typed-data', answer: 'approved', lines: APPROVAL_SCREENS })
    expect(prompt?.fields).toEqual({
      domainHash: domainSeparator({ domain: APPROVAL.domain }),
      messageHash: hashStruct({ data: APPROVAL.message, primaryType: 'BatchApproval', types: APPROVAL.types }),
    })
  })

  it('the sandbox signer ("Raw messages" on) signs an approval with its fields shown', async () => {
    const emulators = createSandboxEmulators()
    const signer = createSandboxSigner(emulators)
    const signature = await signer.signEvmTypedData({ path: PATH, expectedAddress: SPECULOS_EVM_ADDRESS, typedData: APPROVAL })
    await signer.close()
    expect(await recoverTypedDataAddress({ ...APPROVAL, signature: serializeSignature(signature) })).toBe(SPECULOS_EVM_ADDRESS)
    expect(emulators.ethereum.lastDisplay()).toEqual(APPROVAL_SCREENS)
  })

  it("every field type: the emulator, fed by hw-app-eth, shows what describeTypedDataForDevice says, and signs viem's digest", async () => {
    const emulator = emulatorFor({ rawMessages: true })
    const signature = await signerOver(emulator.transportFactory, emulator.deviceId).signEvmTypedData({
      path: PATH,
      expectedAddress: SPECULOS_EVM_ADDRESS,
      typedData: EVERY_TYPE,
    })
    expect(await recoverTypedDataAddress({ ...EVERY_TYPE, signature: serializeSignature(signature) })).toBe(SPECULOS_EVM_ADDRESS)
    const screens = describeTypedDataForDevice(EVERY_TYPE)
    expect(emulator.lastDisplay()).toEqual(screens)
    // 5 domain fields, 9 fields with 2 holders of 2 fields and 3 grid values, 2 struct headers.
    expect(screens).toHaveLength(2 + 5 + 7 + 2 * 2 + 3)
  })

  it('a value changed on its way to the device shows as changed there, and the signature is refused', async () => {
    const emulator = emulatorFor({ rawMessages: true })
    const [from, to] = [Buffer.from('Payroll March').toString('hex'), Buffer.from('Payroll Marcx').toString('hex')]
    const factory: LedgerTransportFactory = {
      ...emulator.transportFactory,
      async open(id) {
        const transport = await emulator.transportFactory.open(id)
        const exchange = transport.exchange.bind(transport)
        transport.exchange = (apdu: Buffer) => exchange(Buffer.from(apdu.toString('hex').replace(from, to), 'hex'))
        return transport
      },
    }
    const error = await rejectionOf(
      signerOver(factory, emulator.deviceId).signEvmTypedData({ path: PATH, expectedAddress: SPECULOS_EVM_ADDRESS, typedData: APPROVAL }),
    )
    expect(error.code).toBe('DEVICE_ADDRESS_MISMATCH')
    expect(emulator.lastDisplay()?.find((l) => l.label === 'batch')?.value).toBe('Payroll Marcx')
  })

  it('the user sees every field before answering; a rejection is DEVICE_REJECTED and nothing is signed', async () => {
    const emulator = createSandboxLedgerEmulator({
      mnemonic: SPECULOS_TEST_MNEMONIC,
      openApp: 'Ethereum',
      user: 'manual',
      ethereum: { rawMessages: true },
    })
    const signing = signerOver(emulator.transportFactory, emulator.deviceId).signEvmTypedData({
      path: PATH,
      expectedAddress: SPECULOS_EVM_ADDRESS,
      typedData: APPROVAL,
    })
    const prompt = await emulator.nextPrompt()
    expect(prompt.lines).toEqual(APPROVAL_SCREENS)
    prompt.reject()
    const error = await rejectionOf(signing)
    expect(error.code).toBe('DEVICE_REJECTED')
    expect(error.message).toBe('The typed-data message was rejected on the Ledger — nothing was signed. Try again to sign it.')
    expect(emulator.stats.signatures).toBe(0)
  })

  it('without "Raw messages", blind signing shows the domain and the message hash (a Nano)', async () => {
    const emulator = emulatorFor({ blindSigning: true, rawMessages: false })
    await signerOver(emulator.transportFactory, emulator.deviceId).signEvmTypedData({
      path: PATH,
      expectedAddress: SPECULOS_EVM_ADDRESS,
      typedData: APPROVAL,
    })
    const messageHash = hashStruct({ data: APPROVAL.message, primaryType: 'BatchApproval', types: APPROVAL.types })
    expect(emulator.lastDisplay()).toEqual([
      { label: 'name', value: 'Countersign' },
      { label: 'version', value: '1' },
      { label: 'chainId', value: '1' },
      { label: 'Message hash', value: `0x${messageHash.slice(2).toUpperCase()}` },
    ])
  })

  it('with neither setting the app refuses before showing anything; turning "Raw messages" on then works', async () => {
    const emulator = emulatorFor({ blindSigning: false, rawMessages: false })
    const signer = signerOver(emulator.transportFactory, emulator.deviceId)
    const request = { path: PATH, expectedAddress: SPECULOS_EVM_ADDRESS, typedData: APPROVAL } as const
    const error = await rejectionOf(signer.signEvmTypedData(request))
    expect(error.code).toBe('DEVICE_BLIND_SIGNING_OFF')
    expect(error.message).toContain('turn on "Raw messages"')
    expect(error.details).toMatchObject({ operation: 'sign-evm-typed-data', statusWord: '0x6a80' })
    expect(emulator.stats.prompts).toEqual([])
    expect(emulator.lastDisplay()).toEqual([])
    emulator.settings.ethereum.rawMessages = true
    await signer.signEvmTypedData(request)
    expect(emulator.lastDisplay()).toEqual(APPROVAL_SCREENS)
  })

  it('stays offline: no filter or token lookup, no socket (hw-app-eth with its defaults would call out)', async () => {
    const requireCjs = createRequire(import.meta.url)
    // The one axios instance hw-app-eth and evm-tools load; stubbed, so the control makes no request either.
    const axios = requireCjs('axios') as { get: (...args: unknown[]) => Promise<unknown> }
    const get = vi.spyOn(axios, 'get').mockRejectedValue(new Error('network blocked in this test'))
    const connect = vi.spyOn(net.Socket.prototype, 'connect')
    const emulator = emulatorFor({ rawMessages: true })
    await signerOver(emulator.transportFactory, emulator.deviceId).signEvmTypedData({
      path: PATH,
      expectedAddress: SPECULOS_EVM_ADDRESS,
      typedData: APPROVAL,
    })
    expect(get).not.toHaveBeenCalled()
    expect(connect).not.toHaveBeenCalled()
    // Control: the same client built with its default config asks Ledger's CAL service for filters.
    const Eth = (
      requireCjs('@ledgerhq/hw-app-eth') as { default: new (t: unknown) => { signEIP712Message(p: string, m: unknown): Promise<unknown> } }
    ).default
    const transport = await emulatorFor({ rawMessages: true }).transportFactory.open('sandbox-ledger-emulator')
    await new Eth(transport).signEIP712Message(PATH, { ...APPROVAL, types: { ...APPROVAL.types, EIP712Domain: EIP712_DOMAIN_TYPES } })
    expect(get.mock.calls.map(([url]) => String(url))).toContain('https://crypto-assets-service.api.ledger.com/v1/dapps')
  })

  it.each([
    [
      'a struct named like a Solidity type',
      { types: { String: [{ name: 'x', type: 'uint8' }] }, primaryType: 'String', message: { x: 1 } },
    ],
    ['a struct name ending in a digit', { types: { Mint2: [{ name: 'x', type: 'uint8' }] }, primaryType: 'Mint2', message: { x: 1 } }],
    ['a string the client would cut short (254 bytes)', { ...APPROVAL, message: { ...APPROVAL.message, totals: 'x'.repeat(254) } }],
    ['an integer as an unsafe JS number', { ...APPROVAL, message: { ...APPROVAL.message, version: 2 ** 60 } }],
    ['a bare uint', { types: { T: [{ name: 'x', type: 'uint' }] }, primaryType: 'T', message: { x: 1 } }],
    ['an array longer than 255', { types: { T: [{ name: 'x', type: 'uint8[]' }] }, primaryType: 'T', message: { x: Array(256).fill(1) } }],
  ])('refuses %s with INVALID_INPUT before any APDU', async (_, typedData) => {
    const emulator = emulatorFor()
    const error = await rejectionOf(
      signerOver(emulator.transportFactory, emulator.deviceId).signEvmTypedData({
        path: PATH,
        expectedAddress: null,
        typedData: { domain: APPROVAL.domain, ...typedData } as TypedDataDefinition,
      }),
    )
    expect(error.code).toBe('INVALID_INPUT')
    expect(error.message).toMatch(/^This EIP-712 message cannot be signed on a Ledger: /)
    expect(emulator.stats.exchanges).toBe(0)
  })
})

/** One of each kind of field the app formats: signed ints, bytes over the display limit, a long string, arrays. */
const EVERY_TYPE = {
  domain: {
    name: 'Every type',
    version: '2',
    chainId: 137,
    verifyingContract: '0x1111111111111111111111111111111111111111',
    salt: `0x${'00'.repeat(31)}01`,
  },
  types: {
    Holder: [
      { name: 'who', type: 'address' },
      { name: 'ok', type: 'bool' },
    ],
    Kitchen: [
      { name: 'small', type: 'int8' },
      { name: 'big', type: 'int256' },
      { name: 'mid', type: 'int32' },
      { name: 'flag', type: 'bool' },
      { name: 'tag', type: 'bytes4' },
      { name: 'blob', type: 'bytes' },
      { name: 'note', type: 'string' },
      { name: 'holders', type: 'Holder[2]' },
      { name: 'grid', type: 'uint16[][]' },
    ],
  },
  primaryType: 'Kitchen',
  message: {
    small: -1,
    big: -(2n ** 200n),
    mid: -5,
    flag: true,
    tag: '0xdeadbeef',
    blob: `0x${'ab'.repeat(300)}`,
    note: 'n'.repeat(400),
    holders: [
      { who: '0xb0b0b0b0b0b0b000000000000000000000000000', ok: true },
      { who: '0x2222222222222222222222222222222222222222', ok: false },
    ],
    grid: [[1, 2], [], [65535]],
  },
} as const satisfies TypedDataDefinition

const EIP712_DOMAIN_TYPES = [
  { name: 'name', type: 'string' },
  { name: 'version', type: 'string' },
  { name: 'chainId', type: 'uint256' },
]
