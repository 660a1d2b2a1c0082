/**
 * The rail's own id for a payment, the same way in every view: an EVM or Stellar transaction hash
 * (linked to the block explorer when the network has one) or a Stripe transfer id (tr_…), never
 * our request key. Shortened in the middle with the whole id on hover, and a copy button that
 * copies the whole id.
 */
import { CopyIcon } from './CopyIcon'
import { Anchor, Group, Text } from '@mantine/core'
import { middleEllipsis } from '../lib/format'

/** How long "Copied" shows after a copy. */
/** Characters of the id shown in tables: enough to tell two apart and find one in an explorer. */
export const RAIL_REFERENCE_CHARS = 15

/** What the id is, for the copy button's name and the hover. */
export function railReferenceKind(rail: string, reference: string): string {
  if (rail === 'stripe') return reference.startsWith('tr_') ? 'Stripe transfer id' : 'Stripe id'
  if (rail === 'stellar') return 'Stellar transaction hash'
  return 'transaction hash'
}

export function RailReference({
  rail,
  reference,
  url,
  chars = RAIL_REFERENCE_CHARS,
  size = 'sm',
  testId = 'rail-reference',
}: {
  rail: string
  reference: string
  /** Explorer (or dashboard) link; null on local chains. */
  url: string | null
  /** Characters shown; the whole id is on hover and copy. Infinity shows it whole. */
  chars?: number
  size?: 'xs' | 'sm'
  testId?: string
}) {
  const kind = railReferenceKind(rail, reference)
  const shown = Number.isFinite(chars) ? middleEllipsis(reference, chars) : reference
  const title = `${kind}: ${reference}`
  return (
    <Group gap={2} wrap="nowrap" style={{ minWidth: 0 }} data-testid={testId} data-reference={reference}>
      {url ? (
        <Anchor
          href={url}
          target="_blank"
          rel="noreferrer"
          size={size}
          ff="monospace"
          title={title}
          data-testid={`${testId}-link`}
          style={{ whiteSpace: 'nowrap' }}
        >
          {shown}
        </Anchor>
      ) : (
        <Text span size={size} ff="monospace" title={title} data-testid={`${testId}-text`} style={{ whiteSpace: 'nowrap' }}>
          {shown}
        </Text>
      )}
      <CopyIcon value={reference} label={kind} testId={`${testId}-copy`} />
    </Group>
  )
}
