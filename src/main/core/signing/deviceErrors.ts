/**
 * Every way a Ledger exchange can fail, turned into one CsError code and a sentence a person can act on.
 *
 * Branch on status words and error *names*, never `instanceof`: the Ledger packages install several
 * copies of hw-transport and @ledgerhq/errors (each app pins its own), so the same error arrives
 * from different classes. Status words are looked up on the error and along its `cause` chain
 * (hw-app-str wraps the transport error in its own class and keeps it as the cause).
 *
 * Each error carries the device's state as `details` (the operation, the app it needs and the app
 * that was open, the status word), in the shape src/shared/signersApi.ts whitelists for DEVICE_*
 * codes, so a window or a script can act on the state without reading the sentence.
 */
import { CsError, isErrorCode, type ErrorCode } from '../../../shared/errors'
import type { DeviceErrorDetails, DeviceOperation, LedgerAppName } from '../../../shared/signersApi'

export type { DeviceOperation, LedgerAppName } from '../../../shared/signersApi'

export const statusWords = {
  ok: 0x9000,
  /** The device is locked (PIN screen). */
  locked: 0x5515,
  /** Older firmware reports a locked device as "security status not satisfied". */
  securityStatusNotSatisfied: 0x6982,
  /** The user pressed reject (every Ledger app). */
  rejected: 0x6985,
  /** Dashboard-level refusal (e.g. an app-open request rejected). */
  userRefusedOnDevice: 0x5501,
  /** CLA not supported: the dashboard, or an app that does not speak this protocol. */
  claNotSupported: 0x6e00,
  /** CLA not supported, newer firmware wording: no app open. */
  appNotOpen: 0x6e01,
  /** INS not supported: another app is open. */
  insNotSupported: 0x6d00,
  /** Firmware: no app is running (recent Nano/Stax firmware on the dashboard). */
  noAppRunning: 0x6511,
  /** Firmware: the request belongs to another app than the one running. */
  otherAppRunning: 0x6a15,
  /** Ethereum app, during signing: blind signing (contract data) is off. Elsewhere: invalid data. */
  incorrectData: 0x6a80,
  /** Stellar app: hash signing (blind signing) is off in its settings. */
  stellarHashSigningOff: 0x6c66,
  /** Stellar app: the request is larger than its buffer. */
  stellarDataTooLarge: 0xb004,
  /** Stellar app: it could not parse the transaction. */
  stellarParseFailed: 0xb005,
} as const

const wrongAppStatusWords: ReadonlySet<number> = new Set([
  statusWords.claNotSupported,
  statusWords.appNotOpen,
  statusWords.insNotSupported,
  statusWords.noAppRunning,
  statusWords.otherAppRunning,
])

export interface DeviceErrorContext {
  operation: DeviceOperation
  /** The app the operation needs. */
  app?: LedgerAppName
  /** The app the device reported as open, when known ("BOLOS" = dashboard). */
  openApp?: string
}

/** Operations where 0x6A80 means "enable blind signing" in the Ethereum app. */
const blindSigningOperations: ReadonlySet<DeviceOperation> = new Set([
  'sign-evm-transaction',
  'sign-evm-typed-data-hash',
  // Full EIP-712 without Ledger-signed filters: the app refuses it unless "Blind signing" or
  // "Raw messages" is on (app-ethereum ui_logic.c, ui_712_redraw_generic_step).
  'sign-evm-typed-data',
])

/** How deep to follow `cause` links looking for a status word; error chains are short. */
const causeDepthMax = 5

/** Status word carried by the error or by one of its causes. */
export function statusWordOf(error: unknown): number | undefined {
  let current: unknown = error
  for (let depth = 0; depth <= causeDepthMax && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { statusCode?: unknown }).statusCode
    if (typeof code === 'number' && Number.isInteger(code)) return code
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

function namesOf(error: unknown): string[] {
  const names: string[] = []
  let current: unknown = error
  for (let depth = 0; depth <= causeDepthMax && typeof current === 'object' && current !== null; depth++) {
    const { name, id } = current as { name?: unknown; id?: unknown }
    if (typeof name === 'string') names.push(name)
    // hw-transport's TransportError carries its kind in `id` ("TransportLocked", "NoDeviceFound").
    if (typeof id === 'string') names.push(id)
    current = (current as { cause?: unknown }).cause
  }
  return names
}

const codeByErrorName: Readonly<Record<string, ErrorCode>> = {
  LockedDeviceError: 'DEVICE_LOCKED',
  StellarUserRefusedError: 'DEVICE_REJECTED',
  StellarHashSigningNotEnabledError: 'DEVICE_HASH_SIGNING_OFF',
  StellarDataTooLargeError: 'DEVICE_DATA_TOO_LARGE',
  StellarDataParsingFailedError: 'DEVICE_PARSE_FAILED',
  // hw-app-eth replaces a 0x6A80 during signTransaction with these and drops the status word.
  EthAppPleaseEnableContractData: 'DEVICE_BLIND_SIGNING_OFF',
  CeloAppPleaseEnableContractData: 'DEVICE_BLIND_SIGNING_OFF',
  DisconnectedDevice: 'DEVICE_DISCONNECTED',
  DisconnectedDeviceDuringOperation: 'DEVICE_DISCONNECTED',
  TransportRaceCondition: 'DEVICE_BUSY',
  TransportLocked: 'DEVICE_BUSY',
  CantOpenDevice: 'DEVICE_BUSY',
  NoDevice: 'DEVICE_NOT_FOUND',
  NoDeviceFound: 'DEVICE_NOT_FOUND',
  ListenTimeout: 'DEVICE_NOT_FOUND',
}

export function codeForStatusWord(statusWord: number, operation: DeviceOperation): ErrorCode {
  if (statusWord === statusWords.locked || statusWord === statusWords.securityStatusNotSatisfied) return 'DEVICE_LOCKED'
  if (statusWord === statusWords.rejected || statusWord === statusWords.userRefusedOnDevice) return 'DEVICE_REJECTED'
  if (wrongAppStatusWords.has(statusWord)) return 'DEVICE_WRONG_APP'
  if (statusWord === statusWords.incorrectData && blindSigningOperations.has(operation)) return 'DEVICE_BLIND_SIGNING_OFF'
  if (statusWord === statusWords.stellarHashSigningOff) return 'DEVICE_HASH_SIGNING_OFF'
  if (statusWord === statusWords.stellarDataTooLarge) return 'DEVICE_DATA_TOO_LARGE'
  if (statusWord === statusWords.stellarParseFailed) return 'DEVICE_PARSE_FAILED'
  return 'DEVICE_UNEXPECTED'
}

/** Maps anything a device operation threw to a CsError. A CsError passes through unchanged. */
export function toDeviceError(error: unknown, context: DeviceErrorContext): CsError {
  if (isCsError(error)) return error
  const statusWord = statusWordOf(error)
  let code: ErrorCode | undefined = statusWord === undefined ? undefined : codeForStatusWord(statusWord, context.operation)
  if (code === undefined || code === 'DEVICE_UNEXPECTED') {
    const named = namesOf(error)
      .map((n) => codeByErrorName[n])
      .find((c) => c !== undefined)
    code = named ?? 'DEVICE_UNEXPECTED'
  }
  const details: DeviceErrorDetails = {
    ...stateOf(context),
    ...(statusWord !== undefined ? { statusWord: `0x${statusWord.toString(16).padStart(4, '0')}` } : {}),
  }
  return new CsError(code, deviceErrorMessage(code, context, statusWord), { cause: error, details })
}

export function deviceError(code: ErrorCode, context: DeviceErrorContext, details: Record<string, unknown> = {}): CsError {
  return new CsError(code, deviceErrorMessage(code, context, undefined), { details: { ...stateOf(context), ...details } })
}

/** The device state an error carries: what was asked, the app it needs, the app that was open. */
function stateOf(context: DeviceErrorContext): DeviceErrorDetails {
  return {
    operation: context.operation,
    ...(context.app !== undefined ? { app: context.app } : {}),
    ...(context.openApp !== undefined ? { openApp: context.openApp } : {}),
  }
}

function isCsError(error: unknown): error is CsError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { name?: unknown }).name === 'CsError' &&
    isErrorCode((error as { code?: unknown }).code)
  )
}

const confirmationSubject: Readonly<Record<DeviceOperation, string>> = {
  'open-device': 'request',
  'check-app': 'request',
  'read-status': 'request',
  'get-address': 'request',
  'verify-address': 'address',
  'sign-evm-transaction': 'transaction',
  'sign-evm-message': 'message',
  'sign-evm-typed-data-hash': 'typed-data message',
  'sign-evm-typed-data': 'typed-data message',
  'sign-stellar-transaction': 'transaction',
  'sign-stellar-hash': 'transaction hash',
}

export function deviceErrorMessage(code: ErrorCode, context: DeviceErrorContext, statusWord: number | undefined): string {
  const app = context.app ?? 'right'
  switch (code) {
    case 'DEVICE_LOCKED':
      return 'Ledger is locked — unlock it with your PIN and try again.'
    case 'DEVICE_REJECTED':
      if (context.operation === 'verify-address') {
        return 'The address was rejected on the Ledger. If it did not match the one shown here, do not use this account; otherwise try again.'
      }
      return `The ${confirmationSubject[context.operation]} was rejected on the Ledger — nothing was signed. Try again to sign it.`
    case 'DEVICE_WRONG_APP': {
      const open = context.openApp
      if (open === 'BOLOS') return `Open the ${app} app on your Ledger (it is on the dashboard), then try again.`
      if (open !== undefined && open !== context.app)
        return `The ${open} app is open on your Ledger — open the ${app} app instead, then try again.`
      return `Open the ${app} app on your Ledger, then try again.`
    }
    case 'DEVICE_BLIND_SIGNING_OFF':
      if (context.operation === 'sign-evm-typed-data') {
        return 'The Ledger will not show this message with its current settings — in the Ethereum app\'s settings on the device, turn on "Raw messages" (it then shows every field; "Blind signing" alone shows only a hash), then try again.'
      }
      return 'The Ledger cannot show this request in full — enable "Blind signing" in the Ethereum app\'s settings on the device, then try again.'
    case 'DEVICE_HASH_SIGNING_OFF':
      return 'Hash signing is off in the Stellar app — enable it ("Blind signing" / "Hash signing") in the app\'s settings on the device, then try again.'
    case 'DEVICE_DATA_TOO_LARGE':
      return 'This transaction is too large for the Ledger app — split it into smaller transactions (fewer operations each) and sign again.'
    case 'DEVICE_PARSE_FAILED':
      return 'The Ledger app could not read this transaction — update the Stellar app on the device; if it still fails, sign this transaction outside the app.'
    case 'DEVICE_DISCONNECTED':
      return 'The Ledger was disconnected — reconnect it, unlock it and try again.'
    case 'DEVICE_BUSY':
      return 'The Ledger is busy — finish or reject the request on its screen, close Ledger Live or any other wallet app using it, then try again.'
    case 'DEVICE_TIMEOUT':
      return 'The Ledger did not answer in time — check its screen, reject any pending request, then try again.'
    case 'DEVICE_NOT_FOUND':
      return 'No Ledger found — connect it by USB, unlock it and try again.'
    case 'DEVICE_ADDRESS_MISMATCH':
      return 'The Ledger answered for a different account than expected — check that this is the right Ledger (same recovery phrase) and the right account.'
    default:
      return statusWord === undefined
        ? 'The Ledger answered unexpectedly — reconnect it and try again; if it persists, update its firmware and apps.'
        : `The Ledger answered with an unexpected status (0x${statusWord.toString(16).padStart(4, '0')}) — update its firmware and the ${app} app, then try again.`
  }
}
