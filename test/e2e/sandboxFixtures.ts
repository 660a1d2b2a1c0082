/**
 * A sandbox world per worker for the payout E2E: `sandboxUp` (Anvil with the token and batch
 * contract, the treasury funded, the rails and the device emulator configured, the operators
 * seeded) served by browser mode. The poller runs only when the test sweeps it, so what is on
 * screen between "broadcast" and "confirmed" can be looked at without racing a timer.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { test as base } from '@playwright/test'
import type { Operator } from '../../src/shared/workspaceApi'
import { sandboxUp, type Sandbox } from '../../src/main/sandbox/sandboxUp'
import { defaultSandboxServices } from '../../src/main/sandbox/services'
import type { SandboxStripeService } from '../../src/main/sandbox/stripeService'
import type { StripeHarness } from '../harness/stripe'
import { startWebServer, type WebServer } from '../../src/web/server'
import { RENDERER_DIR } from './fixtures'
import { createSandboxEmulators, createSandboxSigner, type SandboxEmulators } from '../../src/main/core/signing/sandboxSigner'
import { SANDBOX_SIGNER_LABEL, staticSignerSource } from '../../src/main/core/signing/signerSource'

/** Long enough that the poller never sweeps on its own during a test: the test calls runOnce(). */
const POLL_INTERVAL_MS_MANUAL = 10 * 60 * 1000

export interface SandboxWorkspace {
  sandbox: Sandbox
  server: WebServer
  url: string
  operator(name: string): Operator
  /** One sweep of the poller (confirmations), now. */
  sweep(): Promise<void>
  /** The sandbox's Stripe-compatible harness (to move a bank payout along, reverse a transfer). */
  stripe(): StripeHarness
}

/** Brings up a sandbox world served by browser mode, hands it to the tests, tears it down. */
const sandboxWorkspaceFixture = async ({}: object, use: (ws: SandboxWorkspace) => Promise<void>) => {
  if (!fs.existsSync(path.join(RENDERER_DIR, 'index.html'))) {
    throw new Error(`${RENDERER_DIR}/index.html is missing — run \`npx electron-vite build\` before the E2E tests.`)
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-e2e-sandbox-'))
  let sandbox: Sandbox | null = null
  let server: WebServer | null = null
  try {
    const services = defaultSandboxServices()
    const stripeService = services.find((x) => x.name === 'stripe') as SandboxStripeService
    sandbox = await sandboxUp({ dataDir, transport: 'web', pollIntervalMs: POLL_INTERVAL_MS_MANUAL, services })
    server = await startWebServer({ core: sandbox.core, rendererDir: RENDERER_DIR })
    const running = sandbox
    await use({
      sandbox: running,
      server,
      url: `${server.url}#token=${server.token}`,
      operator(name) {
        const found = running.description.operators.find((o) => o.name === name)
        if (!found) throw new Error(`the sandbox has no operator "${name}"`)
        return found
      },
      async sweep() {
        const { failed } = await running.core.poller.runOnce()
        if (failed.length > 0) throw new Error(`poller tasks failed: ${failed.join(', ')}`)
      },
      stripe() {
        const h = stripeService.harness()
        if (!h) throw new Error('the sandbox Stripe harness is not running')
        return h
      },
    })
  } finally {
    await server?.close()
    await sandbox?.stop()
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

/** The sandbox of payouts.spec: its first screens expect no batch yet. */
export const sandboxTest = base.extend<object, { sandboxWorkspace: SandboxWorkspace }>({
  sandboxWorkspace: [sandboxWorkspaceFixture, { scope: 'worker' }],
})

/** A sandbox of its own for a spec that counts everything in it (payees.spec: exact payee counts). */
export const ownSandboxTest = base.extend<object, { ownSandbox: SandboxWorkspace }>({
  ownSandbox: [sandboxWorkspaceFixture, { scope: 'worker' }],
})

/** A second sandbox for specs that add batches of their own (Stellar, external signing). */
export const sharedSandboxTest = base.extend<object, { sharedSandbox: SandboxWorkspace }>({
  sharedSandbox: [sandboxWorkspaceFixture, { scope: 'worker' }],
})

/** A batch imported by Alice, submitted, and approved by Bob through the API: ready for Carol to sign. */
export async function importApproved(sandbox: Sandbox, csv: string, batchName: string): Promise<string> {
  const api = sandbox.core.api
  const as = (name: string) => ({ operatorId: sandbox.description.operators.find((o) => o.name === name)!.id })
  const imported = await api.call('payouts.import', { csv, batchName }, as('Alice Preparer'))
  if (!imported.batchId) throw new Error(`the CSV for "${batchName}" did not import: ${JSON.stringify(imported.issues).slice(0, 300)}`)
  const version = (await api.call('batches.get', { id: imported.batchId })).batch.version
  await api.call('batches.submit', { id: imported.batchId, version }, as('Alice Preparer'))
  await api.call('batches.approve', { id: imported.batchId, version }, as('Bob Approver'))
  return imported.batchId
}

/** A sandbox of its own whose device emulator the test drives (faults, refusals), served in browser mode. */
export interface EmulatorWorld {
  sandbox: Sandbox
  server: WebServer
  url: string
  emulators: SandboxEmulators
}

/**
 * One such world per worker, its poller slowed right down so the test decides when a sweep runs;
 * `dirPrefix` names its temp folder (countersign-e2e-<prefix>-…).
 */
export function emulatorWorldTest(dirPrefix: string) {
  return base.extend<object, { world: EmulatorWorld }>({
    world: [
      async ({}, use) => {
        const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `countersign-e2e-${dirPrefix}-`))
        const emulators = createSandboxEmulators()
        let sandbox: Sandbox | null = null
        let server: WebServer | null = null
        try {
          sandbox = await sandboxUp({
            dataDir,
            transport: 'web',
            pollIntervalMs: 10 * 60 * 1000,
            signer: staticSignerSource(createSandboxSigner(emulators), SANDBOX_SIGNER_LABEL),
          })
          server = await startWebServer({ core: sandbox.core, rendererDir: RENDERER_DIR })
          await use({ sandbox, server, url: `${server.url}#token=${server.token}`, emulators })
        } finally {
          await server?.close()
          await sandbox?.stop()
          fs.rmSync(dataDir, { recursive: true, force: true })
        }
      },
      { scope: 'worker' },
    ],
  })
}
