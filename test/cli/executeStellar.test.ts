/**
 * A Stellar batch through the CLI against a sandbox workspace whose Stellar harness (treasury,
 * USDC issuer, payees, one without a trustline) runs beside it: import → submit → approve →
 * execute (signed by the sandbox device emulator's Stellar app) → poll → completed, and the
 * payee without a trustline is refused at submit by the pre-flight, naming payee and asset.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ExecuteResult, RailsSetting } from '../../src/shared/payoutsApi'
import { SANDBOX_STELLAR_ISSUER, SANDBOX_STELLAR_PAYEES } from '../../src/main/sandbox/sandboxPlan'
import { sandboxUp, type Sandbox } from '../../src/main/sandbox/sandboxUp'
import { createStellarService } from '../../src/main/sandbox/stellarService'
import { importApproveExecute, json, pollUntilState, runCli, tempDir, type CliResult } from './cliHarness'

let root: string
let dir: string
let sb: Sandbox

function cli(...args: string[]): Promise<CliResult> {
  return runCli(['--data-dir', dir, ...args])
}
async function ok(...args: string[]): Promise<CliResult> {
  const r = await cli(...args)
  expect(r.code, r.stderr).toBe(0)
  return r
}

beforeAll(async () => {
  root = tempDir('countersign-cli-xlm-')
  dir = path.join(root, 'sandbox')
  sb = await sandboxUp({ dataDir: dir, services: [createStellarService()], pollIntervalMs: 3_600_000 })
  await sb.core.poller.stop()
}, 90_000)

afterAll(async () => {
  await sb?.stop()
  fs.rmSync(root, { recursive: true, force: true })
})

async function horizonBalance(account: string, code: string): Promise<string | undefined> {
  const url = String(sb.description.services.horizon!.horizonUrl)
  const body = (await (await fetch(`${url}/accounts/${account}`)).json()) as {
    balances: { asset_code?: string; asset_type: string; balance: string }[]
  }
  return body.balances.find((b) => (code === 'XLM' ? b.asset_type === 'native' : b.asset_code === code))?.balance
}

describe('countersign on the Stellar sandbox', () => {
  it('sandbox up described the Horizon URL, passphrase and accounts, and recorded the rail', async () => {
    expect(sb.description.services.horizon).toMatchObject({
      networkPassphrase: 'Standalone Network ; February 2017',
      usdcIssuer: SANDBOX_STELLAR_ISSUER,
      payeeWithoutTrustline: SANDBOX_STELLAR_PAYEES['payee-notrust'],
    })
    const rails = RailsSetting.parse(json(await ok('settings', 'rails', 'show', '--json')))
    expect(rails.rails.stellar?.networks[0]).toMatchObject({
      network: 'standalone',
      horizonUrl: sb.description.services.horizon!.horizonUrl,
    })
  })

  it('imports, approves, executes and confirms a Stellar USDC batch', async () => {
    const p1 = SANDBOX_STELLAR_PAYEES['payee-2']
    const p2 = SANDBOX_STELLAR_PAYEES['payee-3']
    const before1 = await horizonBalance(p1, 'USDC')
    const csv = [
      'id,rail,network,asset,recipient,amount,memo',
      `xlm-1,stellar,standalone,USDC,${p1},12.3456789,INV-7`,
      `xlm-2,stellar,standalone,USDC,${p2},0.0000001,INV-7`,
    ].join('\n')
    const file = path.join(root, 'pay.csv')
    fs.writeFileSync(file, csv)
    const { id, executed } = await importApproveExecute(ok, file)
    expect(ExecuteResult.parse(executed)).toMatchObject({ batchId: id, chunks: 1, broadcast: 1 })
    expect(await pollUntilState(ok, id, 'completed')).toBe('completed')
    expect(before1).toBe('0.0000000')
    expect(await horizonBalance(p1, 'USDC')).toBe('12.3456789')
    expect(await horizonBalance(p2, 'USDC')).toBe('0.0000001')
    const balances = (await sb.core.api.call('ledger.balances', { assetId: 'USDC@stellar:standalone' })).find((b) => b.kind === 'treasury')!
    expect(balances.balance).toBe(await horizonBalance(String(sb.description.services.horizon!.treasury), 'USDC'))
  }, 60_000)

  it('refuses at submit a payee without a trustline, naming payee and asset', async () => {
    const csv = [
      'id,rail,network,asset,recipient,amount',
      `xlm-nt,stellar,standalone,USDC,${SANDBOX_STELLAR_PAYEES['payee-notrust']},1`,
    ].join('\n')
    const file = path.join(root, 'notrust.csv')
    fs.writeFileSync(file, csv)
    const id = (json(await ok('payouts', 'import', file, '--as', 'Alice Preparer', '--json')) as { batchId: string }).batchId
    const r = await cli('batches', 'submit', id, '--as', 'Alice Preparer')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`${SANDBOX_STELLAR_PAYEES['payee-notrust']} has no trustline for USDC`)
  }, 60_000)
})
