/**
 * verifyBatchAttestation with signatures made by the device emulator through the real Ledger
 * signer code (createSandboxSigner: the Ethereum and Stellar apps over APDUs), and viem / stellar-base
 * as independent checks of the same signatures.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { Keypair } from '@stellar/stellar-base'
import { recoverMessageAddress, verifyMessage } from 'viem'
import { beforeAll, describe, expect, it } from 'vitest'
import type { ReceiptBatchAttestation } from '../../../../shared/receiptTypes'
import { createSandboxEmulators, createSandboxSigner, type SandboxEmulators } from '../../signing/sandboxSigner'
import type { Signer } from '../../signing/Signer'
import { attestationMessage, encodeEvmSignature, sep53MessageHash } from './attestationMessage'
import { merkleLeaf, merkleProof, merkleRoot } from './merkle'
import { verifyBatchAttestation } from './verifyBatchAttestation'

const EVM_TREASURY = '0xDad77910DbDFdE764fC21FCD4E74D71bBACA6D8D'
const EVM_PATH = "44'/60'/0'/0/0"
const STELLAR_TREASURY = 'GCNCEJIAZ5D3APIF5XWAJ3JSSTHM4HPHE7GK3NAB6R6WWSZDB2A2BQ5B'
const STELLAR_PATH = "44'/148'/0'"
const WORKSPACE = 'ws_00112233445566778899aabbccddeeff'

const hashOf = (text: string) => bytesToHex(sha256(new TextEncoder().encode(text)))
const receiptsOf = (batch: string, n: number) => Array.from({ length: n }, (_, i) => hashOf(`${batch}/receipt/${i + 1}`))

interface SignedBatch {
  receipts: string[]
  attestationFor(index: number): ReceiptBatchAttestation
}

async function signBatch(signer: Signer, chain: 'evm' | 'stellar', batchId: string, n: number): Promise<SignedBatch> {
  const receipts = receiptsOf(batchId, n)
  const leaves = receipts.map(merkleLeaf)
  const root = merkleRoot(leaves)
  const message = attestationMessage({ chain, batchId, root, leafCount: n, workspaceId: WORKSPACE })
  let signature: string
  if (chain === 'evm') {
    const sig = await signer.signEvmPersonalMessage({
      path: EVM_PATH,
      expectedAddress: EVM_TREASURY,
      message: new TextEncoder().encode(message),
    })
    signature = encodeEvmSignature(sig)
  } else {
    const sig = await signer.signStellarHash({ path: STELLAR_PATH, expectedPublicKey: STELLAR_TREASURY, hash: sep53MessageHash(message) })
    signature = bytesToHex(sig.signature)
  }
  const signerAddress = chain === 'evm' ? EVM_TREASURY : STELLAR_TREASURY
  return {
    receipts,
    attestationFor: (index) => ({
      chain,
      batchId,
      signer: signerAddress,
      root,
      leafCount: n,
      message,
      signature,
      leafIndex: index,
      proof: merkleProof(leaves, index),
    }),
  }
}

let emulators: SandboxEmulators
let evmA: SignedBatch
let evmB: SignedBatch
let xlmA: SignedBatch

beforeAll(async () => {
  emulators = createSandboxEmulators()
  const signer = createSandboxSigner(emulators)
  evmA = await signBatch(signer, 'evm', 'b_aaaaaaaaaaaa', 7)
  evmB = await signBatch(signer, 'evm', 'b_bbbbbbbbbbbb', 7)
  xlmA = await signBatch(signer, 'stellar', 'b_cccccccccccc', 5)
})

describe('verifyBatchAttestation', () => {
  it('EVM: every receipt of the batch verifies against the device signature, and viem agrees', async () => {
    for (let i = 0; i < evmA.receipts.length; i++)
      expect(verifyBatchAttestation(evmA.attestationFor(i), evmA.receipts[i]!)).toEqual({ ok: true })
    const att = evmA.attestationFor(0)
    expect(att.signature).toMatch(/^[0-9a-f]{128}1[bc]$/)
    expect(await verifyMessage({ address: EVM_TREASURY, message: att.message, signature: `0x${att.signature}` })).toBe(true)
    expect(await recoverMessageAddress({ message: att.message, signature: `0x${att.signature}` })).toBe(EVM_TREASURY)
    // The Ethereum app showed the text itself (printable ASCII), with the root on it.
    const shown = emulators.ethereum.stats.prompts.find((p) => p.kind === 'sign-message')
    expect(shown?.fields).toEqual({ message: evmA.attestationFor(0).message })
    expect(att.message).toContain(`root ${att.root}`)
    expect(att.message).toMatch(/^[\x20-\x7e\n]+$/)
  })

  it('Stellar: every receipt verifies (SEP-53 with hash signing on), and stellar-base agrees', () => {
    for (let i = 0; i < xlmA.receipts.length; i++)
      expect(verifyBatchAttestation(xlmA.attestationFor(i), xlmA.receipts[i]!)).toEqual({ ok: true })
    const att = xlmA.attestationFor(2)
    const sep53 = sha256(new TextEncoder().encode(`Stellar Signed Message:\n${att.message}`))
    expect(Keypair.fromPublicKey(STELLAR_TREASURY).verify(Buffer.from(sep53), Buffer.from(hexToBytes(att.signature)))).toBe(true)
    expect(emulators.stellar.stats.prompts.some((p) => p.app === 'Stellar')).toBe(true)
  })

  it('fails for a proof of another batch, naming the proof', () => {
    // Receipt 3 of batch A with the attestation (and proof) of receipt 3 of batch B.
    const result = verifyBatchAttestation(evmB.attestationFor(2), evmA.receipts[2]!)
    expect(result).toMatchObject({ ok: false, problem: expect.stringMatching(/Merkle proof does not lead .* another batch/) })
    // Batch A's signed root with batch B's proof.
    const mixed = { ...evmA.attestationFor(2), proof: evmB.attestationFor(2).proof }
    expect(verifyBatchAttestation(mixed, evmA.receipts[2]!)).toMatchObject({ ok: false, problem: expect.stringMatching(/Merkle proof/) })
    // A proof for another position.
    const moved = { ...evmA.attestationFor(2), leafIndex: 3 }
    expect(verifyBatchAttestation(moved, evmA.receipts[2]!)).toMatchObject({ ok: false, problem: expect.stringMatching(/Merkle proof/) })
  })

  it('fails for a tampered receipt hash', () => {
    const tampered = evmA.receipts[4]!.replace(/^./, (c) => (c === '0' ? '1' : '0'))
    expect(verifyBatchAttestation(evmA.attestationFor(4), tampered)).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/receipt was changed/),
    })
  })

  it('fails for a wrong signer, naming who signed', () => {
    const other = '0x' + 'ab'.repeat(20)
    expect(verifyBatchAttestation({ ...evmA.attestationFor(0), signer: other }, evmA.receipts[0]!)).toMatchObject({
      ok: false,
      problem: expect.stringMatching(new RegExp(`made by ${EVM_TREASURY}, not by the treasury address`)),
    })
    const otherAccount = Keypair.fromRawEd25519Seed(Buffer.alloc(32, 7)).publicKey()
    expect(verifyBatchAttestation({ ...xlmA.attestationFor(0), signer: otherAccount }, xlmA.receipts[0]!)).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/does not verify under G/),
    })
    // The Stellar signature presented as an EVM one, and a signature of another batch.
    expect(
      verifyBatchAttestation({ ...evmA.attestationFor(0), signature: evmB.attestationFor(0).signature }, evmA.receipts[0]!),
    ).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/not by the treasury address/),
    })
    // The receipt says another account paid it.
    expect(verifyBatchAttestation(evmA.attestationFor(0), evmA.receipts[0]!, { payer: other })).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/the account that paid this receipt/),
    })
    expect(verifyBatchAttestation(evmA.attestationFor(0), evmA.receipts[0]!, { payer: EVM_TREASURY.toLowerCase() })).toEqual({ ok: true })
  })

  it('fails for a changed message: its text, its count, its batch or its workspace', () => {
    const att = evmA.attestationFor(1)
    const r = evmA.receipts[1]!
    const changedText = { ...att, message: att.message.replace('Countersign receipts', 'Countersign receipt') }
    expect(verifyBatchAttestation(changedText, r)).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/signed message does not state/),
    })
    // A message rebuilt for another workspace is well formed but not what the device signed.
    const otherWorkspace = { ...att, message: att.message.replace(WORKSPACE, 'ws_other') }
    expect(verifyBatchAttestation(otherWorkspace, r)).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/signature was made by 0x/),
    })
    const otherBatch = { ...att, batchId: 'b_bbbbbbbbbbbb' }
    expect(verifyBatchAttestation(otherBatch, r)).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/signed message does not state/),
    })
    expect(verifyBatchAttestation(att, r, { workspaceId: 'ws_someone_else' })).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/for workspace ws_0011.*not this receipt's workspace/),
    })
    expect(verifyBatchAttestation(att, r, { batchId: 'b_other' })).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/not this receipt's batch/),
    })
    expect(verifyBatchAttestation(att, r, { workspaceId: WORKSPACE, batchId: 'b_aaaaaaaaaaaa', payer: EVM_TREASURY })).toEqual({ ok: true })
  })

  it('says what is malformed instead of throwing', () => {
    const att = xlmA.attestationFor(0)
    const r = xlmA.receipts[0]!
    const cases: Array<[unknown, RegExp]> = [
      [null, /not an object/],
      [{ ...att, chain: 'btc' }, /chain/],
      [{ ...att, leafIndex: 5 }, /leafIndex/],
      [{ ...att, leafCount: 0 }, /leafCount/],
      [{ ...att, root: att.root.toUpperCase() }, /root/],
      [{ ...att, proof: [{ side: 'up', hash: att.root }] }, /step of its proof/],
      [{ ...att, signature: att.signature.slice(2) }, /64/],
      [{ ...att, signature: `0x${att.signature}` }, /not lower-case hex/],
      [{ ...att, signer: 'not-an-account' }, /not a Stellar account/],
    ]
    for (const [input, problem] of cases)
      expect(verifyBatchAttestation(input as ReceiptBatchAttestation, r)).toMatchObject({
        ok: false,
        problem: expect.stringMatching(problem),
      })
    expect(verifyBatchAttestation(att, 'xyz')).toMatchObject({ ok: false, problem: expect.stringMatching(/receipt hash/) })
  })
})
