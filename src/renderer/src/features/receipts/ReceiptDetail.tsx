/**
 * One receipt in a pane at the right: everything it says — the exact amount (fee and net when the
 * rail charged one), who paid whom, the payment and its reference, the rail's evidence, the
 * timeline, the ledger entries and audit row that recorded it, its SHA-256, the key that signed it
 * and the treasury device's batch signature when there is one — each id with a copy button. From
 * here: the PDF, the JSON file, a remittance advice for the payee, and a verification of the file
 * exactly as the payee would get it.
 */
import { Alert, Anchor, Button, Card, Drawer, Group, Loader, Stack, Text, Timeline, Title } from '@mantine/core'
import { IconAlertTriangle, IconFileTypePdf, IconJson, IconListDetails, IconShieldCheck } from '@tabler/icons-react'
import { useState, type ReactNode } from 'react'
import type { ReceiptVerificationResult } from '../../../../shared/receiptsApi'
import type { ReceiptFile } from '../../../../shared/receiptTypes'
import { invoke } from '../../lib/api'
import { formatTimestamp, networkName } from '../../lib/format'
import { notifyError, notifySuccess } from '../notify/store'
import { downloadReceiptJson, downloadReceiptPdf, downloadRemittance } from './downloads'
import { usePayee } from './payeeStore'
import { AmountText, CopyValue, KindBadge } from './parts'
import { RailReference } from '../../components/RailReference'
import { EVENT_LABELS, evidenceRows } from './receiptWords'
import { useReceipts, type ReceiptDetail as Detail } from './store'
import { VerificationResult } from './VerificationResult'

const DRAWER_WIDTH_PX = 660

function Section({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <Stack gap={6} data-testid={testId}>
      <Title order={5}>{title}</Title>
      {children}
    </Stack>
  )
}

/** A label and its value on one row of a two-column grid; long values wrap in their column. */
function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div style={{ display: 'grid', gridTemplateColumns: '150px minmax(0, 1fr)', columnGap: 12, alignItems: 'start' }}>
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <div style={{ minWidth: 0 }}>{children}</div>
    </div>
  )
}

function Plain({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <Text size="sm" style={{ overflowWrap: 'anywhere', whiteSpace: 'pre-line' }} data-testid={testId}>
      {children}
    </Text>
  )
}

export function ReceiptDrawer() {
  const selected = useReceipts((s) => s.selected)
  const detail = useReceipts((s) => s.detail)
  const detailError = useReceipts((s) => s.detailError)
  const close = useReceipts((s) => s.close)
  return (
    <Drawer
      opened={selected !== null}
      onClose={close}
      position="right"
      size={DRAWER_WIDTH_PX}
      padding="lg"
      title={<Text fw={700}>{detail ? `Receipt ${detail.summary.displayNumber}` : 'Receipt'}</Text>}
      closeButtonProps={{ 'aria-label': 'Close the receipt' }}
    >
      <Stack gap="lg" data-testid="receipt-detail" data-number={detail?.summary.number}>
        {detailError ? (
          <Alert color="red" variant="light" icon={<IconAlertTriangle />} title="Could not load the receipt">
            {detailError}
          </Alert>
        ) : null}
        {detail && detail.summary.number === selected ? (
          <DetailBody key={detail.summary.number} detail={detail} />
        ) : !detailError ? (
          <Loader size="sm" />
        ) : null}
      </Stack>
    </Drawer>
  )
}

function DetailBody({ detail }: { detail: Detail }) {
  const { file, summary } = detail
  const r = file.receipt
  return (
    <>
      <Stack gap={4}>
        <Group gap="sm">
          <KindBadge kind={r.kind} />
          <Text size="sm" c="dimmed">
            Paid {formatTimestamp(r.paidAt)} · issued {formatTimestamp(summary.issuedAt)}
          </Text>
        </Group>
        <AmountText value={r.amount.value} code={r.amount.code} kind={r.kind} size="xl" fw={700} testId="receipt-detail-amount" />
        <Text
          size="xs"
          c="dimmed"
          title={`Asset ${r.amount.assetId} · ${r.amount.minor} minor units at ${r.amount.scale} decimals`}
          data-testid="receipt-detail-asset"
        >
          {r.amount.code} on {networkName(summary.rail, summary.network)}
        </Text>
        {r.fee ? (
          <Text size="sm">
            Fee charged by the rail: <AmountText value={r.fee.value} code={r.fee.code} />
          </Text>
        ) : null}
        {r.net ? (
          <Text size="sm">
            Received by the payee after the fee: <AmountText value={r.net.value} code={r.net.code} fw={600} />
          </Text>
        ) : null}
      </Stack>
      {r.previous ? <PreviousNote previous={r.previous} kind={r.kind} /> : null}
      <Actions detail={detail} />
      <Parties file={file} />
      <Payment file={file} />
      <Section title={`Evidence on the rail (${networkName(r.evidence.rail, r.evidence.network)})`} testId="receipt-evidence">
        {evidenceRows(r.evidence).map((row) => (
          <Field key={row.label} label={row.label}>
            {row.railId ? (
              <RailReference rail={r.evidence.rail} reference={row.value} url={null} chars={Infinity} testId="receipt-rail-reference" />
            ) : row.mono ? (
              <CopyValue
                value={row.value}
                label={row.label.toLowerCase()}
                testId={`evidence-${row.label.toLowerCase().replace(/ /g, '-')}`}
              />
            ) : (
              <Plain>{row.value}</Plain>
            )}
          </Field>
        ))}
      </Section>
      <Section title="Timeline" testId="receipt-timeline">
        <Timeline bulletSize={14} lineWidth={2} active={r.timeline.length}>
          {r.timeline.map((e, i) => (
            <Timeline.Item key={i} title={<Text size="sm" fw={600}>{`${EVENT_LABELS[e.kind]} · ${formatTimestamp(e.at)}`}</Text>}>
              <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
                {[e.by, e.detail].filter((t) => t !== '').join(' · ') || '—'}
              </Text>
            </Timeline.Item>
          ))}
        </Timeline>
      </Section>
      <Section title="Ledger and audit" testId="receipt-ledger">
        <Field label={r.ledger.entryIds.length === 1 ? 'Journal entry' : 'Journal entries'}>
          <Stack gap={2}>
            {r.ledger.entryIds.map((id) => (
              <CopyValue key={id} value={id} label="journal entry id" />
            ))}
          </Stack>
        </Field>
        <Field label={`Audit row ${r.ledger.auditSeq}`}>
          <CopyValue value={r.ledger.auditHash} label="audit row hash" testId="receipt-audit-hash" />
        </Field>
      </Section>
      <Integrity file={file} />
    </>
  )
}

function PreviousNote({ previous, kind }: { previous: NonNullable<ReceiptFile['receipt']['previous']>; kind: string }) {
  const open = useReceipts((s) => s.open)
  return (
    <Alert
      color="orange"
      variant="light"
      title={kind === 'reversal' ? 'This reverses an earlier payment' : 'This corrects an earlier receipt'}
    >
      <Text size="sm">
        Earlier receipt:{' '}
        <Anchor component="button" size="sm" onClick={() => open(previous.number)} data-testid="receipt-previous-open">
          {previous.displayNumber}
        </Anchor>
      </Text>
      <CopyValue value={previous.sha256} label="earlier receipt's SHA-256" size="xs" />
    </Alert>
  )
}

function Actions({ detail }: { detail: Detail }) {
  const { summary } = detail
  const [busy, setBusy] = useState<'pdf' | 'json' | 'remittance' | 'verify' | null>(null)
  const [verified, setVerified] = useState<ReceiptVerificationResult | null>(null)

  async function run(kind: NonNullable<typeof busy>, what: string, action: () => Promise<string | void>) {
    setBusy(kind)
    try {
      const name = await action()
      if (name) notifySuccess('Downloaded', `${name} — ${what}.`)
    } catch (e) {
      notifyError(`Could not ${what}`, e)
    } finally {
      setBusy(null)
    }
  }

  const verify = () =>
    run('verify', 'verify the receipt', async () => {
      const json = await invoke('receipts.json', { number: summary.number })
      setVerified(await invoke('receipts.verify', { content: json.base64, encoding: 'base64' }))
    })

  return (
    <Stack gap="sm">
      <Group gap="xs">
        <Button
          size="xs"
          leftSection={<IconFileTypePdf size={14} />}
          loading={busy === 'pdf'}
          onClick={() => void run('pdf', 'make the PDF', () => downloadReceiptPdf(summary.number))}
          data-testid="receipt-download-pdf"
        >
          Download PDF
        </Button>
        <Button
          size="xs"
          variant="default"
          leftSection={<IconJson size={14} />}
          loading={busy === 'json'}
          onClick={() => void run('json', 'save the receipt file', () => downloadReceiptJson(summary.number))}
          data-testid="receipt-download-json"
        >
          Download JSON
        </Button>
        <Button
          size="xs"
          variant="default"
          leftSection={<IconListDetails size={14} />}
          loading={busy === 'remittance'}
          onClick={() =>
            void run('remittance', `make the remittance advice for ${summary.payeeName || summary.recipient}`, () =>
              downloadRemittance(summary.recipient),
            )
          }
          title="Every payment to this payee on one remittance advice, each receipt attached"
          data-testid="receipt-download-remittance"
        >
          Remittance advice
        </Button>
        <Button
          size="xs"
          variant="light"
          color="teal"
          leftSection={<IconShieldCheck size={14} />}
          loading={busy === 'verify'}
          onClick={() => void verify()}
          data-testid="receipt-verify"
        >
          Verify
        </Button>
      </Group>
      {verified ? <VerificationResult result={verified} testId="receipt-verification" withSummary={false} /> : null}
    </Stack>
  )
}

function Parties({ file }: { file: ReceiptFile }) {
  const r = file.receipt
  const openPayee = usePayee((s) => s.openPayee)
  const close = useReceipts((s) => s.close)
  return (
    <Card withBorder padding="md">
      <Stack gap="md">
        <Section title="Paid to" testId="receipt-payee">
          <Field label="Name">
            <Group gap="xs" wrap="nowrap" align="flex-start">
              <Plain testId="receipt-payee-name">{r.payee.name || '(no name given)'}</Plain>
              <Anchor
                component="button"
                size="sm"
                onClick={() => {
                  close()
                  openPayee(r.payee.recipient)
                }}
                style={{ whiteSpace: 'nowrap' }}
                data-testid="receipt-payee-history"
              >
                History
              </Anchor>
            </Group>
          </Field>
          <Field label="Recipient">
            <CopyValue value={r.payee.recipient} label="recipient" testId="receipt-recipient" />
          </Field>
        </Section>
        <Section title="Paid by" testId="receipt-payer">
          <Field label="Organisation">
            <Plain testId="receipt-payer-name">{r.payer.name || '(not set in Settings when issued)'}</Plain>
          </Field>
          {r.payer.address ? (
            <Field label="Address">
              <Plain>{r.payer.address}</Plain>
            </Field>
          ) : null}
          {r.payer.registrationNumber ? (
            <Field label="Registration no.">
              <Plain>{r.payer.registrationNumber}</Plain>
            </Field>
          ) : null}
          <Field label="From account">
            <CopyValue value={r.payer.account} label="paying account" />
          </Field>
        </Section>
      </Stack>
    </Card>
  )
}

function Payment({ file }: { file: ReceiptFile }) {
  const r = file.receipt
  const s = r.subject
  const setFilter = useReceipts((st) => st.setFilter)
  const close = useReceipts((st) => st.close)
  const closePayee = usePayee((st) => st.closePayee)
  return (
    <Section title="Payment" testId="receipt-payment">
      <Field label="Reference">
        <Plain testId="receipt-detail-reference">{s.reference || '—'}</Plain>
      </Field>
      {s.memo ? (
        <Field label="Memo">
          <Plain>{s.memo}</Plain>
        </Field>
      ) : null}
      {s.description ? (
        <Field label="Description">
          <Plain>{s.description}</Plain>
        </Field>
      ) : null}
      <Field label={s.escrowId ? 'Escrow action' : 'Payout id'}>
        <CopyValue value={s.id} label="payout id" />
      </Field>
      {s.escrowId ? (
        <Field label={s.milestone !== null ? `Escrow · milestone ${s.milestone}` : 'Escrow'}>
          <CopyValue value={s.escrowId} label="escrow id" />
        </Field>
      ) : null}
      {s.batchId ? (
        <Field label="Batch">
          <Stack gap={2}>
            <CopyValue value={s.batchId} label="batch id" />
            <Anchor
              component="button"
              size="sm"
              ta="left"
              onClick={() => {
                close()
                closePayee()
                setFilter({ batchId: s.batchId })
              }}
              data-testid="receipt-batch-filter"
            >
              Every receipt of this batch
            </Anchor>
          </Stack>
        </Field>
      ) : null}
    </Section>
  )
}

function Integrity({ file }: { file: ReceiptFile }) {
  const sig = file.workspaceSignature
  const a = file.batchAttestation
  return (
    <Section title="Integrity" testId="receipt-integrity">
      <Field label="SHA-256">
        <CopyValue value={file.sha256} label="SHA-256" testId="receipt-sha256" />
      </Field>
      <Field label="Signed by key">
        <Plain testId="receipt-key-id">
          {sig.keyId} ({sig.algorithm})
          {file.handovers.length > 0 ? ` · ${file.handovers.length} key hand-over(s) back to the first key` : ''}
        </Plain>
      </Field>
      <Field label="Public key">
        <CopyValue value={sig.publicKey} label="public key" />
      </Field>
      <Field label="Signature">
        <CopyValue value={sig.signature} label="signature" size="xs" />
      </Field>
      {a ? (
        <>
          <Field label="Treasury device">
            <Plain>
              {a.chain === 'evm' ? 'EIP-191 personal message' : 'SEP-53 message'} signed by the treasury account that paid: receipt{' '}
              {a.leafIndex + 1} of {a.leafCount} in the batch
            </Plain>
          </Field>
          <Field label="Signer">
            <CopyValue value={a.signer} label="treasury signer" />
          </Field>
          <Field label="Merkle root">
            <CopyValue value={a.root} label="Merkle root" />
          </Field>
          <Field label="Device signature">
            <CopyValue value={a.signature} label="device signature" size="xs" />
          </Field>
        </>
      ) : (
        <Field label="Treasury device">
          <Plain>Not signed on the device (the batch was not attested).</Plain>
        </Field>
      )}
    </Section>
  )
}
