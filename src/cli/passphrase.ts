/**
 * Where the CLI gets an operator's passphrase: $COUNTERSIGN_PASSPHRASE, then --passphrase-file,
 * then a prompt on the terminal (typed without echo). A script without either gets
 * PASSPHRASE_REQUIRED, never a hang on a prompt nobody sees. The passphrase is never printed,
 * logged or put in an error.
 */
import fs from 'node:fs'
import { CsError } from '../shared/errors'
import type { CliIo, GlobalOptions } from './io'

export const PASSPHRASE_ENV = 'COUNTERSIGN_PASSPHRASE'
/** For `operators passphrase` in scripts: the new passphrase. */
export const NEW_PASSPHRASE_ENV = 'COUNTERSIGN_NEW_PASSPHRASE'

export async function readPassphrase(io: CliIo, globals: GlobalOptions, prompt: string, envName = PASSPHRASE_ENV): Promise<string> {
  const fromEnv = io.env[envName]
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv
  if (envName === PASSPHRASE_ENV && globals.passphraseFile !== undefined) return readPassphraseFile(globals.passphraseFile)
  const stdin = (io.stdin ?? process.stdin) as NodeJS.ReadStream
  if (stdin.isTTY === true && io.stderr.isTTY === true) return await promptHidden(io, stdin, prompt)
  throw new CsError(
    'PASSPHRASE_REQUIRED',
    `This needs a passphrase and there is no terminal to ask on — set ${envName}${envName === PASSPHRASE_ENV ? ' or pass --passphrase-file FILE' : ''}.`,
  )
}

function readPassphraseFile(file: string): string {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (cause) {
    throw new CsError('FILE_INVALID', `The passphrase file ${file} cannot be read — check the path and its permissions.`, { cause })
  }
  // One line: a trailing newline from an editor or `echo` is not part of the passphrase.
  const line = text.replace(/\r?\n$/, '')
  if (line === '' || line.includes('\n'))
    throw new CsError('FILE_INVALID', `The passphrase file ${file} must hold the passphrase on one line, nothing else.`)
  return line
}

function promptHidden(io: CliIo, stdin: NodeJS.ReadStream, prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    io.stderr.write(prompt)
    let typed = ''
    const wasRaw = stdin.isRaw
    stdin.setRawMode(true)
    stdin.resume()
    stdin.setEncoding('utf8')
    const done = (error: Error | null) => {
      stdin.setRawMode(wasRaw)
      stdin.pause()
      stdin.removeListener('data', onData)
      io.stderr.write('\n')
      if (error) reject(error)
      else resolve(typed)
    }
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done(null)
        if (ch === '\u0003') return done(new CsError('PASSPHRASE_REQUIRED', 'Cancelled — nothing was changed.'))
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1)
        else typed += ch
      }
    }
    stdin.on('data', onData)
  })
}
