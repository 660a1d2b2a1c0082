/**
 * Several desks on one workspace at once (team mode): 8 concurrent actors, each a sequence of real
 * `countersign` processes — approvers approving, signers pressing Execute on the same batches,
 * pollers confirming — against one sandbox workspace (on the PostgreSQL pass a team database; on
 * the SQLite pass one file shared by processes). The order each actor takes the batches in comes
 * from a seed (COUNTERSIGN_TEAM_SEEDS="1,2,3" runs more; the failing seed is in the test name).
 *
 * The oracle reads the chain itself, not our database: every recipient holds exactly its payout
 * (a payout paid twice would show double). And the database: every approval counted once per
 * approver, each batch executed by exactly one signer process, every other signer told who got
 * there first — never a misleading PREFLIGHT_FAILED — and every process ended (no deadlock).
 */
import { seededRandom } from '../../src/main/core/util/seededRandom'
import { addOperatorForTest } from '../../src/main/core/operators/operatorTestKit'
import fs from 'node:fs'
import path from 'node:path'
import { erc20Abi, type Address } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAnvilService } from '../../src/main/sandbox/anvilService'
import { sandboxUp, type Sandbox } from '../../src/main/sandbox/sandboxUp'
import { createHarnessClients } from '../harness/evm/clients'
import { recipientAddresses } from '../harness/evm/recipients'
import { sqlAll } from '../dbSql'
import { spawnCli, tempDir, type CliResult } from '../cli/cliHarness'

const SEEDS = (process.env.COUNTERSIGN_TEAM_SEEDS ?? '1')
  .split(',')
  .map((s) => Number(s.trim()))
  .filter((n) => Number.isInteger(n))
const BATCHES = 3
const PAYOUTS_PER_BATCH = 2
/** Execute attempts per batch before a signer gives up waiting for approval (each is a whole process). */
const EXECUTE_TRIES_MAX = 30
const POLL_ROUNDS_MAX = 20
/** Codes a losing desk may get, each a sentence naming what happened. */
const LOSER_CODES = ['BATCH_BUSY', 'EXECUTION_STATE']

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}
function errorCode(r: CliResult): string | null {
  return /^error ([A-Z_]+):/m.exec(r.stderr)?.[1] ?? null
}

let root: string
let dir: string
let sb: Sandbox

beforeAll(async () => {
  root = tempDir('countersign-team-')
  dir = path.join(root, 'sandbox')
  sb = await sandboxUp({ dataDir: dir, services: [createAnvilService({ persist: false })], pollIntervalMs: 3_600_000 })
  await sb.core.poller.stop()
  const admin = sb.description.operators.find((o) => o.name === 'Dana Admin')!
  await addOperatorForTest(sb.core.api, { name: 'Erin Approver', roles: ['approver'] }, { operatorId: admin.id })
  // Two approvers per batch: two desks approving at once must both count, once each.
  await sb.core.api.call('settings.policy.set', { approversMin: 2, thresholds: [], dailyLimits: [] }, { operatorId: admin.id })
}, 120_000)

afterAll(async () => {
  await sb?.stop()
  if (root) fs.rmSync(root, { recursive: true, force: true })
})

describe('team mode: eight desks on one workspace', () => {
  for (const seed of SEEDS) {
    it(`approving, executing and polling the same batches at once pays each payout exactly once (seed ${seed})`, async () => {
      const random = seededRandom(seed)
      const alice = sb.description.operators.find((o) => o.name === 'Alice Preparer')!
      const expected = new Map<Address, bigint>()
      const batchIds: string[] = []
      for (let b = 0; b < BATCHES; b++) {
        const recipients = recipientAddresses(`team-${seed}-${b}`, PAYOUTS_PER_BATCH)
        const rows = recipients.map((r, i) => {
          const cents = BigInt(100 + Math.floor(random() * 100_000))
          expected.set(r, cents * 10_000n) // USDC has 6 decimals: cents → minor units
          return `team-${seed}-${b}-${i},evm,31337,USDC,${r},${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`
        })
        const imported = await sb.core.api.call(
          'payouts.import',
          { csv: ['id,rail,network,asset,recipient,amount', ...rows].join('\n'), batchName: `team ${seed}/${b}` },
          { operatorId: alice.id },
        )
        await sb.core.api.call('batches.submit', { id: imported.batchId! }, { operatorId: alice.id })
        batchIds.push(imported.batchId!)
      }

      const cli = (...args: string[]) => spawnCli(['--data-dir', dir, ...args])
      const log: { actor: string; args: string[]; result: CliResult }[] = []
      const run = async (actor: string, ...args: string[]): Promise<CliResult> => {
        const result = await cli(...args)
        log.push({ actor, args, result })
        return result
      }
      const approver = (name: string, actor: string) => async () => {
        for (const id of shuffled(batchIds, random)) await run(actor, 'batches', 'approve', id, '--as', name)
      }
      const executed = new Map<string, string[]>()
      const signer = (actor: string) => async () => {
        for (const id of shuffled(batchIds, random)) {
          for (let attempt = 1; attempt <= EXECUTE_TRIES_MAX; attempt++) {
            const r = await run(actor, 'batches', 'execute', id, '--as', 'Carol Signer', '--json')
            if (r.code === 0) {
              executed.set(id, [...(executed.get(id) ?? []), actor])
              break
            }
            // Not approved yet: the approvers are still at it — ask again (each try is a whole process).
            if (errorCode(r) === 'EXECUTION_STATE' && /awaiting approval/.test(r.stderr)) continue
            break
          }
        }
      }
      const poller = (actor: string) => async () => {
        for (let i = 0; i < 4; i++) await run(actor, 'poll', '--once', '--json')
      }
      const actors = [
        approver('Bob Approver', 'bob@desk-1'),
        approver('Bob Approver', 'bob@desk-2'),
        approver('Erin Approver', 'erin@desk-3'),
        signer('carol@desk-4'),
        signer('carol@desk-5'),
        signer('carol@desk-6'),
        poller('poller@desk-7'),
        poller('poller@desk-8'),
      ]
      await Promise.all(shuffled(actors, random).map((a) => a()))

      // Every process ended with success or a clear refusal; nobody was sent to check the balance.
      for (const { actor, args, result } of log) {
        if (result.code === 0) continue
        const code = errorCode(result)
        expect(code, `${actor} ${args.join(' ')}: ${result.stderr}`).not.toBe('PREFLIGHT_FAILED')
        expect(code, `${actor} ${args.join(' ')}: ${result.stderr}`).not.toBe('INTERNAL')
        expect(code, `${actor} ${args.join(' ')}: ${result.stderr}`).not.toBe('DB_LOCKED')
        if (args[1] === 'execute') expect(LOSER_CODES, result.stderr).toContain(code)
      }
      // Each batch executed by exactly one signer process; the losers were told who.
      for (const id of batchIds) expect(executed.get(id), id).toHaveLength(1)
      const losers = log.filter((l) => l.args[1] === 'execute' && l.result.code !== 0 && !/awaiting approval/.test(l.result.stderr))
      for (const l of losers) expect(l.result.stderr).toMatch(/Carol Signer on \S+/)

      // Approvals: each approver once per batch version, however many desks pressed it.
      for (const id of batchIds) {
        const approvals = await sqlAll<{ operator_id: string }>(
          sb.core.ctx.db,
          `SELECT operator_id FROM approvals WHERE batch_id = ? AND decision = 'approve'`,
          id,
        )
        expect(approvals.map((a) => a.operator_id).sort()).toHaveLength(2)
        expect(new Set(approvals.map((a) => a.operator_id)).size).toBe(2)
      }

      // Drain: confirm everything, mining blocks for the confirmation depth.
      const chain = createHarnessClients({ rpcUrl: String(sb.description.services.anvil!.rpcUrl), chainId: 31337 })
      let open = batchIds.length
      for (let round = 1; round <= POLL_ROUNDS_MAX && open > 0; round++) {
        await sb.core.poller.runOnce()
        const states = await Promise.all(batchIds.map(async (id) => (await sb.core.api.call('batches.get', { id })).batch.state))
        open = states.filter((s) => s !== 'completed').length
        if (open > 0) await chain.testClient.mine({ blocks: 1 })
      }
      expect(open).toBe(0)

      // The chain: each recipient holds exactly its one payout.
      const token = sb.description.services.anvil!.token as Address
      for (const [recipient, amount] of expected) {
        const held = await chain.publicClient.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [recipient] })
        expect(held, recipient).toBe(amount)
      }
    }, 900_000)
  }
})
