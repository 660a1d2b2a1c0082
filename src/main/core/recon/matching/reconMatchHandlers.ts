/**
 * Handlers of the matching calls (src/shared/reconMatchApi.ts). Preparers (and admins) run
 * matching and work the queue; approvers (and admins) approve adjustments — never their own —
 * and close periods; admins change the rules; anyone unlocked may read.
 */
import type { Operator, Role } from '../../../../shared/blocks'
import type { reconMatchCalls } from '../../../../shared/reconMatchApi'
import type { Handler } from '../../api/createApi'
import { requireRole } from '../../operators/operators'
import { confirmMatches, decideAdjustment, listAdjustments, manualMatch, rejectMatch, unmatch } from './reconActions'
import { closePeriod, listPeriods, reconDrift } from './reconPeriods'
import { listExceptions, listItems, listMatches, resolveException, updateException } from './reconQueue'
import { listRules, saveRule } from './reconRules'
import { runRecon } from './runRecon'

export type ReconMatchHandlers = { [K in keyof typeof reconMatchCalls]: Handler<K> }

/** The first of `roles` the operator has (admins pass everywhere), checked with requireRole's sentences. */
function requireOneOf(operator: Operator | null, roles: readonly Role[], what: string): Operator {
  const role = roles.find((r) => operator?.roles.includes(r)) ?? (operator?.roles.includes('admin') ? 'admin' : roles[0]!)
  return requireRole(operator, role, what)
}

const WORKERS: readonly Role[] = ['preparer', 'admin']
const CHECKERS: readonly Role[] = ['approver', 'admin']

export function createReconMatchHandlers(): ReconMatchHandlers {
  return {
    'recon.run': async ({ core, operator }, input) =>
      await runRecon(core, requireOneOf(operator, WORKERS, 'run reconciliation').id, { accountId: input.accountId, dryRun: input.dryRun }),
    'recon.items': async ({ core }, input) => await listItems(core, input),
    'recon.matches': async ({ core }, input) => await listMatches(core, input),
    'recon.confirm': async ({ core, operator }, input) => ({
      matches: await confirmMatches(core, requireOneOf(operator, WORKERS, 'confirm matches').id, input.matchIds),
    }),
    'recon.reject': async ({ core, operator }, input) =>
      await rejectMatch(core, requireOneOf(operator, WORKERS, 'reject matches').id, input.matchId, input.reason),
    'recon.match': async ({ core, operator }, input) =>
      await manualMatch(core, requireOneOf(operator, WORKERS, 'match items by hand').id, input),
    'recon.unmatch': async ({ core, operator }, input) =>
      await unmatch(core, requireOneOf(operator, WORKERS, 'unmatch').id, input.matchId, input.reason),
    'recon.exceptions': async ({ core }, input) => await listExceptions(core, input),
    'recon.updateException': async ({ core, operator }, input) =>
      await updateException(core, requireOneOf(operator, WORKERS, 'work on exceptions').id, input),
    'recon.resolveException': async ({ core, operator }, input) =>
      await resolveException(core, requireOneOf(operator, WORKERS, 'resolve exceptions').id, input),
    'recon.adjustments': async ({ core }, input) => await listAdjustments(core, input),
    'recon.decideAdjustment': async ({ core, operator }, input) =>
      await decideAdjustment(core, requireOneOf(operator, CHECKERS, 'approve adjustments').id, input.id, input.decision, input.comment),
    'recon.drift': async ({ core }, input) => await reconDrift(core, input.accountId),
    'recon.close': async ({ core, operator }, input) =>
      await closePeriod(core, requireOneOf(operator, CHECKERS, 'close periods').id, input.accountId, input.period),
    'recon.periods': async ({ core }, input) => ({ periods: await listPeriods(core, input.accountId) }),
    'recon.rules': async ({ core }) => ({ rules: await listRules(core) }),
    'recon.saveRule': async ({ core, operator }, input) =>
      await saveRule(core, requireRole(operator, 'admin', 'change matching rules').id, input),
  }
}
