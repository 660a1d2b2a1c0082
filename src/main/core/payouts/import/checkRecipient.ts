/**
 * Is this a well-formed recipient for the rail, and what is its canonical form?
 *
 * Decisions (money goes to whatever passes here, so each one leans to refusing):
 * - EVM: `0x` + 40 hex. Mixed case must be a valid EIP-55 checksum — a wrong checksum means a
 *   typo or a tampered address, and is refused. All-lower-case or all-upper-case carries no
 *   checksum at all; it is accepted (Safe, explorers and many exports write addresses that way,
 *   and refusing would only push people to a tool that "fixes" the checksum of a typo) but flagged
 *   `noChecksum`, which becomes a warning unless the address is already known. The canonical form
 *   stored is EIP-55. The zero address is refused (funds sent there are burnt).
 * - Stellar: a G… ed25519 account with a valid StrKey checksum. Muxed M… accounts are refused
 *   explicitly: the payment engine does not build muxed destinations yet, and an exchange that
 *   needs one also takes its G… account plus a memo.
 * - Stripe: a connected account id `acct_` + at least 16 letters or digits.
 */
import { StrKey } from '@stellar/stellar-base'
import type { Rail } from '../../../../shared/blocks'
import { assertNever } from '../../util/invariant'
import { keccak256 } from '../../util/keccak256'
import type { RowIssueCode } from '../../../../shared/payoutImport'

const EVM_ZERO_ADDRESS = '0x0000000000000000000000000000000000000000'
const STRIPE_ACCOUNT_RE = /^acct_[A-Za-z0-9]{16,}$/
/** Longest Stripe account id we accept (the contract's Ref length); real ones are ~21 characters. */
const STRIPE_ACCOUNT_CHARS_MAX = 128
/** Characters of a bad value echoed back in a message. */
const ECHO_CHARS_MAX = 60

export type CheckRecipientReturnType =
  { ok: true; canonical: string; noChecksum: boolean } | { ok: false; code: RowIssueCode; sentence: string }

export function checkRecipient(rail: Rail, value: string): CheckRecipientReturnType {
  if (value === '')
    return { ok: false, code: 'ADDRESS_INVALID', sentence: 'the recipient is empty — enter the payee’s address or account.' }
  switch (rail) {
    case 'evm':
      return checkEvmAddress(value)
    case 'stellar':
      return checkStellarAccount(value)
    case 'stripe':
      return checkStripeAccount(value)
    default:
      return assertNever(rail, 'rail')
  }
}

function checkEvmAddress(value: string): CheckRecipientReturnType {
  // Reads the 40 hex digits into asciiBytes, lower-cased, as the checksum hashes them.
  const letters = readEvmHex(value)
  if (letters === null) {
    return {
      ok: false,
      code: 'ADDRESS_INVALID',
      sentence: `${echo(value)} is not an EVM address — it must be 0x followed by 40 hexadecimal characters (${value.startsWith('0x') ? value.length - 2 : value.length} given).`,
    }
  }
  const noChecksum = letters !== MIXED_CASE
  const canonical = checksumOfAsciiBytes()
  if (!noChecksum && canonical !== value) {
    return {
      ok: false,
      code: 'ADDRESS_CHECKSUM',
      sentence: `${echo(value)} has a wrong checksum (the mix of capital letters does not match) — it was mistyped or altered; copy it again from the payee’s own record.`,
    }
  }
  if (canonical === EVM_ZERO_ADDRESS) {
    return {
      ok: false,
      code: 'RECIPIENT_FORBIDDEN',
      sentence: 'the zero address burns whatever is sent to it — enter the payee’s real address.',
    }
  }
  return { ok: true, canonical, noChecksum }
}

function checkStellarAccount(value: string): CheckRecipientReturnType {
  if (value.startsWith('M') && StrKey.isValidMed25519PublicKey(value)) {
    return {
      ok: false,
      code: 'ADDRESS_MUXED',
      sentence: `${echo(value)} is a muxed account (M…), which Countersign cannot pay yet — use the payee’s G… account and put their deposit id in memo.`,
    }
  }
  if (!StrKey.isValidEd25519PublicKey(value)) {
    return {
      ok: false,
      code: 'ADDRESS_INVALID',
      sentence: `${echo(value)} is not a Stellar account — it must be 56 characters starting with G, with a valid checksum; copy it again from the payee’s own record.`,
    }
  }
  return { ok: true, canonical: value, noChecksum: false }
}

function checkStripeAccount(value: string): CheckRecipientReturnType {
  if (value.length > STRIPE_ACCOUNT_CHARS_MAX || !STRIPE_ACCOUNT_RE.test(value)) {
    return {
      ok: false,
      code: 'ADDRESS_INVALID',
      sentence: `${echo(value)} is not a Stripe connected account — it looks like acct_ followed by at least 16 letters and digits.`,
    }
  }
  return { ok: true, canonical: value, noChecksum: false }
}

/** The address being checked, as the bytes of its lower-case hex text (what EIP-55 hashes). */
const asciiBytes = new Uint8Array(40)
/** Character codes of the answer: "0x" then 40 hex digits (one string built from them, not 40 joined). */
const outCodes: number[] = [0x30, 0x78, ...new Array<number>(40).fill(0)]
const DIGIT_0 = 0x30
const DIGIT_9 = 0x39
const LOWER_X = 0x78
const LOWER_A = 0x61
const LOWER_F = 0x66
const UPPER_A = 0x41
const UPPER_F = 0x46
/** Lower-case to upper-case in ASCII. */
const CASE_OFFSET = 0x20
const NO_LETTERS = 0
const LOWER_CASE = 1
const UPPER_CASE = 2
const MIXED_CASE = LOWER_CASE | UPPER_CASE

/**
 * EIP-55 checksummed form of 40 lower-case hex characters: a letter is upper-cased where the
 * matching nibble of keccak256(lower-case hex text) is 8 or more. Written here rather than viem's
 * getAddress because that one costs several times more per call and an import checks up to 10,000
 * (benchmarks: 100,000); checkRecipient.test.ts proves both agree. keccak256 is the WebAssembly one
 * once loaded (util/keccak256.ts).
 */
export function eip55(lowerHex40: string): string {
  for (let i = 0; i < 40; i++) asciiBytes[i] = lowerHex40.charCodeAt(i)
  return checksumOfAsciiBytes()
}

/** eip55 of the 40 lower-case hex digits in asciiBytes. */
function checksumOfAsciiBytes(): string {
  const hash = keccak256(asciiBytes)
  for (let i = 0; i < 40; i++) {
    const c = asciiBytes[i]!
    const nibble = i % 2 === 0 ? hash[i >> 1]! >> 4 : hash[i >> 1]! & 0x0f
    outCodes[i + 2] = nibble >= 8 && c >= LOWER_A ? c - CASE_OFFSET : c
  }
  return String.fromCharCode.apply(null, outCodes)
}

/**
 * "0x" and 40 hex digits (/^0x[0-9a-fA-F]{40}$/), read into asciiBytes lower-cased in the same
 * pass; which cases of letters it holds (NO_LETTERS, LOWER_CASE, UPPER_CASE or MIXED_CASE), or null
 * when it is not an address.
 */
function readEvmHex(value: string): number | null {
  if (value.length !== 42 || value.charCodeAt(0) !== DIGIT_0 || value.charCodeAt(1) !== LOWER_X) return null
  let letters = NO_LETTERS
  for (let i = 0; i < 40; i++) {
    const c = value.charCodeAt(i + 2)
    if (c >= DIGIT_0 && c <= DIGIT_9) asciiBytes[i] = c
    else if (c >= LOWER_A && c <= LOWER_F) {
      asciiBytes[i] = c
      letters |= LOWER_CASE
    } else if (c >= UPPER_A && c <= UPPER_F) {
      asciiBytes[i] = c + CASE_OFFSET
      letters |= UPPER_CASE
    } else return null
  }
  return letters
}

/** Which letters an EVM address holds after its 0x: null when it is not 0x and 40 hex digits. */
export function evmAddressCase(value: string): 'none' | 'lower' | 'upper' | 'mixed' | null {
  const letters = readEvmHex(value)
  if (letters === null) return null
  return letters === MIXED_CASE ? 'mixed' : letters === UPPER_CASE ? 'upper' : letters === LOWER_CASE ? 'lower' : 'none'
}

/** The form addresses are compared in: EVM case-insensitively, the others exactly. */
export function addressKey(rail: string, address: string): string {
  return rail === 'evm' ? address.toLowerCase() : address
}

function echo(value: string): string {
  return `"${value.length > ECHO_CHARS_MAX ? value.slice(0, ECHO_CHARS_MAX - 1) + '…' : value}"`
}
