/**
 * A Stellar payee's own claim of a claimable balance, signed with its key and sent to Horizon (no
 * Countersign process involved). A module of its own, free of the CLI and vitest, so the chaos
 * campaign's child process can bundle it (stellarEscrowKit.ts re-exports it for the escrow tests).
 */
import { Account, type Keypair, Operation, TimeoutInfinite, TransactionBuilder } from '@stellar/stellar-base'

export async function claimAsPayee(
  horizon: string,
  passphrase: string,
  key: Keypair,
  balanceId: string,
): Promise<{ status: number; ops: string[] | null }> {
  const payee = key.publicKey()
  const res0 = await fetch(`${horizon}/accounts/${payee}`)
  if (res0.status !== 200) throw new Error(`/accounts/${payee}: HTTP ${res0.status}`)
  const account = (await res0.json()) as { sequence: string }
  const tx = new TransactionBuilder(new Account(payee, account.sequence), { fee: '100', networkPassphrase: passphrase })
    .addOperation(Operation.claimClaimableBalance({ balanceId }))
    .setTimeout(TimeoutInfinite)
    .build()
  tx.sign(key)
  const res = await fetch(`${horizon}/transactions`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ tx: tx.toEnvelope().toXDR('base64') }).toString(),
  })
  const body = (await res.json()) as { extras?: { result_codes?: { operations?: string[] } } }
  return { status: res.status, ops: body.extras?.result_codes?.operations ?? null }
}
