/**
 * External signing on screen: Carol presses "Sign externally" on an approved batch and gets the
 * unsigned transactions as a file; an offline machine (viem's local account on the public test
 * seed — never the app) signs it; a tampered file is refused with its sentence, the real one is
 * accepted and sent once, and the batch confirms.
 */
import fs from 'node:fs'
import { erc20Abi, getAddress, keccak256, parseTransaction, toHex, type Address, type Hex, type TransactionSerializableEIP1559 } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { SPECULOS_TEST_MNEMONIC } from '../../src/main/core/signing/emulator/sandboxSoftwareKeys'
import { createHarnessClients } from '../harness/evm/clients'
import { expect, openBatch, snap, unlockAs } from './fixtures'
import { importApproved, sharedSandboxTest as test } from './sandboxFixtures'

test('sign a batch outside the app: export, refuse a tampered file, import the signed one', async ({ page, sharedSandbox: ws }) => {
  const api = ws.sandbox.core.api
  const payee = getAddress(keccak256(toHex('countersign e2e external payee')).slice(0, 42))
  const id = await importApproved(
    ws.sandbox,
    `id,rail,network,asset,recipient,amount\next-e2e-1,evm,31337,USDC,${payee},321.000123`,
    'Offline signed',
  )

  await page.goto(ws.url)
  await unlockAs(page, 'Carol Signer')
  await openBatch(page, 'Offline signed')

  const downloading = page.waitForEvent('download')
  await page.getByTestId('external-export').click()
  const download = await downloading
  const unsigned = JSON.parse(fs.readFileSync((await download.path())!, 'utf8')) as {
    batchId: string
    items: { submissionId: string; unsigned: Hex }[]
  }
  expect(unsigned.batchId).toBe(id)
  await expect(page.getByTestId('batch-detail')).toHaveAttribute('data-state', 'executing')

  const offline = mnemonicToAccount(SPECULOS_TEST_MNEMONIC, { path: "m/44'/60'/0'/0/0" })
  const item = unsigned.items[0]!
  const tx = parseTransaction(item.unsigned) as TransactionSerializableEIP1559
  const fileOf = async (t: TransactionSerializableEIP1559) =>
    Buffer.from(
      JSON.stringify({
        format: 'countersign.external-signed.v1',
        items: [{ submissionId: item.submissionId, signed: await offline.signTransaction(t) }],
      }),
    )

  await page.locator('[data-testid="external-signing"] input[type=file]').setInputFiles({
    name: 'tampered.json',
    mimeType: 'application/json',
    buffer: await fileOf({ ...tx, nonce: (tx.nonce ?? 0) + 1 }),
  })
  await expect(page.getByTestId('external-result')).toContainText('nonce')
  const notices = page.locator('[data-testid^="notification-"] button')
  while ((await notices.count()) > 0) await notices.first().click()
  await snap(page, 'external-01-tampered-refused')

  await page
    .locator('[data-testid="external-signing"] input[type=file]')
    .setInputFiles({ name: 'signed.json', mimeType: 'application/json', buffer: await fileOf(tx) })
  await expect(page.getByTestId('external-result')).toContainText('1 of 1 transaction accepted and 1 sent')
  for (let round = 0; round < 10; round++) {
    await ws.sweep()
    if ((await api.call('batches.get', { id })).batch.state === 'completed') break
  }
  await expect(page.getByTestId('batch-detail')).toHaveAttribute('data-state', 'completed')
  const anvil = ws.sandbox.description.services.anvil!
  const chain = createHarnessClients({ rpcUrl: String(anvil.rpcUrl), chainId: 31337 })
  expect(
    await chain.publicClient.readContract({ address: anvil.token as Address, abi: erc20Abi, functionName: 'balanceOf', args: [payee] }),
  ).toBe(321_000_123n)
  while ((await notices.count()) > 0) await notices.first().click()
  await snap(page, 'external-02-imported-confirmed')
})
