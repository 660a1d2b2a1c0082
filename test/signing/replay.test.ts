/**
 * Replays every current Ledger vector (test/fixtures/ledger, copied from the shared vectors with
 * SOURCES.md; the archived 150-byte "ledgerjs2022" ones are not used) two ways:
 *  1. the file alone through the app operations (hw-app-eth / hw-app-str), checking the values
 *     SOURCES.md lists — the exact recorded APDUs, nothing added;
 *  2. through the Ledger signer, which first asks which app is open (`b0 01`, a synthetic answer
 *     prepended) and, for Stellar signing, reads the app configuration (a recorded answer).
 * Each replay must use every recorded exchange: `store.ensureQueueEmpty()`.
 */
import { createRequire } from 'node:module'
import type { TypedDataDefinition } from 'viem'
import { describe, expect, it } from 'vitest'
import {
  getEthAddress,
  getEthAppConfiguration,
  provideErc20TokenDescriptor,
  signEthPersonalMessage,
  signEthTransaction,
  signEthTypedData,
  signEthTypedDataHash,
} from '../../src/main/core/signing/ledgerDevice/ethAppOps'
import { createLedgerSigner } from '../../src/main/core/signing/ledgerDevice/createLedgerSigner'
import type { LedgerTransport } from '../../src/main/core/signing/ledgerDevice/ledgerPackages'
import {
  getStellarAppConfiguration,
  getStellarPublicKey,
  signStellarHash,
  signStellarTransaction,
} from '../../src/main/core/signing/ledgerDevice/stellarAppOps'
import { prepareTypedDataForLedger } from '../../src/main/core/signing/prepareTypedDataForLedger'
import type { Hex, Signer } from '../../src/main/core/signing/Signer'
import {
  createManualTimer,
  openAppExchange,
  openReplayTransport,
  parseExchanges,
  readFixture,
  readInputHex,
  rejectionOf,
  replayFactory,
  vectorFiles,
} from './helpers'

const SPECULOS_EVM_ADDRESS = '0xDad77910DbDFdE764fC21FCD4E74D71bBACA6D8D'
const SPECULOS_STELLAR_ACCOUNT = 'GCNCEJIAZ5D3APIF5XWAJ3JSSTHM4HPHE7GK3NAB6R6WWSZDB2A2BQ5B'
const SPECULOS_STELLAR_KEY = '0x9a222500cf47b03d05edec04ed3294cece1de727ccadb401f47d6b4b230e81a0'
/** The developer device that recorded the getAddress-with-chainId vectors (seed unknown). */
const REAL_DEVICE_ADDRESS = '0x6cBCD73CD8e8a42844662f0A0e76D7F79Afd933d'
/** The unknown devices whose signatures the "format only" EIP-712 vectors hold (SOURCES.md). */
const EIP712_MAIL_SIGNER = '0xB7030d92Ec58bA063aC413a2Ce0420A14686f84f'
const EIP712_NESTED_SIGNER = '0xEB1297A7AeEd59196eb8A4e401C952Eb19F62006'

interface Eip712Input {
  path: string
  loadConfig: Record<string, unknown>
  message: TypedDataDefinition
}
const eip712Input = (name: string) => JSON.parse(readFixture(name)) as Eip712Input
const MAIL = eip712Input('eth-signEIP712Message-mail.input.json')
const NESTED = eip712Input('eth-signEIP712Message-nested-bytes-chunked.input.json')
const FILTERED = eip712Input('eth-signEIP712Message-filtered-v2-empty-array.input.json')

/** Our offline client: the message as prepareTypedDataForLedger hands it to hw-app-eth. */
const signTypedInput = (t: LedgerTransport, input: Eip712Input) =>
  signEthTypedData(t, input.path, prepareTypedDataForLedger(input.message).message)

/** hw-app-eth with the vector's own loadConfig (static filters, no network): our client never sends filters. */
function signWithVectorConfig(t: LedgerTransport, input: Eip712Input) {
  const requireCjs = createRequire(import.meta.url)
  const Eth = (requireCjs('@ledgerhq/hw-app-eth') as { default: new (t: LedgerTransport, key: string, config: object) => EthLike }).default
  return new Eth(t, 'w0w', input.loadConfig).signEIP712Message(input.path, input.message)
}
interface EthLike {
  signEIP712Message(path: string, message: unknown): Promise<{ v: number; r: string; s: string }>
}

const typedDataCase = (input: Eip712Input, expectedAddress: Hex, v: bigint, r: string): NonNullable<VectorCase['signer']> => ({
  before: [ethPreamble],
  // The signer checks that the answer recovers to expectedAddress over viem's digest of the input.
  run: async (s) =>
    expect(await s.signEvmTypedData({ path: input.path, expectedAddress, typedData: input.message })).toMatchObject({
      v,
      yParity: v === 27n ? 0 : 1,
      r: expect.stringMatching(new RegExp(`^0x${r}`)) as unknown as string,
    }),
})

const ethPreamble = openAppExchange('Ethereum', '1.10.3')
const strPreamble = openAppExchange('Stellar', '5.4.1')
const strConfigHashOn = readFixture('str-getAppConfiguration-hashSigningEnabled.apdu')
/** Recorded from a 5.4.1 app: hash signing off, 1562-byte buffer. */
const strConfigHashOff = readFixture('str-getAppConfiguration-hashSigningDisabled.apdu')

const EIP1559_TX = '02ef0306843b9aca008504a817c80082520894b2bb2b958afa2e96dab3f3ce7162b87daea39017872386f26fc1000080c0'
const CLEAR_SIGN_TRANSFER_TX = '02e801808417d78400850c529dc58c82520894b0b5b0106d69fe64545a60a68c014f7570d3f8610180c0'
const LEGACY_NO_CHAIN_ID_TX = 'e8018504e3b292008252089428ee52a8f3d6e5d15f8b131996950d7f296c7952872bd72a2487400080'
const LARGE_CHAIN_ID_TX = 'f2018504e3b292008252089428ee52a8f3d6e5d15f8b131996950d7f296c7952872bd72a24874000808709a697f88076c88080'
const FIVE_BYTE_CHAIN_ID_TX =
  'f8358332d79f85072e9ad0f0830186a094810a9082d51802b2281d23e43e77dd846e51b8ee880194be7d2ebf07b3808502a15c308d8080'
const zrxDescriptor =
  '035a5258e41d2489571d322189246dafa5ebde1f4699f4980000001200000001304402200ae8634c22762a8ba41d2acb1e068dcce947337c6dd984f13b820d396176952302203306a49d8a6c35b11a61088e1570b3928ca3a0db6bd36f577b5ef87628561ff7'
const STELLAR_HASH = 'a85c933d37847689825acbdfeb50e66d791814abf03b9be4bd6450abb6c99616'

/**
 * The transaction inside a recorded signing: SOURCES.md shortens some inputs ("01f886…07"), so
 * they are read back from the recorded frames (all INS 04 data, minus the path at the front).
 */
function transactionFromRecording(file: string): string {
  const data = parseExchanges(readFixture(file))
    .map((e) => e.command)
    .filter((c) => c.startsWith('e004'))
    .map((c) => c.slice(10))
    .join('')
  const pathComponents = parseInt(data.slice(0, 2), 16)
  return data.slice(2 + pathComponents * 8)
}

const evm = (tx: string, path: string, expectedAddress: Hex | null, extra: object = {}) => [
  { path, expectedAddress, unsignedTransaction: `0x${tx}` as Hex, ...extra },
]

interface VectorCase {
  /** The recorded file alone, through hw-app-eth / hw-app-str. */
  raw: (t: LedgerTransport) => Promise<void>
  /** Through the Ledger signer: recordings replayed before the file, then the call. */
  signer?: { before: string[]; run: (signer: Signer) => Promise<void>; refusedBeforeDevice?: true }
}

const cases: Record<string, VectorCase> = {
  // ----- Ethereum -----
  'eth-getAppConfiguration.apdu': {
    raw: async (t) => expect(await getEthAppConfiguration(t)).toEqual({ version: '1.1.6', blindSigningEnabled: true }),
    signer: {
      before: [ethPreamble],
      run: async (s) =>
        expect(await s.getStatus()).toEqual({
          openApp: { name: 'Ethereum', version: '1.10.3' },
          ethereum: { version: '1.1.6', blindSigningEnabled: true },
        }),
    },
  },
  'eth-getAddress.apdu': {
    raw: async (t) =>
      expect(await getEthAddress(t, "44'/60'/0'/0'/0", { display: false })).toEqual({
        publicKey:
          '04df00ad3869baad7ce54f4d560ba7f268d542df8f2679a5898d78a690c3db8f9833d2973671cb14b088e91bdf7c0ab00029a576473c0e12f84d252e630bb3809b',
        address: '0xCbA98362e199c41E1864D0923AF9646d3A648451',
      }),
    signer: {
      before: [ethPreamble],
      run: async (s) => {
        const account = await s.getAccount('evm', "m/44'/60'/0'/0'/0")
        expect(account.address).toBe('0xCbA98362e199c41E1864D0923AF9646d3A648451')
        expect(account.path).toBe("44'/60'/0'/0'/0")
        expect(account.publicKey.startsWith('0x04df00ad')).toBe(true)
      },
    },
  },
  'eth-getAddress-display-chainId137.apdu': {
    raw: async (t) =>
      expect((await getEthAddress(t, "44'/60'/0'/0/0", { display: true, chainId: 137n })).address).toBe(REAL_DEVICE_ADDRESS),
    signer: {
      before: [ethPreamble],
      run: async (s) =>
        expect(
          (
            await s.verifyAddress({
              chain: 'evm',
              path: "44'/60'/0'/0/0",
              expectedAddress: REAL_DEVICE_ADDRESS.toLowerCase(),
              evmChainId: 137n,
            })
          ).address,
        ).toBe(REAL_DEVICE_ADDRESS),
    },
  },
  'eth-getAddress-display-chainId5.apdu': {
    raw: async (t) => expect((await getEthAddress(t, "44'/60'/0'/0/0", { display: true, chainId: 5n })).address).toBe(REAL_DEVICE_ADDRESS),
    signer: {
      before: [ethPreamble],
      run: async (s) =>
        expect(
          (await s.verifyAddress({ chain: 'evm', path: "44'/60'/0'/0/0", expectedAddress: REAL_DEVICE_ADDRESS, evmChainId: 5n })).publicKey,
        ).toMatch(/^0x047d8d3c/),
    },
  },
  'eth-signTransaction-eip1559.apdu': {
    raw: async (t) =>
      expect(await signEthTransaction(t, "44'/60'/0'/0/0", Buffer.from(EIP1559_TX, 'hex'), [])).toEqual({
        v: '00',
        r: '3ccff815955e82c416dcf2ace0bf0aa5f479acd47f5152f0c1753cf68fb72374',
        s: '6774b8bff4f776f2788bb19c87c22ca8a2933ea4415eed8d25a9ea0500c81ce1',
      }),
    signer: {
      before: [ethPreamble],
      // Speculos key: the signer's own recovery check must pass.
      run: async (s) =>
        expect(await s.signEvmTransactions(evm(EIP1559_TX, "44'/60'/0'/0/0", SPECULOS_EVM_ADDRESS))).toEqual([
          {
            r: '0x3ccff815955e82c416dcf2ace0bf0aa5f479acd47f5152f0c1753cf68fb72374',
            s: '0x6774b8bff4f776f2788bb19c87c22ca8a2933ea4415eed8d25a9ea0500c81ce1',
            yParity: 0,
            v: 27n,
          },
        ]),
    },
  },
  'eth-signTransaction-eip2930.apdu': {
    raw: async (t) => {
      const sig = await signEthTransaction(
        t,
        "44'/60'/0'/0/0",
        Buffer.from(transactionFromRecording('eth-signTransaction-eip2930.apdu'), 'hex'),
        [],
      )
      expect(sig.v).toBe('01')
      expect(sig.r.startsWith('a74d8240')).toBe(true)
      expect(sig.s.endsWith('17854e')).toBe(true)
    },
    signer: {
      before: [ethPreamble],
      run: async (s) => {
        const [sig] = await s.signEvmTransactions(
          evm(transactionFromRecording('eth-signTransaction-eip2930.apdu'), "44'/60'/0'/0/0", SPECULOS_EVM_ADDRESS),
        )
        expect(sig?.yParity).toBe(1)
        expect(sig?.v).toBe(28n)
      },
    },
  },
  'eth-signTransaction-eip1559-clearsign-eth-transfer.apdu': {
    raw: async (t) => {
      const sig = await signEthTransaction(t, "44'/60'/0'/0/0", Buffer.from(CLEAR_SIGN_TRANSFER_TX, 'hex'), [])
      expect(sig).toMatchObject({ v: '00' })
      expect(sig.r.startsWith('339a8118')).toBe(true)
    },
    signer: {
      before: [ethPreamble],
      // Signed by the real device whose address the getAddress vectors show: recovery must match it.
      run: async (s) =>
        expect((await s.signEvmTransactions(evm(CLEAR_SIGN_TRANSFER_TX, "44'/60'/0'/0/0", REAL_DEVICE_ADDRESS)))[0]?.yParity).toBe(0),
    },
  },
  'eth-signTransaction-legacy-chainId0.apdu': {
    // hw-app-eth passes the device byte through when there is no chain id…
    raw: async (t) =>
      expect(await signEthTransaction(t, "44'/60'/0'/0'/0", Buffer.from(LEGACY_NO_CHAIN_ID_TX, 'hex'), [])).toEqual({
        v: '26',
        r: '3694583045a85ada8d15d5e01b373b00e86a405c9c52f7835691dcc522b7353b',
        s: '30392e638a591c65ed307809825ca48346980f52d004ab7a5f93657f7e62a400',
      }),
    signer: {
      before: [ethPreamble],
      // …but v = 0x26 is impossible without a chain id (27 or 28): the recording's byte was edited
      // (SOURCES.md), and the signer refuses the answer instead of returning an unusable signature.
      run: async (s) => {
        const error = await rejectionOf(
          s.signEvmTransactions(evm(LEGACY_NO_CHAIN_ID_TX, "44'/60'/0'/0'/0", null, { allowPreEip155: true })),
        )
        expect(error.code).toBe('DEVICE_UNEXPECTED')
        expect(error.message).toContain('v = 0x26')
      },
    },
  },
  'eth-signTransaction-legacy-eip155-largeChainId.apdu': {
    raw: async (t) =>
      expect((await signEthTransaction(t, "44'/60'/0'/0'/0", Buffer.from(LARGE_CHAIN_ID_TX, 'hex'), [])).v).toBe('134d2ff100edb3'),
    signer: {
      before: [ethPreamble],
      run: async (s) =>
        expect((await s.signEvmTransactions(evm(LARGE_CHAIN_ID_TX, "44'/60'/0'/0'/0", null)))[0]).toMatchObject({
          v: 0x134d2ff100edb3n,
          yParity: 0,
        }),
    },
  },
  'eth-signTransaction-legacy-eip155-5byteChainId.apdu': {
    raw: async (t) =>
      expect((await signEthTransaction(t, "44'/60'/0'/0'/0", Buffer.from(FIVE_BYTE_CHAIN_ID_TX, 'hex'), [])).v).toBe('0542b8613e'),
    signer: {
      // The recorded transaction is not canonical RLP (a 53-byte list in the long form "f8 35"):
      // EVM nodes reject such bytes, so the signer refuses them before opening the device.
      refusedBeforeDevice: true,
      before: [ethPreamble],
      run: async (s) => {
        const error = await rejectionOf(s.signEvmTransactions(evm(FIVE_BYTE_CHAIN_ID_TX, "44'/60'/0'/0'/0", null)))
        expect(error.code).toBe('INVALID_INPUT')
        expect(error.message).toBe('The EVM transaction cannot be signed: RLP long form used for a short payload.')
      },
    },
  },
  'eth-signTransaction-legacy-chunked.apdu': {
    raw: async (t) => {
      const sig = await signEthTransaction(
        t,
        "44'/60'/0'/0/0",
        Buffer.from(readInputHex('eth-signTransaction-legacy-chunked.input.hex'), 'hex'),
        [],
      )
      expect(sig.v).toBe('26')
      expect(sig.r.startsWith('dc6ad1d9')).toBe(true)
      expect(sig.s.startsWith('66159ca5')).toBe(true)
    },
    signer: {
      before: [ethPreamble],
      // Chain id 1: v = 0x26 = 1·2 + 35 + 1.
      run: async (s) =>
        expect(
          (await s.signEvmTransactions(evm(readInputHex('eth-signTransaction-legacy-chunked.input.hex'), "44'/60'/0'/0/0", null)))[0],
        ).toMatchObject({ v: 38n, yParity: 1 }),
    },
  },
  'eth-signTransaction-legacy-chunked-bigvrs.apdu': {
    raw: async (t) =>
      expect(
        (
          await signEthTransaction(
            t,
            "44'/60'/0'/0/0",
            Buffer.from(readInputHex('eth-signTransaction-legacy-chunked-bigvrs.input.hex'), 'hex'),
            [],
          )
        ).v,
      ).toBe('6e'),
    signer: {
      before: [ethPreamble],
      // Chain id 37: v = 0x6e = 37·2 + 35 + 1.
      run: async (s) =>
        expect(
          (
            await s.signEvmTransactions(evm(readInputHex('eth-signTransaction-legacy-chunked-bigvrs.input.hex'), "44'/60'/0'/0/0", null))
          )[0],
        ).toMatchObject({ v: 110n, yParity: 1 }),
    },
  },
  'eth-signTransaction-eip1559-erc20-with-token-info.apdu': {
    raw: async (t) => {
      const tx = Buffer.from(transactionFromRecording('eth-signTransaction-eip1559-erc20-with-token-info.apdu'), 'hex')
      const sig = await signEthTransaction(t, "44'/60'/0'/0/0", tx, [Buffer.from(zrxDescriptor, 'hex')])
      expect(sig.v).toBe('00')
      expect(sig.r.startsWith('d6814aa5')).toBe(true)
      expect(sig.s.startsWith('0312ac6e')).toBe(true)
    },
    signer: {
      // The recorded (edited) transaction encodes its value 0 as 0x00 instead of 0x80: not
      // canonical RLP, rejected by EVM nodes, so refused before the device is opened.
      refusedBeforeDevice: true,
      before: [ethPreamble],
      run: async (s) => {
        const requests = evm(transactionFromRecording('eth-signTransaction-eip1559-erc20-with-token-info.apdu'), "44'/60'/0'/0/0", null, {
          erc20TokenDescriptors: [`0x${zrxDescriptor}`],
        })
        const error = await rejectionOf(s.signEvmTransactions(requests))
        expect(error.code).toBe('INVALID_INPUT')
        expect(error.message).toBe('The EVM transaction cannot be signed: RLP integer has a leading zero.')
      },
    },
  },
  'eth-signPersonalMessage.apdu': {
    raw: async (t) =>
      expect(await signEthPersonalMessage(t, "44'/60'/0'/0'/0", new TextEncoder().encode('test'))).toEqual({
        v: 27,
        r: '8beafdd56521af1213d6d668a2aed262cc840e7174b642215aec013a1c88b2bd',
        s: '3a407b9125f1bfc015df6983ae8b87a34d54be367b4275834c3039622a73ee00',
      }),
    signer: {
      before: [ethPreamble],
      run: async (s) =>
        expect(
          await s.signEvmPersonalMessage({ path: "44'/60'/0'/0'/0", expectedAddress: null, message: new TextEncoder().encode('test') }),
        ).toMatchObject({
          v: 27n,
          yParity: 0,
          r: '0x8beafdd56521af1213d6d668a2aed262cc840e7174b642215aec013a1c88b2bd',
        }),
    },
  },
  'eth-signEIP712HashedMessage.apdu': {
    raw: async (t) => {
      const sig = await signEthTypedDataHash(
        t,
        "44'/60'/0'/0'/0",
        Buffer.from('c24f499b8c957196651b13edd64aaccc3980009674b2aea0966c8a56ba81278e', 'hex'),
        Buffer.from('9d96be8a7cca396e711a3ba356bd9878df02a726d753ddb6cda3c507d888bc77', 'hex'),
      )
      expect(sig.v).toBe(28)
      expect(sig.r.startsWith('47937d12')).toBe(true)
    },
    signer: {
      before: [ethPreamble],
      run: async (s) =>
        expect(
          await s.signEvmTypedDataHash({
            path: "44'/60'/0'/0'/0",
            expectedAddress: null,
            domainSeparator: '0xc24f499b8c957196651b13edd64aaccc3980009674b2aea0966c8a56ba81278e',
            messageHash: '0x9d96be8a7cca396e711a3ba356bd9878df02a726d753ddb6cda3c507d888bc77',
          }),
        ).toMatchObject({ v: 28n, yParity: 1, s: '0x026c0d81290478fbc45d5bc1308c4b7119ab43d986805413e7f85da5d94597e7' }),
    },
  },
  'eth-signEIP712Message-mail.apdu': {
    raw: async (t) =>
      expect(await signTypedInput(t, MAIL)).toMatchObject({
        v: 28,
        r: expect.stringMatching(/^8a540510.*5e1ad788$/) as unknown as string,
        s: expect.stringMatching(/^64a0de23.*ceafa513$/) as unknown as string,
      }),
    signer: typedDataCase(MAIL, EIP712_MAIL_SIGNER, 28n, '8a540510'),
  },
  'eth-signEIP712Message-mail-speculos.apdu': {
    raw: async (t) => expect((await signTypedInput(t, MAIL)).r).toMatch(/^b1a7312a.*2e941ff7$/),
    signer: typedDataCase(MAIL, SPECULOS_EVM_ADDRESS, 28n, 'b1a7312a'),
  },
  'eth-signEIP712Message-nested-bytes-chunked.apdu': {
    raw: async (t) =>
      expect(await signTypedInput(t, NESTED)).toMatchObject({
        v: 27,
        r: expect.stringMatching(/^cda73aa5.*af1b047d$/) as unknown as string,
        s: expect.stringMatching(/^702f036a.*f836925f$/) as unknown as string,
      }),
    signer: typedDataCase(NESTED, EIP712_NESTED_SIGNER, 27n, 'cda73aa5'),
  },
  'eth-signEIP712Message-nested-bytes-chunked-speculos.apdu': {
    raw: async (t) => expect((await signTypedInput(t, NESTED)).s).toMatch(/^33ebb7b6.*629080ea$/),
    signer: typedDataCase(NESTED, SPECULOS_EVM_ADDRESS, 28n, '341bca1c'),
  },
  'eth-signEIP712Message-filtered-v2-empty-array.apdu': {
    // Filters come from Ledger's CAL; Countersign's signer sends none, so only hw-app-eth replays this one.
    raw: async (t) =>
      expect(await signWithVectorConfig(t, FILTERED)).toMatchObject({
        v: 27,
        r: expect.stringMatching(/^d564c78e.*02a26d25$/) as unknown as string,
        s: expect.stringMatching(/^50d3ed7f.*71827c3a$/) as unknown as string,
      }),
  },
  'eth-provideERC20TokenInformation.apdu': {
    // The signer sends descriptors only inside a signing (see the erc20-with-token-info vector).
    raw: async (t) => expect(await provideErc20TokenDescriptor(t, Buffer.from(zrxDescriptor, 'hex'))).toBe(true),
  },

  // ----- Stellar -----
  'str-getAppConfiguration-hashSigningDisabled.apdu': {
    raw: async (t) =>
      expect(await getStellarAppConfiguration(t)).toEqual({ version: '5.4.1', hashSigningEnabled: false, maxDataSizeBytes: 1562 }),
    signer: {
      before: [strPreamble],
      run: async (s) =>
        expect((await s.getStatus()).stellar).toEqual({ version: '5.4.1', hashSigningEnabled: false, maxDataSizeBytes: 1562 }),
    },
  },
  'str-getAppConfiguration-hashSigningEnabled.apdu': {
    raw: async (t) => expect((await getStellarAppConfiguration(t)).hashSigningEnabled).toBe(true),
    signer: { before: [strPreamble], run: async (s) => expect((await s.getStatus()).stellar?.hashSigningEnabled).toBe(true) },
  },
  'str-getAppConfiguration-oldApp.apdu': {
    raw: async (t) =>
      expect(await getStellarAppConfiguration(t)).toEqual({ version: '5.4.1', hashSigningEnabled: false, maxDataSizeBytes: null }),
    signer: { before: [strPreamble], run: async (s) => expect((await s.getStatus()).stellar?.maxDataSizeBytes).toBeNull() },
  },
  'str-getPublicKey.apdu': {
    raw: async (t) =>
      expect(Buffer.from(await getStellarPublicKey(t, "44'/148'/0'", false)).toString('hex')).toBe(SPECULOS_STELLAR_KEY.slice(2)),
    signer: {
      before: [strPreamble],
      run: async (s) =>
        expect(await s.listAccounts('stellar', { start: 0, count: 1 })).toEqual([
          { chain: 'stellar', path: "44'/148'/0'", address: SPECULOS_STELLAR_ACCOUNT, publicKey: SPECULOS_STELLAR_KEY },
        ]),
    },
  },
  'str-getPublicKey-confirm.apdu': {
    raw: async (t) =>
      expect(Buffer.from(await getStellarPublicKey(t, "44'/148'/0'", true)).toString('hex')).toBe(SPECULOS_STELLAR_KEY.slice(2)),
    signer: {
      before: [strPreamble],
      run: async (s) =>
        expect((await s.verifyAddress({ chain: 'stellar', path: "44'/148'/0'", expectedAddress: SPECULOS_STELLAR_ACCOUNT })).address).toBe(
          SPECULOS_STELLAR_ACCOUNT,
        ),
    },
  },
  'str-getPublicKey-confirm-rejected.apdu': {
    raw: async (t) => expect((await rejectionOf(getStellarPublicKey(t, "44'/148'/0'", true))).name).toBe('StellarUserRefusedError'),
    signer: {
      before: [strPreamble],
      run: async (s) => {
        const error = await rejectionOf(
          s.verifyAddress({ chain: 'stellar', path: "44'/148'/0'", expectedAddress: SPECULOS_STELLAR_ACCOUNT }),
        )
        expect(error.code).toBe('DEVICE_REJECTED')
        expect(error.message).toBe(
          'The address was rejected on the Ledger. If it did not match the one shown here, do not use this account; otherwise try again.',
        )
      },
    },
  },
  'str-getPublicKey-path19773.apdu': {
    // The Stellar client hardens every step: "19773" and "19773'" encode the same.
    raw: async (t) =>
      expect(Buffer.from(await getStellarPublicKey(t, "44'/148'/19773", false)).toString('hex')).toBe(
        '04becf1537ae24f24d326368a2ad8a09b06cb0671e96e6878d4e623aab4bf6e7',
      ),
    signer: {
      before: [strPreamble],
      run: async (s) =>
        expect((await s.listAccounts('stellar', { start: 19773, count: 1 }))[0]?.publicKey).toBe(
          '0x04becf1537ae24f24d326368a2ad8a09b06cb0671e96e6878d4e623aab4bf6e7',
        ),
    },
  },
  'str-unexpected-sw-b001.apdu': {
    raw: async (t) =>
      expect((await rejectionOf(getStellarPublicKey(t, "44'/148'/19773", false))) as unknown).toMatchObject({
        name: 'TransportStatusError',
        statusCode: 0xb001,
      }),
    signer: {
      before: [strPreamble],
      run: async (s) => {
        const error = await rejectionOf(s.getAccount('stellar', "44'/148'/19773'"))
        expect(error.code).toBe('DEVICE_UNEXPECTED')
        expect(error.message).toBe(
          'The Ledger answered with an unexpected status (0xb001) — update its firmware and the Stellar app, then try again.',
        )
      },
    },
  },
  'str-signHash.apdu': {
    raw: async (t) =>
      expect(Buffer.from(await signStellarHash(t, "44'/148'/0'", Buffer.from(STELLAR_HASH, 'hex'))).toString('hex')).toMatch(
        /^bd4ddd94.*fca1d70b$/,
      ),
    signer: {
      before: [strPreamble, strConfigHashOn],
      // Speculos key: the signer verifies the signature before returning it.
      run: async (s) =>
        expect(
          (
            await s.signStellarHash({
              path: "44'/148'/0'",
              expectedPublicKey: SPECULOS_STELLAR_ACCOUNT,
              hash: Buffer.from(STELLAR_HASH, 'hex'),
            })
          ).publicKey,
        ).toBe(SPECULOS_STELLAR_ACCOUNT),
    },
  },
  'str-signHash-disabled.apdu': {
    raw: async (t) =>
      expect((await rejectionOf(signStellarHash(t, "44'/148'/0'", Buffer.from(STELLAR_HASH, 'hex')))).name).toBe(
        'StellarHashSigningNotEnabledError',
      ),
    signer: {
      // The configuration said "on" (the setting changed since): the device's own refusal is mapped.
      before: [strPreamble, strConfigHashOn],
      run: async (s) => {
        const error = await rejectionOf(
          s.signStellarHash({ path: "44'/148'/0'", expectedPublicKey: null, hash: Buffer.from(STELLAR_HASH, 'hex') }),
        )
        expect(error.code).toBe('DEVICE_HASH_SIGNING_OFF')
      },
    },
  },
  'str-signHash-rejected.apdu': {
    raw: async (t) =>
      expect((await rejectionOf(signStellarHash(t, "44'/148'/0'", Buffer.from(STELLAR_HASH, 'hex')))).name).toBe('StellarUserRefusedError'),
    signer: {
      before: [strPreamble, strConfigHashOn],
      run: async (s) => {
        const error = await rejectionOf(
          s.signStellarHash({ path: "44'/148'/0'", expectedPublicKey: null, hash: Buffer.from(STELLAR_HASH, 'hex') }),
        )
        expect(error.code).toBe('DEVICE_REJECTED')
        expect(error.message).toBe('The transaction hash was rejected on the Ledger — nothing was signed. Try again to sign it.')
      },
    },
  },
  'str-signTransaction-multichunk.apdu': {
    raw: async (t) =>
      expect(
        Buffer.from(
          await signStellarTransaction(t, "44'/148'/0'", Buffer.from(readInputHex('str-signTransaction-multichunk.input.hex'), 'hex')),
        ).toString('hex'),
      ).toMatch(/^83968afc.*1a5a0c$/),
    signer: {
      before: [strPreamble, strConfigHashOff],
      run: async (s) => {
        const [sig] = await s.signStellarTransactions([
          {
            path: "44'/148'/0'",
            expectedPublicKey: SPECULOS_STELLAR_ACCOUNT,
            signatureBase: Buffer.from(readInputHex('str-signTransaction-multichunk.input.hex'), 'hex'),
          },
        ])
        expect(sig?.signature.length).toBe(64)
        expect(sig?.publicKey).toBe(SPECULOS_STELLAR_ACCOUNT)
      },
    },
  },
  'str-signTransaction-singlechunk.apdu': {
    raw: async (t) =>
      expect(
        Buffer.from(
          await signStellarTransaction(t, "44'/148'/0'", Buffer.from(readInputHex('str-signTransaction-singlechunk.input.hex'), 'hex')),
        ).toString('hex'),
      ).toMatch(/^f30f5d70.*686008$/),
    signer: {
      before: [strPreamble, strConfigHashOff],
      run: async (s) =>
        expect(
          (
            await s.signStellarTransactions([
              {
                path: "44'/148'/0'",
                expectedPublicKey: null,
                signatureBase: Buffer.from(readInputHex('str-signTransaction-singlechunk.input.hex'), 'hex'),
              },
            ])
          )[0]?.signature.length,
        ).toBe(64),
    },
  },
  'str-signTransaction-tooLarge.apdu': {
    raw: async (t) =>
      expect(
        (
          await rejectionOf(
            signStellarTransaction(t, "44'/148'/0'", Buffer.from(readInputHex('str-signTransaction-multichunk.input.hex'), 'hex')),
          )
        ).name,
      ).toBe('StellarDataTooLargeError'),
    signer: {
      before: [strPreamble, strConfigHashOff],
      run: async (s) => {
        const error = await rejectionOf(
          s.signStellarTransactions([
            {
              path: "44'/148'/0'",
              expectedPublicKey: null,
              signatureBase: Buffer.from(readInputHex('str-signTransaction-multichunk.input.hex'), 'hex'),
            },
          ]),
        )
        expect(error.code).toBe('DEVICE_DATA_TOO_LARGE')
        expect(error.message).toBe(
          'This transaction is too large for the Ledger app — split it into smaller transactions (fewer operations each) and sign again.',
        )
      },
    },
  },
  'str-signTransaction-rejected.apdu': {
    raw: async (t) =>
      expect(
        (
          await rejectionOf(
            signStellarTransaction(t, "44'/148'/0'", Buffer.from(readInputHex('str-signTransaction-multichunk.input.hex'), 'hex')),
          )
        ).name,
      ).toBe('StellarUserRefusedError'),
    signer: {
      before: [strPreamble, strConfigHashOff],
      run: async (s) => {
        const error = await rejectionOf(
          s.signStellarTransactions([
            {
              path: "44'/148'/0'",
              expectedPublicKey: null,
              signatureBase: Buffer.from(readInputHex('str-signTransaction-multichunk.input.hex'), 'hex'),
            },
          ]),
        )
        expect(error.code).toBe('DEVICE_REJECTED')
        expect(error.message).toBe('The transaction was rejected on the Ledger — nothing was signed. Try again to sign it.')
      },
    },
  },
  'str-signTransaction-parseFailed.apdu': {
    raw: async (t) =>
      expect(
        (
          await rejectionOf(
            signStellarTransaction(t, "44'/148'/0'", Buffer.from(readInputHex('str-signTransaction-singlechunk.input.hex'), 'hex')),
          )
        ).name,
      ).toBe('StellarDataParsingFailedError'),
    signer: {
      before: [strPreamble, strConfigHashOff],
      run: async (s) => {
        const error = await rejectionOf(
          s.signStellarTransactions([
            {
              path: "44'/148'/0'",
              expectedPublicKey: null,
              signatureBase: Buffer.from(readInputHex('str-signTransaction-singlechunk.input.hex'), 'hex'),
            },
          ]),
        )
        expect(error.code).toBe('DEVICE_PARSE_FAILED')
      },
    },
  },
}

type SignerCase = NonNullable<VectorCase['signer']>
const signerCases = Object.entries(cases).flatMap(([file, v]) => (v.signer ? [[file, v.signer] as [string, SignerCase]] : []))
const replayedBySigner = signerCases.filter(([, c]) => c.refusedBeforeDevice !== true)
const refusedBySigner = signerCases.filter(([, c]) => c.refusedBeforeDevice === true)

describe('Ledger APDU vectors', () => {
  it('covers every vector file in test/fixtures/ledger', () => {
    expect(Object.keys(cases).sort()).toEqual(vectorFiles())
    expect(vectorFiles().some((f) => f.includes('ledgerjs2022'))).toBe(false)
    // Only the standalone ERC-20 descriptor and the filtered EIP-712 vectors have no signer-level call.
    expect(Object.keys(cases).filter((f) => !cases[f]?.signer)).toEqual([
      'eth-signEIP712Message-filtered-v2-empty-array.apdu',
      'eth-provideERC20TokenInformation.apdu',
    ])
  })

  describe('the file alone, through hw-app-eth / hw-app-str, gives the values SOURCES.md lists', () => {
    it.each(Object.entries(cases))('%s', async (file, vector) => {
      const { store, transport } = await openReplayTransport(readFixture(file))
      await vector.raw(transport)
      store.ensureQueueEmpty()
    })
  })

  describe('through the Ledger signer (after its app check)', () => {
    it.each(replayedBySigner)('%s', async (file, { before, run }) => {
      const { store, factory, opened } = replayFactory(...before, readFixture(file))
      const signer = createLedgerSigner({ factory, deviceId: 'replay', timer: createManualTimer() })
      await run(signer)
      store.ensureQueueEmpty()
      expect(opened()).toBe(1)
    })
  })

  describe('refused by the Ledger signer before any APDU (non-canonical RLP)', () => {
    it.each(refusedBySigner)('%s', async (file, { before, run }) => {
      const recording = [...before, readFixture(file)].join('\n')
      const { store, factory, opened } = replayFactory(recording)
      const signer = createLedgerSigner({ factory, deviceId: 'replay', timer: createManualTimer() })
      await run(signer)
      expect(opened()).toBe(0)
      expect(store.queue.length).toBe(parseExchanges(recording).length)
    })
  })
})
