import { describe, expect, it } from 'vitest'
import { fileTooLargeMessage, formatFileSize, formatSizeAgainstLimit } from './fileSize'
import { CSV_BYTES_MAX } from './limits'

describe('formatFileSize', () => {
  it('writes bytes, KB and MB as a file manager does', () => {
    expect(formatFileSize(0)).toBe('0 bytes')
    expect(formatFileSize(1)).toBe('1 byte')
    expect(formatFileSize(1023)).toBe('1,023 bytes')
    expect(formatFileSize(1024)).toBe('1 KB')
    expect(formatFileSize(18.5 * 1024)).toBe('18.5 KB')
    expect(formatFileSize(256 * 1024)).toBe('256 KB')
    expect(formatFileSize(CSV_BYTES_MAX)).toBe('4 MB')
    // The reported file: 3.8 MB as its file manager showed it.
    expect(formatFileSize(Math.round(3.8 * 1024 * 1024))).toBe('3.8 MB')
    expect(formatFileSize(200 * 1024 * 1024)).toBe('200 MB')
  })
})

describe('a size against its limit', () => {
  it('is written in the same unit, and in exact bytes when rounding would make them read the same', () => {
    expect(formatSizeAgainstLimit(Math.round(5.2 * 1024 * 1024), CSV_BYTES_MAX)).toEqual({ size: '5.2 MB', limit: '4 MB' })
    expect(formatSizeAgainstLimit(CSV_BYTES_MAX + 1, CSV_BYTES_MAX)).toEqual({ size: '4,194,305 bytes', limit: '4,194,304 bytes' })
  })

  it('names the file, its size, the limit for that kind of file and what to do', () => {
    expect(
      fileTooLargeMessage({
        name: 'payouts-march.csv',
        bytes: Math.round(5.2 * 1024 * 1024),
        limitBytes: CSV_BYTES_MAX,
        kind: 'a payout CSV',
        fix: 'Split it into smaller files and import each.',
      }),
    ).toBe('payouts-march.csv is 5.2 MB — a payout CSV can be at most 4 MB. Split it into smaller files and import each.')
  })
})
