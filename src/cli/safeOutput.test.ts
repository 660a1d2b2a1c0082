import { describe, expect, it } from 'vitest'
import type { CliIo } from './io'
import { createOut } from './io'
import { escapeUnsafe, guardCliIo } from './safeOutput'
import { renderTable } from './table'

/** Anything a terminal could act on, or that hides or reorders text, other than LF and TAB. */
const RAW_UNSAFE_RE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\u061C\uD800-\uDFFF]/

function capture(isTTY: boolean, json = false): { io: CliIo; out: () => string; err: () => string } {
  let out = ''
  let err = ''
  const raw: CliIo = {
    stdout: { write: (s: string) => (out += s), isTTY },
    stderr: { write: (s: string) => (err += s), isTTY },
    env: {},
  }
  return { io: guardCliIo(raw, { json }), out: () => out, err: () => err }
}

const HOSTILE = 'Payroll\u001b]0;pwned\u0007\u001b[2K\rAPPROVED by Bob \u202Eevil\u2066 zw\u200B \u0085 \u2028 \u{E0041} \uD800'

describe('CLI output escaping', () => {
  it('escapes controls, bidi, zero-width, separators, tags and lone surrogates as \\uXXXX', () => {
    const escaped = escapeUnsafe(HOSTILE)
    expect(escaped).not.toMatch(RAW_UNSAFE_RE)
    expect(escaped).toBe(
      'Payroll\\u001b]0;pwned\\u0007\\u001b[2K\\u000dAPPROVED by Bob \\u202eevil\\u2066 zw\\u200b \\u0085 \\u2028 \\udb40\\udc41 \\ud800',
    )
    expect(escapeUnsafe(escaped)).toBe(escaped)
    expect(escapeUnsafe('José ❤️ 山田\n\tok')).toBe('José ❤️ 山田\n\tok')
    expect(escapeUnsafe('a\nb\tc', { multiline: false })).toBe('a\\u000ab\\u0009c')
  })

  it('every write of a run is escaped, errors and notes included', () => {
    const c = capture(false)
    const out = createOut(c.io, false)
    out.line(`Batch b_1 — ${HOSTILE}`)
    out.note(`warning: ${HOSTILE}`)
    expect(c.out()).not.toMatch(RAW_UNSAFE_RE)
    expect(c.err()).not.toMatch(RAW_UNSAFE_RE)
    expect(c.out()).toContain('APPROVED by Bob')
    expect(c.out().endsWith('\n')).toBe(true)
  })

  it('--json output stays valid JSON that reads back the same value, with nothing raw', () => {
    const c = capture(false, true)
    const out = createOut(c.io, true)
    const value = { name: HOSTILE.replace('\uD800', ''), quote: 'a "b" \\u202e' }
    out.data(value)
    expect(c.out()).not.toMatch(RAW_UNSAFE_RE)
    expect(JSON.parse(c.out())).toEqual(value)
  })

  it('bold is SGR on a terminal only, and stored text cannot forge it anywhere else', () => {
    const tty = capture(true)
    const out = createOut(tty.io, false)
    out.line(out.bold('Approval'))
    expect(tty.out()).toBe('\u001b[1mApproval\u001b[22m\n')
    const pipe = capture(false)
    createOut(pipe.io, false).line(`x\uFDD0y`)
    expect(pipe.out()).toBe('x\\ufdd0y\n')
  })

  it('a table escapes each cell before measuring, so columns stay aligned and rows stay rows', () => {
    const table = renderTable(
      [{ header: 'NAME' }, { header: 'STATE' }],
      [
        ['a\u202Eb', 'draft'],
        ['x\ny', 'approved'],
      ],
    )
    expect(table.split('\n')).toEqual(['NAME      STATE', 'a\\u202eb  draft', 'x\\u000ay  approved'])
  })
})
