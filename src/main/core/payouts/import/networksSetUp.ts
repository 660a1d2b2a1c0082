/**
 * Which rails and networks this workspace can pay on (settings key 'rails'), for the importer's
 * NETWORK_NOT_SET_UP warning: a row on a network nobody set up imports fine but cannot be paid,
 * and the person should learn that next to the row, not at Submit.
 */
import type { Rail } from '../../../../shared/blocks'
import type { CoreContext } from '../../context'
import { getRailsSetting } from '../../rails/getRailsSetting'
import { networksConfigured } from '../../../../shared/networkNames'

/** Chain names a finance person knows, by chain id; any other chain is "chain N". */
const EVM_CHAIN_NAMES: Readonly<Record<string, string>> = {
  '1': 'Ethereum',
  '10': 'Optimism',
  '137': 'Polygon',
  '8453': 'Base',
  '42161': 'Arbitrum One',
  '84532': 'Base Sepolia',
  '11155111': 'Sepolia',
}

/** "Base", "chain 31337", "Stellar pubnet", "Stripe". */
export function networkTitle(rail: Rail, network: string): string {
  if (rail === 'evm') return EVM_CHAIN_NAMES[network] ?? `chain ${network}`
  if (rail === 'stellar') return `Stellar ${network}`
  return 'Stripe'
}

/** `rail:network` of every network the rails setting configures. */
export async function networksSetUp(ctx: CoreContext): Promise<ReadonlySet<string>> {
  const { rails } = await getRailsSetting(ctx)
  return new Set(networksConfigured(rails))
}

/** The warning's sentence, without its place: says what to do in the app, never in the CLI. */
export function notSetUpSentence(rail: Rail, network: string): string {
  const title = networkTitle(rail, network)
  return `${title} is not set up in this workspace, so this row cannot be paid — ask an admin to set up ${title} for payouts, or remove the row before you submit.`
}
