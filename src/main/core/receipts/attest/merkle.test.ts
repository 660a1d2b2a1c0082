import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { MerkleStep } from '../../../../shared/receiptTypes'
import { seededUint32 } from '../../util/seededRandom'
import { buildMerkleTree, merkleLeaf, merkleProof, merkleProofSides, merkleRoot, verifyMerkleProof } from './merkle'

const h = (text: string) => bytesToHex(sha256(new TextEncoder().encode(text)))
const prefixed = (prefix: number, ...hex: string[]) =>
  bytesToHex(sha256(new Uint8Array([prefix, ...hex.flatMap((x) => [...hexToBytes(x)])])))
const receiptHashes = (n: number, salt = 'r') => Array.from({ length: n }, (_, i) => h(`${salt}${i}`))
const leavesOf = (n: number, salt?: string) => receiptHashes(n, salt).map(merkleLeaf)

function flipBit(hex: string, bit: number): string {
  const bytes = hexToBytes(hex)
  bytes[bit >> 3]! ^= 1 << (bit & 7)
  return bytesToHex(bytes)
}

describe('merkle', () => {
  it('hashes leaves and nodes with their own prefixes, and carries an odd node up unchanged', () => {
    const [a, b, c] = receiptHashes(3)
    expect(merkleLeaf(a!)).toBe(prefixed(0x00, a!))
    const [la, lb, lc] = [a, b, c].map((x) => merkleLeaf(x!)) as [string, string, string]
    expect(merkleRoot([la])).toBe(la)
    expect(merkleRoot([la, lb])).toBe(prefixed(0x01, la, lb))
    // Three leaves: (a, b) pair up, c goes up alone and pairs at the next level.
    expect(merkleRoot([la, lb, lc])).toBe(prefixed(0x01, prefixed(0x01, la, lb), lc))
    expect(merkleProof([la, lb, lc], 2)).toEqual([{ side: 'left', hash: prefixed(0x01, la, lb) }])
    expect(merkleProof([la, lb, lc], 0)).toEqual([
      { side: 'right', hash: lb },
      { side: 'right', hash: lc },
    ])
    // No duplication of the last leaf: [a, b, c] and [a, b, c, c] have different roots.
    expect(merkleRoot([la, lb, lc])).not.toBe(merkleRoot([la, lb, lc, lc]))
  })

  it('every leaf of trees of 1 to 100 leaves verifies, with the sides its position gives', () => {
    for (let n = 1; n <= 100; n++) {
      const leaves = leavesOf(n, `t${n}-`)
      const tree = buildMerkleTree(leaves)
      const root = merkleRoot(leaves)
      expect(tree.root).toBe(root)
      for (let i = 0; i < n; i++) {
        const proof = tree.proof(i)
        if (i === n - 1) expect(merkleProof(leaves, i)).toEqual(proof)
        expect(verifyMerkleProof(leaves[i]!, proof, root)).toBe(true)
        expect(proof.map((s) => s.side)).toEqual(merkleProofSides(n, i))
        expect(proof.length).toBeLessThanOrEqual(Math.ceil(Math.log2(n)))
      }
    }
  })

  it('a proof fails for another leaf, another tree, or with any one bit flipped', () => {
    const next = seededUint32(16)
    for (let n = 2; n <= 100; n++) {
      const leaves = leavesOf(n, `p${n}-`)
      const root = merkleRoot(leaves)
      const other = leavesOf(n, `q${n}-`)
      const i = next() % n
      const j = (i + 1 + (next() % (n - 1))) % n
      const proof = merkleProof(leaves, i)
      // Another leaf of the same tree with this leaf's proof.
      expect(verifyMerkleProof(leaves[j]!, proof, root)).toBe(false)
      // The same position in another tree (same size, other receipts).
      expect(verifyMerkleProof(leaves[i]!, merkleProof(other, i), root)).toBe(false)
      expect(verifyMerkleProof(leaves[i]!, proof, merkleRoot(other))).toBe(false)
      // One flipped bit anywhere: the leaf, a step's hash, a step's side, or the root.
      const bit = next() % 256
      expect(verifyMerkleProof(flipBit(leaves[i]!, bit), proof, root)).toBe(false)
      expect(verifyMerkleProof(leaves[i]!, proof, flipBit(root, bit))).toBe(false)
      const k = next() % proof.length
      const flippedHash = proof.map((s, x) => (x === k ? { ...s, hash: flipBit(s.hash, bit) } : s))
      expect(verifyMerkleProof(leaves[i]!, flippedHash, root)).toBe(false)
      const flippedSide = proof.map((s, x): MerkleStep => (x === k ? { ...s, side: s.side === 'left' ? 'right' : 'left' } : s))
      expect(verifyMerkleProof(leaves[i]!, flippedSide, root)).toBe(false)
    }
  })

  it('property: any tree, any leaf verifies; a changed receipt hash does not', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { minLength: 1, maxLength: 64 }), fc.nat(), (hashes, pick) => {
        const leaves = hashes.map((x) => merkleLeaf(bytesToHex(x)))
        const i = pick % leaves.length
        const root = merkleRoot(leaves)
        const proof = merkleProof(leaves, i)
        expect(verifyMerkleProof(leaves[i]!, proof, root)).toBe(true)
        const changed = merkleLeaf(flipBit(bytesToHex(hashes[i]!), pick % 256))
        expect(verifyMerkleProof(changed, proof, root)).toBe(false)
      }),
      { seed: 53, numRuns: 200 },
    )
  })

  it('an inner node cannot pass as a leaf (second preimage): the prefixes keep the two apart', () => {
    const leaves = leavesOf(4, 'sp')
    const root = merkleRoot(leaves)
    const inner = prefixed(0x01, leaves[0]!, leaves[1]!)
    // The inner node with its true upper path does verify as a *node* …
    expect(verifyMerkleProof(inner, [{ side: 'right', hash: prefixed(0x01, leaves[2]!, leaves[3]!) }], root)).toBe(true)
    // … but no receipt hash gives that node as its leaf: a "receipt" whose hash is the inner node
    // (or the two children's concatenation, hashed) lands somewhere else.
    expect(merkleLeaf(inner)).not.toBe(inner)
    const forged = bytesToHex(sha256(new Uint8Array([...hexToBytes(leaves[0]!), ...hexToBytes(leaves[1]!)])))
    expect(merkleLeaf(forged)).not.toBe(inner)
    expect(verifyMerkleProof(merkleLeaf(forged), [{ side: 'right', hash: prefixed(0x01, leaves[2]!, leaves[3]!) }], root)).toBe(false)
    // Without the prefixes the attack works, which is what the prefixes are for.
    const plain = (...x: string[]) => bytesToHex(sha256(new Uint8Array(x.flatMap((y) => [...hexToBytes(y)]))))
    const plainLeaves = receiptHashes(4, 'sp').map((x) => plain(x))
    const plainRoot = plain(plain(plainLeaves[0]!, plainLeaves[1]!), plain(plainLeaves[2]!, plainLeaves[3]!))
    const plainForged = plainLeaves[0]! + plainLeaves[1]!
    expect(plain(plain(plainForged), plain(plainLeaves[2]!, plainLeaves[3]!))).toBe(plainRoot)
  })

  it('rejects malformed proofs without throwing, and refuses malformed input to the builders', () => {
    const leaves = leavesOf(5)
    const root = merkleRoot(leaves)
    const proof = merkleProof(leaves, 3)
    expect(verifyMerkleProof(leaves[3]!.toUpperCase(), proof, root)).toBe(false)
    expect(verifyMerkleProof(leaves[3]!, proof, `0x${root}`)).toBe(false)
    expect(verifyMerkleProof(leaves[3]!, [{ side: 'up' as 'left', hash: proof[0]!.hash }, ...proof.slice(1)], root)).toBe(false)
    expect(verifyMerkleProof(leaves[3]!, [null as unknown as MerkleStep], root)).toBe(false)
    expect(
      verifyMerkleProof(
        leaves[3]!,
        Array.from({ length: 33 }, () => proof[0]!),
        root,
      ),
    ).toBe(false)
    expect(() => merkleRoot([])).toThrow(/at least one leaf/)
    expect(() => merkleLeaf('abc')).toThrow(/not 64 lower-case hex/)
    expect(() => merkleProof(leaves, 5)).toThrow(/leaf 5 of 5/)
  })
})
