/**
 * Rail balance checks on the sandbox world (Anvil, the Horizon-compatible and the Stripe-compatible
 * harnesses, the device emulator), through the contract and the CLI:
 *   - every treasury matches its rail after `sandbox up`; a payout batch on EVM, once confirmed,
 *     still matches (while its transaction is being confirmed the check waits: 'unavailable'); so
 *     does one on Stellar (Horizon's XLM after the fee = the ledger's, which books the fee);
 *   - the chain loses 5 USDC behind the ledger's back (issue 15: "the chain treasury sits 5 USDC
 *     below the ledger"): the check says 'differs' by exactly −5.000000, audited once; the same
 *     check again stores nothing and audits nothing; put back, it matches again, audited once;
 *   - Stripe's platform balance moved by 12.34 outside Countersign: differs by exactly that;
 *   - the token contract gone (a reset chain): zero on the rail, with the reason;
 *   - an unreachable node: 'unavailable' with the rail's sentence, no throw, and the poller's
 *     task does not fail;
 *   - `countersign recon balances --json` prints the stored checks; exit 1 while one differs.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createWalletClient, erc20Abi, http, type Address } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CallMeta } from '../../src/shared/api'
import { RailBalances, type RailBalanceCheck } from '../../src/shared/reconBalancesApi'
import { createBalanceChecksTask } from '../../src/main/core/poller/tasks/balanceChecks'
import { BALANCE_DIFFERS_ACTION, BALANCE_MATCHES_ACTION } from '../../src/main/core/recon/balanceChecks'
import { createAnvilService } from '../../src/main/sandbox/anvilService'
import { ANVIL_ACCOUNTS, ANVIL_FIRST_CONTRACT, SANDBOX_EVM_TREASURY, SANDBOX_STELLAR_PAYEES } from '../../src/main/sandbox/sandboxPlan'
import { sandboxUp, type Sandbox } from '../../src/main/sandbox/sandboxUp'
import { createStellarService } from '../../src/main/sandbox/stellarService'
import { createStripeService, type SandboxStripeService } from '../../src/main/sandbox/stripeService'
import type { RailsConfig } from '../../src/main/core/rails/evm'
import { createHarnessClients, type HarnessClients } from '../harness/evm/clients'
import { recipientAddresses } from '../harness/evm/recipients'
import { runCli } from '../cli/cliHarness'

const USDC = 'treasury.usdc-evm31337'
const ETH = 'treasury.eth-evm31337'
const XLM = 'treasury.xlm-stellar-local'
const USDC_STELLAR = 'treasury.usdc-stellar-local'
const USD = 'treasury.usd-stripe'
const ALL = [ETH, USD, USDC, USDC_STELLAR, XLM]
/** Sweeps before giving up on a confirmation; each round mines one block. */
const POLL_ROUNDS_MAX = 20
/** 5 USDC in minor units: what the chain loses. */
const FIVE_USDC = 5_000_000n

let root: string
let sb: Sandbox
let stripe: SandboxStripeService
let chain: HarnessClients
const as: Record<'dana' | 'alice' | 'bob' | 'carol', CallMeta> = { dana: {}, alice: {}, bob: {}, carol: {} }

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-rail-balances-'))
  stripe = createStripeService()
  // The test drives every sweep and every check itself.
  sb = await sandboxUp({
    dataDir: root,
    services: [createAnvilService({ persist: false }), createStellarService(), stripe],
    pollIntervalMs: 3_600_000,
  })
  await sb.core.poller.stop()
  const anvil = sb.description.services.anvil!
  chain = createHarnessClients({ rpcUrl: String(anvil.rpcUrl), chainId: Number(anvil.chainId) })
  for (const o of sb.description.operators) {
    const key = o.name.split(' ')[0]!.toLowerCase() as keyof typeof as
    as[key] = { operatorId: o.id }
  }
}, 120_000)

afterAll(async () => {
  await sb?.stop()
  fs.rmSync(root, { recursive: true, force: true })
})

const byId = (r: RailBalances): Record<string, RailBalanceCheck> => Object.fromEntries(r.accounts.map((a) => [a.ledgerAccountId, a]))
const check = async () => await sb.core.api.call('recon.checkBalances', {}, as.dana)
const rowCount = async (accountId?: string): Promise<number> =>
  (
    await sb.core.ctx.db.all(
      accountId === undefined
        ? sb.core.ctx.db.k.selectFrom('recon_balance_checks').select('id')
        : sb.core.ctx.db.k.selectFrom('recon_balance_checks').select('id').where('ledger_account_id', '=', accountId),
    )
  ).length
const audits = async (action: string) =>
  await sb.core.ctx.db.all(sb.core.ctx.db.k.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('seq'))

/** Runs `fn` with the chain accepting transactions "from" `address` unsigned (Anvil impersonation). */
async function asImpersonated(address: Address, fn: (wallet: ReturnType<typeof walletOf>) => Promise<void>): Promise<void> {
  await chain.testClient.impersonateAccount({ address })
  try {
    await fn(walletOf(address))
  } finally {
    await chain.testClient.stopImpersonatingAccount({ address })
  }
}
function walletOf(address: Address) {
  return createWalletClient({ chain: chain.chain, transport: http(chain.chain.rpcUrls.default.http[0]), account: address })
}

/** Moves `amount` USDC from `from` to `to` on the chain only; the treasury's ETH is put back exactly, so only USDC moves. */
async function moveUsdcBehindTheLedger(from: Address, to: Address, amount: bigint): Promise<void> {
  const eth = await chain.publicClient.getBalance({ address: from })
  await asImpersonated(from, async (wallet) => {
    const hash = await wallet.writeContract({ address: ANVIL_FIRST_CONTRACT, abi: erc20Abi, functionName: 'transfer', args: [to, amount] })
    expect((await chain.publicClient.waitForTransactionReceipt({ hash })).status).toBe('success')
  })
  await chain.testClient.setBalance({ address: from, value: eth })
}

describe('rail balance checks on the sandbox', () => {
  it('before any check every treasury account is listed, unchecked', async () => {
    const r = await sb.core.api.call('recon.balances', {})
    expect(r.checkedAt).toBeNull()
    expect(r.accounts.map((a) => a.ledgerAccountId)).toEqual(ALL)
    expect(r.accounts.every((a) => a.state === null && a.since === null)).toBe(true)
    expect(byId(r)[USD]!.basis).toBe('stripe-platform')
    expect(byId(r)[USDC]!.basis).toBe('wallet')
  })

  it('after sandbox up every treasury matches its rail, to the last minor unit', async () => {
    const r = await check()
    expect(r.changed.sort()).toEqual(ALL)
    const a = byId(r)
    for (const id of ALL)
      expect(a[id], id).toMatchObject({ state: 'matches', difference: expect.stringMatching(/^0(\.0+)?$/), problem: null })
    expect(a[USDC]).toMatchObject({ ledgerBalance: '1000000.000000', railBalance: '1000000.000000', difference: '0.000000', scale: 6 })
    expect(a[ETH]).toMatchObject({ ledgerBalance: '100.000000000000000000', railBalance: '100.000000000000000000' })
    expect(a[XLM]).toMatchObject({ ledgerBalance: '10000.0000000', railBalance: '10000.0000000' })
    expect(a[USDC_STELLAR]).toMatchObject({ railBalance: '250000.0000000' })
    expect(a[USD]).toMatchObject({ ledgerBalance: '50000.00', railBalance: '50000.00' })
    expect(Date.parse(r.checkedAt!)).toBeGreaterThan(Date.now() - 60_000)
    expect(await rowCount()).toBe(5)
    // Nothing changed: nothing is stored, nothing is audited, only the time of the check moves.
    const again = await check()
    expect(again.changed).toEqual([])
    expect(await rowCount()).toBe(5)
    expect(await audits(BALANCE_DIFFERS_ACTION)).toEqual([])
    expect(await audits(BALANCE_MATCHES_ACTION)).toEqual([])
  })

  it('a batch paid on EVM: being confirmed the check waits, confirmed it matches again', async () => {
    const recipients = recipientAddresses('rail-balances', 2)
    const csv = [
      'id,rail,network,asset,recipient,amount,reference,name',
      `rb-0,evm,31337,USDC,${recipients[0]},125.50,REF-0,Payee 0`,
      `rb-1,evm,31337,USDC,${recipients[1]},0.000001,REF-1,Payee 1`,
    ].join('\n')
    const imported = await sb.core.api.call('payouts.import', { csv, batchName: 'Rail balances' }, as.alice)
    const id = imported.batchId!
    const submitted = await sb.core.api.call('batches.submit', { id }, as.alice)
    await sb.core.api.call('batches.approve', { id, version: submitted.version }, as.bob)
    expect(await sb.core.api.call('batches.execute', { id }, as.carol)).toMatchObject({ broadcast: 1 })

    // Mined (Anvil mines at once), not yet confirmed in the books: not a finding.
    const settling = byId(await check())
    expect(settling[USDC]).toMatchObject({
      state: 'unavailable',
      ledgerBalance: '1000000.000000',
      railBalance: '999874.499999',
      difference: '-125.500001',
      problem: expect.stringMatching(/^1 transaction from this account is still being confirmed/),
    })

    let state = ''
    for (let round = 1; round <= POLL_ROUNDS_MAX && state !== 'completed'; round++) {
      expect((await sb.core.poller.runOnce()).failed).toEqual([])
      state = (await sb.core.api.call('batches.get', { id })).batch.state
      if (state !== 'completed') await chain.testClient.mine({ blocks: 1 })
    }
    expect(state).toBe('completed')

    const r = byId(await check())
    expect(r[USDC]).toMatchObject({
      state: 'matches',
      ledgerBalance: '999874.499999',
      railBalance: '999874.499999',
      difference: '0.000000',
    })
    // The gas was booked as a fee: the wallet's ETH and the ledger's agree to the wei.
    expect(r[ETH]).toMatchObject({ state: 'matches' })
    expect(r[ETH]!.ledgerBalance).not.toBe('100.000000000000000000')
    expect(await audits(BALANCE_DIFFERS_ACTION)).toEqual([])
  }, 90_000)

  it('a batch paid on Stellar: USDC and XLM (less the fee, which the ledger books) still match Horizon', async () => {
    const csv = [
      'id,rail,network,asset,recipient,amount,memo,name',
      `rb-xlm-0,stellar,standalone,USDC,${SANDBOX_STELLAR_PAYEES['payee-1']},12.5000001,INV-RB,Stellar Partners`,
    ].join('\n')
    const imported = await sb.core.api.call('payouts.import', { csv, batchName: 'Rail balances Stellar' }, as.alice)
    const id = imported.batchId!
    const submitted = await sb.core.api.call('batches.submit', { id }, as.alice)
    await sb.core.api.call('batches.approve', { id, version: submitted.version }, as.bob)
    await sb.core.api.call('batches.execute', { id }, as.carol)
    let state = ''
    for (let round = 1; round <= POLL_ROUNDS_MAX && state !== 'completed'; round++) {
      expect((await sb.core.poller.runOnce()).failed).toEqual([])
      state = (await sb.core.api.call('batches.get', { id })).batch.state
    }
    expect(state).toBe('completed')
    const r = byId(await check())
    expect(r[USDC_STELLAR]).toMatchObject({ state: 'matches', ledgerBalance: '249987.4999999', railBalance: '249987.4999999' })
    expect(r[XLM]!.state).toBe('matches')
    expect(r[XLM]!.ledgerBalance).not.toBe('10000.0000000')
  }, 90_000)

  it('the chain loses 5 USDC: differs by exactly −5.000000, audited once; the same check again stores nothing', async () => {
    await moveUsdcBehindTheLedger(SANDBOX_EVM_TREASURY, ANVIL_ACCOUNTS[3], FIVE_USDC)
    const before = await rowCount(USDC)
    const r = await check()
    expect(r.changed).toEqual([USDC])
    expect(byId(r)[USDC]).toMatchObject({
      state: 'differs',
      ledgerBalance: '999874.499999',
      railBalance: '999869.499999',
      difference: '-5.000000',
      problem: null,
      since: r.checkedAt,
    })
    expect(byId(r)[ETH]!.state).toBe('matches')
    expect(await rowCount(USDC)).toBe(before + 1)
    const differs = await audits(BALANCE_DIFFERS_ACTION)
    expect(differs).toHaveLength(1)
    expect(differs[0]).toMatchObject({ actor: as.dana.operatorId, subject: `account:${USDC}` })
    expect(JSON.parse(differs[0]!.change)).toMatchObject({
      assetId: 'USDC@evm:31337',
      ledger: '999874.499999',
      rail: '999869.499999',
      difference: '-5.000000',
      before: { state: 'matches', difference: '0.000000' },
    })

    // Again, and through the poller's task: nothing new to store or to audit.
    expect((await check()).changed).toEqual([])
    expect(await rowCount(USDC)).toBe(before + 1)
    expect(await audits(BALANCE_DIFFERS_ACTION)).toHaveLength(1)

    // The CLI: the stored checks as JSON, exit code 1 while one differs.
    const cli = await runCli(['--data-dir', root, '--json', 'recon', 'balances'])
    expect(cli.code, cli.stderr).toBe(1)
    const printed = RailBalances.parse(JSON.parse(cli.stdout))
    expect(byId(printed)[USDC]).toMatchObject({ state: 'differs', difference: '-5.000000' })
  }, 60_000)

  it('put back on the chain, it matches again: audited once', async () => {
    await moveUsdcBehindTheLedger(ANVIL_ACCOUNTS[3], SANDBOX_EVM_TREASURY, FIVE_USDC)
    const r = await check()
    expect(r.changed).toEqual([USDC])
    expect(byId(r)[USDC]).toMatchObject({ state: 'matches', difference: '0.000000' })
    const matches = await audits(BALANCE_MATCHES_ACTION)
    expect(matches).toHaveLength(1)
    expect(JSON.parse(matches[0]!.change)).toMatchObject({ difference: '0.000000', before: { state: 'differs', difference: '-5.000000' } })
    expect(await audits(BALANCE_DIFFERS_ACTION)).toHaveLength(1)
    const cli = await runCli(['--data-dir', root, 'recon', 'balances'])
    expect(cli.code, cli.stderr).toBe(0)
    expect(cli.stdout).toContain(USDC)
  })

  it("Stripe's platform balance moved outside Countersign: differs by exactly that", async () => {
    const h = stripe.harness()!
    h.setBalance('usd', 5_001_234n)
    const r = byId(await check())
    expect(r[USD]).toMatchObject({ state: 'differs', ledgerBalance: '50000.00', railBalance: '50012.34', difference: '12.34' })
    expect(await audits(BALANCE_DIFFERS_ACTION)).toHaveLength(2)
    h.setBalance('usd', 5_000_000n)
    expect(byId(await check())[USD]).toMatchObject({ state: 'matches' })
    expect(await audits(BALANCE_MATCHES_ACTION)).toHaveLength(2)
  })

  it('a chain without the token contract (reset): the rail holds nothing, and says why', async () => {
    const code = await chain.publicClient.getCode({ address: ANVIL_FIRST_CONTRACT })
    await chain.testClient.setCode({ address: ANVIL_FIRST_CONTRACT, bytecode: '0x' })
    try {
      expect(byId(await check())[USDC]).toMatchObject({
        state: 'differs',
        railBalance: '0.000000',
        difference: '-999874.499999',
        problem: `There is no token contract at ${ANVIL_FIRST_CONTRACT} on chain 31337 (was the chain reset?)`,
      })
    } finally {
      await chain.testClient.setCode({ address: ANVIL_FIRST_CONTRACT, bytecode: code! })
    }
    expect(byId(await check())[USDC]).toMatchObject({ state: 'matches', problem: null })
    expect(await audits(BALANCE_DIFFERS_ACTION)).toHaveLength(3)
    expect(await audits(BALANCE_MATCHES_ACTION)).toHaveLength(3)
  })

  it('an unreachable node: unavailable with its sentence, nothing thrown, the poller task does not fail', async () => {
    const config = sb.core.rails.config
    const dead: RailsConfig = { ...config, evm: { chains: config.evm!.chains.map((c) => ({ ...c, rpcUrl: 'http://127.0.0.1:9' })) } }
    sb.core.rails.replace(dead)
    try {
      const r = byId(await check())
      for (const id of [USDC, ETH])
        expect(r[id], id).toMatchObject({
          state: 'unavailable',
          railBalance: null,
          difference: null,
          problem: expect.stringMatching(/did not answer/),
        })
      expect(r[XLM]!.state).toBe('matches')
      // The poller's task (a new one: the core's own waits a few minutes between checks) does not throw.
      await createBalanceChecksTask(sb.core.rails).run(sb.core.ctx)
      // Unavailable is not a decision: no audit either way.
      expect(await audits(BALANCE_DIFFERS_ACTION)).toHaveLength(3)
    } finally {
      sb.core.rails.replace(config)
    }
    const back = byId(await check())
    expect(back[USDC]!.state).toBe('matches')
    // Back from unavailable to the same decided state: nothing to audit.
    expect(await audits(BALANCE_MATCHES_ACTION)).toHaveLength(3)
  })
})
