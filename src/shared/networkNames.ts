/**
 * Networks by the names people use: "Base", "Ethereum", "Stellar testnet", "Local Anvil",
 * "Stripe" instead of the engine's keys (`evm:8453`, `stellar:testnet`, `stripe`). One table for
 * the app and the CLI's human output; machine output (--json, exports) keeps the keys.
 */

/** EVM chains by chain id. An unknown chain reads "EVM chain 1234" (its id stays visible). */
const EVM_CHAIN_NAMES: Readonly<Record<string, string>> = {
  '1': 'Ethereum',
  '10': 'Optimism',
  '137': 'Polygon',
  '8453': 'Base',
  '42161': 'Arbitrum',
  '84532': 'Base Sepolia',
  '11155111': 'Ethereum Sepolia',
  '31337': 'Local Anvil',
}

const STELLAR_NETWORK_NAMES: Readonly<Record<string, string>> = {
  pubnet: 'Stellar',
  public: 'Stellar',
  testnet: 'Stellar testnet',
  futurenet: 'Stellar futurenet',
  standalone: 'Local Stellar',
  local: 'Local Stellar',
}

/** The engine's key for a network: "evm:31337", "stellar:testnet", "stripe" (a rail with one network). */
export function networkKey(rail: string, network: string): string {
  return network === rail || network === '' ? rail : `${rail}:${network}`
}

/** A network as people name it: ('evm', '8453') → "Base"; ('stellar', 'testnet') → "Stellar testnet". */
export function networkName(rail: string, network: string): string {
  if (rail === 'evm') return EVM_CHAIN_NAMES[network] ?? `EVM chain ${network}`
  if (rail === 'stellar') return STELLAR_NETWORK_NAMES[network] ?? `Stellar ${network}`
  if (rail === 'stripe') return network === 'stripe' || network === '' ? 'Stripe' : `Stripe ${network}`
  return networkKey(rail, network)
}

/** The same name from a key: "evm:31337" → "Local Anvil"; "stripe" → "Stripe". Unknown text comes back as it was. */
export function networkNameOfKey(key: string): string {
  const at = key.indexOf(':')
  if (at < 0) return key === 'stripe' ? 'Stripe' : key
  return networkName(key.slice(0, at), key.slice(at + 1))
}

/** The rails setting's networks, in the shape of `networksConfigured`'s input (src/shared/payoutsApi.ts RailsConfigSetting). */
export interface RailsNetworks {
  evm?: { chains: readonly { chainId: number | string }[] } | undefined
  stellar?: { networks: readonly { network: string }[] } | undefined
  stripe?: unknown
}

/**
 * `rail:network` of every network the workspace's rails setting sets up, in the setting's order
 * ("evm:31337", "stellar:testnet", "stripe:stripe"): the importer's NETWORK_NOT_SET_UP warning and
 * the Add-payout form's default read the same list.
 */
export function networksConfigured(rails: RailsNetworks): string[] {
  const out: string[] = []
  for (const c of rails.evm?.chains ?? []) out.push(`evm:${c.chainId}`)
  for (const n of rails.stellar?.networks ?? []) out.push(`stellar:${n.network}`)
  if (rails.stripe) out.push('stripe:stripe')
  return out
}

/** The network of an asset id, as people name it: "USDC@evm:8453" → "Base"; "USD@stripe" → "Stripe". */
export function networkNameOfAsset(assetId: string): string {
  const at = assetId.lastIndexOf('@')
  if (at < 0) return assetId
  const [rail = '', network] = assetId.slice(at + 1).split(':')
  return networkName(rail, network ?? rail)
}
