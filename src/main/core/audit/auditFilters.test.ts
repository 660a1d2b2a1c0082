/**
 * The audit log's filters and its CSV export (issue 17, finding 10), through the real contract
 * (audit.list, audit.facets, audit.export) on a real workspace — SQLite here, PostgreSQL on the
 * PostgreSQL pass. Rows are written by appendAudit itself (the chain stays valid), with chosen
 * actors, actions, subjects and times, so every filter has rows it must keep and rows it must drop.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AUDIT_SYSTEM_ACTOR, type AuditFilter, type AuditRow } from '../../../shared/workspaceApi'
import { sqlAll } from '../../../../test/dbSql'
import { fixedClock } from '../context'
import { createCore, type Core } from '../core'
import { addOperatorForTest } from '../operators/operatorTestKit'
import { appendAudit } from './appendAudit'
import { AUDIT_CSV_COLUMNS, SYSTEM_ACTOR_NAME } from './exportAuditCsv'

/** Rows the system writes between the people's rows: more than one page of PAGE_ROWS, so paging crosses them. */
const SYSTEM_ROWS = 12
const PAGE_ROWS = 5

let root: string
let core: Core
let as: { operatorId: string }
let dana: { id: string; name: string }
let alice: { id: string; name: string }
/** seq of each chosen row, by a name the tests use. */
const seqOf = new Map<string, number>()

const clock = fixedClock('2026-03-01T08:00:00.000Z')

async function write(name: string, at: string, row: { actor: string; action: string; subject: string; change: unknown }): Promise<void> {
  clock.set(at)
  const appended = await core.ctx.db.tx(async () => await appendAudit(core.ctx, row))
  seqOf.set(name, appended.seq)
}

async function list(
  filter: AuditFilter & { limit?: number; beforeSeq?: number },
): Promise<{ rows: AuditRow[]; nextBeforeSeq: number | null }> {
  return await core.api.call('audit.list', filter, as)
}

/** Every row a filter matches, page by page. */
async function listAll(filter: AuditFilter): Promise<AuditRow[]> {
  const rows: AuditRow[] = []
  let beforeSeq: number | undefined
  for (let pages = 0; pages < 1_000; pages++) {
    const page = await list({ ...filter, limit: PAGE_ROWS, ...(beforeSeq !== undefined ? { beforeSeq } : {}) })
    rows.push(...page.rows)
    if (page.nextBeforeSeq === null) return rows
    beforeSeq = page.nextBeforeSeq
  }
  throw new Error('paging never ended')
}

/** A minimal RFC 4180 reader for the test: quoted cells, doubled quotes, CRLF line ends. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"'
        i++
      } else if (c === '"') quoted = false
      else cell += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      row.push(cell)
      cell = ''
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell)
      rows.push(row)
      row = []
      cell = ''
      i++
    } else cell += c
  }
  expect(cell).toBe('')
  return rows
}

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-audit-filters-'))
  core = await createCore({ dataDir: path.join(root, 'ws'), clock })
  dana = await addOperatorForTest(core.api, { name: 'Dana Admin', roles: ['admin'] })
  as = { operatorId: dana.id }
  alice = await addOperatorForTest(core.api, { name: 'Alice Preparer', roles: ['preparer'] }, as)

  await write('dana-create-b1', '2026-03-01T09:00:00.000Z', {
    actor: dana.id,
    action: 'batches.create',
    subject: 'batch:b1',
    change: { name: 'March payroll' },
  })
  for (let i = 0; i < SYSTEM_ROWS; i++) {
    await write(`system-${i}`, `2026-03-01T10:00:${String(i).padStart(2, '0')}.000Z`, {
      actor: AUDIT_SYSTEM_ACTOR,
      action: i % 2 === 0 ? 'payouts.submission.confirmed' : 'recon.pull',
      subject: `submission:s${i}`,
      change: { to: 'confirmed' },
    })
  }
  await write('alice-edit-b1', '2026-03-02T12:00:00.000Z', {
    actor: alice.id,
    action: 'batches.rows.update',
    subject: 'batch:b1',
    change: { row: 3, name: '=HYPERLINK("http://evil.example","click")' },
  })
  await write('dana-approve-b2-last-ms', '2026-03-03T23:59:59.999Z', {
    actor: dana.id,
    action: 'batches.approve',
    subject: 'batch:b2',
    change: { version: 1 },
  })
  await write('alice-formula-next-day', '2026-03-04T00:00:00.000Z', {
    actor: alice.id,
    action: '@SUM(A1)',
    subject: '-2+3',
    change: '+cmd|calc',
  })
  await write('system-sync-tab', '2026-03-04T00:00:01.000Z', {
    actor: AUDIT_SYSTEM_ACTOR,
    action: 'stripe.sync',
    subject: '\tsubject, with "quotes"',
    change: { note: 'line one\nline two' },
  })
})

afterAll(async () => {
  await core?.close()
  fs.rmSync(root, { recursive: true, force: true })
})

const seqs = (rows: AuditRow[]) => rows.map((r) => r.seq)
const named = (...names: string[]) => names.map((n) => seqOf.get(n)!).sort((a, b) => b - a)

describe('audit.list filters in the core', () => {
  it('without a filter: every row, newest first, paged without gaps or repeats', async () => {
    const all = await listAll({})
    const head = await core.api.call('audit.verify', {}, as)
    expect(head.ok).toBe(true)
    expect(seqs(all)).toEqual(Array.from({ length: head.headSeq }, (_, i) => head.headSeq - i))
  })

  it('by person: only that actor’s rows', async () => {
    const rows = await listAll({ actor: alice.id })
    // Her own rows from joining the workspace, and the two written here.
    expect(seqs(rows)).toEqual(seqs((await listAll({})).filter((r) => r.actor === alice.id)))
    expect(seqs(rows)).toEqual(expect.arrayContaining(named('alice-formula-next-day', 'alice-edit-b1')))
    expect(rows.length).toBeLessThan((await listAll({})).length)
  })

  it('by action: any of the actions named, exactly (no prefix match)', async () => {
    expect(seqs(await listAll({ actions: ['batches.approve', 'batches.create'] }))).toEqual(
      named('dana-approve-b2-last-ms', 'dana-create-b1'),
    )
    expect(await listAll({ actions: ['batches'] })).toEqual([])
  })

  it('by subject: that subject exactly', async () => {
    expect(seqs(await listAll({ subject: 'batch:b1' }))).toEqual(named('alice-edit-b1', 'dana-create-b1'))
    expect(await listAll({ subject: 'batch:b' })).toEqual([])
  })

  it('by date: days are whole UTC days, both ends included; the last millisecond of a day is in it', async () => {
    const third = await listAll({ from: '2026-03-03', to: '2026-03-03' })
    expect(seqs(third)).toEqual(named('dana-approve-b2-last-ms'))
    const fromFourth = await listAll({ from: '2026-03-04' })
    expect(seqs(fromFourth)).toEqual(named('system-sync-tab', 'alice-formula-next-day'))
    // Up to the end of the 2nd: the rows of the 1st and 2nd and the workspace's own set-up rows.
    const toSecond = await listAll({ to: '2026-03-02' })
    expect(toSecond.every((r) => r.at < '2026-03-03T00:00:00.000Z')).toBe(true)
    expect(seqs(toSecond)).toContain(seqOf.get('alice-edit-b1'))
    expect(seqs(toSecond)).not.toContain(seqOf.get('dana-approve-b2-last-ms'))
  })

  it('by instant: an ISO instant `to` is inclusive to the millisecond, and written without milliseconds it means .000', async () => {
    expect(seqs(await listAll({ from: '2026-03-04T00:00:00Z', to: '2026-03-04T00:00:00Z' }))).toEqual(named('alice-formula-next-day'))
    expect(seqs(await listAll({ from: '2026-03-03T23:59:59.999Z', to: '2026-03-04T00:00:00.000Z' }))).toEqual(
      named('alice-formula-next-day', 'dana-approve-b2-last-ms'),
    )
  })

  it('hide system: no row the system wrote, and the people’s rows on both sides of a page of system rows are kept', async () => {
    const rows = await listAll({ hideSystem: true })
    expect(rows.some((r) => r.actor === AUDIT_SYSTEM_ACTOR)).toBe(false)
    const total = await listAll({})
    expect(rows.length).toBe(total.filter((r) => r.actor !== AUDIT_SYSTEM_ACTOR).length)
    expect(seqs(rows)).toEqual(expect.arrayContaining(named('dana-create-b1', 'alice-edit-b1')))
  })

  it('filters combine (AND) and page the same way', async () => {
    const rows = await listAll({
      actor: AUDIT_SYSTEM_ACTOR,
      actions: ['payouts.submission.confirmed'],
      from: '2026-03-01',
      to: '2026-03-01',
    })
    expect(seqs(rows)).toEqual(named(...Array.from({ length: SYSTEM_ROWS / 2 }, (_, i) => `system-${i * 2}`)))
    // More than one page: the pages join up.
    expect(rows.length).toBeGreaterThan(PAGE_ROWS)
    expect(await listAll({ actor: AUDIT_SYSTEM_ACTOR, hideSystem: true })).toEqual([])
  })

  it('refuses a day the calendar does not have, with a sentence that says how to write one', async () => {
    await expect(list({ from: '2026-02-30' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('YYYY-MM-DD'),
    })
    await expect(list({ to: 'yesterday' })).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    // Unknown fields are refused, not ignored (a typo must not silently show every row).
    await expect(core.api.call('audit.list', { person: 'x' } as never, as)).rejects.toMatchObject({ code: 'INVALID_INPUT' })
  })

  it.runIf(process.env.COUNTERSIGN_TEST_DB !== 'postgres')('each filter reads its own index (SQLite query plan)', async () => {
    const plan = async (where: string) =>
      (
        await sqlAll<{ detail: string }>(
          core.ctx.db,
          `EXPLAIN QUERY PLAN SELECT * FROM audit_log WHERE ${where} ORDER BY seq DESC LIMIT 201`,
        )
      )
        .map((r) => r.detail)
        .join(' | ')
    expect(await plan(`actor = 'x'`)).toMatch(/USING INDEX audit_actor/)
    expect(await plan(`action IN ('a', 'b')`)).toMatch(/USING INDEX audit_action/)
    expect(await plan(`subject = 'x'`)).toMatch(/USING INDEX audit_subject/)
    const byDate = await sqlAll<{ detail: string }>(
      core.ctx.db,
      `EXPLAIN QUERY PLAN SELECT * FROM audit_log WHERE at >= '2026-03-01' AND at < '2026-03-02' ORDER BY +seq DESC LIMIT 201`,
    )
    expect(byDate.map((r) => r.detail).join(' | ')).toMatch(/USING INDEX audit_at/)
  })
})

describe('audit.facets', () => {
  it('lists every actor and action the log holds, sorted, once each', async () => {
    const facets = await core.api.call('audit.facets', {}, as)
    expect(facets.actors).toEqual(expect.arrayContaining([dana.id, alice.id, AUDIT_SYSTEM_ACTOR]))
    expect(facets.actions).toEqual(expect.arrayContaining(['batches.create', 'batches.approve', 'recon.pull', 'stripe.sync', '@SUM(A1)']))
    expect(facets.actions).toEqual([...new Set(facets.actions)].sort())
    expect(facets.actors).toEqual([...new Set(facets.actors)].sort())
  })
})

describe('audit.export (CSV)', () => {
  it('writes every column of every matching row, oldest first, and reads back to the same values', async () => {
    const filter: AuditFilter = { from: '2026-03-02' }
    const file = await core.api.call('audit.export', filter, as)
    expect(file.mime).toBe('text/csv')
    expect(file.name).toBe('audit-log-2026-03-02-to-2026-03-04.csv')
    expect(file.text.endsWith('\r\n')).toBe(true)
    const [header, ...lines] = parseCsv(file.text)
    expect(header).toEqual([...AUDIT_CSV_COLUMNS])
    const listed = (await listAll(filter)).reverse()
    expect(file.rows).toBe(listed.length)
    expect(lines.length).toBe(listed.length)
    const names = new Map([
      [dana.id, 'Dana Admin'],
      [alice.id, 'Alice Preparer'],
      [AUDIT_SYSTEM_ACTOR, SYSTEM_ACTOR_NAME],
    ])
    // Each cell as written, then what a spreadsheet shows after the neutralising quote.
    const unneutralised = (cell: string) => (/^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell)
    lines.forEach((line, i) => {
      const r = listed[i]!
      expect(line.map(unneutralised)).toEqual([
        String(r.seq),
        r.at,
        r.actor,
        names.get(r.actor),
        r.action,
        r.subject,
        JSON.stringify(r.change),
        r.prevHash,
        r.hash,
      ])
    })
  })

  it('neutralises formulas in every text cell (= + - @ and a leading tab) and quotes what needs it', async () => {
    const file = await core.api.call('audit.export', { from: '2026-03-02' }, as)
    const text = file.text
    // The change of Alice's edit holds =HYPERLINK inside JSON: it starts with {, so it is not a formula.
    expect(text).toContain('"{""name"":""=HYPERLINK(\\""http://evil.example\\"",\\""click\\"")"",""row"":3}"')
    // Action, subject and change that start a formula: a quote in front, quoted.
    // The change is the JSON string "+cmd|calc": it starts with a quote, so it is quoted, not neutralised.
    expect(text).toContain(`"'@SUM(A1)","'-2+3","""+cmd|calc"""`)
    expect(text).toContain(`"'@SUM(A1)"`)
    expect(text).toContain(`"'-2+3"`)
    expect(text).toContain(`"'\tsubject, with ""quotes"""`)
    // No line of the file starts a cell with a bare formula trigger.
    for (const line of parseCsv(text)) for (const cell of line) expect(cell).not.toMatch(/^[=+\-@\t\r]/)
  })

  it('exports with the same filters as the list (person, action, subject, hide system)', async () => {
    const byPerson = parseCsv((await core.api.call('audit.export', { actor: alice.id }, as)).text).slice(1)
    expect(byPerson.map((l) => Number(l[0]))).toEqual(seqs(await listAll({ actor: alice.id })).reverse())
    expect(byPerson.every((l) => l[2] === alice.id && l[3] === 'Alice Preparer')).toBe(true)
    const byAction = parseCsv((await core.api.call('audit.export', { actions: ['batches.approve'], subject: 'batch:b2' }, as)).text).slice(
      1,
    )
    expect(byAction.map((l) => Number(l[0]))).toEqual(named('dana-approve-b2-last-ms'))
    const people = parseCsv((await core.api.call('audit.export', { hideSystem: true }, as)).text).slice(1)
    expect(people.some((l) => l[2] === AUDIT_SYSTEM_ACTOR)).toBe(false)
    expect(people.length).toBe((await listAll({ hideSystem: true })).length)
    const none = await core.api.call('audit.export', { subject: 'batch:none' }, as)
    expect(none.rows).toBe(0)
    expect(none.text).toBe(`${AUDIT_CSV_COLUMNS.join(',')}\r\n`)
  })
})
