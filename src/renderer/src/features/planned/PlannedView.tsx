import { Badge, Card, List, Stack, Text, ThemeIcon, Title } from '@mantine/core'
import { IconLock, IconReceipt2, IconSend, type Icon } from '@tabler/icons-react'
import type { ViewId } from '../nav/store'

type PlannedId = Extract<ViewId, 'payouts' | 'escrow' | 'receipts'>

interface Plan {
  title: string
  icon: Icon
  summary: string
  points: string[]
}

const PLANS: Record<PlannedId, Plan> = {
  payouts: {
    title: 'Payouts',
    icon: IconSend,
    summary: 'Where payout batches are prepared, approved, signed and executed.',
    points: [
      'Import a batch from CSV or build it here; every row is checked (amounts exact to the asset’s decimals) before anything is signed.',
      'A second person approves it — whoever prepared or edited a batch cannot approve it.',
      'Sign on a Ledger (or export unsigned and import signed), then execute on EVM, Stellar or Stripe, exactly once.',
      'Follow each payout from planned to confirmed.',
    ],
  },
  escrow: {
    title: 'Escrow',
    icon: IconLock,
    summary: 'Where funds set aside for payouts awaiting release are tracked.',
    points: [
      'Holds (two-phase transfers) with their amount, expiry and state: pending, posted, voided or expired.',
      'Release or void a hold, with the approvals your policy requires.',
    ],
  },
  receipts: {
    title: 'Receipts',
    icon: IconReceipt2,
    summary: 'Where every confirmed payout gets its receipt.',
    points: ['A receipt per confirmed payout, with its on-chain or Stripe reference.', 'Export as PDF or CSV for payees and auditors.'],
  },
}

/** A view that is not built yet says what it will hold — no sample data that could be mistaken for real. */
export function PlannedView({ view }: { view: PlannedId }) {
  const plan = PLANS[view]
  return (
    <Stack gap="lg" maw={760} data-testid={`planned-${view}`}>
      <Title order={2} data-testid="view-title">
        {plan.title}
      </Title>
      <Card withBorder padding="xl">
        <Stack gap="md">
          <ThemeIcon size={48} radius="md" variant="light" color="gray">
            <plan.icon size={26} stroke={1.5} />
          </ThemeIcon>
          <Badge variant="light" color="indigo" w="fit-content" data-testid="planned-badge">
            Coming in a later release
          </Badge>
          <Text fw={600}>{plan.summary}</Text>
          <List spacing={6} size="sm">
            {plan.points.map((p) => (
              <List.Item key={p}>{p}</List.Item>
            ))}
          </List>
          <Text size="sm" c="dimmed">
            Nothing is shown here yet, on purpose: this release has the ledger, the dashboard and the audit log. Balances and every change
            made are live in Dashboard and Audit.
          </Text>
        </Stack>
      </Card>
    </Stack>
  )
}
