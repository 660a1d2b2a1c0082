/**
 * Byte and line mutations of a real file for the parser fuzz: what damage, careless editing or a
 * broken export does to a statement or a payout list. A mutation is plain data (its kind and
 * numbers), so fast-check shrinks it and a failure report shows exactly what was done.
 */
import fc from 'fast-check'

export const MUTATION_KINDS = [
  'truncate',
  'duplicateLine',
  'dropLine',
  'swapLines',
  'dropTag',
  'flipDigit',
  'insertLine',
  'changeNamespace',
  'insertText',
  'deleteRange',
  'into86',
] as const

export interface Mutation {
  kind: (typeof MUTATION_KINDS)[number]
  /** Positions, taken modulo the text's length or line count. */
  a: number
  b: number
  text: string
}

/** Lines a person or a bank's software adds by mistake; MT940 :86: continuations that look like tags or ends. */
const INSERTED_LINES = [
  '-',
  ':',
  ':86:',
  ':61:',
  ':62F:',
  ':20:X',
  '-}',
  '}{5:}',
  '16,195,1,,,,/',
  '88,',
  '49,0,1/',
  '</Ntry>',
  '<Ntry>',
  '<Amt Ccy="EUR">1.00</Amt>',
  '<STMTTRN>',
  '<TRNAMT>-0.01',
  '</OFX>',
  '"',
  ';;;',
  ',,,,,,,,',
] as const

/** Continuation lines of an MT940 :86: field that look like a new field, or like the message's end. */
const LINES_IN_86 = [':', '-', ':61:', ':62F:', ':86:', ':2', '-}', ':20:X', '-1', ': colon first', '- dash first'] as const

export const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom(...MUTATION_KINDS),
  a: fc.nat(),
  b: fc.nat(),
  text: fc.oneof(fc.constantFrom(...INSERTED_LINES), fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 6 })),
})

const LINE_SPLIT = /(?<=\n)/

/** Applies one mutation; the same input and mutation always give the same text. */
export function applyMutation(text: string, m: Mutation): string {
  const at = (n: number, length: number): number => (length === 0 ? 0 : n % length)
  const lines = text.split(LINE_SPLIT)
  switch (m.kind) {
    case 'truncate':
      return text.slice(0, at(m.a, text.length + 1))
    case 'duplicateLine': {
      const i = at(m.a, lines.length)
      lines.splice(i, 0, lines[i] ?? '')
      return lines.join('')
    }
    case 'dropLine':
      lines.splice(at(m.a, lines.length), 1)
      return lines.join('')
    case 'swapLines': {
      const i = at(m.a, lines.length)
      const j = at(m.b, lines.length)
      ;[lines[i], lines[j]] = [lines[j]!, lines[i]!]
      return lines.join('')
    }
    case 'dropTag': {
      // An XML element (open to its close), an SGML leaf, or an MT940 field line.
      const tags = [...text.matchAll(/<([A-Za-z][\w.:-]*)[^>]*>(?:[^<]*<\/\1>)?|^:\d\d[A-Z]?:.*$/gm)]
      if (tags.length === 0) return text
      const hit = tags[at(m.a, tags.length)]!
      return text.slice(0, hit.index) + text.slice(hit.index + hit[0].length)
    }
    case 'flipDigit': {
      const digits = [...text.matchAll(/\d/g)]
      if (digits.length === 0) return text
      const hit = digits[at(m.a, digits.length)]!
      return text.slice(0, hit.index) + String((Number(hit[0]) + 1 + (m.b % 9)) % 10) + text.slice(hit.index + 1)
    }
    case 'insertLine': {
      const i = at(m.a, lines.length + 1)
      const eol = text.includes('\r\n') ? '\r\n' : '\n'
      lines.splice(i, 0, m.text + eol)
      return lines.join('')
    }
    case 'changeNamespace': {
      const versions = ['camt.053.001.02', 'camt.052.001.08', 'camt.054.001.04', 'camt.053.001.99', 'pain.001.001.03', '', m.text]
      return text.replace(/camt\.05\d\.001\.\d\d/, versions[at(m.a, versions.length)]!)
    }
    case 'insertText': {
      const i = at(m.a, text.length + 1)
      return text.slice(0, i) + m.text + text.slice(i)
    }
    case 'into86': {
      // Right after an :86: line (or any line when there is none): a colon or dash line inside the field.
      const at86 = lines.flatMap((line, i) => (line.startsWith(':86:') ? [i] : []))
      const i = at86.length > 0 ? at86[at(m.a, at86.length)]! + 1 : at(m.a, lines.length + 1)
      const eol = text.includes('\r\n') ? '\r\n' : '\n'
      const line = m.b % 3 === 0 ? `${m.b % 2 ? ':' : '-'}${m.text}` : LINES_IN_86[m.b % LINES_IN_86.length]!
      lines.splice(i, 0, line + eol)
      return lines.join('')
    }
    case 'deleteRange': {
      const i = at(m.a, text.length + 1)
      return text.slice(0, i) + text.slice(i + (m.b % 64))
    }
  }
}

export function applyMutations(text: string, mutations: readonly Mutation[]): string {
  return mutations.reduce(applyMutation, text)
}
