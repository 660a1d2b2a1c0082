/**
 * A small, strict, streaming XML reader for statement files. One pass over the text builds element
 * trees; the visitor sees each element open and close and may consume and drop it at its close, so
 * a 100 MB camt file is never one tree in memory (streamCamt drops each <Ntry> once it is mapped).
 * The pass can be paused by the visitor and resumed by its caller (openXml), so what was read so
 * far can be stored before reading on.
 *
 * Why not fast-xml-parser on chunks: on this project's 2-core machine its XMLParser took 45–90 µs
 * per typical camt entry (6+ s for 100,000 entries, against a budget of well under 2 s), and without
 * its validator (another ~25 µs per entry) it silently accepts mismatched and unclosed tags. This
 * reader checks well-formedness as it goes and names the line of every problem. It allocates little
 * (children are a linked list, names are shared strings, dropped elements are reused): garbage
 * collection was most of its time.
 *
 * It reads elements, attributes ("…" or '…'), the five XML entities and character references,
 * comments, CDATA and processing instructions (skipped). It refuses a DOCTYPE (no statement has one,
 * and refusing it rules out entity-expansion attacks), malformed or mismatched tags, unknown
 * entities, text outside the root, a second root and nesting deeper than XML_DEPTH_MAX. Namespaces
 * are not resolved: elements are known by their local name, the prefix is kept in `qname`.
 */
import { statementError } from './statementModel'

/** Deeper nesting than any statement format uses (camt reaches ~12): a guard against hostile files. */
export const XML_DEPTH_MAX = 64
/** Characters of the file quoted in an error sentence. */
const SNIPPET_CHARS_MAX = 40
/** Dropped elements kept for reuse: enough for the largest camt entry many times over. */
const ELEMENT_POOL_MAX = 4096
/** Slots of the name cache, minus one (a power of two minus one, used as a mask). */
const NAME_SLOTS_MASK = 1023

export interface XmlElement {
  /** Local name, without the namespace prefix ("Ntry" for <ns2:Ntry>). */
  readonly name: string
  /** The name as written, prefix included. */
  readonly qname: string
  /** 1-based line of the start tag. */
  readonly line: number
  /** Character data of a leaf element, entities decoded, untrimmed; '' once it has a child element. */
  readonly text: string
  /** The first child element the visitor kept; the others follow through `nextSibling`. */
  readonly firstChild: XmlElement | null
  readonly nextSibling: XmlElement | null
}

export interface XmlVisitor {
  /** A start tag was read (no children yet); depth 0 is the root. Throw to refuse the file early. */
  open(element: XmlElement, depth: number): void
  /**
   * Its end tag was read. Return true to keep it as its parent's child, false to drop it. A dropped
   * element and everything under it are reused for later elements once `close` returns: copy out
   * what you need (strings stay valid), keep no reference to the elements themselves.
   */
  close(element: XmlElement, depth: number): boolean
  /**
   * Deeper elements are neither shown opening nor asked about at their close: they are kept, for
   * the visitor to read when their ancestor closes (a camt visitor maps each <Ntry> whole). Default: all are shown.
   */
  readonly shownDepthMax?: number
}

/**
 * A document being read: `resume` reads on until the visitor calls `pause` (from `open` or `close`)
 * or the document ends, so a caller can take what the visitor gathered — a chunk of entries — and
 * store it before reading on. Errors are thrown from `resume`, at the element that has them.
 */
export interface XmlCursor {
  /** Reads until paused (true: more to read) or to the end of the document (false; checks it is whole). */
  resume(): boolean
  /** Stops reading after the current tag; called by the visitor. */
  pause(): void
}

/** Starts reading `input` (a decoded file; a leading BOM and CRLF / CR line ends are fine); nothing is read until `resume`. */
export function openXml(input: string, visitor: XmlVisitor): XmlCursor {
  const text = normalizeLineEnds(input.charCodeAt(0) === 0xfeff ? input.slice(1) : input)
  return new XmlReader(text, visitor)
}

/** Reads all of `input` and drives `visitor` (a `pause` from the visitor is ignored). */
export function readXml(input: string, visitor: XmlVisitor): void {
  const cursor = openXml(input, visitor)
  while (cursor.resume());
}

/** The value of the attribute written `name` (prefix included), entities decoded. */
export function attribute(element: XmlElement, name: string): string | undefined {
  const attrs = (element as Element).attrs
  if (attrs === null) return undefined
  for (let i = 0; i < attrs.length; i += 2) if (attrs[i] === name) return attrs[i + 1]
  return undefined
}

/** Lone CR line ends (old Mac) become LF so lines count right; CRLF is left alone (LF counts it). */
function normalizeLineEnds(text: string): string {
  if (!text.includes('\r') || !/\r(?!\n)/.test(text)) return text
  return text.replace(/\r\n?/g, '\n')
}

/** Mutable only inside the reader, which reuses dropped elements (see XmlVisitor.close). */
class Element implements XmlElement {
  name = ''
  qname = ''
  /** Attribute names and values, alternating; null when the tag has none. */
  attrs: string[] | null = null
  /** Where its start tag is in the text. */
  start = 0
  /** Its line once asked for (0: not yet): most elements' lines are never asked for. */
  lineNo = 0
  text = ''
  firstChild: Element | null = null
  lastChild: Element | null = null
  nextSibling: Element | null = null

  constructor(private readonly lines: LineCounter) {}

  get line(): number {
    if (this.lineNo === 0) this.lineNo = this.lines.at(this.start)
    return this.lineNo
  }
}

const LT = '<'
const CHAR_SPACE_MAX = 0x20
const CHAR_GT = 0x3e
const CHAR_SLASH = 0x2f
const CHAR_BANG = 0x21
const CHAR_QUESTION = 0x3f
const CHAR_EQUALS = 0x3d
const CHAR_QUOTE = 0x22
const CHAR_APOSTROPHE = 0x27
const NAME_RE = /[A-Za-z_\u00C0-\uFFFF][\w.:\-\u00B7\u00C0-\uFFFF]*/y
/** NAME_RE over ASCII as a table: NAME_START for A-Z a-z _, NAME_PART for those and 0-9 . : - */
const ASCII_END = 0x80
const NAME_PART = 1
const NAME_START = 2
const NAME_CHARS = new Uint8Array(ASCII_END)
for (let c = 0; c < ASCII_END; c++) {
  const ch = String.fromCharCode(c)
  if (/[A-Za-z_]/.test(ch)) NAME_CHARS[c] = NAME_START | NAME_PART
  else if (/[0-9.:-]/.test(ch)) NAME_CHARS[c] = NAME_PART
}
const NON_SPACE_RE = /\S/g
const ENTITY_RE = /&(?:(lt|gt|amp|quot|apos)|#([0-9]{1,7})|#x([0-9A-Fa-f]{1,6}));/y
const NAMED_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }

/** How an open element's text is collected. */
const enum Content {
  /** No child, comment or CDATA yet: its text is one slice, taken when it closes. */
  Plain,
  /** Has a child element: its text is not collected. */
  Container,
  /** A comment, CDATA or instruction broke its text: pieces are appended as read. */
  Pieces,
}

class XmlReader implements XmlCursor {
  private readonly lines: LineCounter
  private readonly stack: Element[] = []
  private readonly content: Content[] = []
  /** Where each open element's content starts (just after its start tag). */
  private readonly contentStart: number[] = []
  private readonly names: (string | undefined)[] = new Array<string | undefined>(NAME_SLOTS_MASK + 1)
  /** The local name ("Ntry" for "ns2:Ntry") of the name in the same slot of `names`. */
  private readonly localNames: (string | undefined)[] = new Array<string | undefined>(NAME_SLOTS_MASK + 1)
  /** The local name of the name `name()` returned last. */
  private lastLocalName = ''
  /** Elements of dropped subtrees, reused: most of a big file's elements would otherwise be garbage. */
  private readonly pool: Element[] = []
  private readonly recyclePending: Element[] = []
  private rootSeen = false
  /** Where reading goes on at the next `resume`. */
  private pos = 0
  private paused = false
  private done = false

  /** The visitor's shownDepthMax. */
  private readonly shownDepthMax: number

  constructor(
    private readonly text: string,
    private readonly visitor: XmlVisitor,
  ) {
    this.lines = new LineCounter(text)
    this.shownDepthMax = visitor.shownDepthMax ?? XML_DEPTH_MAX
  }

  pause(): void {
    this.paused = true
  }

  resume(): boolean {
    if (this.done) return false
    const { text, stack, content } = this
    let i = this.pos
    this.paused = false
    // Stays set if reading throws: a document found broken is not read on.
    this.done = true
    while (!this.paused) {
      const lt = text.indexOf(LT, i)
      const textEnd = lt === -1 ? text.length : lt
      if (textEnd > i) {
        const depth = stack.length - 1
        if (depth < 0) this.checkOutsideText(i, textEnd)
        else if (content[depth] === Content.Pieces) this.appendText(depth, i, textEnd)
      }
      if (lt === -1) {
        this.finish()
        return false
      }
      const next = text.charCodeAt(lt + 1)
      if (next === CHAR_SLASH) i = this.readEndTag(lt)
      else if (next === CHAR_BANG) i = this.readMarkup(lt)
      else if (next === CHAR_QUESTION) i = this.readInstruction(lt)
      else i = this.readStartTag(lt)
    }
    this.pos = i
    this.done = false
    return true
  }

  /** The end of the text: every element must be closed, and there must have been one. */
  private finish(): void {
    const { text, stack } = this
    const open = stack[stack.length - 1]
    if (open) {
      throw this.fail(
        text.length,
        `the file ends inside <${open.qname}> (opened on line ${open.line}): it is truncated or a closing tag is missing — export or download it again.`,
      )
    }
    if (!this.rootSeen) throw this.fail(text.length, 'the file holds no XML element.')
  }

  /** Only white space may stand outside the root element. */
  private checkOutsideText(start: number, end: number): void {
    NON_SPACE_RE.lastIndex = start
    const found = NON_SPACE_RE.exec(this.text)
    if (found && found.index < end) {
      const where = this.rootSeen ? 'after the end of the XML document' : 'where XML should start with a tag ("<")'
      throw this.fail(found.index, `the file has text ${where}: "${this.snippet(found.index)}" — this is not a well-formed XML file.`)
    }
  }

  private appendText(depth: number, start: number, end: number): void {
    const raw = this.text.slice(start, end)
    this.stack[depth]!.text += raw.includes('&') ? this.decode(raw, start) : raw
  }

  /** A comment, CDATA or instruction inside a leaf: keep its text so far, then collect pieces. */
  private toPieces(depth: number, lt: number): void {
    if (depth < 0 || this.content[depth] !== Content.Plain) return
    this.content[depth] = Content.Pieces
    this.appendText(depth, this.contentStart[depth]!, lt)
  }

  private readStartTag(lt: number): number {
    const { text } = this
    const nameEnd = this.nameEnd(lt + 1)
    if (nameEnd === lt + 1) throw this.fail(lt, `"${this.snippet(lt)}" is not an XML tag — a "<" in text must be written "&lt;".`)
    const qname = this.name(lt + 1, nameEnd)
    const localName = this.lastLocalName
    let attrs: string[] | null = null
    let pos = nameEnd
    for (;;) {
      const afterSpace = this.skipSpace(pos)
      const c = text.charCodeAt(afterSpace)
      if (c === CHAR_GT) return this.enter(lt, qname, localName, attrs, false, afterSpace + 1)
      if (c === CHAR_SLASH && text.charCodeAt(afterSpace + 1) === CHAR_GT)
        return this.enter(lt, qname, localName, attrs, true, afterSpace + 2)
      if (afterSpace === pos || afterSpace >= text.length) throw this.badTag(lt, qname, afterSpace)
      attrs ??= []
      pos = this.readAttribute(lt, qname, afterSpace, attrs)
    }
  }

  /** One `name="value"` at `pos`; appends name and decoded value to `attrs`, returns the position after it. */
  private readAttribute(lt: number, qname: string, pos: number, attrs: string[]): number {
    const { text } = this
    const nameEnd = this.nameEnd(pos)
    if (nameEnd === pos) throw this.badTag(lt, qname, pos)
    const name = this.name(pos, nameEnd)
    const equals = this.skipSpace(nameEnd)
    if (text.charCodeAt(equals) !== CHAR_EQUALS) throw this.badTag(lt, qname, equals)
    const open = this.skipSpace(equals + 1)
    const quote = text.charCodeAt(open)
    if (quote !== CHAR_QUOTE && quote !== CHAR_APOSTROPHE) throw this.badTag(lt, qname, open)
    const close = text.indexOf(quote === CHAR_QUOTE ? '"' : "'", open + 1)
    if (close === -1) throw this.badTag(lt, qname, text.length)
    const raw = text.slice(open + 1, close)
    if (raw.includes('<')) throw this.badTag(lt, qname, open)
    for (let i = 0; i < attrs.length; i += 2) if (attrs[i] === name) throw this.fail(lt, `<${qname}> has the attribute ${name} twice.`)
    attrs.push(name, raw.includes('&') ? this.decode(raw, lt) : raw)
    return close + 1
  }

  private badTag(lt: number, qname: string, at: number): Error {
    if (at >= this.text.length || !this.text.includes('>', lt)) {
      return this.fail(lt, `the file ends inside the tag <${qname}: it is truncated — export or download it again.`)
    }
    return this.fail(
      lt,
      `the tag <${qname} …> is malformed near "${this.snippet(at)}" (an attribute without quotes, or a stray character).`,
    )
  }

  private skipSpace(pos: number): number {
    const { text } = this
    while (pos < text.length && text.charCodeAt(pos) <= CHAR_SPACE_MAX) pos++
    return pos
  }

  /** End of the XML name starting at `start` (== start when there is none). */
  private nameEnd(start: number): number {
    // ASCII names (every statement format's) by table; a name with other characters by NAME_RE.
    const { text } = this
    let c = text.charCodeAt(start)
    if (c < ASCII_END && (NAME_CHARS[c]! & NAME_START) !== 0) {
      let i = start + 1
      for (c = text.charCodeAt(i); c < ASCII_END && NAME_CHARS[c] !== 0; c = text.charCodeAt(++i));
      if (!(c >= ASCII_END)) return i
    }
    NAME_RE.lastIndex = start
    return NAME_RE.test(text) ? NAME_RE.lastIndex : start
  }

  /**
   * The name at [start, end), the same string as the last time it was read: a file repeats a few
   * dozen names millions of times, and a fresh copy of each was a large part of the garbage.
   */
  private name(start: number, end: number): string {
    const { text } = this
    const length = end - start
    const slot =
      (length * 31 + text.charCodeAt(start) * 7 + text.charCodeAt(end - 1) * 131 + text.charCodeAt(start + (length >> 1))) & NAME_SLOTS_MASK
    const known = this.names[slot]
    if (known !== undefined && known.length === length && text.startsWith(known, start)) {
      this.lastLocalName = this.localNames[slot]!
      return known
    }
    const name = internalized(text.slice(start, end))
    const local = internalized(name.slice(name.lastIndexOf(':') + 1))
    this.names[slot] = name
    this.localNames[slot] = local
    this.lastLocalName = local
    return name
  }

  private enter(lt: number, qname: string, localName: string, attrs: string[] | null, selfClosing: boolean, contentStart: number): number {
    const element = this.pool.pop() ?? new Element(this.lines)
    element.name = localName
    element.qname = qname
    element.attrs = attrs
    element.start = lt
    element.lineNo = 0
    const depth = this.stack.length
    if (depth === 0) {
      if (this.rootSeen) throw this.failAtLine(element.line, `a second root element <${qname}> follows the end of the XML document.`)
      this.rootSeen = true
    } else if (this.content[depth - 1] !== Content.Container) {
      this.content[depth - 1] = Content.Container
      this.stack[depth - 1]!.text = ''
    }
    if (depth >= XML_DEPTH_MAX)
      throw this.failAtLine(element.line, `elements are nested more than ${XML_DEPTH_MAX} deep — this is not a statement file.`)
    if (depth <= this.shownDepthMax) this.visitor.open(element, depth)
    if (selfClosing) {
      this.leave(element, depth)
      return contentStart
    }
    this.stack.push(element)
    this.content.push(Content.Plain)
    this.contentStart.push(contentStart)
    return contentStart
  }

  private leave(element: Element, depth: number): void {
    const keep = depth > this.shownDepthMax || this.visitor.close(element, depth)
    if (!keep) this.recycle(element)
    if (!keep || depth === 0) return
    const parent = this.stack[depth - 1]!
    if (parent.lastChild === null) parent.firstChild = element
    else parent.lastChild.nextSibling = element
    parent.lastChild = element
  }

  /** Puts a dropped subtree's elements back in the pool, cleared so they hold no strings. */
  private recycle(root: Element): void {
    const { pool } = this
    let next: Element | null = root
    // Depth-first over firstChild / nextSibling, the root's own siblings excluded.
    const pending = this.recyclePending
    pending.length = 0
    while (next !== null && pool.length < ELEMENT_POOL_MAX) {
      const element: Element = next
      if (element.nextSibling !== null && element !== root) pending.push(element.nextSibling)
      next = element.firstChild ?? pending.pop() ?? null
      element.attrs = null
      element.text = ''
      element.firstChild = null
      element.lastChild = null
      element.nextSibling = null
      pool.push(element)
    }
    pending.length = 0
  }

  private readEndTag(lt: number): number {
    const { text, stack } = this
    const open = stack[stack.length - 1]
    if (!open || !text.startsWith(open.qname, lt + 2)) throw this.badEndTag(lt, open)
    const gt = this.skipSpace(lt + 2 + open.qname.length)
    if (text.charCodeAt(gt) !== CHAR_GT) throw this.badEndTag(lt, open)
    const depth = stack.length - 1
    if (this.content[depth] === Content.Plain) {
      const start = this.contentStart[depth]!
      const raw = text.slice(start, lt)
      open.text = raw.includes('&') ? this.decode(raw, start) : raw
    }
    stack.pop()
    this.content.pop()
    this.contentStart.pop()
    this.leave(open, depth)
    return gt + 1
  }

  private badEndTag(lt: number, open: Element | undefined): Error {
    const nameEnd = this.nameEnd(lt + 2)
    const gt = this.skipSpace(nameEnd)
    if (nameEnd === lt + 2 || this.text.charCodeAt(gt) !== CHAR_GT) {
      if (!this.text.includes('>', lt))
        return this.fail(lt, 'the file ends inside a closing tag: it is truncated — export or download it again.')
      return this.fail(lt, `"${this.snippet(lt)}" is not a well-formed closing tag.`)
    }
    const name = this.text.slice(lt + 2, nameEnd)
    if (!open) return this.fail(lt, `</${name}> closes an element that was never opened.`)
    return this.fail(
      lt,
      `</${name}> does not match <${open.qname}> opened on line ${open.line}: a tag is missing or misspelled, so the file is not well-formed XML.`,
    )
  }

  private readMarkup(lt: number): number {
    const { text } = this
    const depth = this.stack.length - 1
    if (text.startsWith('<!--', lt)) {
      this.toPieces(depth, lt)
      return this.skipTo(lt, '-->', 'a comment')
    }
    if (text.startsWith('<![CDATA[', lt)) {
      const close = text.indexOf(']]>', lt + 9)
      if (close === -1) throw this.fail(lt, 'a CDATA section is never closed: the file is truncated — export or download it again.')
      if (depth < 0) throw this.fail(lt, 'a CDATA section stands outside the root element.')
      this.toPieces(depth, lt)
      if (this.content[depth] === Content.Pieces) this.stack[depth]!.text += text.slice(lt + 9, close)
      return close + 3
    }
    if (text.startsWith('<!DOCTYPE', lt)) {
      throw this.fail(
        lt,
        'the file has a DOCTYPE declaration; statement files never do, and Countersign refuses them (they can define entities).',
      )
    }
    throw this.fail(lt, `"${this.snippet(lt)}" is not XML markup Countersign reads.`)
  }

  private readInstruction(lt: number): number {
    this.toPieces(this.stack.length - 1, lt)
    return this.skipTo(lt, '?>', 'a processing instruction')
  }

  private skipTo(lt: number, terminator: string, what: string): number {
    const close = this.text.indexOf(terminator, lt + 2)
    if (close === -1) throw this.fail(lt, `${what} is never closed: the file is truncated — export or download it again.`)
    return close + terminator.length
  }

  /** Decodes the five entities and character references of `raw`, found at `at` in the file. */
  private decode(raw: string, at: number): string {
    let out = ''
    let from = 0
    let amp = raw.indexOf('&')
    while (amp !== -1) {
      ENTITY_RE.lastIndex = amp
      const entity = ENTITY_RE.exec(raw)
      if (!entity) {
        const shown = raw.slice(amp, amp + 12).split(/[\s<]/)[0]
        throw this.fail(at, `"${shown}" is not an XML entity: a bare "&" must be written "&amp;", so the file is not well-formed XML.`)
      }
      out += raw.slice(from, amp) + (entity[1] ? NAMED_ENTITIES[entity[1]]! : this.character(entity[2], entity[3], at))
      from = ENTITY_RE.lastIndex
      amp = raw.indexOf('&', from)
    }
    return out + raw.slice(from)
  }

  private character(decimal: string | undefined, hex: string | undefined, at: number): string {
    const code = decimal === undefined ? parseInt(hex!, 16) : parseInt(decimal, 10)
    const allowed =
      code === 0x9 ||
      code === 0xa ||
      code === 0xd ||
      (code >= 0x20 && code <= 0xd7ff) ||
      (code >= 0xe000 && code <= 0xfffd) ||
      (code >= 0x10000 && code <= 0x10ffff)
    if (!allowed) throw this.fail(at, `the character reference &#${decimal ?? 'x' + hex}; is not a character XML allows.`)
    return String.fromCodePoint(code)
  }

  private snippet(at: number): string {
    const shown = this.text.slice(at, at + SNIPPET_CHARS_MAX).split('\n')[0]!
    return at + SNIPPET_CHARS_MAX < this.text.length ? `${shown}…` : shown
  }

  private fail(at: number, sentence: string): Error {
    return this.failAtLine(this.lines.at(at), sentence)
  }

  private failAtLine(line: number, sentence: string): Error {
    return statementError(`line ${line}`, sentence)
  }
}

/**
 * The same characters as the engine's shared copy, the one a property key or a literal ("Ntry")
 * is: the visitors compare element names with literals millions of times, and two shared copies
 * compare by identity (measured: name lookups ~25% faster than with copies sliced from the text).
 */
function internalized(name: string): string {
  return Object.keys({ [name]: 0 })[0]!
}

/**
 * 1-based line of a position, asked for only when an element's line is read (a few per entry, not
 * one per element). Mostly asked in file order, so the counter moves forward with native indexOf
 * (a file on one line costs one search, not one per tag); an earlier position is counted back
 * from where it stands, over the distance only.
 */
class LineCounter {
  /** 1 + the line ends before `pos`. */
  private line = 1
  private pos = 0
  /** The first line end at or after `pos`, or -1. */
  private nextNewline: number

  constructor(private readonly text: string) {
    this.nextNewline = text.indexOf('\n')
  }

  at(pos: number): number {
    if (pos < this.pos) this.back(pos)
    while (this.nextNewline !== -1 && this.nextNewline < pos) {
      this.line++
      this.nextNewline = this.text.indexOf('\n', this.nextNewline + 1)
    }
    this.pos = pos
    return this.line
  }

  /** Moves back to `pos` (< this.pos), uncounting the line ends in between. */
  private back(pos: number): void {
    let newline = this.pos === 0 ? -1 : this.text.lastIndexOf('\n', this.pos - 1)
    while (newline >= pos) {
      this.line--
      this.nextNewline = newline
      newline = newline === 0 ? -1 : this.text.lastIndexOf('\n', newline - 1)
    }
    this.pos = pos
  }
}
