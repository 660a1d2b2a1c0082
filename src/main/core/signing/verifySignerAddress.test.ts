import { describe, expect, it } from 'vitest'
import { CsError } from '../../../shared/errors'
import { CoreEvents, fixedClock, type CoreContext } from '../context'
import { openDb } from '../db/openDb'
import type { Signer, SignerAccount } from './Signer'
import { assertSignerAddressVerified, getVerifiedSignerAddress, verifySignerAddress } from './verifySignerAddress'

const ADDRESS = '0xAb5801a7D398351b8bE11C439e05C5B3259aeC9B'
const PATH = "44'/60'/0'/0/0"

async function context(): Promise<CoreContext> {
  return { db: await openDb({ dataDir: ':memory:' }), clock: fixedClock(), events: new CoreEvents() }
}
function signerShowing(result: () => SignerAccount): Signer {
  return { verifyAddress: async () => result() } as unknown as Signer
}

describe('verifySignerAddress', () => {
  it('records an approved address with time and operator, audited; the guard then passes', async () => {
    const ctx = await context()
    await expect(assertSignerAddressVerified(ctx, 'evm', ADDRESS)).rejects.toThrow(
      /Verify the treasury address 0xAb58.* Settings → Signers/,
    )
    const signer = signerShowing(() => ({ chain: 'evm', path: PATH, address: ADDRESS, publicKey: '0x04' }))
    const out = await verifySignerAddress(ctx, signer, 'op_admin', { chain: 'evm', path: PATH, address: ADDRESS })
    expect(out).toMatchObject({ verifiedAt: '2026-01-01T00:00:00.000Z', verifiedBy: 'op_admin' })
    expect((await getVerifiedSignerAddress(ctx, 'evm', ADDRESS.toLowerCase()))?.path).toBe(PATH)
    await assertSignerAddressVerified(ctx, 'evm', ADDRESS)
    const audit = await ctx.db.all(ctx.db.k.selectFrom('audit_log').selectAll().where('action', '=', 'signers.addresses.verify'))
    expect(audit).toHaveLength(1)
  })

  it('a rejection on the device records nothing and keeps its sentence', async () => {
    const ctx = await context()
    const signer = signerShowing(() => {
      throw new CsError('DEVICE_REJECTED', 'You rejected it on the Ledger.')
    })
    await expect(verifySignerAddress(ctx, signer, 'op_admin', { chain: 'evm', path: PATH, address: ADDRESS })).rejects.toMatchObject({
      code: 'DEVICE_REJECTED',
    })
    expect(await getVerifiedSignerAddress(ctx, 'evm', ADDRESS)).toBeUndefined()
    try {
      await assertSignerAddressVerified(ctx, 'evm', ADDRESS)
    } catch (e) {
      expect((e as CsError).code).toBe('SIGNER_ADDRESS_NOT_VERIFIED')
    }
  })

  it('a different address on the device is refused', async () => {
    const ctx = await context()
    const signer = signerShowing(() => ({ chain: 'evm', path: PATH, address: '0x' + '1'.repeat(40), publicKey: '0x04' }))
    await expect(verifySignerAddress(ctx, signer, 'op_admin', { chain: 'evm', path: PATH, address: ADDRESS })).rejects.toMatchObject({
      code: 'DEVICE_ADDRESS_MISMATCH',
    })
    expect(await getVerifiedSignerAddress(ctx, 'evm', ADDRESS)).toBeUndefined()
  })
})
