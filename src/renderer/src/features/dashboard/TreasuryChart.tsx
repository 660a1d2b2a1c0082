import { BarChart } from '@mantine/charts'
import { Card, Stack, Text, Title } from '@mantine/core'
import type { AssetSummary } from '../../../../shared/ledgerApi'
import { networkName, shareBasisPoints, toMinor } from '../../lib/format'

/** Bar height per asset row, px. */
const BAR_ROW_PX = 44
const CHART_PADDING_PX = 70

/**
 * What each asset's treasury is made of, as shares. Assets are in different units (and may be
 * 20 orders of magnitude apart), so bars of raw amounts would compare nothing; proportions are
 * computed exactly in bigint and only rounded to 0.01 % for drawing.
 */
export function TreasuryChart({ summary }: { summary: AssetSummary[] }) {
  const data = summary.map((s) => {
    const treasury = toMinor(s.treasury, s.scale) ?? 0n
    const available = toMinor(s.treasuryAvailable, s.scale) ?? 0n
    const escrow = toMinor(s.escrow, s.scale) ?? 0n
    const [a = 0, e = 0, h = 0] = shareBasisPoints([available, escrow, treasury - available])
    return { asset: `${s.assetCode} · ${networkName(s.rail, s.network)}`, Available: a / 100, 'In escrow': e / 100, 'On hold': h / 100 }
  })
  return (
    <Card withBorder padding="lg" data-testid="treasury-chart">
      <Stack gap="xs">
        <Title order={4}>Treasury composition per asset</Title>
        <Text size="xs" c="dimmed" data-testid="treasury-chart-note">
          Proportional view, rounded to 0.01 % — each bar is one asset&apos;s treasury plus escrow, split into what is available, in escrow,
          and on hold for pending payouts. Assets are not comparable with each other here; the exact amounts are in the cards above and the
          table below.
        </Text>
        <BarChart
          h={data.length * BAR_ROW_PX + CHART_PADDING_PX}
          data={data}
          dataKey="asset"
          type="stacked"
          orientation="vertical"
          series={[
            { name: 'Available', color: 'teal.6' },
            { name: 'In escrow', color: 'indigo.5' },
            { name: 'On hold', color: 'yellow.6' },
          ]}
          withLegend
          legendProps={{ verticalAlign: 'bottom' }}
          valueFormatter={(v) => `${v.toFixed(2)} %`}
          xAxisProps={{ domain: [0, 100], ticks: [0, 25, 50, 75, 100], tickFormatter: (v: number) => `${v} %` }}
          yAxisProps={{ width: 150 }}
          gridAxis="x"
          maxBarWidth={26}
        />
      </Stack>
    </Card>
  )
}
