/**
 * The canonical line of a posted entry, the unit of the digest that postEntries returns and the
 * audit log records: canonicalJson([id, date, kind, description, metadata, [[account, amount], …]])
 * with amounts as signed integer minor units. Built by hand, byte for byte what canonicalJson
 * gives (postEntries.test.ts asserts the equality), because it runs once per entry on the bulk
 * path; dates, descriptions and account ids repeat across a batch, so their JSON text is remembered.
 */

export class EntryLineBuilder {
  private readonly kindJson: string
  private readonly date = memoJsonText()
  private readonly description = memoJsonText()
  private readonly accounts = new Map<string, string>()
  private text = ''
  private postings = 0

  constructor(kind: string) {
    this.kindJson = jsonText(kind)
  }
  begin(id: string, date: string, description: string, metadataJson: string): void {
    this.text = `[${jsonText(id)},${this.date(date)},${this.kindJson},${this.description(description)},${metadataJson},[`
    this.postings = 0
  }
  /** `amount`: signed minor units as an integer string. */
  posting(accountId: string, amount: string): void {
    let idJson = this.accounts.get(accountId)
    if (idJson === undefined) {
      idJson = jsonText(accountId)
      this.accounts.set(accountId, idJson)
    }
    this.text += `${this.postings++ > 0 ? ',' : ''}[${idJson},"${amount}"]`
  }
  end(): string {
    return this.text + ']]'
  }
}

/** jsonText that remembers the last text it was given (runs of the same value cost a comparison). */
export function memoJsonText(): (text: string) => string {
  let last: string | undefined
  let lastJson = ''
  return (text) => {
    if (text !== last) {
      last = text
      lastJson = jsonText(text)
    }
    return lastJson
  }
}

/** Text JSON.stringify would leave as it is: no quote, backslash, control character or surrogate. */
const JSON_PLAIN_TEXT_RE = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/
/** JSON.stringify for a string, skipping the general encoder for the usual plain text. */
export function jsonText(text: string): string {
  return JSON_PLAIN_TEXT_RE.test(text) ? `"${text}"` : JSON.stringify(text)
}
