/**
 * Which app is open on the device: APDU `b0 01 00 00`, answered by the device OS whatever app runs.
 * Why it matters: the Ethereum and Stellar apps share CLA 0xE0 and reuse INS numbers, so a Stellar
 * "get public key" sent to the Ethereum app returns an Ethereum key instead of an error. The
 * signer checks the open app before every operation.
 *
 * Response: format (0x01) ‖ name length ‖ name ‖ version length ‖ version [‖ flags length ‖ flags].
 * On the dashboard the name is "BOLOS".
 */
import { CsError } from '../../../../shared/errors'
import type { LedgerTransport } from './ledgerPackages'

export const GET_APP_AND_VERSION_APDU = { cla: 0xb0, ins: 0x01, p1: 0x00, p2: 0x00 } as const
export const DASHBOARD_APP_NAME = 'BOLOS'
const RESPONSE_FORMAT = 0x01

export interface OpenApp {
  name: string
  version: string
  flags: Uint8Array
}

export async function getOpenApp(transport: LedgerTransport): Promise<OpenApp> {
  const { cla, ins, p1, p2 } = GET_APP_AND_VERSION_APDU
  const response = await transport.send(cla, ins, p1, p2)
  return parseOpenApp(response.subarray(0, response.length - 2))
}

export function parseOpenApp(data: Uint8Array): OpenApp {
  let offset = 0
  const take = (n: number): Uint8Array => {
    if (offset + n > data.length) throw malformed()
    const out = data.subarray(offset, offset + n)
    offset += n
    return out
  }
  const format = take(1)[0]
  if (format !== RESPONSE_FORMAT) throw malformed()
  const ascii = new TextDecoder('ascii')
  const name = ascii.decode(take(take(1)[0] ?? 0))
  const version = ascii.decode(take(take(1)[0] ?? 0))
  // A plain copy: `data` is usually a Buffer view over the transport's response.
  const flags = offset < data.length ? Uint8Array.from(take(take(1)[0] ?? 0)) : new Uint8Array(0)
  return { name, version, flags }
}

function malformed(): CsError {
  return new CsError('DEVICE_UNEXPECTED', 'The Ledger did not say which app is open — update its firmware, reconnect it and try again.')
}
