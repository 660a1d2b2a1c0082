/**
 * Operators prove who they are, and approvals are signatures — as a person sees it: Alice unlocks
 * with her passphrase (a wrong one is refused with the core's sentence), prepares and submits a
 * batch, and locks; the locked window shows the picker and nothing else; Bob unlocks with his own
 * passphrase and approves, and the approval panel shows his key's fingerprint and "signature
 * verified". An admin invites an operator (the one-time code shown once), who sets their own
 * passphrase at first unlock.
 *
 * And the browser-mode socket as an attacker would use it: a connection unlocked as Alice that
 * names Bob in meta is refused and writes nothing; a locked connection reads nothing.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { test as base, type Page } from '@playwright/test'
import WebSocket from 'ws'
import { createCore } from '../../src/main/core/core'
import { unlockForTest } from '../../src/main/core/operators/operatorTestKit'
import { demoPassphrase } from '../../src/main/sandbox/sandboxPlan'
import { startWebServer } from '../../src/web/server'
import { WS_PATH, WS_PROTOCOL, WS_TOKEN_PROTOCOL_PREFIX } from '../../src/shared/webProtocol'
import { expect, RENDERER_DIR, SCREENSHOT_DIR, snap, unlockAs, watchPageProblems, workspaceFixture, type Workspace } from './fixtures'

/** A workspace of this spec's own: the other specs tamper with theirs. */
const test = base.extend<object, { auth: Workspace }>({ auth: [workspaceFixture, { scope: 'worker' }] })
test.describe.configure({ mode: 'serial' })

/** A treasury with an address, so a batch of USDC on Ethereum passes the submit checks. */
const PAYOUT_TREASURY = { id: 'treasury-usdc-eth-payouts', address: '0x9C9c9c9c9c9c9C9c9c9C9C9c9c9C9c9c9c9c9C9c', funding: '50000.000000' }
const BATCH_NAME = 'May contractors'
const PAYOUTS_CSV = [
  'id,rail,network,asset,recipient,amount,reference,name',
  'auth-1,evm,1,USDC,0x4a4a4A4A4A4a4a4A4a4A4a4a4a4A4a4a4A4A4a4A,1250.50,INV-3001,Ada Contractor',
  'auth-2,evm,1,USDC,0x5B5B5b5B5b5B5B5b5B5B5b5b5B5B5B5b5B5B5b5b,75,INV-3002,Ben Contractor',
  '',
].join('\n')

async function openPayoutTreasury(ws: Workspace): Promise<void> {
  const as = { operatorId: ws.operators.dana.id }
  const api = ws.core.api
  if ((await api.call('ledger.accounts.list', {})).some((a) => a.id === PAYOUT_TREASURY.id)) return
  const { id, address, funding } = PAYOUT_TREASURY
  await api.call(
    'ledger.accounts.add',
    { id, name: 'Payouts wallet USDC (Ethereum)', kind: 'treasury', assetId: 'USDC@evm:1', address },
    as,
  )
  await api.call(
    'ledger.entries.post',
    {
      entries: [
        {
          id: 'fund-auth-payouts-1',
          description: 'Move USDC to the payouts wallet',
          postings: [
            { account: id, debit: funding },
            { account: 'treasury-usdc-eth', credit: funding },
          ],
        },
      ],
    },
    as,
  )
}

/** Confirmations fade on their own after a while; close them so they cover nothing in a screenshot. */
async function shot(page: Page, name: string): Promise<void> {
  const notices = page.locator('[data-testid^="notification-"] button')
  while ((await notices.count()) > 0) await notices.first().click()
  await snap(page, name)
}

test('Alice prepares, the desk locks, Bob unlocks and approves with a verified signature', async ({ page, auth }) => {
  const problems = watchPageProblems(page)
  await openPayoutTreasury(auth)
  await page.goto(auth.url)

  await test.step('the picker asks for a profile; nothing else is on screen', async () => {
    await expect(page.getByTestId('operator-picker')).toBeVisible()
    await expect(page.getByTestId('operator-option')).toHaveCount(3)
    await expect(page.getByTestId('nav-payouts')).toHaveCount(0)
    await snap(page, 'auth-01-picker')
  })

  await test.step('a wrong passphrase is refused with the core’s sentence', async () => {
    await page.locator('[data-testid="operator-option"][data-operator-name="Alice Preparer"]').click()
    await expect(page.getByTestId('unlock-operator-name')).toHaveText('Alice Preparer')
    await page.getByTestId('unlock-passphrase').fill('bob-demo-passphrase')
    await page.getByTestId('unlock-submit').click()
    const error = page.getByTestId('unlock-error')
    await expect(error).toHaveAttribute('data-code', 'PASSPHRASE_WRONG')
    await expect(error).toContainText("That is not Alice Preparer's passphrase")
    await expect(page.getByTestId('unlock-passphrase')).toHaveValue('')
    await expect(page.getByTestId('current-operator')).toHaveCount(0)
    await snap(page, 'auth-02-wrong-passphrase')
  })

  await test.step('Alice unlocks with her own passphrase; the header says who and when it locks', async () => {
    await page.getByTestId('unlock-passphrase').fill(demoPassphrase('Alice Preparer'))
    await page.getByTestId('unlock-submit').click()
    await expect(page.getByTestId('current-operator')).toContainText('Alice Preparer')
    await expect(page.getByTestId('session-locks-at')).toContainText(/locks \d\d:\d\d if idle/)
    await expect(page.getByTestId('lock-button')).toBeVisible()
  })

  await test.step('Alice imports a CSV and submits it for approval', async () => {
    await page.getByTestId('nav-payouts').click()
    await page.getByTestId('import-open').click()
    await page.getByTestId('import-batch-name').fill(BATCH_NAME)
    await page.getByTestId('import-drop-input').setInputFiles({ name: 'may.csv', mimeType: 'text/csv', buffer: Buffer.from(PAYOUTS_CSV) })
    await expect(page.getByTestId('import-file-name')).toContainText('may.csv')
    await page.getByTestId('import-submit').click()
    // This workspace sets up no rails: the import says the rows cannot be paid yet and stays open.
    await expect(page.getByTestId('import-result-title')).toContainText('cannot be paid as things stand')
    await expect(page.getByTestId('import-issues').getByTestId('issue-problem').first()).toContainText(
      'Ethereum is not set up in this workspace',
    )
    await page.getByTestId('import-open-batch').click()
    await expect(page.getByTestId('batch-detail')).toHaveAttribute('data-state', 'draft')
    await page.getByTestId('batch-submit').click()
    await expect(page.getByTestId('batch-detail')).toHaveAttribute('data-state', 'awaiting_approval')
    await expect(page.getByTestId('view-title')).toHaveText(BATCH_NAME)
  })

  await test.step('Lock: the window shows the picker and nothing else', async () => {
    await page.getByTestId('lock-button').click()
    await expect(page.getByTestId('operator-picker')).toBeVisible()
    await expect(page.getByTestId('lock-notice')).toHaveAttribute('data-reason', 'manual')
    for (const id of ['current-operator', 'nav-payouts', 'nav-dashboard', 'batch-detail', 'approval-panel', 'view-title']) {
      await expect(page.getByTestId(id), `${id} is gone`).toHaveCount(0)
    }
    await expect(page.getByText(BATCH_NAME)).toHaveCount(0)
    expect(await page.locator('body').innerText()).not.toContain(BATCH_NAME)
    expect(await page.locator('body').innerText()).not.toContain('USDC')
    await snap(page, 'auth-03-locked')
  })

  await test.step('Bob unlocks with his own passphrase and approves; the approval is his signature', async () => {
    await unlockAs(page, 'Bob Approver')
    await page.getByTestId('nav-payouts').click()
    await page.getByTestId('batch-open').filter({ hasText: BATCH_NAME }).click()
    await expect(page.getByTestId('view-title')).toHaveText(BATCH_NAME)
    const bobKey = (await auth.core.api.call('operators.list', {})).find((o) => o.name === 'Bob Approver')!.approvalKey!
    await page.getByTestId('approval-comment').fill('Matches the May invoices.')
    await page.getByTestId('batch-approve').click()
    await expect(page.getByTestId('approval-signing-note')).toContainText(bobKey.fingerprint)
    await page.getByTestId('approve-dialog-confirm').click()
    await expect(page.getByTestId('batch-detail')).toHaveAttribute('data-state', 'approved')
    const entry = page.getByTestId('approval-entry').filter({ hasText: 'Bob Approver' })
    await expect(entry).toHaveAttribute('data-signature', 'verified')
    await expect(entry.getByTestId('approval-signature')).toHaveText('signature verified')
    await expect(entry.getByTestId('approval-fingerprint')).toHaveText(bobKey.fingerprint)
    await expect(entry).toContainText('Approved by Bob Approver')
    await expect(page.getByTestId('approval-signature-warning')).toHaveCount(0)
    await shot(page, 'auth-04-approval-verified')
    await page.getByTestId('approval-panel').screenshot({ path: path.join(SCREENSHOT_DIR, 'auth-04b-approval-panel.png') })
  })

  await test.step('an approval signature edited behind the app’s back is flagged, loudly', async () => {
    const db = new Database(auth.dbFile)
    try {
      const row = db
        .prepare("SELECT batch_id, signature FROM approvals WHERE operator_id = ? AND decision = 'approve'")
        .get(auth.operators.bob.id) as {
        batch_id: string
        signature: string
      }
      const flipped = `${row.signature.slice(0, -1)}${row.signature.endsWith('0') ? '1' : '0'}`
      expect(
        db
          .prepare('UPDATE approvals SET signature = ? WHERE batch_id = ? AND operator_id = ?')
          .run(flipped, row.batch_id, auth.operators.bob.id).changes,
      ).toBe(1)
    } finally {
      db.close()
    }
    await page.getByTestId('batch-back').click()
    await page.getByTestId('batch-open').filter({ hasText: BATCH_NAME }).click()
    const entry = page.getByTestId('approval-entry').filter({ hasText: 'Bob Approver' })
    await expect(entry).toHaveAttribute('data-signature', 'invalid')
    await expect(entry.getByTestId('approval-signature')).toHaveText('signature invalid')
    await expect(entry.getByTestId('approval-signature-warning')).toContainText('changed outside Countersign')
    await page.getByTestId('approval-panel').screenshot({ path: path.join(SCREENSHOT_DIR, 'auth-04c-approval-invalid.png') })
  })

  expect(problems).toEqual([])
})

test('an admin invites an operator, who sets their own passphrase at first unlock', async ({ page, auth }) => {
  const problems = watchPageProblems(page)
  await page.goto(auth.url)
  await unlockAs(page, 'Dana Admin')
  await page.getByTestId('nav-settings').click()
  const section = page.getByTestId('settings-operators')

  let inviteCode = ''
  await test.step('Dana invites Erin; the one-time code is shown once, with a copy button', async () => {
    await expect(section.getByTestId('operator-row')).toHaveCount(3)
    for (const row of await section.getByTestId('operator-row').all())
      await expect(row.getByTestId('operator-key')).toContainText('ed25519:')
    await page.getByTestId('add-operator-name').fill('Erin Approver')
    await page.getByTestId('add-operator-role-approver').click()
    await page.getByTestId('add-operator-submit').click()
    await expect(page.getByTestId('invite-code-card')).toContainText('Invite code for Erin Approver')
    inviteCode = (await page.getByTestId('invite-code').innerText()).trim()
    expect(inviteCode.length).toBeGreaterThan(8)
    await expect(page.getByTestId('invite-code-copy')).toBeVisible()
    const erin = section.locator('[data-testid="operator-row"][data-operator-name="Erin Approver"]')
    await expect(erin).toHaveAttribute('data-status', 'invited')
    await expect(erin).toContainText('none yet')
    await shot(page, 'auth-05-settings-operators')
  })

  await test.step('at the picker, Erin’s first unlock takes the invite code and a new passphrase, twice', async () => {
    await page.getByTestId('lock-button').click()
    await page.locator('[data-testid="operator-option"][data-operator-name="Erin Approver"]').click()
    await expect(page.getByTestId('first-unlock-form')).toBeVisible()
    await page.getByTestId('first-unlock-invite').fill('WRONG-CODE-1234')
    await page.getByTestId('first-unlock-passphrase').fill('erin-chooses-her-own')
    await page.getByTestId('first-unlock-repeat').fill('erin-chooses-her-ow')
    await expect(page.getByTestId('first-unlock-form')).toContainText('The two passphrases differ')
    await expect(page.getByTestId('first-unlock-submit')).toBeDisabled()
    await page.getByTestId('first-unlock-repeat').fill('erin-chooses-her-own')
    await page.getByTestId('first-unlock-submit').click()
    await expect(page.getByTestId('unlock-error')).toHaveAttribute('data-code', 'INVITE_INVALID')
    await expect(page.getByTestId('unlock-error')).toContainText('That is not the invite code for Erin Approver')
    await page.getByTestId('first-unlock-invite').fill(inviteCode)
    await expect(page.getByTestId('unlock-error')).toHaveCount(0)
    await snap(page, 'auth-06-first-unlock')
    await page.getByTestId('first-unlock-submit').click()
    await expect(page.getByTestId('current-operator')).toContainText('Erin Approver')
  })

  await test.step('Erin now has an approval key; the invite code is spent', async () => {
    await page.getByTestId('nav-settings').click()
    const erin = section.locator('[data-testid="operator-row"][data-operator-name="Erin Approver"]')
    await expect(erin).toHaveAttribute('data-status', 'active')
    await expect(erin.getByTestId('operator-key')).toContainText('ed25519:')
    await expect(page.getByTestId('my-key-fingerprint')).toContainText('ed25519:')
    await expect(page.getByTestId('add-operator-form')).toHaveCount(0)
    await unlockAs(page, 'Erin Approver', 'erin-chooses-her-own')
  })

  expect(problems).toEqual([])
})

test('the desk locks itself: after the idle minutes, and when the core ends the session (OS lock, deactivation)', async ({
  page,
  auth,
}) => {
  const problems = watchPageProblems(page)
  await page.clock.install()
  await page.goto(auth.url)
  await unlockAs(page, 'Bob Approver')
  await page.getByTestId('nav-payouts').click()
  await expect(page.getByTestId('batch-open').first()).toBeVisible()

  await test.step('no input for the idle minutes: back to the picker, and the core forgot the session', async () => {
    const { idleLockMinutes } = await auth.core.api.call('operators.session', {})
    await page.clock.fastForward(idleLockMinutes * 60_000 + 10_000)
    await expect(page.getByTestId('operator-picker')).toBeVisible()
    await expect(page.getByTestId('lock-notice')).toHaveAttribute('data-reason', 'idle')
    await expect(page.getByTestId('lock-notice')).toContainText(`Locked after ${idleLockMinutes} minutes without activity`)
    await expect(page.getByTestId('nav-payouts')).toHaveCount(0)
  })

  await test.step('the core ends every session (the computer locked): the window shows the picker at once', async () => {
    await unlockAs(page, 'Bob Approver')
    auth.core.api.sessions.lockAll(auth.operators.bob.id)
    // That ended the tests' own in-process session of Bob too: open it again for the tests after.
    await unlockForTest(auth.core.api, auth.operators.bob)
    await expect(page.getByTestId('operator-picker')).toBeVisible()
    await expect(page.getByTestId('lock-notice')).toHaveAttribute('data-reason', 'ended')
    await expect(page.getByTestId('current-operator')).toHaveCount(0)
  })
  expect(problems).toEqual([])
})

test('an empty workspace creates its first admin, who sets a passphrase and is unlocked', async ({ page }) => {
  const problems = watchPageProblems(page)
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-e2e-first-'))
  const core = await createCore({ dataDir, transport: 'web' })
  const server = await startWebServer({ core, rendererDir: RENDERER_DIR })
  try {
    await page.goto(`${server.url}#token=${server.token}`)
    await expect(page.getByTestId('first-operator-form')).toBeVisible()
    await page.getByTestId('first-operator-name').fill('Fay Admin')
    await page.getByTestId('first-unlock-passphrase').fill('too short')
    await expect(page.getByTestId('first-operator-form')).toContainText('At least 12 characters')
    await expect(page.getByTestId('first-operator-submit')).toBeDisabled()
    await page.getByTestId('first-unlock-passphrase').fill('fay-keeps-the-books')
    await page.getByTestId('first-unlock-repeat').fill('fay-keeps-the-books')
    await page.getByTestId('first-operator-submit').click()
    await expect(page.getByTestId('current-operator')).toContainText('Fay Admin')
    const [fay] = await core.api.call('operators.list', {})
    expect(fay).toMatchObject({ name: 'Fay Admin', roles: ['admin'], status: 'active', passphraseSet: true })
    expect(fay!.approvalKey?.fingerprint).toMatch(/^ed25519:/)
    // A reload is a new connection: locked again, and her passphrase unlocks her.
    await page.reload()
    await expect(page.getByTestId('operator-picker')).toBeVisible()
    await unlockAs(page, 'Fay Admin', 'fay-keeps-the-books')
  } finally {
    await server.close()
    await core.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
  expect(problems).toEqual([])
})

interface Reply {
  ok: boolean
  data?: unknown
  error?: { code: string; message: string }
}

/** A browser-mode connection as the page opens it (token and origin), speaking the wire protocol directly. */
async function connect(ws: Workspace): Promise<{ call(name: string, input: unknown, meta?: unknown): Promise<Reply>; close(): void }> {
  const port = new URL(ws.server.url).port
  const socket = new WebSocket(`ws://127.0.0.1:${port}${WS_PATH}`, [WS_PROTOCOL, `${WS_TOKEN_PROTOCOL_PREFIX}${ws.server.token}`], {
    origin: `http://127.0.0.1:${port}`,
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve())
    socket.once('error', reject)
  })
  let next = 1
  return {
    call(name, input, meta = {}) {
      const id = next++
      return new Promise((resolve) => {
        const on = (data: WebSocket.RawData) => {
          const m = JSON.parse(data.toString()) as { id?: unknown; result?: Reply }
          if (m.id !== id || !m.result) return
          socket.off('message', on)
          resolve(m.result)
        }
        socket.on('message', on)
        socket.send(JSON.stringify({ id, name, input, meta }))
      })
    },
    close: () => socket.close(),
  }
}

test('browser mode: a connection unlocked as Alice cannot act as Bob, and a locked one reads nothing', async ({ auth }) => {
  await openPayoutTreasury(auth)
  const api = auth.core.api
  const { alice, bob } = auth.operators
  // A batch waiting for approval, prepared by Alice in-process.
  const imported = await api.call(
    'payouts.import',
    { csv: PAYOUTS_CSV.replaceAll('auth-', 'wire-'), batchName: 'Wire test batch' },
    { operatorId: alice.id },
  )
  const batchId = imported.batchId!
  const version = (await api.call('batches.get', { id: batchId })).batch.version
  await api.call('batches.submit', { id: batchId, version }, { operatorId: alice.id })

  const approvalRows = (): number => {
    const db = new Database(auth.dbFile, { readonly: true })
    try {
      return (db.prepare('SELECT count(*) AS n FROM approvals WHERE batch_id = ?').get(batchId) as { n: number }).n
    } finally {
      db.close()
    }
  }
  const auditHead = async () => (await api.call('audit.list', { limit: 1 })).rows[0]!.seq

  const asAlice = await connect(auth)
  const locked = await connect(auth)
  try {
    const unlocked = await asAlice.call('operators.unlock', { operatorId: alice.id, passphrase: demoPassphrase(alice.name) })
    expect(unlocked).toMatchObject({ ok: true, data: { operator: { id: alice.id } } })

    const headBefore = await auditHead()
    const rowsBefore = approvalRows()
    const asBob = await asAlice.call('batches.approve', { id: batchId, version }, { operatorId: bob.id })
    expect(asBob).toMatchObject({ ok: false, error: { code: 'OPERATOR_SESSION_MISMATCH' } })
    expect(asBob.error!.message).toContain('Bob Approver')
    // Nothing written: no approval row, the audit chain's head where it was, the batch still waiting.
    expect(approvalRows()).toBe(rowsBefore)
    expect(rowsBefore).toBe(0)
    expect(await auditHead()).toBe(headBefore)
    expect((await api.call('batches.get', { id: batchId })).batch.state).toBe('awaiting_approval')

    // A connection nobody unlocked reads nothing and cannot borrow a name either.
    expect(await locked.call('batches.list', {})).toMatchObject({ ok: false, error: { code: 'OPERATOR_LOCKED' } })
    expect(await locked.call('batches.approve', { id: batchId, version }, { operatorId: bob.id })).toMatchObject({
      ok: false,
      error: { code: 'OPERATOR_LOCKED' },
    })
    expect(await locked.call('operators.session', {})).toMatchObject({ ok: true, data: { operator: null } })
    expect(approvalRows()).toBe(0)
    expect(await auditHead()).toBe(headBefore)
  } finally {
    asAlice.close()
    locked.close()
  }
})
