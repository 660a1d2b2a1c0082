/**
 * readXml: the trees it builds (text, entities, CDATA, comments, attributes, prefixes, kept and
 * dropped children) and the well-formedness problems it refuses, each with its line; openXml:
 * pausing and resuming changes nothing of what is read, and lines asked in any order are right.
 */
import { describe, expect, it } from 'vitest'
import { CsError } from '../../../../shared/errors'
import { attribute, openXml, readXml, XML_DEPTH_MAX, type XmlCursor, type XmlElement } from './readXml'

interface Seen {
  name: string
  text: string
  line: number
  depth: number
  children: string[]
}

/** Reads `text`, keeping every element except those named in `drop`; returns what each close saw. */
function read(text: string, drop: readonly string[] = []): { closed: Seen[]; root: XmlElement | null } {
  const closed: Seen[] = []
  let root: XmlElement | null = null
  readXml(text, {
    open(element, depth) {
      if (depth === 0) root = element
    },
    close(element, depth) {
      const children: string[] = []
      for (let c = element.firstChild; c !== null; c = c.nextSibling) children.push(c.qname)
      closed.push({ name: element.name, text: element.text, line: element.line, depth, children })
      return !drop.includes(element.name)
    },
  })
  return { closed, root }
}

function refusal(text: string): { where: unknown; message: string } {
  try {
    read(text)
  } catch (error) {
    expect(error).toBeInstanceOf(CsError)
    expect((error as CsError).code).toBe('STATEMENT_INVALID')
    return { where: (error as CsError).details?.['where'], message: (error as CsError).message }
  }
  throw new Error('readXml should have refused the text')
}

describe('readXml', () => {
  it('reads leaf text with entities, character references, CDATA and comments; container text is empty', () => {
    const { closed } = read(
      `<?xml version="1.0"?>\n<!-- a comment -->\n<a>\n  <b>M&#252;ller &amp; S&#xF6;hne &lt;&gt;&quot;&apos;</b>\n  <c><![CDATA[<raw> & text]]></c>\n  <d>x<!-- y -->z<?pi ignored?>!</d>\n  <e/>\n</a>\n`,
    )
    expect(closed.map((s) => [s.name, s.text, s.line, s.depth])).toEqual([
      ['b', 'Müller & Söhne <>"\'', 4, 1],
      ['c', '<raw> & text', 5, 1],
      ['d', 'xz!', 6, 1],
      ['e', '', 7, 1],
      ['a', '', 3, 0],
    ])
    expect(closed[4]!.children).toEqual(['b', 'c', 'd', 'e'])
  })

  it('keeps prefixes in qname, local names in name, attributes decoded', () => {
    const { closed, root } = read(`<ns2:Document xmlns:ns2="urn:x" a='1 &amp; 2'><ns2:Amt Ccy="EUR">1.00</ns2:Amt></ns2:Document>`)
    expect(closed.map((s) => s.name)).toEqual(['Amt', 'Document'])
    expect(root!.qname).toBe('ns2:Document')
    expect(attribute(root!, 'xmlns:ns2')).toBe('urn:x')
    expect(attribute(root!, 'a')).toBe('1 & 2')
    expect(attribute(root!, 'missing')).toBeUndefined()
  })

  it('drops the children the visitor consumed, and reuses their elements afterwards', () => {
    const { closed } = read('<r><x><y>1</y></x><k>2</k><x><y>3</y></x></r>', ['x'])
    expect(closed.find((s) => s.name === 'r')!.children).toEqual(['k'])
    expect(closed.filter((s) => s.name === 'y').map((s) => s.text)).toEqual(['1', '3'])
  })

  it('counts lines the same with LF, CRLF and CR, and skips a BOM', () => {
    for (const newline of ['\n', '\r\n', '\r']) {
      const { closed } = read(`\uFEFF<a>${newline}${newline}<b>1</b>${newline}</a>`)
      expect(closed[0]).toMatchObject({ name: 'b', line: 3 })
    }
  })

  it('refuses malformed XML, naming the line', () => {
    const cases: [string, string, RegExp][] = [
      ['<a>\n<b>1</c>\n</a>', 'line 2', /<\/c> does not match <b> opened on line 2/],
      ['<a>\n<b>1</b>', 'line 2', /the file ends inside <a> \(opened on line 1\): it is truncated/],
      ['<a>\n<b x="1', 'line 2', /ends inside the tag <b/],
      ['<a>\n<b x=1></b></a>', 'line 2', /the tag <b …> is malformed/],
      ['<a><b x="1" x="2"/></a>', 'line 1', /attribute x twice/],
      ['<a>\n1 < 2</a>', 'line 2', /"< 2<\/a>" is not an XML tag/],
      ['<a>Smith & Sons</a>', 'line 1', /"&" is not an XML entity/],
      ['<a>&nbsp;</a>', 'line 1', /"&nbsp;" is not an XML entity/],
      ['<a>&#0;</a>', 'line 1', /&#0; is not a character XML allows/],
      ['<a/>\n<b/>', 'line 2', /a second root element <b>/],
      ['<a/>\ntrailing', 'line 2', /text after the end of the XML document: "trailing"/],
      ['hello', 'line 1', /where XML should start with a tag/],
      ['<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>', 'line 1', /DOCTYPE/],
      ['<a><!-- open', 'line 1', /a comment is never closed/],
      ['<a><![CDATA[x', 'line 1', /CDATA section is never closed/],
      ['</a>', 'line 1', /<\/a> closes an element that was never opened/],
      ['', 'line 1', /holds no XML element/],
    ]
    for (const [text, where, sentence] of cases) {
      const refused = refusal(text)
      expect(refused.where, text).toBe(where)
      expect(refused.message, text).toMatch(sentence)
      expect(refused.message.startsWith(`${where}: `)).toBe(true)
    }
  })

  it(`refuses nesting deeper than ${XML_DEPTH_MAX}`, () => {
    const deep = '<a>'.repeat(XML_DEPTH_MAX + 1) + '</a>'.repeat(XML_DEPTH_MAX + 1)
    expect(refusal(deep).message).toMatch(`nested more than ${XML_DEPTH_MAX} deep`)
    expect(() => read('<a>'.repeat(XML_DEPTH_MAX) + '</a>'.repeat(XML_DEPTH_MAX))).not.toThrow()
  })
})

describe('openXml', () => {
  const text = `<?xml version="1.0"?>\n<a>\n  <b x="1">one</b>\n  <c><d>two &amp; three</d><e/></c>\n  <b>four</b>\n</a>\n`

  it('reads the same when paused after every tag and resumed', () => {
    const whole = read(text).closed
    const closed: string[] = []
    let cursor: XmlCursor | null = null
    cursor = openXml(text, {
      open() {
        cursor!.pause()
      },
      close(element) {
        closed.push(`${element.name}:${element.text}:${element.line}`)
        cursor!.pause()
        return true
      },
    })
    // Each resume stops at the first pause: after one tag (a leaf's start and end tags are read as one).
    const closedPerResume: number[] = []
    for (let more = true; more;) {
      const before = closed.length
      more = cursor.resume()
      closedPerResume.push(closed.length - before)
    }
    expect(closed).toEqual(whole.map((s) => `${s.name}:${s.text}:${s.line}`))
    expect(Math.max(...closedPerResume)).toBe(1)
    expect(closedPerResume.length).toBeGreaterThan(whole.length)
    expect(cursor.resume()).toBe(false)
  })

  it('is not read on after it was found broken', () => {
    const cursor = openXml('<a><b></c></a>', { open() {}, close: () => true })
    expect(() => cursor.resume()).toThrow(/<\/c> does not match <b>/)
    expect(cursor.resume()).toBe(false)
  })

  it('gives every element its line, asked in any order (lines are counted only when asked)', () => {
    const lines = ['<r>', ...Array.from({ length: 40 }, (_, i) => `${'\n'.repeat(i % 3)}<x${i}>${i}</x${i}>`), '</r>']
    const doc = lines.join('\n')
    let root: XmlElement | null = null
    readXml(doc, { open: (element, depth) => void (depth === 0 && (root = element)), close: () => true })
    const kept: XmlElement[] = []
    for (let at = root!.firstChild; at !== null; at = at.nextSibling) kept.push(at)
    const expected = kept.map((element) => doc.slice(0, doc.indexOf(`<${element.name}>`)).split('\n').length)
    // Backwards, then forwards again, then every other one.
    expect([...kept].reverse().map((e) => e.line)).toEqual([...expected].reverse())
    expect(kept.map((e) => e.line)).toEqual(expected)
    expect(root!.line).toBe(1)
  })

  it('shows only elements up to shownDepthMax; deeper ones are kept for their ancestor', () => {
    const seen: string[] = []
    readXml('<r><a><b><c>1</c></b></a><a><b/></a></r>', {
      shownDepthMax: 1,
      open: (element, depth) => void seen.push(`open ${element.name} ${depth}`),
      close(element, depth) {
        const below: string[] = []
        for (let b = element.firstChild; b !== null; b = b.firstChild) below.push(`${b.name}${b.text}`)
        seen.push(`close ${element.name} ${depth} [${below.join(' ')}]`)
        return false
      },
    })
    expect(seen).toEqual(['open r 0', 'open a 1', 'close a 1 [b c1]', 'open a 1', 'close a 1 [b]', 'close r 0 []'])
  })

  it('reads names beyond ASCII', () => {
    const { closed } = read('<Überweisung><x:Betrag·1>5</x:Betrag·1></Überweisung>')
    expect(closed.map((s) => s.name)).toEqual(['Betrag·1', 'Überweisung'])
  })
})
