/**
 * The signing flow when the device stops in the middle of a batch. For each fault the device
 * emulator raises on the SECOND of three transactions — locked, a rejected prompt, the dashboard
 * instead of the Ethereum app, blind signing off, unplugged — Carol sees that error's sentence on
 * the batch; the fault is fixed, she presses Resume signing, and at the end every payout is paid
 * exactly once on chain (each recipient holds exactly its amount) and nothing was signed twice.
 */
import { erc20Abi, getAddress, keccak256, toHex, type Address } from 'viem'
import type { SandboxEmulators } from '../../src/main/core/signing/sandboxSigner'
import { createHarnessClients } from '../harness/evm/clients'
import { expect, snap, unlockAs } from './fixtures'
import { emulatorWorldTest, importApproved } from './sandboxFixtures'

const test = emulatorWorldTest('signing')

type Emu = SandboxEmulators['ethereum']
interface Fault {
  code: string
  sentence: string
  /** Called once the first transaction's prompt is answered: break the device for the second. */
  inject(eth: Emu): Promise<void>
  fix(eth: Emu): void
}

const FAULTS: Record<string, Fault> = {
  locked: {
    code: 'DEVICE_LOCKED',
    sentence: 'Ledger is locked — unlock it with your PIN and try again.',
    inject: async (eth) => eth.lock(),
    fix: (eth) => eth.unlock(),
  },
  rejected: {
    code: 'DEVICE_REJECTED',
    sentence: 'was rejected on the Ledger — nothing was signed.',
    inject: async (eth) => {
      eth.setUser('manual')
      ;(await eth.nextPrompt()).reject()
    },
    fix: () => undefined,
  },
  'wrong app': {
    code: 'DEVICE_WRONG_APP',
    sentence: 'Open the Ethereum app on your Ledger (it is on the dashboard), then try again.',
    inject: async (eth) => eth.openApp('dashboard'),
    fix: (eth) => eth.openApp('Ethereum'),
  },
  'blind signing off': {
    code: 'DEVICE_BLIND_SIGNING_OFF',
    sentence: 'enable "Blind signing" in the Ethereum app\'s settings on the device',
    inject: async (eth) => void (eth.settings.ethereum.blindSigning = false),
    fix: (eth) => void (eth.settings.ethereum.blindSigning = true),
  },
  unplugged: {
    code: 'DEVICE_DISCONNECTED',
    sentence: 'The Ledger was disconnected — reconnect it, unlock it and try again.',
    // Unplugged while the second transaction is on the device's screen.
    inject: async (eth) => {
      eth.setUser('manual')
      await eth.nextPrompt()
      eth.disconnect()
    },
    fix: (eth) => eth.reconnect(),
  },
}

test.describe.configure({ mode: 'serial' })

test('each device fault in the middle of a batch reaches the screen; Resume pays every payout exactly once', async ({ page, world }) => {
  test.setTimeout(300_000)
  const api = world.sandbox.core.api
  /** Error notifications stay until closed; close them so they cover no button. */
  const closeNotices = async () => {
    const notices = page.locator('[data-testid^="notification-"] button')
    while ((await notices.count()) > 0) await notices.first().click()
  }
  const op = (name: string) => ({ operatorId: world.sandbox.description.operators.find((o) => o.name === name)!.id })
  const anvil = world.sandbox.description.services.anvil!
  const chain = createHarnessClients({ rpcUrl: String(anvil.rpcUrl), chainId: 31337 })
  const token = anvil.token as Address
  // One payout per transaction: three transactions, so the fault hits "transaction 2 of 3".
  const rails = await api.call('settings.rails.get', {})
  await api.call(
    'settings.rails.set',
    { ...rails.rails, evm: { chains: rails.rails.evm!.chains.map((c) => ({ ...c, payoutsPerChunkMax: 1 })) } },
    op('Dana Admin'),
  )

  await page.goto(world.url)
  await unlockAs(page, 'Carol Signer')
  await expect(page.getByTestId('current-operator')).toContainText('Carol Signer')

  for (const [name, fault] of Object.entries(FAULTS)) {
    await test.step(`${name}: the sentence on screen, then Resume`, async () => {
      const eth = world.emulators.ethereum
      const payees = [1, 2, 3].map((n) => getAddress(keccak256(toHex(`countersign e2e signing ${name} ${n}`)).slice(0, 42)))
      const amounts = [1_000_000n, 2_500_001n, 3n] // 1.000000, 2.500001, 0.000003 USDC
      const csv = [
        'id,rail,network,asset,recipient,amount',
        ...payees.map((p, i) => `sig-${name.replace(/ /g, '-')}-${i},evm,31337,USDC,${p},${(Number(amounts[i]) / 1e6).toFixed(6)}`),
      ].join('\n')
      const id = await importApproved(world.sandbox, csv, `Signing ${name}`)

      await page.getByTestId('nav-payouts').click()
      if (await page.getByTestId('batch-back').isVisible()) await page.getByTestId('batch-back').click()
      await page
        .getByTestId('batch-open')
        .filter({ hasText: `Signing ${name}` })
        .click()
      await expect(page.getByTestId('batch-detail')).toHaveAttribute('data-state', 'approved')

      // The emulated person answers the first prompt, then the device breaks before the second.
      eth.setUser('manual')
      await closeNotices()
      await page.getByTestId('batch-execute').click()
      ;(await eth.nextPrompt()).approve()
      await fault.inject(eth)
      eth.setUser('approve')

      const error = page.getByTestId('execution-error')
      await expect(error).toBeVisible()
      await expect(error).toHaveAttribute('data-code', fault.code)
      await expect(error).toContainText(fault.sentence)
      await expect(page.getByTestId('batch-resume')).toContainText('2 left')
      // The per-rail progress says the same in plain words, from the stored batch: 1 sent, 2 to sign.
      const progress = page.locator('[data-testid="rail-progress"][data-rail="evm:31337"]')
      await expect(progress).toHaveAttribute('data-phase', 'stopped')
      await expect(progress.getByTestId('rail-progress-count')).toHaveText('0 of 3 confirmed')
      await expect(progress.getByTestId('rail-progress-status')).toHaveText(
        'Signing stopped — 2 transactions still to sign on the Ledger. Press Resume signing.',
      )
      await expect(page.getByTestId('execution-progress-log')).toContainText(
        'Confirm transaction 2 of 3 on the Sandbox device emulator — 1 payout, ',
      )
      if (name === 'locked') {
        await closeNotices()
        await snap(page, 'signing-01-device-locked')
        // The batch list says which batch waits for a signer, above everything else.
        await page.getByTestId('batch-back').click()
        const row = page.getByTestId(`batch-row-${id}`)
        await expect(row.getByTestId('batch-signing-stopped')).toHaveText('Signing stopped · 1/3')
        const alert = page.getByTestId('signing-stopped-alert')
        await expect(alert).toContainText(`Signing ${name}: 1 of 3 transactions signed, 2 waiting.`)
        await expect(alert).toContainText('press Resume signing')
        await snap(page, 'signing-01b-list-signing-stopped')
        await alert
          .getByTestId('signing-stopped-open')
          .filter({ hasText: `Signing ${name}` })
          .click()
        await expect(page.getByTestId('batch-detail')).toHaveAttribute('data-state', 'executing')
      }

      fault.fix(eth)
      await closeNotices()
      await page.getByTestId('batch-resume').click()
      await expect(error).toHaveCount(0)
      await expect(page.getByTestId('batch-resume')).toHaveCount(0)
      for (let round = 0; round < 10; round++) {
        await world.sandbox.core.poller.runOnce()
        if ((await api.call('batches.get', { id })).batch.state === 'completed') break
      }
      await expect(page.getByTestId('batch-detail')).toHaveAttribute('data-state', 'completed')
      await expect(progress.getByTestId('rail-progress-count')).toHaveText('3 of 3 confirmed')
      await expect(page.getByTestId('execution-summary').getByTestId('summary-paid')).toHaveText('Paid: 3 payouts — 3.500004 USDC')
      if (name === 'locked') await snap(page, 'signing-02-resumed-completed')

      for (const [i, payee] of payees.entries()) {
        const held = await chain.publicClient.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [payee] })
        expect(held, `payee ${i + 1} paid exactly once`).toBe(amounts[i])
      }
      const subs = await api.call('batches.submissions', { id })
      expect(subs.map((s) => [s.chunkIndex, s.attempt, s.state])).toEqual([
        [0, 1, 'confirmed'],
        [1, 1, 'confirmed'],
        [2, 1, 'confirmed'],
      ])
    })
  }
})

test('Settings → Signers: the device state, the treasuries verified on the device, accounts, and a rejected verification', async ({
  page,
  world,
}) => {
  const eth = world.emulators.ethereum
  await page.goto(world.url)
  await unlockAs(page, 'Carol Signer')
  await page.getByTestId('nav-settings').click()
  const section = page.getByTestId('settings-signers')
  await expect(section.getByTestId('signer-label')).toHaveText('Sandbox device emulator')
  await expect(section.getByTestId('signer-open-app')).toHaveText('Ethereum 1.17.0')
  // sandbox up verified both treasuries on the device, as a person does here.
  await expect(section.getByTestId('signer-treasury')).toHaveCount(2)
  await expect(section.locator('[data-testid="signer-treasury"][data-verified="yes"]')).toHaveCount(2)
  await expect(section.getByTestId('signer-account')).toHaveCount(5)
  await expect(section.getByTestId('signer-account').first()).toContainText("44'/60'/0'/0/0")
  await expect(section.getByTestId('signer-account').first()).toContainText('treasury')

  // The device goes to the dashboard: the state follows without a reload.
  eth.openApp('dashboard')
  await expect(section.getByTestId('signer-open-app')).toHaveText('Dashboard (no app open)')
  eth.openApp('Ethereum')
  await expect(section.getByTestId('signer-open-app')).toHaveText('Ethereum 1.17.0')

  // Verify again, and the person rejects on the device: the sentence, nothing recorded anew.
  eth.setUser('manual')
  await section.getByTestId('signer-verify').first().click()
  await expect(section.getByTestId('signer-verify-prompt')).toContainText('Check that your Ledger shows')
  ;(await eth.nextPrompt()).reject()
  await expect(section.getByTestId('signer-verify-error')).toContainText('The address was rejected on the Ledger')
  eth.setUser('approve')
  const notices = page.locator('[data-testid^="notification-"] button')
  while ((await notices.count()) > 0) await notices.first().click()
  await snap(page, 'signers-01-settings')
})
