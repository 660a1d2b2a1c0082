/**
 * Nothing the CLI prints can drive the terminal. Names, references and descriptions come from the
 * database, and the database may hold text the contract would refuse today (written before it
 * refused it, or straight into the file): a batch named "Payroll<ESC>[2K\rAPPROVED by Bob" must
 * print as exactly that, escaped, and never rewrite the line the approver reads.
 *
 * `escapeUnsafe` is the one function: every character the contract refuses in text
 * (src/shared/safeText.ts: controls, bidi overrides and marks, zero-width and other invisible
 * characters, line separators, unpaired surrogates, private use) becomes `\uXXXX` — the JSON
 * escape, so the same output is also valid inside a JSON string (a character above U+FFFF is
 * written as its surrogate pair). Line breaks and tabs pass: the CLI lays out its own lines.
 *
 * It is applied twice, on purpose: to each table cell before the columns are measured (so an
 * escaped cell keeps the table aligned), and to every chunk written to stdout and stderr by
 * `guardCliIo` — lines, notes, errors, commander's help, the --debug log, JSON (JSON.stringify
 * leaves U+2028/2029, C1 controls and bidi characters raw; they come out as \uXXXX). Escaping is
 * idempotent: escaped text holds no character left to escape.
 *
 * Emphasis: `Out.bold` marks text with two non-characters (BOLD_ON / BOLD_OFF) instead of writing
 * escape codes itself; the guard turns those two into SGR bold on a colour terminal and escapes
 * them anywhere else. The worst a stored U+FDD0 can do on a colour terminal is turn on bold.
 */
import { UNSAFE_CANDIDATE_RE, unsafeCharWhat } from '../shared/safeText'
import type { CliIo, CliWritable } from './io'

/** Marks where bold starts and stops; only `guardCliIo` with `styled` turns them into SGR codes. */
export const BOLD_ON = '\uFDD0'
export const BOLD_OFF = '\uFDD1'
const SGR_BOLD_ON = '\u001b[1m'
const SGR_BOLD_OFF = '\u001b[22m'
/** The CLI's output is laid out in lines and tab-free columns: a line break and a tab are its own. */
const OUTPUT_RULE = { multiline: true } as const
const SINGLE_LINE_RULE = { multiline: false } as const

function escapeChar(char: string): string {
  let out = ''
  for (let i = 0; i < char.length; i++) out += `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`
  return out
}

/**
 * Every character a terminal could act on or hide, written as \uXXXX. `multiline: false` (a table
 * cell, a value inside a sentence) escapes line breaks and tabs too, so a stored value can never
 * start a line of its own.
 */
export function escapeUnsafe(text: string, options: { multiline?: boolean } = {}): string {
  const rule = options.multiline === false ? SINGLE_LINE_RULE : OUTPUT_RULE
  return text.replace(UNSAFE_CANDIDATE_RE, (char) => (unsafeCharWhat(char, rule) === null ? char : escapeChar(char)))
}

function guardText(text: string, styled: boolean): string {
  return text.replace(UNSAFE_CANDIDATE_RE, (char) => {
    if (styled && char === BOLD_ON) return SGR_BOLD_ON
    if (styled && char === BOLD_OFF) return SGR_BOLD_OFF
    return unsafeCharWhat(char, OUTPUT_RULE) === null ? char : escapeChar(char)
  })
}

function guardWritable(target: CliWritable, styled: boolean): CliWritable {
  return {
    write: (chunk: string) => target.write(guardText(String(chunk), styled)),
    ...(target.isTTY !== undefined ? { isTTY: target.isTTY } : {}),
  }
}

/** Whether bold is shown: a terminal, colour not turned off, and not --json. */
export function styledOutput(io: CliIo, json: boolean): boolean {
  return !json && io.stdout.isTTY === true && io.env.NO_COLOR === undefined && io.env.TERM !== 'dumb'
}

/** The same io, every write escaped. Applied once per run, in main(), before anything is printed. */
export function guardCliIo(io: CliIo, options: { json: boolean }): CliIo {
  const styled = styledOutput(io, options.json)
  return { ...io, stdout: guardWritable(io.stdout, styled), stderr: guardWritable(io.stderr, false) }
}
