/**
 * Totals per asset (and per month, in a payee's history): how many receipts, what was paid, and —
 * only when there is any — what came back (reversed) or was refunded to the payer, and the net the
 * payee kept. Exact amounts, right-aligned; assets are never added together.
 */
import { Table, Text } from '@mantine/core'
import type { ReceiptTotal } from '../../../../shared/receiptsApi'
import { formatCount, networkNameOfAsset } from '../../lib/format'
import { AmountText } from './parts'

type Row = ReceiptTotal & { month?: string }

const isZero = (value: string) => /^0(\.0*)?$/.test(value)

/** "2026-03" -> "March 2026" (UTC months, as the core groups them). */
function monthLabel(month: string): string {
  const d = new Date(`${month}-01T00:00:00Z`)
  return Number.isNaN(d.getTime()) ? month : d.toLocaleString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' })
}

export function TotalsTable({ totals, testId, byMonth }: { totals: readonly Row[]; testId: string; byMonth?: boolean }) {
  const reversed = totals.some((t) => !isZero(t.reversed))
  const refunded = totals.some((t) => !isZero(t.refunded))
  if (totals.length === 0)
    return (
      <Text size="sm" c="dimmed" data-testid={`${testId}-empty`}>
        No receipts match.
      </Text>
    )
  return (
    <Table.ScrollContainer minWidth={byMonth ? 560 : 480} type="native">
      <Table verticalSpacing={6} horizontalSpacing="sm" data-testid={testId}>
        <Table.Thead>
          <Table.Tr>
            {byMonth ? <Table.Th>Month</Table.Th> : null}
            <Table.Th>Asset</Table.Th>
            <Table.Th ta="right">Receipts</Table.Th>
            <Table.Th ta="right">Paid</Table.Th>
            {reversed ? <Table.Th ta="right">Reversed</Table.Th> : null}
            {refunded ? <Table.Th ta="right">Refunded to payer</Table.Th> : null}
            {reversed ? <Table.Th ta="right">Net kept by payee</Table.Th> : null}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {totals.map((t) => (
            <Table.Tr key={`${t.month ?? ''}|${t.assetId}`} data-testid={`${testId}-row`} data-asset={t.assetId}>
              {byMonth ? <Table.Td style={{ whiteSpace: 'nowrap' }}>{monthLabel(t.month ?? '')}</Table.Td> : null}
              <Table.Td>
                <Text size="sm" fw={600} span>
                  {t.code}
                </Text>{' '}
                <Text size="xs" c="dimmed" span title={t.assetId} data-testid={`${testId}-network`}>
                  on {networkNameOfAsset(t.assetId)}
                </Text>
              </Table.Td>
              <Table.Td ta="right">{formatCount(t.count)}</Table.Td>
              <Table.Td ta="right">
                <AmountText value={t.paid} code={t.code} fw={600} testId={`${testId}-paid`} />
              </Table.Td>
              {reversed ? (
                <Table.Td ta="right">
                  <AmountText value={t.reversed} code={t.code} kind="reversal" />
                </Table.Td>
              ) : null}
              {refunded ? (
                <Table.Td ta="right">
                  <AmountText value={t.refunded} code={t.code} kind="escrow_refund" />
                </Table.Td>
              ) : null}
              {reversed ? (
                <Table.Td ta="right">
                  <AmountText value={t.net} code={t.code} fw={600} />
                </Table.Td>
              ) : null}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  )
}
