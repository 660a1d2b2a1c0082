/**
 * New escrow: name, reference, where the money sits (rail, network and asset, from the ledger's
 * assets), the payee, where the money comes from (the treasury, or a customer's charge on Stripe),
 * automatic release, expiry and the milestones with their exact total. The core checks it all
 * again; its sentence (and the fields it names) is shown in the dialog, and nothing typed is lost.
 */
import { Alert, Button, Checkbox, Group, Input, List, Modal, SegmentedControl, Select, SimpleGrid, Stack, TextInput } from '@mantine/core'
import { IconAlertTriangle } from '@tabler/icons-react'
import { useMemo, useState } from 'react'
import type { EscrowCreateInput, EscrowFunding } from '../../../../shared/escrowApi'
import type { Asset } from '../../../../shared/ledgerApi'
import { ESCROW_NAME_CHARS_MAX, PAYEE_NAME_CHARS_MAX, RECIPIENT_CHARS_MAX, REFERENCE_CHARS_MAX } from '../../../../shared/limits'
import { errorItems, errorMessage } from '../../lib/api'
import { createEscrow } from './actions'
import { amountProblem, emptyMilestone, MilestoneRows } from './MilestoneRows'
import { followReviewEnds, fromLocalInput, hoursOf, toLocalInput, type MilestoneDraft } from './milestonePlan'
import { useEscrow } from './store'

const HOUR_MS = 60 * 60 * 1000
/** The expiry a new escrow suggests: this long after the last review ends. */
const EXPIRY_DEFAULT_DAYS_AFTER_LAST_REVIEW = 30
const DAY_MS = 24 * HOUR_MS

/** The next whole hour: where the first review window starts by default. */
function nextHour(): Date {
  return new Date(Math.ceil(Date.now() / HOUR_MS) * HOUR_MS)
}

export function CreateEscrowDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title="New escrow" size={1040} data-testid="escrow-create-dialog">
      {opened ? <CreateEscrowForm onClose={onClose} /> : null}
    </Modal>
  )
}

interface Where {
  rail: string
  network: string
  code: string
}

function AssetFields({ assets, where, onChange }: { assets: Asset[]; where: Where; onChange: (w: Where) => void }) {
  const rails = [...new Set(assets.map((a) => a.rail))]
  const networks = [...new Set(assets.filter((a) => a.rail === where.rail).map((a) => a.network))]
  const codes = assets.filter((a) => a.rail === where.rail && a.network === where.network).map((a) => a.code)
  const first = (rail: string, network?: string) => assets.find((a) => a.rail === rail && (network === undefined || a.network === network))
  return (
    <SimpleGrid cols={3} spacing="md">
      <Select
        label="Rail"
        required
        data={rails}
        value={where.rail || null}
        onChange={(v) => {
          const a = first(v ?? '')
          onChange({ rail: v ?? '', network: a?.network ?? '', code: a?.code ?? '' })
        }}
        allowDeselect={false}
        data-testid="escrow-create-rail"
      />
      <Select
        label="Network"
        required
        data={networks}
        value={where.network || null}
        onChange={(v) => onChange({ ...where, network: v ?? '', code: first(where.rail, v ?? '')?.code ?? '' })}
        allowDeselect={false}
        data-testid="escrow-create-network"
      />
      <Select
        label="Asset"
        required
        data={codes}
        value={where.code || null}
        onChange={(v) => onChange({ ...where, code: v ?? '' })}
        allowDeselect={false}
        data-testid="escrow-create-asset"
      />
    </SimpleGrid>
  )
}

interface Fields {
  name: string
  reference: string
  payee: string
  payeeName: string
  funding: EscrowFunding
  autoRelease: boolean
  expiresAt: string
  expiresEdited: boolean
}

/** The expiry that follows the milestones until typed: the last review end plus EXPIRY_DEFAULT_DAYS_AFTER_LAST_REVIEW. */
function followExpiry(fields: Fields, rows: MilestoneDraft[]): Fields {
  if (fields.expiresEdited) return fields
  const last = fromLocalInput(rows.at(-1)?.reviewEndsAt ?? '')
  return last ? { ...fields, expiresAt: toLocalInput(new Date(Date.parse(last) + EXPIRY_DEFAULT_DAYS_AFTER_LAST_REVIEW * DAY_MS)) } : fields
}

/** What is still missing or wrong before the core is asked, in the form's words; empty when ready. */
function problems(f: Fields, asset: Asset | null, rows: MilestoneDraft[]): string[] {
  const out: string[] = []
  if (!f.name.trim()) out.push('Name the escrow.')
  if (!asset) out.push('Choose the rail, network and asset.')
  if (!f.payee.trim()) out.push('Enter the payee (address or account).')
  if (!fromLocalInput(f.expiresAt)) out.push('Enter when the escrow expires.')
  rows.forEach((r, i) => {
    if (!r.title.trim()) out.push(`Milestone ${i + 1}: enter a title.`)
    if (!r.amount.trim()) out.push(`Milestone ${i + 1}: enter the amount.`)
    else if (amountProblem(r.amount, asset)) out.push(`Milestone ${i + 1}: ${amountProblem(r.amount, asset)}`)
    if (hoursOf(r.reviewWindowHours) === null) out.push(`Milestone ${i + 1}: the review window is whole hours.`)
    if (!fromLocalInput(r.reviewEndsAt)) out.push(`Milestone ${i + 1}: enter when its review ends.`)
  })
  return out
}

function toInput(f: Fields, asset: Asset, rows: MilestoneDraft[]): EscrowCreateInput {
  return {
    name: f.name.trim(),
    ...(f.reference.trim() ? { reference: f.reference.trim() } : {}),
    rail: asset.rail,
    network: asset.network,
    assetId: asset.id,
    payee: f.payee.trim(),
    ...(f.payeeName.trim() ? { payeeName: f.payeeName.trim() } : {}),
    funding: asset.rail === 'stripe' ? f.funding : 'treasury',
    autoRelease: f.autoRelease,
    expiresAt: fromLocalInput(f.expiresAt)!,
    milestones: rows.map((r) => ({
      title: r.title.trim(),
      amount: r.amount.trim(),
      reviewWindowHours: hoursOf(r.reviewWindowHours)!,
      reviewEndsAt: fromLocalInput(r.reviewEndsAt)!,
    })),
  }
}

function CreateEscrowForm({ onClose }: { onClose: () => void }) {
  const assets = useEscrow((s) => s.assets)
  const open = useEscrow((s) => s.open)
  const [start] = useState(nextHour)
  const [where, setWhere] = useState<Where>(() => ({
    rail: assets[0]?.rail ?? '',
    network: assets[0]?.network ?? '',
    code: assets[0]?.code ?? '',
  }))
  const [rows, setRowsRaw] = useState<MilestoneDraft[]>(() => followReviewEnds([emptyMilestone()], start))
  const [fields, setFieldsRaw] = useState<Fields>(() =>
    followExpiry(
      { name: '', reference: '', payee: '', payeeName: '', funding: 'treasury', autoRelease: true, expiresAt: '', expiresEdited: false },
      rows,
    ),
  )
  const [shown, setShown] = useState<string[]>([])
  const [failure, setFailure] = useState<{ message: string; items: string[] } | null>(null)
  const [busy, setBusy] = useState(false)
  const asset = useMemo(
    () => assets.find((a) => a.rail === where.rail && a.network === where.network && a.code === where.code) ?? null,
    [assets, where],
  )

  const setRows = (next: MilestoneDraft[]) => {
    const followed = followReviewEnds(next, start)
    setRowsRaw(followed)
    setFieldsRaw((f) => followExpiry(f, followed))
  }
  const setField = <K extends keyof Fields>(key: K, value: Fields[K]) => setFieldsRaw((f) => ({ ...f, [key]: value }))

  async function onCreate() {
    const missing = problems(fields, asset, rows)
    setShown(missing)
    setFailure(null)
    if (missing.length > 0 || !asset) return
    setBusy(true)
    try {
      const detail = await createEscrow(toInput(fields, asset, rows))
      onClose()
      open(detail.escrow.id)
    } catch (error) {
      setFailure({ message: errorMessage(error), items: errorItems(error) })
    } finally {
      setBusy(false)
    }
  }

  return (
    <Stack gap="md" data-testid="escrow-create-form">
      <SimpleGrid cols={2} spacing="md">
        <TextInput
          label="Name"
          required
          placeholder="Website redesign — Acme"
          value={fields.name}
          maxLength={ESCROW_NAME_CHARS_MAX}
          onChange={(e) => setField('name', e.currentTarget.value)}
          data-testid="escrow-create-name"
        />
        <TextInput
          label="Reference"
          placeholder="PO-2026-014"
          value={fields.reference}
          maxLength={REFERENCE_CHARS_MAX}
          onChange={(e) => setField('reference', e.currentTarget.value)}
          data-testid="escrow-create-reference"
        />
      </SimpleGrid>
      <AssetFields assets={assets} where={where} onChange={setWhere} />
      <SimpleGrid cols={2} spacing="md">
        <TextInput
          label="Payee"
          required
          placeholder={where.rail === 'stripe' ? 'acct_… connected account' : 'address'}
          value={fields.payee}
          maxLength={RECIPIENT_CHARS_MAX}
          ff="monospace"
          onChange={(e) => setField('payee', e.currentTarget.value)}
          data-testid="escrow-create-payee"
        />
        <TextInput
          label="Payee name"
          placeholder="Acme Supplies"
          value={fields.payeeName}
          maxLength={PAYEE_NAME_CHARS_MAX}
          onChange={(e) => setField('payeeName', e.currentTarget.value)}
          data-testid="escrow-create-payee-name"
        />
      </SimpleGrid>
      <FundingFields fields={fields} rail={where.rail} setField={setField} />
      <MilestoneRows rows={rows} asset={asset} onChange={setRows} />
      {shown.length > 0 || failure ? (
        <Alert
          color="red"
          variant="light"
          icon={<IconAlertTriangle />}
          title={failure?.message ?? 'Not ready yet'}
          data-testid="escrow-create-error"
        >
          <List size="sm" spacing={2}>
            {[...shown, ...(failure?.items ?? [])].map((p, i) => (
              <List.Item key={i}>{p}</List.Item>
            ))}
          </List>
        </Alert>
      ) : null}
      <Group justify="flex-end" gap="xs">
        <Button variant="default" onClick={onClose} data-testid="escrow-create-cancel">
          Cancel
        </Button>
        <Button onClick={() => void onCreate()} loading={busy} data-testid="escrow-create-submit">
          Create escrow
        </Button>
      </Group>
    </Stack>
  )
}

function FundingFields({
  fields,
  rail,
  setField,
}: {
  fields: Fields
  rail: string
  setField: <K extends keyof Fields>(key: K, value: Fields[K]) => void
}) {
  const stripe = rail === 'stripe'
  return (
    <SimpleGrid cols={2} spacing="md">
      <Input.Wrapper
        label="Funding"
        description={
          stripe
            ? 'A customer charge funds the escrow with the customer’s payment.'
            : 'Only Stripe escrows can be funded by a customer charge.'
        }
        inputWrapperOrder={['label', 'input', 'description']}
      >
        <SegmentedControl
          fullWidth
          size="xs"
          value={stripe ? fields.funding : 'treasury'}
          onChange={(v) => setField('funding', v as EscrowFunding)}
          data={[
            { value: 'treasury', label: 'From the treasury' },
            { value: 'charge', label: 'Customer charge (Stripe)', disabled: !stripe },
          ]}
          data-testid="escrow-create-funding"
        />
      </Input.Wrapper>
      <TextInput
        type="datetime-local"
        label="Expires at"
        required
        description="After this, unreleased milestones may go back to the payer without a dispute."
        value={fields.expiresAt}
        onChange={(e) => {
          setField('expiresAt', e.currentTarget.value)
          setField('expiresEdited', true)
        }}
        data-testid="escrow-create-expires"
      />
      <Checkbox
        label="Release each milestone automatically when its review window ends without a dispute"
        description="Approving the funding also approves these automatic releases: no one approves them again when they happen."
        checked={fields.autoRelease}
        onChange={(e) => setField('autoRelease', e.currentTarget.checked)}
        data-testid="escrow-create-auto-release"
        style={{ gridColumn: '1 / -1' }}
      />
    </SimpleGrid>
  )
}
