/**
 * Add a payout to a draft batch, or change one. A refusal is shown under the field it concerns:
 * the field comes from the error's structured details (PAYOUT_INVALID's rows, INVALID_INPUT's
 * paths), never from the wording of its sentence.
 */
import { Alert, Button, Card, Group, Select, SimpleGrid, Stack, TextInput, Title } from '@mantine/core'
import { IconAlertTriangle } from '@tabler/icons-react'
import { useEffect, useMemo, useRef, useState } from 'react'
import type { Asset } from '../../../../shared/ledgerApi'
import { parseAmount } from '../../../../shared/money'
import { MEMO_CHARS_MAX, PAYEE_NAME_CHARS_MAX, RECIPIENT_CHARS_MAX, REFERENCE_CHARS_MAX } from '../../../../shared/limits'
import type { Payout, PayoutRowInput, PayoutRowPatch } from '../../../../shared/payoutsApi'
import { networksConfigured } from '../../../../shared/networkNames'
import { detailsOf, errorMessage, invoke } from '../../lib/api'
import { displayMinDecimals, networkLabel, networkName } from '../../lib/format'
import { addRow, updateRow } from './actions'

type Field = 'recipient' | 'amount' | 'asset' | 'network' | 'memo' | 'reference' | 'name'
type Errors = Partial<Record<Field | 'form', string>>

const FIELDS: ReadonlySet<string> = new Set<Field>(['recipient', 'amount', 'asset', 'network', 'memo', 'reference', 'name'])

/** A field or column name of the core -> the form's field; assetId (and the rail) is the asset + network pair. */
function formField(name: string | null | undefined): Field | null {
  if (name === undefined || name === null) return null
  if (name === 'assetId' || name === 'rail') return 'asset'
  return FIELDS.has(name) ? (name as Field) : null
}

/** The field a refusal concerns, from its details: the first refused row's column, or the last segment of a refused input's path. */
export function fieldOfError(error: unknown): Field | null {
  const rows = detailsOf(error, 'PAYOUT_INVALID')
  if (rows) return formField(rows.issues[0]?.column)
  const input = detailsOf(error, 'INVALID_INPUT')
  if (input) return formField(input.issues[0]?.path.split('.').at(-1))
  return null
}

interface Values {
  recipient: string
  amount: string
  asset: string
  network: string
  memo: string
  reference: string
  name: string
}

/** What a recipient looks like on each rail. */
const RECIPIENT_PLACEHOLDERS: Readonly<Record<string, string>> = {
  evm: '0x… address',
  stellar: 'G… account',
  stripe: 'acct_… connected account',
}

const netOf = (a: Pick<Asset, 'rail' | 'network'>): string => `${a.rail}:${a.network}`

/**
 * The asset a new payout starts on: one on a network set up in this workspace — the batch's own
 * (the one most of its rows use) first, else the first set up — never one that is not set up.
 * Within the network, the asset the batch already pays in most; else its first money with cents.
 */
export function defaultAsset(assets: readonly Asset[], setUp: readonly string[], batchAssetIds: readonly string[]): Asset | null {
  const usable = new Set(setUp)
  const byUse = new Map<string, number>()
  for (const id of batchAssetIds) byUse.set(id, (byUse.get(id) ?? 0) + 1)
  const batchAssets = [...byUse.entries()]
    .sort((a, b) => b[1] - a[1])
    .flatMap(([id]) => assets.filter((a) => a.id === id && usable.has(netOf(a))))
  if (batchAssets[0]) return batchAssets[0]
  for (const net of setUp) {
    const on = assets.filter((a) => netOf(a) === net)
    // Payouts are mostly money with cents (USDC, USD) rather than the network's coin (ETH, XLM).
    const first = on.find((a) => displayMinDecimals(a.code, a.scale) === 2) ?? on[0]
    if (first) return first
  }
  return null
}

function initialValues(payout: Payout | null, assets: Asset[]): Values {
  // A new payout waits for the rails setting (defaultAsset) before it picks an asset.
  const asset = payout ? assets.find((a) => a.id === payout.assetId) : undefined
  return {
    recipient: payout?.recipient ?? '',
    amount: payout?.amount ?? '',
    asset: asset?.code ?? '',
    network: asset ? networkLabel(asset.rail, asset.network) : '',
    memo: payout?.memo ?? '',
    reference: payout?.reference ?? '',
    name: payout?.name ?? '',
  }
}

/** Add a payout to a draft, or change one. Problems are shown under the field they concern. */
export function RowForm({
  batchId,
  version,
  assets,
  payout,
  batchAssetIds,
  onDone,
}: {
  batchId: string
  version: number
  assets: Asset[]
  payout: Payout | null
  /** The asset of each payout already in the batch: a new one starts on the batch's network. */
  batchAssetIds: readonly string[]
  onDone: () => void
}) {
  const [values, setValues] = useState<Values>(() => initialValues(payout, assets))
  const [errors, setErrors] = useState<Errors>({})
  const [busy, setBusy] = useState(false)
  // Networks set up in this workspace (settings.rails), to start on one and to mark the others.
  const [setUp, setSetUp] = useState<readonly string[] | null>(null)
  const touched = useRef(false)
  useEffect(() => {
    let live = true
    invoke('settings.rails.get', {})
      .then((r) => live && setSetUp(networksConfigured(r.rails)))
      .catch(() => live && setSetUp([]))
    return () => {
      live = false
    }
  }, [])
  useEffect(() => {
    if (payout || setUp === null || touched.current) return
    const start = defaultAsset(assets, setUp, batchAssetIds)
    if (start) setValues((v) => ({ ...v, asset: start.code, network: networkLabel(start.rail, start.network) }))
  }, [payout, setUp, assets, batchAssetIds])
  const isSetUp = (a: Asset): boolean => setUp === null || setUp.includes(netOf(a))
  const codes = useMemo(() => [...new Set(assets.map((a) => a.code))].sort(), [assets])
  const networks = useMemo(
    () =>
      assets
        .filter((a) => a.code === values.asset)
        .map((a) => ({
          value: networkLabel(a.rail, a.network),
          label:
            setUp === null || setUp.includes(netOf(a)) ? networkName(a.rail, a.network) : `${networkName(a.rail, a.network)} — not set up`,
        })),
    [assets, values.asset, setUp],
  )
  const asset = assets.find((a) => a.code === values.asset && networkLabel(a.rail, a.network) === values.network) ?? null

  const set = (field: Field) => (value: string) => {
    touched.current = true
    setValues((v) => ({ ...v, [field]: value }))
    setErrors((e) => ({ ...e, [field]: undefined, form: undefined }))
  }

  function check(): Errors {
    const e: Errors = {}
    if (!values.recipient.trim()) e.recipient = 'Enter the address or account to pay.'
    if (!values.asset) e.asset = 'Choose the asset to pay in.'
    else if (!asset) e.network = `Choose a network ${values.asset} is registered on.`
    if (!values.amount.trim()) e.amount = 'Enter the amount, e.g. 125.50.'
    else if (asset) {
      try {
        parseAmount(values.amount.trim(), asset.scale)
      } catch (error) {
        e.amount = errorMessage(error)
      }
    }
    return e
  }

  async function onSave() {
    const e = check()
    setErrors(e)
    if (Object.keys(e).length > 0 || !asset) return
    const optional = (s: string) => (s.trim() ? s.trim() : undefined)
    setBusy(true)
    try {
      if (payout) {
        const changes: PayoutRowPatch = {
          assetId: asset.id,
          recipient: values.recipient.trim(),
          amount: values.amount.trim(),
          memo: values.memo.trim(),
          reference: values.reference.trim(),
          name: values.name.trim(),
        }
        await updateRow(batchId, version, payout.id, changes)
      } else {
        const row: PayoutRowInput = {
          assetId: asset.id,
          recipient: values.recipient.trim(),
          amount: values.amount.trim(),
          ...(optional(values.memo) ? { memo: optional(values.memo) } : {}),
          ...(optional(values.reference) ? { reference: optional(values.reference) } : {}),
          ...(optional(values.name) ? { name: optional(values.name) } : {}),
        }
        await addRow(batchId, version, row)
      }
      onDone()
    } catch (error) {
      const message = errorMessage(error)
      const field = fieldOfError(error)
      setErrors(field ? { [field]: message } : { form: message })
    } finally {
      setBusy(false)
    }
  }

  return (
    <Card withBorder padding="lg" data-testid="row-form">
      <Stack gap="md">
        <Title order={5}>{payout ? `Edit payout on row ${payout.rowNo}` : 'Add a payout'}</Title>
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
          <TextInput
            label="Recipient"
            required
            placeholder={RECIPIENT_PLACEHOLDERS[asset?.rail ?? 'evm'] ?? 'Address or account id'}
            value={values.recipient}
            maxLength={RECIPIENT_CHARS_MAX}
            onChange={(e) => set('recipient')(e.currentTarget.value)}
            error={errors.recipient}
            ff="monospace"
            data-testid="row-recipient"
          />
          <TextInput
            label="Amount"
            required
            placeholder="125.50"
            value={values.amount}
            onChange={(e) => set('amount')(e.currentTarget.value)}
            error={errors.amount}
            description={asset ? `Up to ${asset.scale} decimals for ${asset.code}` : undefined}
            data-testid="row-amount"
          />
          <Select
            label="Asset"
            required
            data={codes}
            value={values.asset || null}
            onChange={(v) => {
              touched.current = true
              const code = v ?? ''
              const first = assets.find((a) => a.code === code && isSetUp(a)) ?? assets.find((a) => a.code === code)
              setValues((s) => ({ ...s, asset: code, network: first ? networkLabel(first.rail, first.network) : '' }))
              setErrors((e) => ({ ...e, asset: undefined, network: undefined, form: undefined }))
            }}
            error={errors.asset}
            allowDeselect={false}
            data-testid="row-asset"
          />
          <Select
            label="Network"
            required
            data={networks}
            value={values.network || null}
            onChange={(v) => set('network')(v ?? '')}
            error={errors.network}
            description={
              asset && !isSetUp(asset)
                ? 'Not set up in this workspace: the row can be kept, but not paid until an admin sets it up.'
                : undefined
            }
            allowDeselect={false}
            data-testid="row-network"
          />
          <TextInput
            label="Payee name"
            value={values.name}
            maxLength={PAYEE_NAME_CHARS_MAX}
            onChange={(e) => set('name')(e.currentTarget.value)}
            error={errors.name}
            data-testid="row-name"
          />
          <TextInput
            label="Reference"
            description="Shown on receipts"
            value={values.reference}
            maxLength={REFERENCE_CHARS_MAX}
            onChange={(e) => set('reference')(e.currentTarget.value)}
            error={errors.reference}
            data-testid="row-reference"
          />
          <TextInput
            label="Memo"
            description="Sent with the payment where the rail carries one (Stellar); EVM transfers carry none"
            value={values.memo}
            maxLength={MEMO_CHARS_MAX}
            onChange={(e) => set('memo')(e.currentTarget.value)}
            error={errors.memo}
            data-testid="row-memo"
          />
        </SimpleGrid>
        {errors.form ? (
          <Alert color="red" variant="light" icon={<IconAlertTriangle />} data-testid="row-form-error">
            {errors.form}
          </Alert>
        ) : null}
        <Group>
          <Button onClick={() => void onSave()} loading={busy} data-testid="row-save">
            {payout ? 'Save changes' : 'Add payout'}
          </Button>
          <Button variant="default" onClick={onDone} data-testid="row-cancel">
            Cancel
          </Button>
        </Group>
      </Stack>
    </Card>
  )
}
