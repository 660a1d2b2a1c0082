/**
 * The Stellar rail for one network: payouts go out as payment (or create_account) operations,
 * up to 100 per transaction, one asset and one memo per transaction (the memo belongs to the
 * transaction), signed on the Ledger's Stellar app, final once in a closed ledger.
 *
 * Exactly once, Stellar's way:
 * - The sequence number and the time bounds (built-at + 5 min) are fixed when the transaction is
 *   built, inside the engine's planning transaction, and the signed envelope is committed before
 *   it is submitted. Its hash names it forever.
 * - An unknown result (timeout, dropped answer, 504) is answered by submitting the SAME envelope
 *   again: Stellar applies a transaction once (its sequence number is then used), so resending
 *   is harmless.
 * - A transaction is declared dead only when it provably can never land: Horizon's latest ledger
 *   closed after its time bound (or the source's sequence moved past ours) and, asked AFTER that,
 *   Horizon still does not know the transaction. Only then may the engine build a new one (a
 *   retry, with a new sequence number).
 * - A transaction that landed and failed (tx_failed: op_no_trust, op_underfunded, …) used its
 *   sequence and its fee and applied no operation: the verdict is 'failed', the fee is booked.
 *
 * Sequence numbers: next = max(Horizon's sequence for the source when prepared, the highest
 * sequence of any of our submissions from this source that is not dead) + 1. Dead submissions
 * never used theirs, so it can be used again.
 */
import { Account, Asset, Keypair, Memo, Operation, TransactionBuilder, xdr, type Transaction } from '@stellar/stellar-base'
import { CsError } from '../../../../shared/errors'
import { formatAmount, parseMinor } from '../../../../shared/money'
import type { CoreContext } from '../../context'
import { chunkPayoutIds } from '../../payouts/execute/executionStore'
import type { AssetRow, PayoutRow, SubmissionRow } from '../../db/schema'
import { assetIdFor } from '../../ledger'
import type { Signer } from '../../signing/Signer'
import type { BroadcastOutcome, BuiltSubmission, PlannedChunk, Rail, RailSignOptions, SignedSubmission, Verdict } from '../Rail'
import { createHorizonClient, HorizonError, type HorizonAccount, type HorizonClient, type HorizonTransaction } from './horizon'
import { stellarRailDefaults, type StellarNetworkConfig } from './stellarRailConfig'

const STELLAR_SCALE = 7

interface StellarPrepared {
  /** Fee bid per operation, stroops. */
  feePerOp: string
  /** The source's sequence on Horizon when prepared. */
  horizonSequence: string
  memo: string | null
  /** Per payout, in order: create_account for an unfunded XLM destination (when allowed). */
  ops: ('payment' | 'create_account')[]
}

/** Everything classify() needs about one submission, gathered by lookup(). */
export interface StellarObservation {
  record: HorizonTransaction | null
  provablyDead: boolean
  deadReason: string | null
  payoutIds: readonly string[]
}

/** Stellar amounts on the wire: 7 decimals, exact. */
export function stroopsText(stroops: bigint): string {
  return formatAmount(stroops, STELLAR_SCALE)
}

/** Horizon's per-operation result names (as decoded from result XDR) → its result codes. */
const OP_RESULT_CODES: Record<string, string> = {
  paymentSuccess: 'op_success',
  paymentMalformed: 'op_malformed',
  paymentUnderfunded: 'op_underfunded',
  paymentSrcNoTrust: 'op_src_no_trust',
  paymentSrcNotAuthorized: 'op_src_not_authorized',
  paymentNoDestination: 'op_no_destination',
  paymentNoTrust: 'op_no_trust',
  paymentNotAuthorized: 'op_not_authorized',
  paymentLineFull: 'op_line_full',
  paymentNoIssuer: 'op_no_issuer',
  createAccountSuccess: 'op_success',
  createAccountMalformed: 'op_malformed',
  createAccountUnderfunded: 'op_underfunded',
  createAccountLowReserve: 'op_low_reserve',
  createAccountAlreadyExist: 'op_already_exists',
}

/** Reads the transaction and per-operation codes out of a TransactionResult XDR. */
export function decodeResultCodes(resultXdr: string): { transaction: string; operations: string[] } {
  const result = xdr.TransactionResult.fromXDR(resultXdr, 'base64').result()
  const name = result.switch().name
  const transaction = `tx_${name.replace(/^tx/, '').replace(/[A-Z]/g, (c, i: number) => (i === 0 ? c.toLowerCase() : `_${c.toLowerCase()}`))}`
  const operations: string[] = []
  if (name === 'txFailed' || name === 'txSuccess') {
    for (const r of result.results()) {
      if (r.switch().name !== 'opInner') {
        operations.push(`op_${r.switch().name.replace(/^op/, '').toLowerCase()}`)
        continue
      }
      const inner = r.tr().value() as { switch(): { name: string } }
      operations.push(OP_RESULT_CODES[inner.switch().name] ?? `op_${inner.switch().name}`)
    }
  }
  return { transaction, operations }
}

/** The sentence and code for a failed operation, naming the payee and the asset. */
export function describeOperationFailure(code: string, payee: string, assetCode: string): { code: string; sentence: string } {
  switch (code) {
    case 'op_no_trust':
      return {
        code: 'STELLAR_NO_TRUST',
        sentence: `${payee} has no trustline for ${assetCode} — ask the payee to add one, then retry.`,
      }
    case 'op_no_destination':
      return {
        code: 'STELLAR_NO_DESTINATION',
        sentence: `${payee} does not exist on the network — ask the payee to fund it, or allow create_account for XLM, then retry.`,
      }
    case 'op_underfunded':
      return {
        code: 'STELLAR_UNDERFUNDED',
        sentence: `The treasury did not hold enough ${assetCode} (above its reserve) to pay ${payee} — fund it, then retry.`,
      }
    case 'op_low_reserve':
      return {
        code: 'STELLAR_UNDERFUNDED',
        sentence: `Creating ${payee} needs at least 1 XLM (the minimum reserve) — raise the amount, then retry.`,
      }
    default:
      return { code: 'STELLAR_TX_FAILED', sentence: `The payment to ${payee} failed with ${code}.` }
  }
}

export function createStellarRail(config: StellarNetworkConfig, options: { horizon?: HorizonClient } = {}): Rail {
  const network = config.network
  const horizon = options.horizon ?? createHorizonClient(config.horizonUrl)
  const source = { address: config.source.address, path: config.source.path }
  const feeAssetId = assetIdFor('XLM', 'stellar', network)
  const timeBound = config.timeBoundSeconds ?? stellarRailDefaults.timeBoundSeconds
  const opsPerTx = Math.max(1, Math.min(config.opsPerTxMax ?? stellarRailDefaults.opsPerTxMax, stellarRailDefaults.opsPerTxMax))
  let passphraseChecked = false

  async function checkNetwork(): Promise<void> {
    if (passphraseChecked) return
    const root = await horizon.root()
    if (root.network_passphrase !== config.networkPassphrase) {
      throw new CsError(
        'CHAIN_MISMATCH',
        `The Horizon server at ${horizon.url} serves "${root.network_passphrase}", not the configured "${config.networkPassphrase}" — fix the Horizon URL or the passphrase for Stellar ${network}; nothing was signed.`,
      )
    }
    passphraseChecked = true
  }

  async function loadSource(): Promise<HorizonAccount> {
    const account = await horizon.account(source.address)
    if (!account) {
      throw new CsError(
        'PREFLIGHT_FAILED',
        `The treasury ${source.address} does not exist on Stellar ${network} — fund it first; nothing was signed.`,
      )
    }
    return account
  }

  async function feePerOp(): Promise<bigint> {
    const stats = await horizon.feeStats()
    const base = BigInt(stats?.last_ledger_base_fee ?? '100')
    const p90 = BigInt(stats?.fee_charged.p90 ?? '0')
    const bid = p90 > base ? p90 : base
    if (bid > config.maxFeePerOpStroops) {
      throw new CsError(
        'FEE_CAP_EXCEEDED',
        `Stellar ${network} fees are ${bid} stroops per operation now, above your cap of ${config.maxFeePerOpStroops} — nothing was signed; wait for fees to fall or raise the cap.`,
      )
    }
    return bid
  }

  function assetOf(ctx: CoreContext, assetId: string): AssetRow {
    const asset = ctx.db.first(ctx.db.k.selectFrom('assets').selectAll().where('id', '=', assetId))
    if (!asset) throw new CsError('ASSET_NOT_FOUND', `There is no asset "${assetId}" — register it before executing payouts in it.`)
    if (asset.rail !== 'stellar' || asset.network !== network) throw new Error(`invariant: asset ${assetId} is not on stellar:${network}`)
    return asset
  }

  function stellarAsset(asset: AssetRow): Asset {
    return asset.issuer === null ? Asset.native() : new Asset(asset.code, asset.issuer)
  }

  /** Which destinations exist (one request each, deduplicated). */
  async function destinations(payouts: readonly PayoutRow[]): Promise<Map<string, HorizonAccount | null>> {
    const out = new Map<string, HorizonAccount | null>()
    for (const id of new Set(payouts.map((p) => p.recipient))) out.set(id, await horizon.account(id))
    return out
  }

  function opsFor(ctx: CoreContext, payouts: readonly PayoutRow[], dest: Map<string, HorizonAccount | null>): StellarPrepared['ops'] {
    return payouts.map((p) => {
      const asset = assetOf(ctx, p.asset_id)
      if (dest.get(p.recipient) !== null) return 'payment'
      if (asset.issuer === null && config.allowCreateAccount) return 'create_account'
      // Pre-flight reports this per payee before approval; this is the last line before signing.
      throw new CsError('STELLAR_NO_DESTINATION', describeOperationFailure('op_no_destination', p.recipient, asset.code).sentence)
    })
  }

  function chunks(payouts: readonly PayoutRow[]): PayoutRow[][] {
    // One asset and one memo per transaction, in first-seen row order.
    const groups = new Map<string, PayoutRow[]>()
    for (const p of payouts) {
      const key = `${p.asset_id}\u0000${p.memo ?? ''}`
      const list = groups.get(key) ?? []
      list.push(p)
      groups.set(key, list)
    }
    const out: PayoutRow[][] = []
    for (const list of groups.values()) for (let i = 0; i < list.length; i += opsPerTx) out.push(list.slice(i, i + opsPerTx))
    return out
  }

  function readUnsigned(submission: SubmissionRow, payload = submission.unsigned_payload): Transaction {
    if (payload === null) throw new Error(`invariant: submission ${submission.id} has no unsigned payload`)
    return TransactionBuilder.fromXDR(payload, config.networkPassphrase) as Transaction
  }

  async function prepareAll(ctx: CoreContext, groups: { chunkIndex: number; payouts: readonly PayoutRow[] }[]): Promise<PlannedChunk[]> {
    await checkNetwork()
    const account = await loadSource()
    const fee = await feePerOp()
    const dest = await destinations(groups.flatMap((g) => g.payouts))
    return groups.map((g) => ({
      chunkIndex: g.chunkIndex,
      assetId: g.payouts[0]!.asset_id,
      payoutIds: g.payouts.map((p) => p.id),
      prepared: {
        feePerOp: fee.toString(),
        horizonSequence: account.sequence,
        memo: g.payouts[0]!.memo,
        ops: opsFor(ctx, g.payouts, dest),
      } satisfies StellarPrepared,
    }))
  }

  function nextSequence(ctx: CoreContext, horizonSequence: bigint): bigint {
    const rows = ctx.db.sqlite
      .prepare(
        `SELECT nonce FROM submissions WHERE rail = 'stellar' AND network = ? AND source = ? AND state <> 'dead' AND nonce IS NOT NULL`,
      )
      .all(network, source.address) as { nonce: string }[]
    let highest = horizonSequence
    for (const r of rows) {
      const n = BigInt(r.nonce)
      if (n > highest) highest = n
    }
    return highest + 1n
  }

  return {
    rail: 'stellar',
    network,
    source,
    feeAssetId,
    networkPassphrase: config.networkPassphrase,

    async plan(ctx, _batchId, payouts, chunkIndexStart) {
      return prepareAll(
        ctx,
        chunks(payouts).map((list, i) => ({ chunkIndex: chunkIndexStart + i, payouts: list })),
      )
    },

    async prepare(ctx, _batchId, list) {
      return prepareAll(ctx, [...list])
    },

    build(ctx, _batchId, chunk, _attempt, payouts): BuiltSubmission {
      if (!ctx.db.sqlite.inTransaction) throw new Error('invariant: build must run inside the transaction that records the submission')
      const p = chunk.prepared as StellarPrepared
      const sequence = nextSequence(ctx, BigInt(p.horizonSequence))
      const byId = new Map(payouts.map((x) => [x.id, x]))
      const ordered = chunk.payoutIds.map((id) => {
        const row = byId.get(id)
        if (!row) throw new Error(`invariant: payout ${id} missing from build input`)
        return row
      })
      const asset = stellarAsset(assetOf(ctx, chunk.assetId))
      const now = Math.floor(ctx.clock.now().getTime() / 1000)
      // TransactionBuilder increments the account's sequence: give it the one before ours.
      const builder = new TransactionBuilder(new Account(source.address, (sequence - 1n).toString()), {
        fee: p.feePerOp,
        networkPassphrase: config.networkPassphrase,
        timebounds: { minTime: 0, maxTime: now + timeBound },
      })
      ordered.forEach((payout, i) => {
        const amount = stroopsText(parseMinor(payout.amount))
        builder.addOperation(
          p.ops[i] === 'create_account'
            ? Operation.createAccount({ destination: payout.recipient, startingBalance: amount })
            : Operation.payment({ destination: payout.recipient, asset, amount }),
        )
      })
      if (p.memo) builder.addMemo(Memo.text(p.memo))
      const tx = builder.build()
      return {
        source: source.address,
        nonce: sequence.toString(),
        idempotencyKey: `stellar:${network}:${tx.hash().toString('hex')}`,
        unsignedPayload: tx.toEnvelope().toXDR('base64'),
        feeCap: (BigInt(p.feePerOp) * BigInt(ordered.length)).toString(),
      }
    },

    async nonceConsumed(_ctx, submission) {
      // A planned (never signed) transaction can never land if its sequence was used by another
      // transaction, or if its time bound has passed: either way it is dead before signing.
      const tx = readUnsigned(submission)
      const account = await horizon.account(submission.source)
      if (account && BigInt(account.sequence) >= BigInt(tx.sequence)) return true
      const ledger = await horizon.latestLedger()
      const maxTime = Number(tx.timeBounds?.maxTime ?? '0')
      return maxTime !== 0 && Date.parse(ledger.closed_at) / 1000 > maxTime
    },

    async sign(_ctx, submission, signer: Signer, opts: RailSignOptions = {}): Promise<SignedSubmission> {
      const tx = readUnsigned(submission)
      if (tx.source !== source.address) throw new Error(`invariant: submission ${submission.id} is not from the configured source`)
      const perOp = BigInt(tx.fee) / BigInt(tx.operations.length)
      if (perOp > config.maxFeePerOpStroops) {
        throw new CsError(
          'FEE_CAP_EXCEEDED',
          `This transaction bids ${perOp} stroops per operation, above your cap of ${config.maxFeePerOpStroops} — nothing was signed.`,
        )
      }
      const base = tx.signatureBase()
      const status = await signer.getStatus()
      const maxBytes = status.stellar?.maxDataSizeBytes ?? null
      const progress = opts.onProgress ? { onProgress: opts.onProgress } : {}
      // The app parses (and shows) what fits its buffer; a larger transaction is signed by hash,
      // which the app allows only when "hash signing" is on in its settings.
      const signature =
        maxBytes !== null && base.length > maxBytes && status.stellar?.hashSigningEnabled
          ? await signer.signStellarHash({ path: source.path, expectedPublicKey: source.address, hash: tx.hash() }, progress)
          : (
              await signer.signStellarTransactions(
                [{ path: source.path, expectedPublicKey: source.address, signatureBase: base }],
                progress,
              )
            )[0]
      if (!signature) throw new Error('invariant: the signer returned no signature')
      tx.addSignature(source.address, Buffer.from(signature.signature).toString('base64'))
      if (!Keypair.fromPublicKey(source.address).verify(tx.hash(), Buffer.from(signature.signature))) {
        throw new Error('invariant: the device signature does not verify against the source')
      }
      return { signedPayload: tx.toEnvelope().toXDR('base64'), txHash: tx.hash().toString('hex') }
    },

    async broadcast(_ctx, submission): Promise<BroadcastOutcome> {
      if (submission.signed_payload === null) throw new Error(`invariant: broadcast of unsigned submission ${submission.id}`)
      const result = await horizon.submit(submission.signed_payload)
      switch (result.kind) {
        case 'ok':
          return { kind: 'sent' }
        case 'unreachable':
          return { kind: 'unreachable', message: result.message }
        case 'unknown':
          return { kind: 'maybe-sent', message: result.message }
        case 'refused':
          // tx_failed landed (fee and sequence used); tx_bad_seq may be our own earlier copy;
          // tx_too_late, tx_insufficient_fee never land. The lookup decides from the ledger.
          return {
            kind: 'maybe-sent',
            message: `Horizon answered ${result.transactionCode ?? result.status}${result.operationCodes.length > 0 ? ` (${result.operationCodes.filter((c) => c !== 'op_success').join(', ')})` : ''}`,
          }
      }
    },

    async rebroadcast(_ctx, submissions) {
      for (const s of submissions) if (s.signed_payload !== null) await horizon.submit(s.signed_payload)
    },

    watchedConfirmed() {
      // A closed Stellar ledger is final: nothing to watch after confirmation.
      return []
    },

    async lookup(ctx, submissions) {
      const out = new Map<string, unknown>()
      const open = submissions.filter((s) => (s.state === 'signed' || s.state === 'broadcast') && s.tx_hash !== null)
      if (open.length === 0) return out
      const records = new Map<string, HorizonTransaction | null>()
      for (const s of open) records.set(s.id, await horizon.transaction(s.tx_hash!))
      const missing = open.filter((s) => records.get(s.id) === null)
      const dead = new Map<string, string>()
      if (missing.length > 0) {
        // Proof of "never": first the ledger and the source's sequence, THEN the transaction
        // again — a transaction applied between two of these reads is then still seen.
        const ledger = await horizon.latestLedger()
        const closedAt = Date.parse(ledger.closed_at) / 1000
        const sequences = new Map<string, bigint | null>()
        for (const src of new Set(missing.map((s) => s.source))) {
          const account = await horizon.account(src)
          sequences.set(src, account ? BigInt(account.sequence) : null)
        }
        for (const s of missing) {
          const tx = readUnsigned(s, s.signed_payload)
          const maxTime = Number(tx.timeBounds?.maxTime ?? '0')
          const expired = maxTime !== 0 && closedAt > maxTime + stellarRailDefaults.expiryMarginSeconds
          const seqNow = sequences.get(s.source) ?? null
          const used = seqNow !== null && seqNow >= BigInt(tx.sequence)
          if (!expired && !used) continue
          const again = await horizon.transaction(s.tx_hash!)
          if (again !== null) {
            records.set(s.id, again)
            continue
          }
          dead.set(
            s.id,
            expired
              ? `its time bound passed (ledger ${ledger.sequence} closed at ${ledger.closed_at}) and it is not in the ledger`
              : `sequence ${tx.sequence} was used by another transaction from ${s.source}, and this one is not in the ledger`,
          )
        }
      }
      const chunkPayouts = chunkPayoutIds(ctx, open)
      for (const s of open) {
        out.set(s.id, {
          record: records.get(s.id) ?? null,
          provablyDead: dead.has(s.id),
          deadReason: dead.get(s.id) ?? null,
          payoutIds: chunkPayouts.get(s.id) ?? [],
        } satisfies StellarObservation)
      }
      return out
    },

    classify(submission, observation): Verdict {
      const o = observation as StellarObservation
      if (submission.state === 'confirmed') return { kind: 'unchanged' }
      if (submission.state !== 'signed' && submission.state !== 'broadcast')
        throw new Error(`invariant: classify of a ${submission.state} submission`)
      if (o.record === null) {
        if (o.provablyDead) return { kind: 'dead', reason: o.deadReason ?? 'it can never land', code: 'STELLAR_EXPIRED' }
        // Not in the ledger yet: send the SAME envelope again (Stellar applies it at most once).
        return { kind: 'pending', rebroadcast: true, seenByNetwork: false }
      }
      const feePaid = BigInt(o.record.fee_charged)
      const base = { blockNumber: String(o.record.ledger), blockHash: `ledger:${o.record.ledger}`, feePaid, feeAssetId }
      if (!o.record.successful) {
        const codes = decodeResultCodes(o.record.result_xdr)
        const first = codes.operations.findIndex((c) => c !== 'op_success')
        const tx = readUnsigned(submission, submission.signed_payload)
        const op = first >= 0 ? (tx.operations[first] as { destination?: string; asset?: Asset }) : undefined
        const described =
          first >= 0
            ? describeOperationFailure(codes.operations[first]!, op?.destination ?? 'the payee', op?.asset?.getCode() ?? 'XLM')
            : { code: 'STELLAR_TX_FAILED', sentence: `The transaction failed with ${codes.transaction}.` }
        return {
          kind: 'failed',
          ...base,
          code: described.code,
          reason: `Operation ${first + 1} of ${codes.operations.length}: ${described.sentence} No operation of this transaction was applied; its fee was charged.`,
        }
      }
      return { kind: 'confirmed', ...base, payouts: o.payoutIds.map((payoutId, i) => ({ payoutId, logIndex: i })) }
    },
  }
}

export { HorizonError }
