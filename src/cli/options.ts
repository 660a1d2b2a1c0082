/** Argument parsers shared by the commands. Bad values are usage errors (exit 2). */
import { InvalidArgumentError } from 'commander'

/** A whole number within [min, max]; no signs, exponents or decimals. */
export function intArg(min: number, max: number): (value: string) => number {
  return (value: string) => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`Give a whole number from ${min} to ${max}.`)
    const n = Number(value)
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`Give a whole number from ${min} to ${max}.`)
    return n
  }
}

/** Examples block for `--help`. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`
}
