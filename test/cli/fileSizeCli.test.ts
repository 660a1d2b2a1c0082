/**
 * The CLI refuses a file too large in the file's own terms (issue 17, finding 12): its name, its
 * size and the limit for that kind of file, in the same unit — before it is read or sent — and a
 * payout CSV within its limit that JSON escaping pushes past one request, before it is sent.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readEntriesFile } from '../../src/cli/readEntriesFile'
import { CSV_BYTES_MAX, PAYLOAD_BYTES_MAX } from '../../src/shared/limits'
import { initPayoutDesk, runCli, tempDir } from './cliHarness'

const MB = 1024 * 1024

let root: string
let dir: string

beforeAll(async () => {
  root = tempDir()
  dir = path.join(root, 'books')
  await initPayoutDesk(dir)
})

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true })
})

function fileOf(name: string, bytes: number, fill: string): string {
  const file = path.join(root, name)
  fs.writeFileSync(file, Buffer.alloc(bytes, fill))
  return file
}

describe('file sizes in the person’s terms', () => {
  it('a payout CSV over its limit: its size and the limit, in MB', async () => {
    expect(CSV_BYTES_MAX).toBe(4 * MB)
    const file = fileOf('big.csv', Math.round(5.2 * MB), 'a')
    const r = await runCli(['--data-dir', dir, 'payouts', 'import', file, '--as', 'Alice Preparer'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(
      `error FILE_INVALID: ${file} is 5.2 MB — a payout CSV can be at most 4 MB. Split it into several files and import each.`,
    )
  })

  it('a payout CSV within its limit that escaping makes too large to send: the file’s size and limit, not the request’s', async () => {
    // 3.8 MB of quotes: each becomes \" in JSON, past the request limit.
    const file = fileOf('quoted.csv', Math.round(3.8 * MB), '"')
    expect(2 * 3.8 * MB).toBeGreaterThan(PAYLOAD_BYTES_MAX)
    const r = await runCli(['--data-dir', dir, 'payouts', 'import', file, '--as', 'Alice Preparer'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`error PAYLOAD_TOO_LARGE: ${file} is 3.8 MB, within the 4 MB a payout CSV can be`)
    expect(r.stderr).not.toMatch(/request is|MiB/)
  })

  it('a journal-entries file over one request: its size and the limit', async () => {
    const file = fileOf('entries.json', PAYLOAD_BYTES_MAX + MB, ' ')
    await expect(readEntriesFile(file, process.stdin)).rejects.toMatchObject({
      code: 'FILE_INVALID',
      message: `${file} is 7 MB — a file of journal entries can be at most 6 MB. Split it into several files and post each.`,
    })
  })
})
