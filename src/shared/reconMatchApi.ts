/**
 * The reconciliation calls of the contract, second layer: matching (issue 15). A run pairs the
 * lines of statements (bank files and rail records) with the ledger postings of the account each
 * statement account is linked to — exact keys first, then the rules — and records why; what it
 * cannot pair goes to the exceptions queue. People confirm suggestions, match and unmatch by
 * hand, approve the adjustments a variance or a bank charge needs, and close periods.
 * Amounts are signed decimal strings seen from the account (positive = money in).
 */
import { z } from 'zod'
import { DecimalString, Id } from './blocks'
import { call } from './callSpec'
import { ERROR_DETAILS_TEXT_CHARS_MAX, RECON_LIST_MAX } from './limits'

export const MATCH_KINDS = ['key', '1:1', '1:N', 'N:1', 'fee', 'manual'] as const
export const MatchKind = z.enum(MATCH_KINDS)
export const MATCH_STATES = ['suggested', 'confirmed', 'rejected', 'undone'] as const
export const MatchState = z.enum(MATCH_STATES)
export const EXCEPTION_REASONS = ['unmatched', 'ambiguous', 'amount_differs', 'duplicate'] as const
export const ExceptionReason = z.enum(EXCEPTION_REASONS)
export const ReconSide = z.enum(['statement', 'ledger'])
export type ReconSide = z.infer<typeof ReconSide>

/** A period is a calendar month of the statement account ("2026-11"). */
export const Period = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a period is a month written YYYY-MM')

/** One item of either side, as the reconciliation views show it. */
export const ReconItem = z.object({
  side: ReconSide,
  /** Statement line id, or "<entry id>/<posting index>" for a ledger posting. */
  id: z.string(),
  accountId: Id,
  date: z.string().nullable(),
  amount: DecimalString,
  currency: z.string(),
  /** What a person recognises it by: remittance / description, counterparty, reference. */
  text: z.string(),
  reference: z.string().nullable(),
  counterparty: z.string().nullable(),
  /** Whole days since its date (by the workspace clock), for expected items' age. */
  ageDays: z.number().int().nullable(),
  state: z.enum(['matched', 'suggested', 'exception', 'unmatched']),
  matchId: Id.nullable(),
  exceptionId: Id.nullable(),
})
export type ReconItem = z.infer<typeof ReconItem>

export const ReconMatch = z.object({
  id: Id,
  accountId: Id,
  kind: MatchKind,
  state: MatchState,
  ruleId: z.string(),
  ruleName: z.string(),
  /** One sentence: why these items belong together. */
  summary: z.string(),
  keys: z.array(z.string()),
  dayDifference: z.number().int(),
  statementTotal: DecimalString,
  ledgerTotal: DecimalString,
  /** statement − ledger; non-zero means an adjustment is (or was) proposed. */
  variance: DecimalString,
  currency: z.string(),
  date: z.string(),
  statement: z.array(ReconItem),
  ledger: z.array(ReconItem),
  adjustmentId: Id.nullable(),
  createdAt: z.string(),
  createdBy: z.string(),
  decidedAt: z.string().nullable(),
  decidedBy: z.string().nullable(),
  /** The closed period that locks it. */
  period: z.string().nullable(),
})
export type ReconMatch = z.infer<typeof ReconMatch>

export const ReconException = z.object({
  id: Id,
  side: ReconSide,
  item: ReconItem,
  reason: ExceptionReason,
  detail: z.string(),
  related: z.array(z.string()),
  state: z.enum(['open', 'resolved']),
  assignee: z.string().nullable(),
  notes: z.array(z.object({ at: z.string(), by: z.string(), text: z.string() })),
  resolution: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
})
export type ReconException = z.infer<typeof ReconException>

export const ReconAdjustment = z.object({
  id: Id,
  matchId: Id,
  accountId: Id,
  ledgerAccountId: Id,
  counterAccountId: Id,
  amount: DecimalString,
  currency: z.string(),
  date: z.string(),
  description: z.string(),
  state: z.enum(['proposed', 'posted', 'rejected']),
  proposedBy: z.string(),
  proposedAt: z.string(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  entryId: z.string().nullable(),
})
export type ReconAdjustment = z.infer<typeof ReconAdjustment>

export const ReconRuleConfig = z
  .object({
    kind: z.enum(['amount', 'fee']),
    /** Only this statement account (null: all). */
    account: Id.nullable(),
    /** Absolute tolerance, decimal in the account's currency ("0.10"). */
    tolerance: DecimalString,
    /** Relative tolerance in basis points (100 = 1 %); the larger of the two applies. */
    toleranceBps: z.number().int().min(0).max(10_000),
    windowDays: z.number().int().min(0).max(60),
    direction: z.enum(['any', 'in', 'out']),
    counterparty: z.boolean(),
    maxGroup: z.number().int().min(1).max(6),
    noAmbiguous: z.boolean(),
    autoConfirm: z.boolean(),
    textContains: z.array(z.string().min(2).max(40)).max(20),
    /** 'fee' rules: largest line the rule books (decimal, absolute), null = any. */
    maxAmount: DecimalString.nullable(),
    /** Ledger account adjustments go to (fees, FX); null: the account's asset's fees account. */
    feeAccount: Id.nullable(),
  })
  .strict()
export type ReconRuleConfig = z.infer<typeof ReconRuleConfig>

export const ReconRule = z.object({
  id: Id,
  name: z.string(),
  position: z.number().int(),
  enabled: z.boolean(),
  config: ReconRuleConfig,
  updatedBy: z.string(),
  updatedAt: z.string(),
})
export type ReconRule = z.infer<typeof ReconRule>

export const ReconRunStats = z.object({
  statementItems: z.number().int(),
  ledgerItems: z.number().int(),
  matched: z.number().int(),
  suggested: z.number().int(),
  byKind: z.record(z.string(), z.number().int()),
  exceptions: z.record(z.string(), z.number().int()),
  /** Matches the run did not make again because a person rejected them. */
  rejectedBefore: z.number().int(),
})
export type ReconRunStats = z.infer<typeof ReconRunStats>

export const ReconPeriod = z.object({
  accountId: Id,
  period: Period,
  closedAt: z.string(),
  closedBy: z.string(),
  matches: z.number().int(),
  openExceptions: z.number().int(),
  /** Ledger − statement at the period's last statement balance (null: no statement balance in it). */
  drift: DecimalString.nullable(),
})
export type ReconPeriod = z.infer<typeof ReconPeriod>

export const DriftPoint = z.object({
  date: z.string(),
  statementId: Id,
  statement: DecimalString,
  ledger: DecimalString,
  /** ledger − statement. */
  difference: DecimalString,
})
export type DriftPoint = z.infer<typeof DriftPoint>

export const ReconDrift = z.object({
  accountId: Id,
  ledgerAccountId: Id.nullable(),
  currency: z.string(),
  points: z.array(DriftPoint),
  /** The newest point's difference, explained: what the ledger has that the statement does not yet show, and back. */
  latest: z
    .object({
      date: z.string(),
      difference: DecimalString,
      ledgerNotOnStatement: DecimalString,
      statementNotInLedger: DecimalString,
      proposedAdjustments: DecimalString,
      unexplained: DecimalString,
    })
    .nullable(),
})
export type ReconDrift = z.infer<typeof ReconDrift>

const Paging = { offset: z.number().int().min(0).optional(), limit: z.number().int().min(1).max(RECON_LIST_MAX).optional() }

export const reconMatchErrorDetails = {
  RECON_ITEM_TAKEN: z.object({ item: z.string().max(ERROR_DETAILS_TEXT_CHARS_MAX), matchId: z.string().max(ERROR_DETAILS_TEXT_CHARS_MAX) }),
  RECON_PERIOD_OPEN_ITEMS: z.object({ suggested: z.number().int(), proposedAdjustments: z.number().int() }),
} as const

export const reconMatchCalls = {
  'recon.run': call({
    summary: 'Match statement lines with ledger postings (exact keys, then the rules); what stays unpaired goes to the exceptions queue.',
    mutates: true,
    input: z.object({ accountId: Id.optional(), dryRun: z.boolean().optional() }).strict(),
    output: z.object({
      runId: Id.nullable(),
      dryRun: z.boolean(),
      stats: ReconRunStats,
      /** The matches made (or, in a dry run, that would be made), at most RECON_LIST_MAX. */
      matches: z.array(ReconMatch),
      more: z.number().int(),
    }),
  }),
  'recon.items': call({
    summary: 'Both sides of an account side by side: each statement line and ledger posting with its match or exception.',
    mutates: false,
    input: z
      .object({
        accountId: Id,
        side: ReconSide.optional(),
        state: z.enum(['matched', 'suggested', 'exception', 'unmatched']).optional(),
        search: z.string().max(100).optional(),
        ...Paging,
      })
      .strict(),
    output: z.object({ items: z.array(ReconItem), total: z.number().int() }),
  }),
  'recon.matches': call({
    summary: 'Matches, newest first (suggested ones to review, confirmed ones to audit).',
    mutates: false,
    input: z.object({ accountId: Id.optional(), state: MatchState.optional(), ...Paging }).strict(),
    output: z.object({ matches: z.array(ReconMatch), total: z.number().int() }),
  }),
  'recon.confirm': call({
    summary:
      'Confirm suggested matches (in bulk); a variance or a bank charge becomes a proposed adjustment for a second person to approve.',
    mutates: true,
    input: z.object({ matchIds: z.array(Id).min(1).max(RECON_LIST_MAX) }).strict(),
    output: z.object({ matches: z.array(ReconMatch) }),
  }),
  'recon.reject': call({
    summary: 'Reject a suggested match: its items go back to the queue and later runs do not suggest it again.',
    mutates: true,
    input: z.object({ matchId: Id, reason: z.string().min(1).max(500) }).strict(),
    output: ReconMatch,
  }),
  'recon.match': call({
    summary: 'Match items by hand (any number on each side, one account and currency); a difference needs an account to book it to.',
    mutates: true,
    input: z
      .object({
        statement: z.array(z.string()).max(50),
        ledger: z.array(z.string()).max(50),
        note: z.string().min(1).max(500),
        /** Book statement − ledger here as a proposed adjustment (required when they differ). */
        adjustmentAccount: Id.optional(),
      })
      .strict(),
    output: ReconMatch,
  }),
  'recon.unmatch': call({
    summary: 'Undo a confirmed or suggested match (refused in a closed period); its items go back to the queue.',
    mutates: true,
    input: z.object({ matchId: Id, reason: z.string().min(1).max(500) }).strict(),
    output: ReconMatch,
  }),
  'recon.exceptions': call({
    summary: 'The exceptions queue: unmatched (with their age), ambiguous, amount differs, duplicate.',
    mutates: false,
    input: z
      .object({
        accountId: Id.optional(),
        state: z.enum(['open', 'resolved']).optional(),
        reason: ExceptionReason.optional(),
        side: ReconSide.optional(),
        assignee: z.string().max(80).optional(),
        ...Paging,
      })
      .strict(),
    output: z.object({ exceptions: z.array(ReconException), total: z.number().int() }),
  }),
  'recon.updateException': call({
    summary: 'Assign an exception to someone and/or add a note.',
    mutates: true,
    input: z.object({ id: Id, assignee: z.string().max(80).nullable().optional(), note: z.string().min(1).max(1000).optional() }).strict(),
    output: ReconException,
  }),
  'recon.resolveException': call({
    summary: 'Resolve an exception: book the item as an adjustment (a second person approves it) or accept it as it is with a note.',
    mutates: true,
    input: z
      .object({
        id: Id,
        action: z.enum(['book', 'accept']),
        note: z.string().min(1).max(1000),
        /** 'book': the ledger account to book the statement line against (income, fees, suspense). */
        counterAccount: Id.optional(),
      })
      .strict(),
    output: ReconException,
  }),
  'recon.adjustments': call({
    summary: 'Adjustment entries proposed by reconciliation, to approve or reject.',
    mutates: false,
    input: z.object({ state: z.enum(['proposed', 'posted', 'rejected']).optional(), accountId: Id.optional(), ...Paging }).strict(),
    output: z.object({ adjustments: z.array(ReconAdjustment), total: z.number().int() }),
  }),
  'recon.decideAdjustment': call({
    summary: 'Approve (post the entry) or reject a proposed adjustment; not the person who proposed it.',
    mutates: true,
    input: z.object({ id: Id, decision: z.enum(['approve', 'reject']), comment: z.string().max(500).optional() }).strict(),
    output: ReconAdjustment,
  }),
  'recon.drift': call({
    summary: 'Ledger − statement balance of a statement account at each statement, and the newest difference explained.',
    mutates: false,
    input: z.object({ accountId: Id }).strict(),
    output: ReconDrift,
  }),
  'recon.close': call({
    summary: 'Close a month of a statement account: its matches are locked; refused while suggestions or adjustments wait.',
    mutates: true,
    input: z.object({ accountId: Id, period: Period }).strict(),
    output: ReconPeriod,
  }),
  'recon.periods': call({
    summary: 'Closed periods, newest first.',
    mutates: false,
    input: z.object({ accountId: Id.optional() }).strict(),
    output: z.object({ periods: z.array(ReconPeriod) }),
  }),
  'recon.rules': call({
    summary: 'The matching rules in the order they are tried.',
    mutates: false,
    input: z.object({}).strict(),
    output: z.object({ rules: z.array(ReconRule) }),
  }),
  'recon.saveRule': call({
    summary: 'Add or change a matching rule (admins).',
    mutates: true,
    input: z
      .object({
        id: Id,
        name: z.string().min(1).max(80),
        position: z.number().int().min(0).max(1000),
        enabled: z.boolean(),
        config: ReconRuleConfig,
      })
      .strict(),
    output: ReconRule,
  }),
} as const
