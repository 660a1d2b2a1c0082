/**
 * One EVM chain's records of its treasury address, as statement lines. The only pull that needs
 * the network: the rail's reader (rails/evm/readEvmTreasuryRecords.ts) reads from a cursor kept
 * in `meta` (last block read, its hash, the chain's genesis), at most EVM_BLOCKS_PER_PULL_MAX
 * blocks a pull, and the cursor moves in the same transaction as the lines it read. A chain that
 * restarted (the sandbox's Anvil without its state) is read again from block 0; the external keys
 * keep anything seen before from being stored twice.
 *
 *   evm:<chainId>:<tx hash>:<log index>   an ERC-20 Transfer from or to the treasury (the log's own
 *       index), amount signed from the treasury's side, counterparty = the other address. A
 *       payout through CountersignBatch: structured_ref = "<tx hash>:<Paid log index>" — the
 *       txHash + logIndex its booking records (the engine books the Paid event, not the
 *       Transfer) — and end_to_end_id = the payout id. Anything else: structured_ref =
 *       "<tx hash>:<Transfer log index>".
 *   evm:<chainId>:<tx hash>:<Paid log index>   a native payout (payNative), in ETH, keyed the same.
 *   evm:<chainId>:<tx hash>:gas   the gas of a transaction the treasury sent, negative ETH,
 *       bank_ref = the tx hash alone: the key of the ledger's fee entry (metadata txHash). An
 *       escrow transaction's gas line also names the escrow transaction (customer_ref = txId).
 *
 * The bare tx hash is only on the gas line, so a transfer is never a candidate of the fee posting.
 */
import { getAddress, type Address } from 'viem'
import type { CoreContext } from '../../context'
import { assetIdFor } from '../../ledger/ids'
import type { EvmChainConfig } from '../../rails/evm/evmRailConfig'
import {
  readEvmPullWindow,
  readEvmTreasuryRecords,
  type EvmPullCursor,
  type EvmTreasuryRecords,
} from '../../rails/evm/readEvmTreasuryRecords'
import { payoutsOfTransactions, treasuryLinkOf, utcDate } from './railRecordFacts'
import type { RailRecordsRead } from './pullStripeRecords'
import type { RailAccount, RailLine } from './storeRailLines'

/** Blocks one pull reads: bounds each eth_getLogs range (many public nodes refuse more than a few thousand). */
export const EVM_BLOCKS_PER_PULL_MAX = 5_000n
/** A chain no longer than this (a sandbox, a devnet) is read from its genesis on the first pull. */
export const EVM_YOUNG_CHAIN_BLOCKS_MAX = 100_000n
/** After a reorg at the cursor, blocks read again before it (the engine watches confirmations for reorgs as deep). */
export const EVM_REORG_STEP_BACK_BLOCKS = 64n

export interface EvmRecordsRead extends RailRecordsRead {
  /** The cursor to store with the lines (null: nothing was read, keep the old one). */
  cursor: EvmPullCursor | null
  /** The cursor's meta key. */
  cursorKey: string
}

interface EvmAsset {
  id: string
  code: string
  scale: number
  token: Address | null
}

export function evmCursorKey(chain: EvmChainConfig): string {
  return `recon.pull.evm:${chain.chainId}:${chain.source.address.toLowerCase()}`
}

export async function readEvmCursor(ctx: CoreContext, key: string): Promise<EvmPullCursor | null> {
  const row = await ctx.db.first(ctx.db.k.selectFrom('meta').select('value').where('key', '=', key))
  if (!row) return null
  const v = JSON.parse(row.value) as { block: string; hash: string; genesis: string }
  return { block: BigInt(v.block), hash: v.hash, genesis: v.genesis }
}

/** Inside the caller's transaction, with the lines the cursor covers. */
export async function writeEvmCursor(ctx: CoreContext, key: string, cursor: EvmPullCursor): Promise<void> {
  const value = JSON.stringify({ block: cursor.block.toString(), hash: cursor.hash, genesis: cursor.genesis })
  await ctx.db.run(
    ctx.db.k
      .insertInto('meta')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value })),
  )
}

export async function readEvmRecords(ctx: CoreContext, chain: EvmChainConfig): Promise<EvmRecordsRead> {
  const network = String(chain.chainId)
  const treasury = getAddress(chain.source.address)
  const batchContract = getAddress(chain.batchContract)
  const cursorKey = evmCursorKey(chain)
  const cursor = await readEvmCursor(ctx, cursorKey)
  const window = await readEvmPullWindow({
    url: chain.rpcUrl,
    cursor,
    startBlock: cursor === null ? await firstOwnBlock(ctx, network, treasury) : null,
    youngChainBlocksMax: EVM_YOUNG_CHAIN_BLOCKS_MAX,
    confirmationsMin: BigInt(chain.confirmationsMin),
    blocksPerPullMax: EVM_BLOCKS_PER_PULL_MAX,
    reorgStepBackBlocks: EVM_REORG_STEP_BACK_BLOCKS,
  })
  if (window.from > window.to) return { records: 0, lines: [], cursor: null, cursorKey }
  const assets = await evmAssets(ctx, network)
  const tokens = assets.filter((a) => a.token !== null).map((a) => a.token!)
  const own = await ownTransactions(ctx, network, treasury, window.from, window.to)
  const read = await readEvmTreasuryRecords({
    url: chain.rpcUrl,
    treasury,
    batchContract,
    tokens,
    from: window.from,
    to: window.to,
    ownTxHashes: [...own.keys()],
  })
  const lines = await linesOf(ctx, network, treasury, assets, own, read)
  return {
    records: read.transfers.length + read.nativePayouts.length + read.gas.length,
    lines,
    cursor: { block: read.to, hash: read.toHash, genesis: window.genesis },
    cursorKey,
  }
}

async function linesOf(
  ctx: CoreContext,
  network: string,
  treasury: Address,
  assets: readonly EvmAsset[],
  own: ReadonlyMap<string, string | null>,
  read: EvmTreasuryRecords,
): Promise<RailLine[]> {
  const accountOf = accountsFor(ctx, network, treasury)
  const byToken = new Map(assets.filter((a) => a.token !== null).map((a) => [a.token!, a]))
  // Gas is paid in the chain's fee asset (evmRailSetup.ts: ETH@evm:<chainId>).
  const eth = assets.find((a) => a.id === assetIdFor('ETH', 'evm', network))
  const payouts = await payoutsOfTransactions(ctx, 'evm', network, 'tx_hash', [
    ...read.transfers.filter((t) => t.paid !== null).map((t) => t.txHash),
    ...read.nativePayouts.map((n) => n.txHash),
  ])
  const payoutOf = (txHash: string, index: bigint): string | null => payouts.get(txHash.toLowerCase())?.[Number(index)] ?? null
  const lines: RailLine[] = []
  for (const t of read.transfers) {
    const asset = byToken.get(t.token)
    if (!asset) continue
    const out = t.from === treasury
    if (out === (t.to === treasury) || t.amount === 0n) continue
    lines.push({
      externalKey: `evm:${network}:${t.txHash}:${t.logIndex}`,
      account: await accountOf(asset),
      bookingDate: utcDate(t.timestamp),
      amount: out ? -t.amount : t.amount,
      bankRef: `${t.txHash}:${t.logIndex}`,
      endToEndId: t.paid ? payoutOf(t.txHash, t.paid.index) : null,
      customerRef: null,
      structuredRef: `${t.txHash}:${t.paid ? t.paid.logIndex : t.logIndex}`,
      counterpartyAccount: (out ? t.to : t.from).toLowerCase(),
      remittance: `${asset.code} transfer ${out ? 'out' : 'in'}`,
      typeCode: t.paid ? 'payout' : 'transfer',
      location: `block ${t.blockNumber}, tx ${t.txHash}, log ${t.logIndex}`,
    })
  }
  if (eth) {
    for (const n of read.nativePayouts) {
      lines.push({
        externalKey: `evm:${network}:${n.txHash}:${n.logIndex}`,
        account: await accountOf(eth),
        bookingDate: utcDate(n.timestamp),
        amount: -n.amount,
        bankRef: `${n.txHash}:${n.logIndex}`,
        endToEndId: payoutOf(n.txHash, n.index),
        customerRef: null,
        structuredRef: `${n.txHash}:${n.logIndex}`,
        counterpartyAccount: n.to.toLowerCase(),
        remittance: `${eth.code} payout`,
        typeCode: 'payout',
        location: `block ${n.blockNumber}, tx ${n.txHash}, log ${n.logIndex}`,
      })
    }
    for (const g of read.gas) {
      if (g.fee === 0n) continue
      lines.push({
        externalKey: `evm:${network}:${g.txHash}:gas`,
        account: await accountOf(eth),
        bookingDate: utcDate(g.timestamp),
        amount: -g.fee,
        bankRef: g.txHash,
        endToEndId: null,
        customerRef: own.get(g.txHash.toLowerCase()) ?? null,
        structuredRef: null,
        counterpartyAccount: null,
        remittance: g.reverted ? 'Gas (transaction reverted)' : 'Gas',
        typeCode: 'gas',
        location: `block ${g.blockNumber}, tx ${g.txHash}`,
      })
    }
  }
  return lines
}

/** The ledger's assets on this chain: ERC-20 tokens (issuer = the contract) and the native coin. */
async function evmAssets(ctx: CoreContext, network: string): Promise<EvmAsset[]> {
  const rows = await ctx.db.all(
    ctx.db.k
      .selectFrom('assets')
      .select(['id', 'code', 'scale', 'issuer'])
      .where('rail', '=', 'evm')
      .where('network', '=', network)
      .orderBy('id'),
  )
  return rows.map((a) => ({
    id: a.id,
    code: a.code.toUpperCase(),
    scale: Number(a.scale),
    token: a.issuer === null ? null : getAddress(a.issuer),
  }))
}

/**
 * The treasury's own transactions that landed in the window (payout submissions and escrow
 * transactions, confirmed or reverted), by lower-case hash → the escrow transaction id (null for
 * a payout submission). Read even when they moved no token: a reverted one still paid gas.
 */
async function ownTransactions(
  ctx: CoreContext,
  network: string,
  treasury: Address,
  from: bigint,
  to: bigint,
): Promise<Map<string, string | null>> {
  const { db } = ctx
  const out = new Map<string, string | null>()
  const inWindow = { from: Number(from), to: Number(to) }
  for (const table of ['submissions', 'escrow_txs'] as const) {
    const rows = await db.all(
      db.k
        .selectFrom(table)
        .select(['id', 'tx_hash', 'source'])
        .where('rail', '=', 'evm')
        .where('network', '=', network)
        .where('state', 'in', ['confirmed', 'failed'])
        .where('tx_hash', 'is not', null)
        .where((eb) => eb(eb.cast('block_number', 'bigint'), '>=', inWindow.from))
        .where((eb) => eb(eb.cast('block_number', 'bigint'), '<=', inWindow.to)),
    )
    for (const r of rows) {
      if (r.source.toLowerCase() !== treasury.toLowerCase()) continue
      out.set(r.tx_hash!.toLowerCase(), table === 'escrow_txs' ? r.id : null)
    }
  }
  return out
}

/** Without a cursor on a long chain: the first block any of our transactions landed in (null: none yet, read the latest blocks). */
async function firstOwnBlock(ctx: CoreContext, network: string, treasury: Address): Promise<bigint | null> {
  const { db } = ctx
  let first: bigint | null = null
  for (const table of ['submissions', 'escrow_txs'] as const) {
    const row = await db.first(
      db.k
        .selectFrom(table)
        .select((eb) => eb.fn.min(eb.cast<number>('block_number', 'bigint')).as('first'))
        .where('rail', '=', 'evm')
        .where('network', '=', network)
        .where('state', 'in', ['confirmed', 'failed'])
        .where((eb) => eb(eb.fn('lower', ['source']), '=', treasury.toLowerCase())),
    )
    const n = row?.first
    if (n !== null && n !== undefined && (first === null || BigInt(n) < first)) first = BigInt(n)
  }
  return first
}

function accountsFor(ctx: CoreContext, network: string, treasury: Address): (asset: EvmAsset) => Promise<RailAccount> {
  const made = new Map<string, RailAccount>()
  return async (asset) => {
    const known = made.get(asset.id)
    if (known) return known
    const account: RailAccount = {
      externalId: `evm:${network}:${treasury.toLowerCase()}`,
      currency: asset.code,
      scale: asset.scale,
      name: `Treasury ${treasury.slice(0, 8)}… on chain ${network} (${asset.code})`,
      ledgerAccountId: await treasuryLinkOf(ctx, asset.id, treasury),
    }
    made.set(asset.id, account)
    return account
  }
}
