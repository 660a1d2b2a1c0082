/**
 * Seed a sandbox workspace through the contract — the same calls, validation and audit as any
 * operator's — idempotently: what exists is checked and kept, what is missing is added, and the
 * opening entries carry stable ids and a fixed date, so a second run replays them.
 */
import type { Account, Asset } from '../../shared/ledgerApi'
import type { Operator } from '../../shared/workspaceApi'
import { CsError } from '../../shared/errors'
import type { Core } from '../core/core'
import { demoPassphrase, SANDBOX_ADMIN_NAME, SANDBOX_ASSETS, SANDBOX_OPERATORS, sandboxAccounts, sandboxEntries } from './sandboxPlan'

export interface SandboxSeed {
  operators: Operator[]
  assets: Asset[]
  accounts: Account[]
  entries: { posted: string[]; replayed: string[] }
}

export async function seedSandbox(core: Core): Promise<SandboxSeed> {
  const api = core.api
  const operators = await seedOperators(core)
  const admin = operators.find((o) => o.name === SANDBOX_ADMIN_NAME)!
  const as = { operatorId: admin.id }

  const knownAssets = new Map((await api.call('assets.list', {})).map((a) => [a.id, a]))
  const assets: Asset[] = []
  for (const seed of SANDBOX_ASSETS) {
    let asset = knownAssets.get(seed.id)
    if (!asset) {
      asset = await api.call(
        'assets.add',
        {
          id: seed.id,
          code: seed.code,
          name: seed.name,
          scale: seed.scale,
          rail: seed.rail,
          network: seed.network,
          ...(seed.issuer ? { issuer: seed.issuer } : {}),
        },
        as,
      )
    }
    if (asset.scale !== seed.scale || asset.rail !== seed.rail || asset.network !== seed.network || asset.issuer !== seed.issuer) {
      throw new CsError(
        'ASSET_EXISTS',
        `Asset ${seed.id} in this sandbox differs from the sandbox plan — start the sandbox in a new folder with --data-dir.`,
      )
    }
    assets.push(asset)
  }

  const knownAccounts = new Map((await api.call('ledger.accounts.list', {})).map((a) => [a.id, a]))
  const accounts: Account[] = []
  for (const seed of sandboxAccounts()) {
    let account = knownAccounts.get(seed.id)
    if (!account) {
      account = await api.call(
        'ledger.accounts.add',
        { id: seed.id, name: seed.name, kind: seed.kind, assetId: seed.assetId, ...(seed.address ? { address: seed.address } : {}) },
        as,
      )
    }
    if (account.kind !== seed.kind || account.assetId !== seed.assetId) {
      throw new CsError(
        'ACCOUNT_EXISTS',
        `Account ${seed.id} in this sandbox differs from the sandbox plan — start the sandbox in a new folder with --data-dir.`,
      )
    }
    accounts.push(account)
  }

  const entries = await api.call('ledger.entries.post', { entries: sandboxEntries() }, as)
  return { operators, assets, accounts, entries }
}

async function seedOperators(core: Core): Promise<Operator[]> {
  const api = core.api
  const byName = new Map((await api.call('operators.list', {})).map((o) => [o.name, o]))
  // Each demo operator is invited and sets their demo passphrase, as a real operator would; the
  // seeder's own (in-process) session keeps them unlocked for the calls below.
  const ready = async (name: string, inviteCode: string | null): Promise<Operator> => {
    const known = (await api.call('operators.list', {})).find((o) => o.name === name)!
    const passphrase = demoPassphrase(name)
    const session = known.passphraseSet
      ? await api.call('operators.unlock', { operatorId: known.id, passphrase })
      : await api.call('operators.activate', { operatorId: known.id, passphrase, ...(inviteCode !== null ? { inviteCode } : {}) })
    return session.operator!
  }
  let admin = byName.get(SANDBOX_ADMIN_NAME)
  // On an empty workspace the first admin is invited by 'bootstrap'.
  admin = await ready(
    SANDBOX_ADMIN_NAME,
    admin ? null : (await api.call('operators.add', { name: SANDBOX_ADMIN_NAME, roles: ['admin'] })).inviteCode,
  )
  byName.set(admin.name, admin)
  const out: Operator[] = []
  for (const seed of SANDBOX_OPERATORS) {
    let op = byName.get(seed.name)
    const invite = op
      ? null
      : (await api.call('operators.add', { name: seed.name, roles: seed.roles }, { operatorId: admin.id })).inviteCode
    op = await ready(seed.name, invite)
    if (!seed.roles.every((r) => op.roles.includes(r))) {
      throw new CsError(
        'OPERATOR_EXISTS',
        `Operator "${seed.name}" in this sandbox lacks the ${seed.roles.join(', ')} role — start the sandbox in a new folder with --data-dir.`,
      )
    }
    out.push(op)
  }
  return out
}
