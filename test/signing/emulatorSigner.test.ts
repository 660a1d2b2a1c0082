/**
 * The Ledger signer driving the sandbox emulator (through hw-app-eth / hw-app-str, as with a real
 * device): signatures that independent libraries accept (viem, stellar-base), every scripted fault
 * surfacing as its CsError code and sentence, one exchange in flight, progress, slow users and
 * timeouts — all without timers standing in for synchronisation.
 */
import { Account, Asset, Keypair, Networks, Operation, TransactionBuilder } from '@stellar/stellar-base'
import {
  domainSeparator,
  encodeFunctionData,
  erc20Abi,
  hashStruct,
  recoverMessageAddress,
  recoverTransactionAddress,
  recoverTypedDataAddress,
  serializeSignature,
  serializeTransaction,
  type TransactionSerializableEIP1559,
} from 'viem'
import { describe, expect, it } from 'vitest'
import { evmAccountPath, stellarAccountPath } from '../../src/main/core/signing/bip32Path'
import {
  createSandboxLedgerEmulator,
  type SandboxLedgerEmulatorOptions,
} from '../../src/main/core/signing/emulator/createSandboxLedgerEmulator'
import { SPECULOS_TEST_MNEMONIC } from '../../src/main/core/signing/emulator/sandboxSoftwareKeys'
import {
  createLedgerSigner,
  createLedgerDevices,
  type LedgerSignerOptions,
} from '../../src/main/core/signing/ledgerDevice/createLedgerSigner'
import { describeSignerProgress, type EvmTransactionRequest, type Hex, type SignerProgress } from '../../src/main/core/signing/Signer'
import { createManualTimer, rejectionOf } from './helpers'

/** Speculos seed, m/44'/60'/0'/0/0 and m/44'/148'/0' (SOURCES.md). */
const EVM_ACCOUNT_0 = '0xDad77910DbDFdE764fC21FCD4E74D71bBACA6D8D'
const STELLAR_ACCOUNT_0 = 'GCNCEJIAZ5D3APIF5XWAJ3JSSTHM4HPHE7GK3NAB6R6WWSZDB2A2BQ5B'
const RECIPIENT = '0x1111111111111111111111111111111111111111'

function setup(options: Partial<SandboxLedgerEmulatorOptions> = {}, signerOptions: Partial<LedgerSignerOptions> = {}) {
  const emulator = createSandboxLedgerEmulator({ mnemonic: SPECULOS_TEST_MNEMONIC, openApp: 'Ethereum', user: 'approve', ...options })
  const timer = createManualTimer()
  const signer = createLedgerSigner({ factory: emulator.transportFactory, deviceId: emulator.deviceId, timer, ...signerOptions })
  return { emulator, signer, timer }
}

function eip1559(nonce: number, extra: Partial<TransactionSerializableEIP1559> = {}): TransactionSerializableEIP1559 {
  return {
    type: 'eip1559',
    chainId: 8453,
    nonce,
    maxPriorityFeePerGas: 1_000_000n,
    maxFeePerGas: 3_000_000_000n,
    gas: 21_000n,
    to: RECIPIENT,
    value: 1_234_567n,
    ...extra,
  }
}

function request(tx: TransactionSerializableEIP1559, expectedAddress: Hex | null = EVM_ACCOUNT_0): EvmTransactionRequest {
  return { path: evmAccountPath(0), expectedAddress, unsignedTransaction: serializeTransaction(tx) }
}

/**
 * Lets every pending promise callback run (setImmediate fires only after the microtask queue is
 * empty). Used where the device answers after the caller already gave up, to observe the queue free.
 */
const flushMicrotasks = () => new Promise<void>((resolve) => setImmediate(resolve))

function stellarPayment(signatureBaseSource = STELLAR_ACCOUNT_0) {
  return new TransactionBuilder(new Account(signatureBaseSource, '4096'), { fee: '100', networkPassphrase: Networks.TESTNET })
    .addOperation(
      Operation.payment({
        destination: 'GB3JDWCQJCWMJ3IILWIGDTQJJC5567PGVEVXSCVPEQOTDN64VJBDQBYX',
        asset: Asset.native(),
        amount: '12.5000000',
      }),
    )
    .setTimebounds(0, 1_900_000_000)
    .build()
}

describe('Ledger signer over the sandbox emulator: signatures', () => {
  it('derives the Speculos accounts at the standard paths', async () => {
    const { emulator, signer } = setup()
    const evm = await signer.listAccounts('evm', { start: 0, count: 2 })
    expect(evm.map((a) => [a.path, a.address])).toEqual([
      ["44'/60'/0'/0/0", EVM_ACCOUNT_0],
      ["44'/60'/0'/0/1", expect.stringMatching(/^0x[0-9a-fA-F]{40}$/)],
    ])
    expect(evm[1]?.address).not.toBe(EVM_ACCOUNT_0)
    expect((await signer.getAccount('evm', "44'/60'/0'/0'/0")).address).toBe('0xD07bf8314CC4491ca915A90202c67d40C4067def')
    emulator.openApp('Stellar')
    expect((await signer.listAccounts('stellar', { start: 0, count: 1 }))[0]?.address).toBe(STELLAR_ACCOUNT_0)
    expect(emulator.stats.prompts).toEqual([])
  })

  it('signs an EIP-1559 transaction that viem recovers to the emulator address', async () => {
    const { emulator, signer } = setup()
    const tx = eip1559(7)
    // expectedAddress null: the check below is viem's alone, not the signer's own recovery.
    const [signature] = await signer.signEvmTransactions([request(tx, null)])
    if (!signature) throw new Error('no signature')
    const signed = serializeTransaction(tx, { r: signature.r, s: signature.s, yParity: signature.yParity })
    expect(await recoverTransactionAddress({ serializedTransaction: signed })).toBe(EVM_ACCOUNT_0)
    expect(emulator.stats.prompts).toEqual([
      { app: 'Ethereum', kind: 'sign-transaction', fields: { to: RECIPIENT, valueWei: '1234567', chainId: '8453' }, answer: 'approved' },
    ])
  })

  it('signs a legacy EIP-155 transaction with v = chainId·2 + 35 + yParity', async () => {
    const { signer } = setup()
    const tx = { type: 'legacy', chainId: 137, nonce: 1, gasPrice: 30_000_000_000n, gas: 21_000n, to: RECIPIENT, value: 5n } as const
    const [signature] = await signer.signEvmTransactions([
      { path: evmAccountPath(0), expectedAddress: EVM_ACCOUNT_0, unsignedTransaction: serializeTransaction(tx) },
    ])
    if (!signature) throw new Error('no signature')
    expect(signature.v).toBe(137n * 2n + 35n + BigInt(signature.yParity))
    const signed = serializeTransaction(tx, { r: signature.r, s: signature.s, v: signature.v })
    expect(await recoverTransactionAddress({ serializedTransaction: signed })).toBe(EVM_ACCOUNT_0)
  })

  it('signs personal messages and EIP-712 hashes that viem recovers', async () => {
    const { signer } = setup({ ethereum: { blindSigning: true } })
    const message = await signer.signEvmPersonalMessage({
      path: evmAccountPath(0),
      expectedAddress: EVM_ACCOUNT_0,
      message: new TextEncoder().encode('Countersign test'),
    })
    expect(await recoverMessageAddress({ message: 'Countersign test', signature: serializeSignature(message) })).toBe(EVM_ACCOUNT_0)

    const domain = { name: 'Countersign', version: '1', chainId: 8453, verifyingContract: RECIPIENT } as const
    const types = {
      Payout: [
        { name: 'id', type: 'string' },
        { name: 'amount', type: 'uint256' },
      ],
    } as const
    const payout = { id: 'row-14', amount: 1_500_000n }
    const typed = await signer.signEvmTypedDataHash({
      path: evmAccountPath(0),
      expectedAddress: EVM_ACCOUNT_0,
      domainSeparator: domainSeparator({ domain }),
      messageHash: hashStruct({ data: payout, primaryType: 'Payout', types }),
    })
    expect(
      await recoverTypedDataAddress({ domain, types, primaryType: 'Payout', message: payout, signature: serializeSignature(typed) }),
    ).toBe(EVM_ACCOUNT_0)
  })

  it('signs a Stellar transaction that verifies under the derived ed25519 key', async () => {
    const { signer } = setup({ openApp: 'Stellar' })
    const tx = stellarPayment()
    const [signature] = await signer.signStellarTransactions([
      { path: stellarAccountPath(0), expectedPublicKey: null, signatureBase: new Uint8Array(tx.signatureBase()) },
    ])
    if (!signature) throw new Error('no signature')
    expect(Keypair.fromPublicKey(STELLAR_ACCOUNT_0).verify(tx.hash(), Buffer.from(signature.signature))).toBe(true)
    // stellar-base checks the signature again when it is attached.
    tx.addSignature(STELLAR_ACCOUNT_0, Buffer.from(signature.signature).toString('base64'))
    expect(tx.signatures).toHaveLength(1)
  })

  it('signs a Stellar hash with hash signing on', async () => {
    const { signer } = setup({ openApp: 'Stellar', stellar: { hashSigning: true } })
    const hash = stellarPayment().hash()
    const signed = await signer.signStellarHash({ path: stellarAccountPath(0), expectedPublicKey: STELLAR_ACCOUNT_0, hash })
    expect(Keypair.fromPublicKey(STELLAR_ACCOUNT_0).verify(hash, Buffer.from(signed.signature))).toBe(true)
  })

  it('clear-signs an ERC-20 transfer from a token descriptor, with blind signing off', async () => {
    const { emulator, signer } = setup()
    const token = '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913'
    const ticker = Buffer.from('USDC', 'ascii')
    // ticker length ‖ ticker ‖ address ‖ decimals u32 ‖ chain id u32 ‖ signature (the emulator does not check it).
    const descriptor = Buffer.concat([
      Buffer.from([ticker.length]),
      ticker,
      Buffer.from(token.slice(2), 'hex'),
      Buffer.from('00000006', 'hex'),
      Buffer.from((8453).toString(16).padStart(8, '0'), 'hex'),
      Buffer.alloc(70, 0x30),
    ])
    const data = encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [RECIPIENT, 2_500_000n] })
    const tx = eip1559(3, { to: token, value: 0n, data, gas: 60_000n })
    const [signature] = await signer.signEvmTransactions([{ ...request(tx), erc20TokenDescriptors: [`0x${descriptor.toString('hex')}`] }])
    expect(signature?.yParity === 0 || signature?.yParity === 1).toBe(true)
    expect(emulator.stats.prompts[0]?.fields).toMatchObject({ token: 'USDC', recipient: RECIPIENT, tokenAmountMinor: '2500000' })
  })

  it('signs the same bytes to the same signature (RFC 6979), so a re-sign after a crash changes nothing', async () => {
    const { signer } = setup()
    const [first] = await signer.signEvmTransactions([request(eip1559(1))])
    const [again] = await signer.signEvmTransactions([request(eip1559(1))])
    expect(again).toEqual(first)
  })
})

describe('Ledger signer over the sandbox emulator: faults', () => {
  it('locked → DEVICE_LOCKED', async () => {
    const { emulator, signer } = setup({ locked: true })
    const error = await rejectionOf(signer.getAccount('evm', evmAccountPath(0)))
    expect(error.code).toBe('DEVICE_LOCKED')
    expect(error.message).toBe('Ledger is locked — unlock it with your PIN and try again.')
    emulator.unlock()
    expect((await signer.getAccount('evm', evmAccountPath(0))).address).toBe(EVM_ACCOUNT_0)
  })

  it('rejected on the device → DEVICE_REJECTED', async () => {
    const { emulator, signer } = setup({ user: 'reject' })
    const error = await rejectionOf(signer.signEvmTransactions([request(eip1559(0))]))
    expect(error.code).toBe('DEVICE_REJECTED')
    expect(error.message).toBe('The transaction was rejected on the Ledger — nothing was signed. Try again to sign it.')
    expect(emulator.stats.signatures).toBe(0)

    emulator.openApp('Stellar')
    const stellar = await rejectionOf(
      signer.signStellarTransactions([
        { path: stellarAccountPath(0), expectedPublicKey: STELLAR_ACCOUNT_0, signatureBase: stellarPayment().signatureBase() },
      ]),
    )
    expect(stellar.code).toBe('DEVICE_REJECTED')
  })

  it('wrong app → DEVICE_WRONG_APP, without sending the request to the app that is open', async () => {
    const { emulator, signer } = setup({ openApp: 'Stellar' })
    const error = await rejectionOf(signer.signEvmTransactions([request(eip1559(0))]))
    expect(error.code).toBe('DEVICE_WRONG_APP')
    expect(error.message).toBe('The Stellar app is open on your Ledger — open the Ethereum app instead, then try again.')
    // Only the app check went out: the Stellar app would have answered an Ethereum APDU.
    expect(emulator.stats.apdus).toEqual(['b001000000'])

    emulator.openApp('dashboard')
    const dashboard = await rejectionOf(signer.getAccount('stellar', stellarAccountPath(0)))
    expect(dashboard.code).toBe('DEVICE_WRONG_APP')
    expect(dashboard.message).toBe('Open the Stellar app on your Ledger (it is on the dashboard), then try again.')
  })

  it.each([0x6e00, 0x6e01, 0x6d00, 0x6511, 0x6a15].map((w) => [w.toString(16), w] as const))(
    'status word 0x%s from the app → DEVICE_WRONG_APP',
    async (_hex, statusWord) => {
      const { emulator, signer } = setup()
      emulator.failNextApdu(statusWord, { ins: 0x02 })
      const error = await rejectionOf(signer.getAccount('evm', evmAccountPath(0)))
      expect(error.code).toBe('DEVICE_WRONG_APP')
      expect(error.message).toBe('Open the Ethereum app on your Ledger, then try again.')
    },
  )

  it('disconnect in the middle of a batch → DEVICE_DISCONNECTED; signatures so far were delivered and the rest signs after reconnecting', async () => {
    const { emulator, signer } = setup()
    const batch = [0, 1, 2].map((nonce) => request(eip1559(nonce)))
    const delivered: Array<[number, string]> = []
    emulator.disconnectAfterSignatures(1)
    const error = await rejectionOf(signer.signEvmTransactions(batch, { onSigned: (i, s) => void delivered.push([i, s.r]) }))
    expect(error.code).toBe('DEVICE_DISCONNECTED')
    expect(error.message).toBe(
      'The Ledger was disconnected — reconnect it, unlock it and try again. 1 of 3 were signed before this and are kept.',
    )
    expect(error.details).toMatchObject({ signedCount: 1, total: 3 })
    expect(delivered.map(([i]) => i)).toEqual([0])

    const whileUnplugged = await rejectionOf(signer.getAccount('evm', evmAccountPath(0)))
    expect(whileUnplugged.code).toBe('DEVICE_NOT_FOUND')
    expect(whileUnplugged.message).toBe('No Ledger found — connect it by USB, unlock it and try again.')

    emulator.reconnect()
    const rest = await signer.signEvmTransactions(batch.slice(1))
    expect(rest).toHaveLength(2)
    expect(emulator.stats.signatures).toBe(3)
  })

  it('unplugged while a prompt is shown → DEVICE_DISCONNECTED', async () => {
    const { emulator, signer } = setup({ user: 'manual' })
    const signing = signer.signEvmTransactions([request(eip1559(0))])
    await emulator.nextPrompt()
    emulator.disconnect()
    expect((await rejectionOf(signing)).code).toBe('DEVICE_DISCONNECTED')
  })

  it('blind signing off → DEVICE_BLIND_SIGNING_OFF (contract data and EIP-712 hashes), with no prompt', async () => {
    const { emulator, signer } = setup({ ethereum: { blindSigning: false } })
    const call = eip1559(0, { data: '0xdeadbeef', value: 0n, gas: 80_000n })
    const error = await rejectionOf(signer.signEvmTransactions([request(call)]))
    expect(error.code).toBe('DEVICE_BLIND_SIGNING_OFF')
    expect(error.message).toBe(
      'The Ledger cannot show this request in full — enable "Blind signing" in the Ethereum app\'s settings on the device, then try again.',
    )
    const typed = await rejectionOf(
      signer.signEvmTypedDataHash({
        path: evmAccountPath(0),
        expectedAddress: null,
        domainSeparator: `0x${'11'.repeat(32)}`,
        messageHash: `0x${'22'.repeat(32)}`,
      }),
    )
    expect(typed.code).toBe('DEVICE_BLIND_SIGNING_OFF')
    expect(emulator.stats.prompts).toEqual([])

    emulator.settings.ethereum.blindSigning = true
    expect(await signer.signEvmTransactions([request(call)])).toHaveLength(1)
    expect(emulator.stats.prompts[0]?.fields.blindData).toBe('0xdeadbeef…')
  })

  it('Stellar hash signing off → DEVICE_HASH_SIGNING_OFF, read from the app configuration before the request', async () => {
    const { emulator, signer } = setup({ openApp: 'Stellar', stellar: { hashSigning: false } })
    const error = await rejectionOf(
      signer.signStellarHash({ path: stellarAccountPath(0), expectedPublicKey: null, hash: new Uint8Array(32) }),
    )
    expect(error.code).toBe('DEVICE_HASH_SIGNING_OFF')
    expect(error.message).toBe(
      'Hash signing is off in the Stellar app — enable it ("Blind signing" / "Hash signing") in the app\'s settings on the device, then try again.',
    )
    expect(emulator.stats.apdus.some((a) => a.startsWith('e008'))).toBe(false)

    // The device's own 0x6C66 (setting changed after the configuration was read) maps the same way.
    emulator.settings.stellar.hashSigning = true
    emulator.failNextApdu(0x6c66, { ins: 0x08 })
    expect(
      (await rejectionOf(signer.signStellarHash({ path: stellarAccountPath(0), expectedPublicKey: null, hash: new Uint8Array(32) }))).code,
    ).toBe('DEVICE_HASH_SIGNING_OFF')
  })

  it('too large for the Stellar app → DEVICE_DATA_TOO_LARGE before the first prompt of a batch', async () => {
    const { emulator, signer } = setup({ openApp: 'Stellar', stellar: { maxDataSizeBytes: 150 } })
    const small = { path: stellarAccountPath(0), expectedPublicKey: STELLAR_ACCOUNT_0, signatureBase: new Uint8Array(120) }
    const large = { path: stellarAccountPath(0), expectedPublicKey: STELLAR_ACCOUNT_0, signatureBase: stellarPayment().signatureBase() }
    const error = await rejectionOf(signer.signStellarTransactions([small, large]))
    expect(error.code).toBe('DEVICE_DATA_TOO_LARGE')
    expect(error.message).toBe(
      `Transaction 2 of 2 is too large for the Ledger's Stellar app (${large.signatureBase.length} bytes; it accepts 150) — split it into smaller transactions and sign again. None of the transactions was signed.`,
    )
    expect(emulator.stats.apdus.some((a) => a.startsWith('e004'))).toBe(false)

    // And when the device itself answers 0xB004.
    emulator.settings.stellar.maxDataSizeBytes = 1562
    emulator.failNextApdu(0xb004, { ins: 0x04 })
    const device = await rejectionOf(signer.signStellarTransactions([large]))
    expect(device.code).toBe('DEVICE_DATA_TOO_LARGE')
    expect(device.message).toBe(
      'This transaction is too large for the Ledger app — split it into smaller transactions (fewer operations each) and sign again.',
    )
  })

  it('bytes the Stellar app cannot parse → DEVICE_PARSE_FAILED', async () => {
    const { emulator, signer } = setup({ openApp: 'Stellar' })
    const junk = new Uint8Array(100).fill(0xff)
    const error = await rejectionOf(
      signer.signStellarTransactions([{ path: stellarAccountPath(0), expectedPublicKey: null, signatureBase: junk }]),
    )
    expect(error.code).toBe('DEVICE_PARSE_FAILED')
    expect(emulator.stats.prompts).toEqual([])
  })

  it('a status word nobody expects → DEVICE_UNEXPECTED naming it', async () => {
    const { emulator, signer } = setup()
    emulator.failNextApdu(0x6f00, { ins: 0x04 })
    const error = await rejectionOf(signer.signEvmTransactions([request(eip1559(0))]))
    expect(error.code).toBe('DEVICE_UNEXPECTED')
    expect(error.message).toBe(
      'The Ledger answered with an unexpected status (0x6f00) — update its firmware and the Ethereum app, then try again.',
    )
  })

  it('held by another app → DEVICE_BUSY', async () => {
    const { emulator, signer } = setup()
    await emulator.transportFactory.open(emulator.deviceId)
    const error = await rejectionOf(signer.getAccount('evm', evmAccountPath(0)))
    expect(error.code).toBe('DEVICE_BUSY')
  })

  it('a different account than expected → DEVICE_ADDRESS_MISMATCH, for signatures and on-screen verification', async () => {
    const { signer } = setup()
    const other = (await signer.listAccounts('evm', { start: 1, count: 1 }))[0]?.address as Hex
    const error = await rejectionOf(signer.signEvmTransactions([request(eip1559(0), other)]))
    expect(error.code).toBe('DEVICE_ADDRESS_MISMATCH')
    expect(error.message).toBe(
      'The Ledger answered for a different account than expected — check that this is the right Ledger (same recovery phrase) and the right account.',
    )
    const verify = await rejectionOf(signer.verifyAddress({ chain: 'evm', path: evmAccountPath(0), expectedAddress: other }))
    expect(verify.code).toBe('DEVICE_ADDRESS_MISMATCH')
  })

  it('refuses bad input before any APDU: no chain id, already signed, malformed hex', async () => {
    const { emulator, signer } = setup()
    const legacyNoChainId = serializeTransaction({ type: 'legacy', nonce: 0, gasPrice: 1n, gas: 21_000n, to: RECIPIENT, value: 1n })
    const noChain = await rejectionOf(
      signer.signEvmTransactions([{ path: evmAccountPath(0), expectedAddress: EVM_ACCOUNT_0, unsignedTransaction: legacyNoChainId }]),
    )
    expect(noChain.code).toBe('INVALID_INPUT')
    expect(noChain.message).toBe(
      'Transaction 1 has no chain id, so it would be valid on every EVM chain — build it with a chain id (EIP-155).',
    )
    const tx = eip1559(0)
    const signedTx = serializeTransaction(tx, { r: `0x${'11'.repeat(32)}`, s: `0x${'22'.repeat(32)}`, yParity: 0 })
    expect((await rejectionOf(signer.signEvmTransactions([{ ...request(tx), unsignedTransaction: signedTx }]))).message).toContain(
      'already signed',
    )
    expect((await rejectionOf(signer.signEvmTransactions([{ ...request(tx), unsignedTransaction: '0xzz' }]))).code).toBe('INVALID_INPUT')
    expect((await rejectionOf(signer.getAccount('stellar', "44'/148'/0"))).code).toBe('INVALID_INPUT')
    expect(emulator.stats.exchanges).toBe(0)
  })
})

describe('Ledger signer over the sandbox emulator: one device, one exchange, people in the loop', () => {
  it('queues concurrent callers: never more than one exchange in flight', async () => {
    const { emulator, signer } = setup()
    const accounts = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => signer.getAccount('evm', evmAccountPath(i))))
    expect(new Set(accounts.map((a) => a.address)).size).toBe(6)
    expect(emulator.stats.concurrentExchangesMax).toBe(1)
  })

  it('shares one queue per device through createLedgerDevices', async () => {
    const emulator = createSandboxLedgerEmulator({ mnemonic: SPECULOS_TEST_MNEMONIC, openApp: 'Ethereum' })
    const devices = createLedgerDevices({ factory: emulator.transportFactory, timer: createManualTimer() })
    expect(await devices.list()).toEqual([{ id: emulator.deviceId, label: 'Sandbox Ledger emulator (test only)' }])
    expect(devices.signer(emulator.deviceId)).toBe(devices.signer(emulator.deviceId))
    await Promise.all([
      devices.signer(emulator.deviceId).getAccount('evm', evmAccountPath(0)),
      devices.signer(emulator.deviceId).getAccount('evm', evmAccountPath(1)),
    ])
    expect(emulator.stats.concurrentExchangesMax).toBe(1)
  })

  it('refuses callers beyond the waiting limit with DEVICE_BUSY', async () => {
    const { signer } = setup({}, { waitingJobsMax: 2 })
    const calls = [0, 1, 2, 3].map((i) =>
      signer.getAccount('evm', evmAccountPath(i)).then(
        () => 'ok',
        (e: { code: string }) => e.code,
      ),
    )
    expect(await Promise.all(calls)).toEqual(['ok', 'ok', 'ok', 'DEVICE_BUSY'])
  })

  it('waits for a slow user, one prompt per transaction, with progress events', async () => {
    const { emulator, signer } = setup({ user: 'manual' })
    const progress: SignerProgress[] = []
    const signed: number[] = []
    const batch = signer.signEvmTransactions([request(eip1559(0)), request(eip1559(1, { value: 9n }))], {
      onProgress: (p) => progress.push(p),
      onSigned: (i) => void signed.push(i),
    })

    const first = await emulator.nextPrompt()
    expect(first.fields).toEqual({ to: RECIPIENT, valueWei: '1234567', chainId: '8453' })
    expect(progress).toEqual([{ kind: 'opening-device' }, { kind: 'awaiting-confirmation', subject: 'transaction', position: 1, total: 2 }])
    expect(signed).toEqual([])
    first.approve()

    const second = await emulator.nextPrompt()
    expect(second.fields.valueWei).toBe('9')
    expect(signed).toEqual([0])
    second.approve()

    expect(await batch).toHaveLength(2)
    expect(progress.map(describeSignerProgress)).toEqual([
      'Connecting to the Ledger…',
      'Waiting for confirmation on the device (transaction 1 of 2).',
      '1 of 2 signed.',
      'Waiting for confirmation on the device (transaction 2 of 2).',
      '2 of 2 signed.',
    ])
    expect(emulator.stats.prompts.map((p) => p.answer)).toEqual(['approved', 'approved'])
  })

  it('times out a prompt nobody answers, holds the device until it is answered, then works again', async () => {
    const { emulator, signer, timer } = setup({ user: 'manual' })
    const signing = signer.signEvmTransactions([request(eip1559(0))])
    const prompt = await emulator.nextPrompt()
    expect(timer.pending).toBe(1)
    timer.fireAll()
    const timedOut = await rejectionOf(signing)
    expect(timedOut.code).toBe('DEVICE_TIMEOUT')
    expect(timedOut.message).toBe('The Ledger did not answer in time — check its screen, reject any pending request, then try again.')

    // The prompt is still on the device: a new request must not be sent behind it.
    const busy = await rejectionOf(signer.getAccount('evm', evmAccountPath(0)))
    expect(busy.code).toBe('DEVICE_BUSY')

    prompt.reject()
    await flushMicrotasks()
    expect((await signer.getAccount('evm', evmAccountPath(0))).address).toBe(EVM_ACCOUNT_0)
    expect(emulator.stats.concurrentExchangesMax).toBe(1)
  })

  it('a throwing onSigned stops the batch and is passed through unchanged', async () => {
    const { emulator, signer } = setup()
    const storageError = new Error('disk full')
    const error = await rejectionOf(
      signer.signEvmTransactions([request(eip1559(0)), request(eip1559(1))], {
        onSigned: () => {
          throw storageError
        },
      }),
    )
    expect(error).toBe(storageError)
    expect(emulator.stats.signatures).toBe(1)
  })

  it('a throwing progress listener does not break signing', async () => {
    const { signer } = setup()
    const signatures = await signer.signEvmTransactions([request(eip1559(0))], {
      onProgress: () => {
        throw new Error('window closed')
      },
    })
    expect(signatures).toHaveLength(1)
  })
})
