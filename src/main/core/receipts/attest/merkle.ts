/**
 * The Merkle tree over one batch's receipts, for the treasury device's one signature per batch
 * (batchAttestation.ts): the device signs the root, and each receipt carries the path from its
 * leaf to the root, so a payee checks inclusion with SHA-256 alone.
 *
 * leaf = SHA-256(0x00 ‖ receipt hash), node = SHA-256(0x01 ‖ left ‖ right) — the RFC 6962
 * prefixes, so an inner node can never be presented as a leaf (a second preimage). A node left
 * without a partner at the end of a level is carried up unchanged: nothing is duplicated, so no two
 * leaf lists that differ only by a repeated last leaf share a root (Bitcoin's CVE-2012-2459).
 * Leaves are in receipt-number order. Every hash is lower-case hex without 0x.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import type { MerkleStep } from '../../../../shared/receiptTypes'
import { invariant } from '../../util/invariant'

const LEAF_PREFIX = 0x00
const NODE_PREFIX = 0x01
const HASH_BYTES = 32
const HASH_HEX_RE = /^[0-9a-f]{64}$/
/** A tree of 2^32 leaves is 32 levels deep; a longer proof is not one of ours. */
export const MERKLE_PROOF_STEPS_MAX = 32
/** Leaves in one tree; proofs stay within MERKLE_PROOF_STEPS_MAX steps. */
export const MERKLE_LEAVES_MAX = 2 ** MERKLE_PROOF_STEPS_MAX

export function isMerkleHash(hex: string): boolean {
  return HASH_HEX_RE.test(hex)
}

function bytesOf(hex: string, what: string): Uint8Array {
  invariant(isMerkleHash(hex), () => `${what} is not 64 lower-case hex characters: ${JSON.stringify(hex.slice(0, 80))}`)
  return hexToBytes(hex)
}

function hashWithPrefix(prefix: number, ...parts: Uint8Array[]): Uint8Array {
  const input = new Uint8Array(1 + parts.length * HASH_BYTES)
  input[0] = prefix
  parts.forEach((part, i) => input.set(part, 1 + i * HASH_BYTES))
  return sha256(input)
}

function node(left: Uint8Array, right: Uint8Array): Uint8Array {
  return hashWithPrefix(NODE_PREFIX, left, right)
}

/** The leaf of one receipt: SHA-256(0x00 ‖ the 32 bytes of its SHA-256). */
export function merkleLeaf(receiptSha256Hex: string): string {
  return bytesToHex(hashWithPrefix(LEAF_PREFIX, bytesOf(receiptSha256Hex, 'A receipt hash')))
}

/** The levels of the tree, leaves first, root last. */
function levelsOf(leafHashes: readonly string[]): Uint8Array[][] {
  invariant(leafHashes.length > 0, 'a Merkle tree needs at least one leaf')
  invariant(leafHashes.length <= MERKLE_LEAVES_MAX, () => `a Merkle tree holds at most ${MERKLE_LEAVES_MAX} leaves`)
  const levels: Uint8Array[][] = [leafHashes.map((h) => bytesOf(h, 'A leaf hash'))]
  for (let level = levels[0]!; level.length > 1;) {
    const up: Uint8Array[] = []
    for (let i = 0; i < level.length; i += 2) up.push(i + 1 < level.length ? node(level[i]!, level[i + 1]!) : level[i]!)
    levels.push(up)
    level = up
  }
  return levels
}

/** A tree built once: its root, and the proof of any leaf without rebuilding it (a batch of 10,000 receipts). */
export interface MerkleTree {
  readonly root: string
  readonly leafCount: number
  proof(index: number): MerkleStep[]
}

export function buildMerkleTree(leafHashes: readonly string[]): MerkleTree {
  const levels = levelsOf(leafHashes)
  return {
    root: bytesToHex(levels[levels.length - 1]![0]!),
    leafCount: leafHashes.length,
    proof(index) {
      invariant(Number.isInteger(index) && index >= 0 && index < leafHashes.length, () => `leaf ${index} of ${leafHashes.length}`)
      const proof: MerkleStep[] = []
      let position = index
      for (const level of levels.slice(0, -1)) {
        const sibling = position % 2 === 0 ? position + 1 : position - 1
        if (sibling < level.length) proof.push({ side: position % 2 === 0 ? 'right' : 'left', hash: bytesToHex(level[sibling]!) })
        position = Math.floor(position / 2)
      }
      return proof
    },
  }
}

export function merkleRoot(leafHashes: readonly string[]): string {
  return buildMerkleTree(leafHashes).root
}

/** The siblings from the leaf at `index` up to the root; a level where it has no partner adds no step. */
export function merkleProof(leafHashes: readonly string[], index: number): MerkleStep[] {
  invariant(Number.isInteger(index) && index >= 0 && index < leafHashes.length, () => `leaf ${index} of ${leafHashes.length}`)
  return buildMerkleTree(leafHashes).proof(index)
}

/**
 * The sides a proof for leaf `index` of a `leafCount`-leaf tree must have, bottom up: a proof
 * whose sides differ is for another position or another tree size (batchAttestation checks it).
 */
export function merkleProofSides(leafCount: number, index: number): MerkleStep['side'][] {
  invariant(Number.isInteger(leafCount) && leafCount > 0 && leafCount <= MERKLE_LEAVES_MAX, () => `tree of ${leafCount} leaves`)
  invariant(Number.isInteger(index) && index >= 0 && index < leafCount, () => `leaf ${index} of ${leafCount}`)
  const sides: MerkleStep['side'][] = []
  for (let width = leafCount, position = index; width > 1; width = Math.ceil(width / 2), position = Math.floor(position / 2)) {
    const sibling = position % 2 === 0 ? position + 1 : position - 1
    if (sibling < width) sides.push(position % 2 === 0 ? 'right' : 'left')
  }
  return sides
}

/** Whether `proof` leads from `leafHash` to `root`. Malformed input is simply not a proof (false, never a throw). */
export function verifyMerkleProof(leafHash: string, proof: readonly MerkleStep[], root: string): boolean {
  if (!isMerkleHash(leafHash) || !isMerkleHash(root) || !Array.isArray(proof) || proof.length > MERKLE_PROOF_STEPS_MAX) return false
  let current: Uint8Array = hexToBytes(leafHash)
  for (const step of proof) {
    if (typeof step !== 'object' || step === null || typeof step.hash !== 'string' || !isMerkleHash(step.hash)) return false
    const sibling = hexToBytes(step.hash)
    if (step.side === 'left') current = node(sibling, current)
    else if (step.side === 'right') current = node(current, sibling)
    else return false
  }
  return bytesToHex(current) === root
}
