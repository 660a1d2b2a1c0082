/**
 * The workspace calls of the contract: what this workspace is (app.info), who works in it
 * (operators) and what it recorded (the audit log). Gathered into `calls` by ./api.ts; like every
 * contract file it imports the building blocks and the limits, never another contract file.
 */
import { z } from 'zod'
import { Empty, IsoTimestamp, SecretProtection } from './blocks'
import { call } from './callSpec'
import { AUDIT_ACTIONS_FILTER_MAX, AUDIT_FILTER_TEXT_CHARS_MAX, DATABASE_PASSWORD_CHARS_MAX, LIST_ROWS_MAX } from './limits'

export { Operator } from './blocks'

export const AuditRow = z.object({
  seq: z.number().int(),
  at: IsoTimestamp,
  actor: z.string(),
  action: z.string(),
  subject: z.string(),
  change: z.unknown(),
  prevHash: z.string(),
  hash: z.string(),
})
export type AuditRow = z.infer<typeof AuditRow>

/**
 * What `audit verify` found first. 'chain': the audit log itself (seq is the broken row). The rest
 * are the books the log describes (every audit row commits to the rows its change wrote):
 * 'row-changed' a sealed row whose content no longer matches, 'row-unsealed' a row no audit row
 * wrote, 'row-missing' a sealed row that is gone, 'seal' seals that do not match the audit row that
 * made them, 'balance' a stored balance that is not what the postings and holds add up to. For
 * these, seq is the audit row that vouches for the row, or headSeq + 1 when none does.
 */
export const AUDIT_BREAK_KINDS = ['chain', 'row-changed', 'row-unsealed', 'row-missing', 'seal', 'balance'] as const
export const AuditVerification = z.object({
  ok: z.boolean(),
  rowsChecked: z.number().int(),
  headSeq: z.number().int(),
  headHash: z.string(),
  firstBroken: z
    .object({
      seq: z.number().int(),
      reason: z.string(),
      kind: z.enum(AUDIT_BREAK_KINDS).optional(),
      /** The row named: 'posting:<entry id>/<idx>', 'entry:<id>', 'payout:<id>', 'hold:<id>', 'account:<id>', 'audit:<seq>'. */
      subject: z.string().nullable().optional(),
    })
    .nullable(),
  /** Rows of the books checked against their seals (entries, postings, holds, payouts) and accounts whose balances were recomputed. */
  booksChecked: z.object({ rows: z.number().int(), accounts: z.number().int() }).optional(),
})
export type AuditVerification = z.infer<typeof AuditVerification>

/** The actor of the rows the core writes by itself (poller, confirmations, syncs, expiry sweeps), not a person. */
export const AUDIT_SYSTEM_ACTOR = 'system'

/** A day (YYYY-MM-DD, UTC) or an ISO UTC instant. */
const AuditDay = z.string().regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z)?$/, 'must be a date (YYYY-MM-DD) or an ISO UTC time')
const FilterText = z.string().trim().min(1).max(AUDIT_FILTER_TEXT_CHARS_MAX)

/**
 * Which audit rows: every field narrows (AND); each is an index in the core (audit_log's
 * (subject, seq), (actor, seq), (action, seq) and (at)), so a filter costs the same at 100,000 rows.
 */
export const AuditFilter = z
  .object({
    /** One subject exactly: 'batch:b_12', 'operator:dana-admin'. */
    subject: FilterText.optional(),
    /** Who: an operator id, or 'system' for the core's own rows. */
    actor: FilterText.optional(),
    /** Any of these actions exactly ('batches.approve', 'payouts.submission.confirmed'). */
    actions: z.array(FilterText).min(1).max(AUDIT_ACTIONS_FILTER_MAX).optional(),
    /** Written on or after (a date means its first instant, UTC). */
    from: AuditDay.optional(),
    /** Written before the end of (a date includes the whole day, UTC). */
    to: AuditDay.optional(),
    /** Leave out the rows the core wrote by itself (actor 'system': confirmations, syncs, sweeps, receipts). */
    hideSystem: z.boolean().optional(),
  })
  .strict()
export type AuditFilter = z.infer<typeof AuditFilter>

/** An export of the audit log: a CSV file (text), oldest row first. */
export const AuditExport = z.object({
  name: z.string(),
  mime: z.string(),
  text: z.string(),
  rows: z.number().int(),
})
export type AuditExport = z.infer<typeof AuditExport>

const Page = { limit: z.number().int().min(1).max(LIST_ROWS_MAX).optional(), beforeSeq: z.number().int().min(1).optional() }

/** Where the books are, and — for a team database — whether this desk has its password saved. */
export const DatabaseSettings = z.object({
  backend: z.enum(['sqlite', 'postgres']),
  /** The file path, or host:port/database — never a password. */
  location: z.string(),
  /** Null for a single-desk (SQLite) workspace: it has no password. */
  password: z
    .object({
      saved: z.boolean(),
      /** What protects it at rest on this desk. */
      protection: SecretProtection,
      writable: z.boolean(),
      weakProtectionWarning: z.string().nullable(),
    })
    .nullable(),
})
export type DatabaseSettings = z.infer<typeof DatabaseSettings>

export const workspaceCalls = {
  'app.info': call({
    summary: 'Version, data location and mode of this workspace.',
    mutates: false,
    whileLocked: true,
    input: Empty,
    output: z.object({
      version: z.string(),
      dataDir: z.string(),
      schemaVersion: z.string(),
      /** Where the books are: the embedded SQLite file (one desk), or a team's PostgreSQL server. */
      database: z.object({
        backend: z.enum(['sqlite', 'postgres']),
        /** The file path, or host:port/database — never a password. */
        location: z.string(),
      }),
      sandbox: z.boolean(),
      transport: z.enum(['electron', 'web', 'direct']),
    }),
  }),

  'audit.list': call({
    summary: 'Audit log rows, newest first, filtered by subject, actor, actions, dates; optionally without the rows the system wrote.',
    mutates: false,
    input: AuditFilter.extend(Page).strict(),
    output: z.object({ rows: z.array(AuditRow), nextBeforeSeq: z.number().int().nullable() }),
  }),
  'audit.facets': call({
    summary: 'What the audit log can be filtered by: the actors and the actions it holds, sorted.',
    mutates: false,
    input: Empty,
    output: z.object({ actors: z.array(z.string()), actions: z.array(z.string()) }),
  }),
  'audit.export': call({
    summary: 'The rows a filter matches as one CSV file, oldest first (spreadsheet formulas neutralised).',
    mutates: false,
    input: AuditFilter,
    output: AuditExport,
  }),
  'audit.verify': call({
    summary: 'Recompute the hash chain, check the books against it, and report the first broken row (of the log or of the books).',
    mutates: false,
    input: Empty,
    output: AuditVerification,
  }),

  'settings.database.get': call({
    summary: 'Where the books are; for a team database, whether this desk has its password saved and what protects it.',
    mutates: false,
    input: Empty,
    output: DatabaseSettings,
  }),
  'settings.database.setPassword': call({
    summary: "Save this desk's team database password (admin). It is checked against the server first; never shown again.",
    mutates: true,
    input: z
      .object({
        password: z.string().min(1).max(DATABASE_PASSWORD_CHARS_MAX),
        /** The person accepted weakProtectionWarning. */
        acceptWeakProtection: z.boolean().optional(),
      })
      .strict(),
    output: DatabaseSettings,
  }),
} as const
