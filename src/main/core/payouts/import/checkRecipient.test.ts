import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { getAddress } from 'viem'
import { describe, expect, it } from 'vitest'
import { checkRecipient, eip55 } from './checkRecipient'

describe('checkRecipient', () => {
  it('computes the same EIP-55 checksum as viem', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), (bytes) => {
        const lower = Buffer.from(bytes).toString('hex')
        expect(eip55(lower)).toBe(getAddress('0x' + lower))
      }),
      { numRuns: 500 },
    )
  })

  it('accepts a valid checksum or one case, refuses a wrong checksum, and stores EIP-55', () => {
    const good = getAddress('0x' + createHash('sha256').update('x').digest('hex').slice(0, 40))
    expect(checkRecipient('evm', good)).toEqual({ ok: true, canonical: good, noChecksum: false })
    expect(checkRecipient('evm', good.toLowerCase())).toEqual({ ok: true, canonical: good, noChecksum: true })
    expect(checkRecipient('evm', '0x' + good.slice(2).toUpperCase())).toEqual({ ok: true, canonical: good, noChecksum: true })
    const i = good.slice(2).search(/[a-fA-F]/) + 2
    const flipped =
      good.slice(0, i) + (good[i] === good[i]!.toUpperCase() ? good[i]!.toLowerCase() : good[i]!.toUpperCase()) + good.slice(i + 1)
    expect(checkRecipient('evm', flipped)).toMatchObject({ ok: false, code: 'ADDRESS_CHECKSUM' })
    expect(checkRecipient('evm', ' ' + good)).toMatchObject({ ok: false, code: 'ADDRESS_INVALID' })
  })

  it('reads any text as the EVM rules say: 0x and 40 hex, one case or a valid checksum, EIP-55 stored (property)', () => {
    const hexOrNot = fc.constantFrom(...'0123456789abcdefABCDEFgGxX ')
    const candidate = fc.oneof(
      fc.array(fc.constantFrom(...'0123456789abcdefABCDEF'), { minLength: 40, maxLength: 40 }).map((c) => '0x' + c.join('')),
      fc.array(hexOrNot, { minLength: 38, maxLength: 42 }).map((c) => '0x' + c.join('')),
      fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => getAddress('0x' + Buffer.from(b).toString('hex'))),
      fc.string({ maxLength: 44 }),
    )
    fc.assert(
      fc.property(candidate, (value) => {
        const result = checkRecipient('evm', value)
        if (value === '' || !/^0x[0-9a-fA-F]{40}$/.test(value)) {
          expect(result).toMatchObject({ ok: false, code: 'ADDRESS_INVALID' })
          return
        }
        const body = value.slice(2)
        const oneCase = body === body.toLowerCase() || body === body.toUpperCase()
        const canonical = getAddress(value.toLowerCase())
        if (!oneCase && canonical !== value) expect(result).toMatchObject({ ok: false, code: 'ADDRESS_CHECKSUM' })
        else if (/^0x0{40}$/.test(value)) expect(result).toMatchObject({ ok: false, code: 'RECIPIENT_FORBIDDEN' })
        else expect(result).toEqual({ ok: true, canonical, noChecksum: oneCase })
      }),
      { numRuns: 1000 },
    )
  })

  it('checks Stellar and Stripe forms', () => {
    expect(checkRecipient('stellar', 'GAAQCAIBAEAQCAIBAEAQCAIBAEAQCAIBAEAQCAIBAEAQCAIBAEAQDZ7H')).toMatchObject({ ok: true })
    expect(checkRecipient('stellar', 'gaaqcaibaeaqcaibaeaqcaibaeaqcaibaeaqcaibaeaqcaibaeaqdz7h')).toMatchObject({
      ok: false,
      code: 'ADDRESS_INVALID',
    })
    expect(checkRecipient('stripe', 'acct_1AbCdEfGhIjKlMnOp')).toMatchObject({ ok: true })
    expect(checkRecipient('stripe', 'acct_1AbCdEfGhIjKlMnO p')).toMatchObject({ ok: false })
    expect(checkRecipient('evm', '')).toMatchObject({ ok: false, code: 'ADDRESS_INVALID' })
  })
})
