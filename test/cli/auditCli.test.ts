/**
 * `countersign audit list` and `audit export` with the audit log's filters (issue 17, finding 10):
 * the flags reach the core's filter, --json stays the contract's output, and the export writes the
 * CSV the core made.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { calls } from '../../src/shared/api'
import { addOperatorCli, json, runCli, tempDir, type CliResult } from './cliHarness'

let root: string
let dir: string

function cli(...args: string[]): Promise<CliResult> {
  return runCli(['--data-dir', dir, ...args])
}

async function listed(...args: string[]) {
  const r = await cli('audit', 'list', '--json', ...args)
  expect(r.code, r.stderr).toBe(0)
  return calls['audit.list'].output.parse(json(r)).rows
}

beforeAll(async () => {
  root = tempDir()
  dir = path.join(root, 'books')
  const init = await cli('init', '--admin', 'Dana Admin')
  expect(init.code, init.stderr).toBe(0)
  await addOperatorCli(dir, 'Dana Admin', 'Bob Approver', ['approver'])
})

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true })
})

describe('audit list filters', () => {
  it('by actor, action, subject, dates and without the system’s rows — the same rows the core gives', async () => {
    const all = await listed()
    expect(all.some((r) => r.actor === 'system')).toBe(true)
    expect(all.some((r) => r.actor === 'dana-admin')).toBe(true)

    const dana = await listed('--actor', 'dana-admin')
    expect(dana.length).toBeGreaterThan(0)
    expect(dana).toEqual(all.filter((r) => r.actor === 'dana-admin'))

    const people = await listed('--hide-system')
    expect(people).toEqual(all.filter((r) => r.actor !== 'system'))

    const actions = [...new Set(all.map((r) => r.action))].slice(0, 2)
    expect(await listed('--action', actions[0]!, '--action', actions[1]!)).toEqual(all.filter((r) => actions.includes(r.action)))

    const subject = all.find((r) => r.actor === 'dana-admin')!.subject
    expect(await listed('--subject', subject)).toEqual(all.filter((r) => r.subject === subject))

    const today = all[0]!.at.slice(0, 10)
    expect(await listed('--from', today, '--to', today)).toEqual(all.filter((r) => r.at.startsWith(today)))
    expect(await listed('--to', '2000-01-01')).toEqual([])
  })

  it('a date it cannot read is refused with its code and a sentence', async () => {
    const r = await cli('audit', 'list', '--from', '2026-02-30')
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^error INVALID_INPUT: .*YYYY-MM-DD/m)
  })
})

describe('audit export', () => {
  it('writes the filtered rows as CSV, oldest first, to --out', async () => {
    const out = path.join(root, 'audit.csv')
    const r = await cli('audit', 'export', '--hide-system', '--out', out, '--json')
    expect(r.code, r.stderr).toBe(0)
    const people = (await listed('--hide-system')).reverse()
    expect(json(r)).toEqual({ file: out, rows: people.length })
    const lines = fs.readFileSync(out, 'utf8').split('\r\n')
    expect(lines[0]).toBe('seq,at_utc,actor_id,actor_name,action,subject,change,prev_hash,hash')
    expect(lines.slice(1, -1).map((l) => Number(l.split(',')[0]))).toEqual(people.map((p) => p.seq))
    expect(lines.at(-1)).toBe('')
  })
})
