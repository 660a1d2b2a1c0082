/**
 * What validation reads once per import, and the answers it reuses: the asset registry by rail and
 * network, our own treasury and escrow addresses, and a cache per distinct value a file repeats
 * (rail, network, asset, recipient). A payout list repeats a handful of networks and assets on
 * every row and often the same payees: each distinct value is resolved — and each EVM recipient
 * checksummed (keccak, the costliest check) — once per import instead of once per row.
 *
 * Caches hold at most one entry per distinct value of the file, so they are bounded by
 * rowsParsedMax; the scope lives for one validatePayoutRows call.
 */
import { RAILS, type Rail } from '../../../../shared/blocks'
import type { Asset } from '../../../../shared/ledgerApi'
import type { ParseAmountOptions } from '../../../../shared/money'
import type { CoreContext } from '../../context'
import { listAssets } from '../../ledger/listAssets'
import { assertNever, invariant } from '../../util/invariant'
import { addressKey, checkRecipient, evmAddressCase, type CheckRecipientReturnType } from './checkRecipient'
import { NATIVE_ASSET } from './payoutCsvLayouts'

/** Characters of the look-alike fingerprint taken from each end of an address (after 0x on EVM). */
export const lookAlikeEndChars = 4

const EVM_CONTRACT_RE = /^0x[0-9a-fA-F]{40}$/
const CHAIN_ID_RE = /^[1-9]\d{0,19}$/
/** A network an admin registered assets on (a local "standalone" one), with or without "stellar-". */
const STELLAR_NETWORK_RE = /^(stellar-)?[a-z][a-z0-9-]{0,31}$/
/** How people write Stellar networks in files -> the registry's network. */
const STELLAR_NETWORK_ALIASES: Readonly<Record<string, string>> = {
  'stellar-testnet': 'testnet',
  'stellar-pubnet': 'pubnet',
  testnet: 'testnet',
  pubnet: 'pubnet',
}

/** One asset a file pays in, with what every row of it reuses. */
export interface AssetTarget {
  asset: Asset
  parseOptions: ParseAmountOptions
  /** addressKey of the token contract (EVM) or issuer (Stellar): funds sent there are lost. */
  issuerKey: string | null
}

/** One rail and network of the registry. */
export interface NetworkScope {
  rail: Rail
  network: string
  byCode: Map<string, Asset>
  byContract: Map<string, Asset>
  native: Asset | null
  /** Asset codes registered here, in registry order (for messages). */
  codes: string[]
  /** Our treasury and escrow accounts here: addressKey -> account name. */
  own: Map<string, string>
  /** Asset cell as written -> its target (null: not an asset here). */
  assets: Map<string, AssetTarget | null>
}

/** A recipient cell checked: refused (with the sentence), or the payee it names. */
export type RecipientVerdict = Refused | Payee

type Refused = Extract<CheckRecipientReturnType, { ok: false }>

/**
 * One distinct recipient address of the file: every row and every spelling of it (an EVM address
 * in lower case, upper case or checksummed) share it, so its checksum is worked out once.
 */
export class Payee {
  readonly ok = true
  /** The first payment to it in the file, kept by listImportWarnings (PAYMENT_REPEATED). */
  firstAssetId: string | null = null
  firstAmountMinor = 0n
  firstRow = 0
  /** Its other payments: "assetId amountMinor" -> first row. */
  otherPayments: Map<string, number> | null = null

  constructor(
    /** EIP-55 on EVM; as written on the other rails. */
    readonly canonical: string,
    /** addressKey: what comparisons use. */
    readonly key: string,
    /** Look-alike fingerprint (first and last characters; '' on Stripe, where there is none to fake). */
    readonly print: string,
    /**
     * The canonical form mixes capitals, as a checksummed EVM address does; true on the other
     * rails (nothing to warn about); null until a row needs to know (see noChecksumIn).
     */
    private canonicalMixed: boolean | null,
  ) {}

  /**
   * Is this accepted spelling of the payee one without a checksum (an EVM address all in one
   * case)? A spelling that mixes capitals was accepted only if it is the canonical one.
   */
  noChecksumIn(text: string): boolean {
    if (text !== this.canonical) return true
    this.canonicalMixed ??= evmAddressCase(this.canonical) === 'mixed'
    return !this.canonicalMixed
  }
}

export interface ImportScope {
  /** Registry networks per rail, in registry order. */
  networks: Map<Rail, Map<string, NetworkScope>>
  rails: Map<string, Rail | null>
  networkCells: Map<Rail, Map<string, NetworkScope | null>>
  /** EVM payees by their lower-case address; refused when the address itself is (the zero address). */
  evmPayees: Map<string, RecipientVerdict>
  /** Stellar and Stripe recipients as written: compared exactly, so the cell is the key. */
  otherPayees: Map<Rail, Map<string, RecipientVerdict>>
}

export async function openImportScope(ctx: CoreContext): Promise<ImportScope> {
  const scope: ImportScope = {
    networks: new Map(),
    rails: new Map(),
    networkCells: new Map(),
    evmPayees: new Map(),
    otherPayees: new Map(),
  }
  for (const rail of RAILS) {
    scope.networks.set(rail, new Map())
    scope.networkCells.set(rail, new Map())
    scope.otherPayees.set(rail, new Map())
  }
  for (const a of await listAssets(ctx)) {
    const net = networkScope(scope, a.rail, a.network)
    net.byCode.set(a.code.toUpperCase(), a)
    if (a.issuer === null) {
      if (a.rail === 'evm' || a.rail === 'stellar') net.native = a
    } else if (a.rail === 'evm') net.byContract.set(a.issuer.toLowerCase(), a)
    net.codes.push(a.code)
  }
  for (const own of await loadOwnAddresses(ctx)) {
    const rail = railOf(scope, own.rail)
    if (rail !== null) scope.networks.get(rail)!.get(own.network)?.own.set(addressKey(rail, own.address!), own.name)
  }
  return scope
}

function networkScope(scope: ImportScope, rail: Rail, network: string): NetworkScope {
  const nets = scope.networks.get(rail)!
  let net = nets.get(network)
  if (net === undefined) {
    net = { rail, network, byCode: new Map(), byContract: new Map(), native: null, codes: [], own: new Map(), assets: new Map() }
    nets.set(network, net)
  }
  return net
}

/** The rail a cell names (any case), or null. */
export function railOf(scope: ImportScope, text: string): Rail | null {
  let rail = scope.rails.get(text)
  if (rail === undefined) {
    const lower = text.toLowerCase()
    rail = (RAILS as readonly string[]).includes(lower) ? (lower as Rail) : null
    scope.rails.set(text, rail)
  }
  return rail
}

/** The registry network a cell names on this rail, or null when there is none such. */
export function networkOf(scope: ImportScope, rail: Rail, text: string): NetworkScope | null {
  const cells = scope.networkCells.get(rail)!
  let net = cells.get(text)
  if (net === undefined) {
    const name = normalizeNetwork(rail, text)
    net = name === null ? null : (scope.networks.get(rail)!.get(name) ?? null)
    cells.set(text, net)
  }
  return net
}

function normalizeNetwork(rail: Rail, text: string): string | null {
  const t = text.trim().toLowerCase()
  switch (rail) {
    case 'evm':
      return CHAIN_ID_RE.test(t) ? t : null
    case 'stellar':
      return STELLAR_NETWORK_ALIASES[t] ?? (STELLAR_NETWORK_RE.test(t) ? t.replace(/^stellar-/, '') : null)
    case 'stripe':
      return t === 'stripe' ? t : null
    default:
      return assertNever(rail, 'rail')
  }
}

/** By code ("USDC", any case), by token contract (EVM, any case), or `native`; null when not here. */
export function assetOn(net: NetworkScope, text: string): AssetTarget | null {
  let target = net.assets.get(text)
  if (target === undefined) {
    const asset = resolveAsset(net, text)
    target =
      asset === null
        ? null
        : { asset, parseOptions: { assetLabel: asset.code }, issuerKey: asset.issuer ? addressKey(net.rail, asset.issuer) : null }
    net.assets.set(text, target)
  }
  return target
}

function resolveAsset(net: NetworkScope, text: string): Asset | null {
  if (text === '') return null
  if (text.toLowerCase() === NATIVE_ASSET) return net.native
  if (net.rail === 'evm' && EVM_CONTRACT_RE.test(text)) return net.byContract.get(text.toLowerCase()) ?? null
  return net.byCode.get(text.toUpperCase()) ?? null
}

/**
 * checkRecipient with the costly part done once per distinct address: the EVM checksum (a keccak).
 * Each row's spelling is still checked on its own: a wrong mix of capitals is refused even when
 * another row wrote the same address right. Refusals are not kept; they are rare and say what was written.
 */
export function recipientOf(scope: ImportScope, rail: Rail, text: string): RecipientVerdict {
  if (rail !== 'evm') {
    const seen = scope.otherPayees.get(rail)!
    let verdict = seen.get(text)
    if (verdict === undefined) {
      const check = checkRecipient(rail, text)
      verdict = check.ok ? newPayee(rail, check.canonical, addressKey(rail, check.canonical), true) : check
      seen.set(text, verdict)
    }
    return verdict
  }
  const letters = evmAddressCase(text)
  if (letters === null) return refusal(rail, text)
  // Lower case is the address itself (addressKey); a lower-case cell is its own key, no copy made.
  const key = letters === 'upper' || letters === 'mixed' ? text.toLowerCase() : text
  let payee = scope.evmPayees.get(key)
  if (payee === undefined) {
    const check = checkRecipient(rail, key)
    // A cell written checksummed is the canonical form: keep that string rather than a second copy.
    const asWritten = check.ok && check.canonical === text
    payee = check.ok ? newPayee(rail, asWritten ? text : check.canonical, key, asWritten && letters === 'mixed' ? true : null) : check
    scope.evmPayees.set(key, payee)
  }
  if (!payee.ok) return payee // the address itself is refused, however written
  return letters !== 'mixed' || text === payee.canonical ? payee : refusal(rail, text)
}

/** checkRecipient's sentence for a cell this module already knows it refuses (kept per cell: it quotes it). */
function refusal(rail: Rail, text: string): Refused {
  const check = checkRecipient(rail, text)
  invariant(!check.ok, () => `checkRecipient accepted ${text}, which the import scope refuses`)
  return check
}

function newPayee(rail: Rail, canonical: string, key: string, canonicalMixed: boolean | null): Payee {
  return new Payee(canonical, key, rail === 'stripe' ? '' : fingerprintOfKey(rail, key), canonicalMixed)
}

/** First and last characters of an address, case-insensitive: what a hurried eye compares. */
export function fingerprint(rail: string, address: string): string {
  return fingerprintOfKey(rail, addressKey(rail, address))
}

/** The fingerprint as a map key: both ends joined by a one-byte character (it is never shown). */
function fingerprintOfKey(rail: string, key: string): string {
  const start = rail === 'evm' ? 2 : 0
  return key.slice(start, start + lookAlikeEndChars) + '|' + key.slice(-lookAlikeEndChars)
}

/** Our own addresses: treasury and escrow accounts that carry one. */
async function loadOwnAddresses(ctx: CoreContext) {
  return await ctx.db.all(
    ctx.db.k
      .selectFrom('accounts')
      .innerJoin('assets', 'assets.id', 'accounts.asset_id')
      .select(['accounts.name as name', 'accounts.address as address', 'assets.rail as rail', 'assets.network as network'])
      .where('accounts.kind', 'in', ['treasury', 'escrow'])
      .where('accounts.address', 'is not', null),
  )
}
