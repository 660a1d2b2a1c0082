/**
 * Cancelling a transaction the device refused, on screen. Carol executes a batch of three
 * transactions; the device emulator's person rejects the second. Beside "Resume signing" the
 * panel offers "Cancel transaction 2"; its dialog says what follows (those payouts will not be
 * paid, the later transaction takes its nonce). She confirms, resumes, and at the end transaction
 * 3 is mined at transaction 2's old nonce, payees 1 and 3 hold exactly their amounts and payee 2
 * nothing, and the batch is partially failed. Before any refusal, no cancel is offered.
 */
import { erc20Abi, getAddress, keccak256, toHex, type Address } from 'viem'
import { createHarnessClients } from '../harness/evm/clients'
import { expect, snap, unlockAs } from './fixtures'
import { emulatorWorldTest, importApproved } from './sandboxFixtures'

const test = emulatorWorldTest('cancel')

test('the device refuses transaction 2 of 3: cancel it, resume, 3 goes out with the freed nonce', async ({ page, world }) => {
  test.setTimeout(180_000)
  const api = world.sandbox.core.api
  const op = (name: string) => ({ operatorId: world.sandbox.description.operators.find((o) => o.name === name)!.id })
  const anvil = world.sandbox.description.services.anvil!
  const chain = createHarnessClients({ rpcUrl: String(anvil.rpcUrl), chainId: 31337 })
  const token = anvil.token as Address
  const eth = world.emulators.ethereum
  // One payout per transaction: three transactions.
  const rails = await api.call('settings.rails.get', {})
  await api.call(
    'settings.rails.set',
    { ...rails.rails, evm: { chains: rails.rails.evm!.chains.map((c) => ({ ...c, payoutsPerChunkMax: 1 })) } },
    op('Dana Admin'),
  )
  const payees = [1, 2, 3].map((n) => getAddress(keccak256(toHex(`countersign e2e cancel ${n}`)).slice(0, 42)))
  const amounts = [1_000_000n, 2_000_000n, 3_000_000n]
  const csv = ['id,rail,network,asset,recipient,amount', ...payees.map((p, i) => `cancel-${i},evm,31337,USDC,${p},${i + 1}.000000`)].join(
    '\n',
  )
  const id = await importApproved(world.sandbox, csv, 'Cancel a refused transaction')

  await page.goto(world.url)
  await unlockAs(page, 'Carol Signer')
  await page.getByTestId('nav-payouts').click()
  await page.getByTestId('batch-open').filter({ hasText: 'Cancel a refused transaction' }).click()
  await expect(page.getByTestId('batch-detail')).toHaveAttribute('data-state', 'approved')

  eth.setUser('manual')
  await page.getByTestId('batch-execute').click()
  ;(await eth.nextPrompt()).approve()
  ;(await eth.nextPrompt()).reject()
  eth.setUser('approve')
  await expect(page.getByTestId('execution-error')).toHaveAttribute('data-code', 'DEVICE_REJECTED')
  await expect(page.getByTestId('batch-resume')).toContainText('2 left')
  const before = await api.call('batches.submissions', { id })
  expect(before.map((s) => s.state)).toEqual(['broadcast', 'planned', 'planned'])

  const cancel = page.getByTestId('submission-cancel')
  await expect(cancel).toHaveText('Cancel transaction 2')
  await expect(cancel).toHaveAttribute('data-submission-id', before[1]!.id)
  await cancel.click()
  const dialog = page.getByRole('dialog')
  await expect(dialog).toContainText('Cancel transaction 2?')
  await expect(dialog).toContainText('Its 1 payout will not be paid by it')
  await expect(dialog).toContainText('The 1 later transaction takes over its nonce')
  await snap(page, 'cancel-01-confirm-dialog')
  await page.getByTestId('submission-cancel-confirm').click()
  await expect(dialog).toHaveCount(0)
  await expect(page.getByTestId('submission-cancel')).toHaveCount(0)
  await expect(page.getByTestId('batch-resume')).toContainText('1 left')
  await expect(page.locator('[data-testid="submission-row"][data-state="dead"]')).toContainText('Cancelled by Carol Signer')
  await expect(page.locator('[data-testid="submission-row"][data-state="dead"]').getByTestId('submission-state')).toHaveText('cancelled')

  await page.getByTestId('batch-resume').click()
  await expect(page.getByTestId('batch-resume')).toHaveCount(0)
  for (let round = 0; round < 10; round++) {
    await world.sandbox.core.poller.runOnce()
    if ((await api.call('batches.get', { id })).batch.state !== 'executing') break
  }
  await expect(page.getByTestId('batch-detail')).toHaveAttribute('data-state', 'partially_failed')
  await snap(page, 'cancel-02-partially-failed')

  const after = await api.call('batches.submissions', { id })
  expect(after.map((s) => [s.chunkIndex, s.state, s.failure?.code ?? null])).toEqual([
    [0, 'confirmed', null],
    [1, 'dead', 'CANCELLED'],
    [2, 'confirmed', null],
  ])
  const third = await chain.publicClient.getTransaction({ hash: after[2]!.txHash as `0x${string}` })
  expect(BigInt(third.nonce)).toBe(BigInt(before[1]!.nonce!))
  for (const [i, payee] of payees.entries()) {
    const held = await chain.publicClient.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [payee] })
    expect(held, `payee ${i + 1}`).toBe(i === 1 ? 0n : amounts[i])
  }
})
