/**
 * What a payout CSV may look like: the payout fields every layout maps onto, the columns of our own
 * layout and of the Safe{Wallet} CSV-airdrop one, the column each field is read from (so a message
 * names the column the person sees), and the raw row both layouts become. Data only: the readers
 * are tokenizeCsv, detectCsvLayout and readSafeAirdropRow; validatePayoutRows gives rows meaning.
 */

/** The payout fields every layout maps onto, in our layout's column order. */
export const PAYOUT_FIELDS = ['id', 'rail', 'network', 'asset', 'recipient', 'amount', 'memo', 'reference', 'name'] as const
export type PayoutField = (typeof PAYOUT_FIELDS)[number]
/** Columns our layout cannot do without: a row lacking one of them cannot be read. */
export const REQUIRED_FIELDS: readonly PayoutField[] = ['id', 'rail', 'network', 'asset', 'recipient', 'amount']

/**
 * Safe{Wallet} "CSV Airdrop" app layout. Its `id` is the NFT token id (empty for native and ERC-20
 * rows); we read a non-empty one as the payout id, and otherwise derive one (readSafeAirdropRow).
 */
export const SAFE_COLUMNS = ['token_type', 'token_address', 'receiver', 'amount', 'id'] as const
export const SAFE_REQUIRED: readonly string[] = ['token_type', 'receiver', 'amount']

export type CsvLayout = 'countersign' | 'safe-airdrop'

/** The column each field is read from, per layout, for messages ("Row 4, receiver: …"). */
export const FIELD_LABELS: Readonly<Record<CsvLayout, Readonly<Record<PayoutField, string>>>> = {
  countersign: {
    id: 'id',
    rail: 'rail',
    network: 'network',
    asset: 'asset',
    recipient: 'recipient',
    amount: 'amount',
    memo: 'memo',
    reference: 'reference',
    name: 'name',
  },
  'safe-airdrop': {
    id: 'id',
    rail: 'token_type',
    network: 'network',
    asset: 'token_address',
    recipient: 'receiver',
    amount: 'amount',
    memo: 'memo',
    reference: 'reference',
    name: 'name',
  },
}

/** Asset value meaning "the network's native coin" (Safe `token_type` native; also accepted in our layout). */
export const NATIVE_ASSET = 'native'

export interface RawRow {
  /** Spreadsheet row (header = row 1). */
  row: number
  layout: CsvLayout
  id: string
  rail: string
  network: string
  /** Asset code ("USDC"), an EVM token contract address, or NATIVE_ASSET. */
  asset: string
  recipient: string
  amount: string
  /** '' when the column is absent or the cell empty. */
  memo: string
  reference: string
  name: string
  /** The id was derived from the row (Safe layout without ids), not given by the user. */
  idDerived: boolean
}
