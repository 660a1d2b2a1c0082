/**
 * The matching rules a run tries after the exact keys, in position order. A workspace starts with
 * three (written on first use, so a run is useful before anyone configures anything):
 *
 * 1. "Same amount" — the exact amount within 3 business days, one candidate only (two that fit
 *    go to the exceptions queue as ambiguous), suggested for a person to confirm;
 * 2. "Near amount or a group" — within 0.5 % within 5 business days, and groups of up to 4
 *    postings summing to one line (1:N) or lines summing to one posting (N:1); the variance
 *    becomes a proposed adjustment;
 * 3. "Bank charges" — an outgoing line of at most 100 whose text says fee / charge / commission
 *    becomes a proposed adjustment to the bank fees account.
 *
 * Tolerances are written as decimals in the account's currency; converted to minor units per
 * account, a tolerance finer than the currency's scale is cut down to it (a narrower tolerance
 * only ever suggests less).
 */
import { CsError } from '../../../../shared/errors'
import { ReconRuleConfig, type ReconRule } from '../../../../shared/reconMatchApi'
import { appendAudit } from '../../audit/appendAudit'
import type { Actor, CoreContext } from '../../context'
import type { MatchRule } from '../match/matchTypes'

export const DEFAULT_RULES: readonly { id: string; name: string; config: ReconRuleConfig }[] = [
  {
    id: 'same-amount',
    name: 'Same amount',
    config: {
      kind: 'amount',
      account: null,
      tolerance: '0',
      toleranceBps: 0,
      windowDays: 3,
      direction: 'any',
      counterparty: true,
      maxGroup: 1,
      noAmbiguous: true,
      autoConfirm: false,
      textContains: [],
      maxAmount: null,
      feeAccount: null,
    },
  },
  {
    id: 'near-amount',
    name: 'Near amount or a group',
    config: {
      kind: 'amount',
      account: null,
      tolerance: '0',
      toleranceBps: 50,
      windowDays: 5,
      direction: 'any',
      counterparty: false,
      maxGroup: 4,
      noAmbiguous: true,
      autoConfirm: false,
      textContains: [],
      maxAmount: null,
      feeAccount: null,
    },
  },
  {
    id: 'bank-charges',
    name: 'Bank charges',
    config: {
      kind: 'fee',
      account: null,
      tolerance: '0',
      toleranceBps: 0,
      windowDays: 0,
      direction: 'out',
      counterparty: false,
      maxGroup: 1,
      noAmbiguous: true,
      autoConfirm: false,
      textContains: ['FEE', 'FEES', 'CHARGE', 'CHARGES', 'COMMISSION', 'ENTGELT', 'GEBUEHR', 'GEBÜHR', 'SPESEN', 'FRAIS'],
      maxAmount: '100',
      feeAccount: null,
    },
  },
]

/** The rules, oldest position first; the defaults are written the first time anyone asks. */
export async function listRules(ctx: CoreContext): Promise<ReconRule[]> {
  const { db } = ctx
  let rows = await db.all(db.k.selectFrom('recon_rules').selectAll().orderBy('position').orderBy('id'))
  if (rows.length === 0) {
    const now = ctx.clock.now().toISOString()
    await db.tx(async () => {
      if (await db.first(db.k.selectFrom('recon_rules').select('id'))) return
      for (const [i, r] of DEFAULT_RULES.entries()) {
        await db.run(
          db.k.insertInto('recon_rules').values({
            id: r.id,
            name: r.name,
            position: (i + 1) * 10,
            config: JSON.stringify(r.config),
            enabled: 1,
            updated_by: 'system',
            updated_at: now,
          }),
        )
      }
      await appendAudit(ctx, {
        actor: 'system',
        action: 'recon.rules.defaults',
        subject: 'recon-rules',
        change: { rules: DEFAULT_RULES.map((r) => r.id) },
      })
    })
    rows = await db.all(db.k.selectFrom('recon_rules').selectAll().orderBy('position').orderBy('id'))
  }
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    position: Number(r.position),
    enabled: Number(r.enabled) === 1,
    config: ReconRuleConfig.parse(JSON.parse(r.config)),
    updatedBy: r.updated_by,
    updatedAt: r.updated_at,
  }))
}

export async function saveRule(ctx: CoreContext, actor: Actor, rule: Omit<ReconRule, 'updatedBy' | 'updatedAt'>): Promise<ReconRule> {
  const { db } = ctx
  const config = ReconRuleConfig.safeParse(rule.config)
  if (!config.success)
    throw new CsError(
      'RECON_RULE_INVALID',
      `The rule "${rule.name}" is not valid: ${config.error.issues[0]?.message ?? 'check its settings'}.`,
    )
  if (config.data.kind === 'fee' && config.data.textContains.length === 0)
    throw new CsError(
      'RECON_RULE_INVALID',
      `The bank-charge rule "${rule.name}" needs at least one word the line's text must contain (textContains).`,
    )
  for (const d of [config.data.tolerance, config.data.maxAmount]) {
    if (d !== null && d.startsWith('-'))
      throw new CsError('RECON_RULE_INVALID', `The rule "${rule.name}" has a negative amount (${d}) — tolerances and limits are sizes.`)
  }
  await listRules(ctx) // the defaults exist before the first change, so positions stay meaningful
  const now = ctx.clock.now().toISOString()
  const before = await db.first(db.k.selectFrom('recon_rules').selectAll().where('id', '=', rule.id))
  const row = {
    id: rule.id,
    name: rule.name,
    position: rule.position,
    config: JSON.stringify(config.data),
    enabled: rule.enabled ? 1 : 0,
    updated_by: actor,
    updated_at: now,
  }
  await db.tx(async () => {
    if (before) await db.run(db.k.updateTable('recon_rules').set(row).where('id', '=', rule.id))
    else await db.run(db.k.insertInto('recon_rules').values(row))
    await appendAudit(ctx, {
      actor,
      action: 'recon.rules.save',
      subject: `recon-rule:${rule.id}`,
      change: {
        before: before
          ? {
              name: before.name,
              position: Number(before.position),
              enabled: Number(before.enabled) === 1,
              config: JSON.parse(before.config),
            }
          : null,
        after: { name: rule.name, position: rule.position, enabled: rule.enabled, config: config.data },
      },
    })
  })
  const saved = (await listRules(ctx)).find((r) => r.id === rule.id)
  if (!saved) throw new Error(`invariant: rule ${rule.id} vanished`)
  return saved
}

/** A decimal size in minor units of `scale`, digits beyond the scale cut off (see the header). */
export function decimalToMinorFloor(text: string, scale: number): bigint {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text)
  if (!m) throw new CsError('RECON_RULE_INVALID', `"${text}" is not a decimal size — write it like 0.50.`)
  const fraction = (m[2] ?? '').slice(0, scale).padEnd(scale, '0')
  return BigInt(m[1]! + fraction)
}

/** The engine's rules for one statement account in its currency; the fee account is resolved by the caller. */
export function engineRules(
  rules: readonly ReconRule[],
  account: string,
  scale: number,
  feeAccountOf: (rule: ReconRule) => string,
): MatchRule[] {
  return rules
    .filter((r) => r.enabled && (r.config.account === null || r.config.account === account))
    .map((r) => ({
      id: r.id,
      name: r.name,
      kind: r.config.kind,
      account: r.config.account,
      toleranceMinor: decimalToMinorFloor(r.config.tolerance, scale),
      toleranceBps: r.config.toleranceBps,
      windowDays: r.config.windowDays,
      direction: r.config.direction,
      counterparty: r.config.counterparty,
      maxGroup: r.config.maxGroup,
      noAmbiguous: r.config.noAmbiguous,
      autoConfirm: r.config.autoConfirm,
      textContains: r.config.textContains.map((w) => w.toUpperCase()),
      maxAmountMinor: r.config.maxAmount === null ? null : decimalToMinorFloor(r.config.maxAmount, scale),
      feeAccount: feeAccountOf(r),
    }))
}
