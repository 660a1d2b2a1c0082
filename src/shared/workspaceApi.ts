/**
 * The workspace calls of the contract: what this workspace is (app.info), who works in it
 * (operators) and what it recorded (the audit log). Gathered into `calls` by ./api.ts; like every
 * contract file it imports the building blocks and the limits, never another contract file.
 */
import { z } from 'zod'
import { Empty, IsoTimestamp, Role, ROLES, SecretProtection } from './blocks'
import { call } from './callSpec'
import { DATABASE_PASSWORD_CHARS_MAX, LIST_ROWS_MAX, OPERATOR_NAME_CHARS_MAX } from './limits'

export const Operator = z.object({
  id: z.string(),
  name: z.string(),
  roles: z.array(Role),
  createdAt: IsoTimestamp,
})
export type Operator = z.infer<typeof Operator>

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

export const AuditVerification = z.object({
  ok: z.boolean(),
  rowsChecked: z.number().int(),
  headSeq: z.number().int(),
  headHash: z.string(),
  firstBroken: z.object({ seq: z.number().int(), reason: z.string() }).nullable(),
})
export type AuditVerification = z.infer<typeof AuditVerification>

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

  'operators.list': call({
    summary: 'Operator profiles of this workspace.',
    mutates: false,
    input: Empty,
    output: z.array(Operator),
  }),
  'operators.add': call({
    summary: 'Add an operator profile (admin; the very first one may be added by anyone).',
    mutates: true,
    input: z
      .object({ name: z.string().trim().min(1).max(OPERATOR_NAME_CHARS_MAX), roles: z.array(Role).min(1).max(ROLES.length) })
      .strict(),
    output: Operator,
  }),

  'audit.list': call({
    summary: 'Audit log rows, newest first.',
    mutates: false,
    input: z.object({ subject: z.string().optional(), ...Page }).strict(),
    output: z.object({ rows: z.array(AuditRow), nextBeforeSeq: z.number().int().nullable() }),
  }),
  'audit.verify': call({
    summary: 'Recompute the hash chain and report the first broken row.',
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
