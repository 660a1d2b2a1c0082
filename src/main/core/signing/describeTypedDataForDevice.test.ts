import { describe, expect, it } from 'vitest'
import { describeTypedDataForDevice } from './describeTypedDataForDevice'

const DOMAIN = { name: 'Countersign', version: '1', chainId: 1 } as const

describe('describeTypedDataForDevice', () => {
  it('words each field as the Ethereum app does, domain first, struct headers included', () => {
    const lines = describeTypedDataForDevice({
      domain: DOMAIN,
      types: {
        Payee: [
          { name: 'wallet', type: 'address' },
          { name: 'active', type: 'bool' },
        ],
        Sample: [
          { name: 'small', type: 'int8' },
          { name: 'big', type: 'int256' },
          { name: 'mid', type: 'int32' },
          { name: 'count', type: 'uint16' },
          { name: 'tag', type: 'bytes4' },
          { name: 'payees', type: 'Payee[]' },
          { name: 'memo', type: 'string' },
        ],
      },
      primaryType: 'Sample',
      message: {
        small: -1,
        big: -(2n ** 200n),
        mid: -5,
        count: 65535,
        tag: '0xdeadbeef',
        payees: [{ wallet: '0xdeadbeefdeadbeefdeadbeefdeadbeefdeadbeef', active: true }],
        memo: 'Approve batch Payroll — 250 payouts',
      },
    })
    expect(lines).toEqual([
      { label: 'Review struct', value: 'EIP712Domain' },
      { label: 'name', value: 'Countersign' },
      { label: 'version', value: '1' },
      { label: 'chainId', value: '1' },
      { label: 'Review struct', value: 'Sample' },
      { label: 'small', value: '-1' },
      { label: 'big', value: '-1606938044258990275541962092341162602522202993782792835301376' },
      { label: 'mid', value: '-5' },
      { label: 'count', value: '65535' },
      { label: 'tag', value: '0xDEADBEEF' },
      { label: 'wallet', value: '0xDeaDbeefdEAdbeefdEadbEEFdeadbeEFdEaDbeeF' },
      { label: 'active', value: 'true' },
      { label: 'memo', value: 'Approve batch Payroll — 250 payouts' },
    ])
  })

  it('cuts what does not fit the 380-byte display buffer to end in "..."', () => {
    const [, , , , , note, blob] = describeTypedDataForDevice({
      domain: DOMAIN,
      types: {
        Long: [
          { name: 'note', type: 'string' },
          { name: 'blob', type: 'bytes' },
        ],
      },
      primaryType: 'Long',
      message: { note: `${'a'.repeat(376)}bcdef`, blob: `0x${'0f'.repeat(189)}` },
    })
    expect(note).toEqual({ label: 'note', value: `${'a'.repeat(376)}...` })
    // 188 bytes fit after "0x"; the 189th does not, so the last three characters give way.
    expect(blob?.value).toBe(`0x${'0F'.repeat(187)}...`)
    expect(blob?.value.length).toBe(379)
  })

  it('keeps a value that just fits whole', () => {
    const lines = describeTypedDataForDevice({
      domain: DOMAIN,
      types: { Fits: [{ name: 'blob', type: 'bytes' }] },
      primaryType: 'Fits',
      message: { blob: `0x${'0f'.repeat(188)}` },
    })
    expect(lines.at(-1)?.value).toBe(`0x${'0F'.repeat(188)}`)
  })

  it('refuses typed data a Ledger would not show as given', () => {
    expect(() =>
      describeTypedDataForDevice({
        domain: DOMAIN,
        types: { T: [{ name: 'amount', type: 'uint8' }] },
        primaryType: 'T',
        message: { amount: 256 },
      }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }) as unknown as Error)
  })
})
