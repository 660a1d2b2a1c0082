/**
 * TEST-ONLY crash hook. `COUNTERSIGN_CRASH_AT=<name>` (or `<name>:<n>` for the n-th time that
 * point is reached) makes the process SIGKILL itself at the named point, exactly like a power cut:
 * no finally blocks, no exit handlers, an open SQLite transaction rolled back by the next open.
 * test/execute/crash.test.ts runs the engine in a child process at every point and proves each
 * payout is still paid exactly once after a restart. Unset (always, outside those tests), it
 * costs one env lookup.
 *
 * The points, in the order a payout passes them:
 *   after-plan            planning committed (submissions planned, nonces reserved), nothing signed
 *   after-sign            the device returned a signature, not yet committed
 *   after-persist         signed bytes + hash committed, not yet broadcast
 *   after-broadcast       the node took the bytes, state not yet 'broadcast'
 *   before-confirm        the poller saw enough confirmations, nothing written yet
 *   confirm-before-book   INSIDE the confirm transaction: marked confirmed, not yet booked
 */
export const CRASH_POINTS = [
  'after-plan',
  'after-sign',
  'after-persist',
  'after-broadcast',
  'before-confirm',
  'confirm-before-book',
] as const
/**
 * Rail-internal points, outside CRASH_POINTS (the EVM crash test walks that list):
 *   stripe-answer-lost    our key is committed, Stripe applied the POST, its answer was lost
 */
export const RAIL_CRASH_POINTS = ['stripe-answer-lost'] as const
/**
 * The escrow engine's points (escrow/executeEscrowAction.ts, escrow/sweepEscrowTxs.ts), in order:
 *   escrow-after-plan       the action's transaction planned (nonce reserved), nothing signed
 *   escrow-after-persist    signed bytes + hash committed, not yet broadcast
 *   escrow-after-broadcast  the rail took the bytes, state not yet 'broadcast'
 *   escrow-before-book      INSIDE the confirm transaction: confirmed, not yet booked
 *   escrow-observed-before-book  INSIDE the transaction booking a release seen on the rail
 */
export const ESCROW_CRASH_POINTS = [
  'escrow-after-plan',
  'escrow-after-persist',
  'escrow-after-broadcast',
  'escrow-before-book',
  'escrow-observed-before-book',
] as const
/**
 * Receipts (receipts/issueReceipts.ts), once per issuing transaction:
 *   receipt-issue-before-commit  INSIDE the transaction: the chunk's receipts inserted, not committed
 *   receipt-issue-after-commit   the chunk committed, the next not started
 */
export const RECEIPT_CRASH_POINTS = ['receipt-issue-before-commit', 'receipt-issue-after-commit'] as const
export type CrashPointName =
  | (typeof CRASH_POINTS)[number]
  | (typeof RAIL_CRASH_POINTS)[number]
  | (typeof ESCROW_CRASH_POINTS)[number]
  | (typeof RECEIPT_CRASH_POINTS)[number]

export const CRASH_ENV = 'COUNTERSIGN_CRASH_AT'
const hits = new Map<string, number>()

export function crashPoint(name: CrashPointName): void {
  const wanted = process.env[CRASH_ENV]
  if (wanted === undefined || wanted === '') return
  const [point, nth] = wanted.split(':')
  if (point !== name) return
  const count = (hits.get(name) ?? 0) + 1
  hits.set(name, count)
  if (count === Number(nth ?? '1')) process.kill(process.pid, 'SIGKILL')
}

/**
 * TEST-ONLY deliberate breakage, to prove the chaos campaign's oracle can fail (test/chaos,
 * `npm run chaos -- --break resign`). `COUNTERSIGN_TEST_BREAK=<name>` turns one safety off:
 *   resign-instead-of-rebroadcast  after a restart, resumeOpen declares every in-flight transaction
 *                                  dead instead of looking it up and re-sending its stored bytes, so
 *                                  the next retry signs a fresh one while the first may still land;
 *                                  the escrow sweep does the same to sent escrow transactions at the
 *                                  first sweep of a process (escrow/sweepEscrowTxs.ts).
 * Unset (always, outside that campaign), it costs one env lookup.
 */
export const TEST_BREAKS = ['resign-instead-of-rebroadcast'] as const
export const TEST_BREAK_ENV = 'COUNTERSIGN_TEST_BREAK'

export function testBreak(name: (typeof TEST_BREAKS)[number]): boolean {
  return process.env[TEST_BREAK_ENV] === name
}
