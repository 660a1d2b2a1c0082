/**
 * The receipts path, child side: the payouts path's steps (the payouts must be paid before they
 * are receipted), then what the app's poller does after every sweep — the Stripe sync (it books
 * transfer reversals, which are receipted too) and issuing the receipts due — and what a person
 * does: after a restart, "Issue receipts" again; at the end of the phase, save every receipt file
 * not saved yet (`receipts show N --save receipt-N.json`, the CLI's own writer) into the
 * workspace's saved-files folder, where the campaign's disk faults hit.
 * The receipt key lives in the workspace's secrets file (the app's file store, plaintext cipher).
 *
 * A receipt attests a final payment: an EVM payout's only once its block is past the reorg window
 * (seeds 51.12, 51.17, 51.28). The faulty phases keep the chain short (a block a round), so reorgs
 * still hit confirmed payouts while they wait; in a quiet phase (no more faults, no more reorgs) the
 * chain moves on past the window at the end, and the poller's next sweep issues them.
 */
import fs from 'node:fs'
import path from 'node:path'
import { saveReceiptFile } from '../../../src/cli/commands/receipts'
import { SYSTEM_ACTOR } from '../../../src/main/core/context'
import { listDueReceipts } from '../../../src/main/core/receipts/findDueReceipts'
import { issueReceipts } from '../../../src/main/core/receipts/issueReceipts'
import { loadReceiptFile } from '../../../src/main/core/receipts/receiptFiles'
import { createFileSecretStore, PLAINTEXT_CIPHER, type SecretStore } from '../../../src/main/core/secrets/SecretStore'
import { MAKER } from '../../execute/executeKit'
import { mine } from '../../harness/evm/control'
import { SAVED_FILES_DIR, type ChildConfig } from '../childConfig'
import { payoutsChildSteps } from './payoutsChild'
import { stripeSyncStep } from './stripeBankChild'
import type { ChildStep } from './types'

export const RECEIPT_SECRETS_FILE = 'secrets.json'

/** The name a saved receipt file has (the CLI's example: receipt-42.json). */
export function receiptFileName(number: number): string {
  return `receipt-${number}.json`
}

function secretsOf(config: ChildConfig): SecretStore {
  return createFileSecretStore({ file: path.join(config.dataDir, RECEIPT_SECRETS_FILE), cipher: PLAINTEXT_CIPHER })
}

export const receiptsChildSteps: ChildStep[] = [
  ...payoutsChildSteps,
  // A person after the restart: "Issue receipts" (what a crash interrupted is due again).
  {
    name: 'receipts.issue',
    run: async (ctx, deps, config) =>
      void (await issueReceipts(ctx, { secrets: secretsOf(config), actor: MAKER, rails: () => Promise.resolve(deps.rails) })),
  },
  stripeSyncStep,
  {
    name: 'receipts.poller',
    at: 'sweep',
    run: async (ctx, deps, config) =>
      void (await issueReceipts(ctx, { secrets: secretsOf(config), actor: SYSTEM_ACTOR, rails: () => Promise.resolve(deps.rails) })),
  },
  {
    name: 'receipts.final',
    at: 'end',
    run: async (ctx, deps, config) => {
      if (config.quiet !== true || !config.rails.includes('evm')) return
      const rails = () => Promise.resolve(deps.rails)
      const window = (await listDueReceipts(ctx, rails)).items.find((d) => d.waitingFor?.kind === 'finality')?.waitingFor
      if (window?.kind !== 'finality') return
      // The window is the most any confirmed block still needs: past it, every one is final.
      await mine({ rpcUrl: config.evm.rpcUrl, chainId: config.evm.chainId }, window.windowBlocks + 1)
      await issueReceipts(ctx, { secrets: secretsOf(config), actor: SYSTEM_ACTOR, rails })
    },
  },
  {
    name: 'receipts.save',
    at: 'end',
    run: async (ctx, _deps, config) => {
      const dir = path.join(config.dataDir, SAVED_FILES_DIR)
      fs.mkdirSync(dir, { recursive: true })
      const rows = await ctx.db.all(ctx.db.k.selectFrom('receipts').select('number').orderBy('number'))
      for (const r of rows) {
        const file = path.join(dir, receiptFileName(Number(r.number)))
        if (fs.existsSync(file)) continue // saved before: a person saves what is missing
        saveReceiptFile(file, await loadReceiptFile(ctx, Number(r.number)))
      }
    },
  },
]
