/**
 * The sentence for a batch whose signing stopped part-way (BatchSummary.signingStopped), where a
 * command line is the place to act: the CLI's batch list and the refusal to execute it again. The
 * app says the same with its Resume signing button instead of a command.
 */
import type { SigningStopped } from './payoutsApi'

/** "Signing stopped at transaction 2 of 3" — then what to do, for the CLI and the refusal. */
export function signingStoppedSentence(batch: { id: string; name: string }, s: SigningStopped): string {
  return (
    `Signing of batch "${batch.name}" stopped at transaction ${s.signed + 1} of ${s.total} (${s.unsigned} still to sign on the device) — ` +
    `nothing resumes it by itself: a signer runs "countersign batches resume ${batch.id} --as NAME" or presses Resume signing on the batch page. What was signed stays signed.`
  )
}
