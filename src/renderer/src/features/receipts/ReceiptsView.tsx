/**
 * The Receipts view: find any receipt (payee, address, reference, transaction, number) and a
 * payee's whole history; open a receipt to read all it says, download it (PDF, JSON, remittance
 * advice) and verify it; verify a file someone hands over; export the books. Receipts are issued
 * by the poller as payments become final, or now with "Issue due receipts". Reloads on
 * `receipts.changed` (new receipts come in at the top), and after a reconnect (events sent
 * meanwhile are lost).
 */
import { Button, Stack, Tabs } from '@mantine/core'
import { IconFileCertificate, IconFileExport, IconReceipt2, IconRefresh, IconStack2 } from '@tabler/icons-react'
import { useEffect, useState } from 'react'
import { ViewHeader } from '../../components/ViewHeader'
import { invoke, onEvent } from '../../lib/api'
import { formatCount } from '../../lib/format'
import { useApp } from '../app/store'
import { notifyError, notifySuccess } from '../notify/store'
import { useOffline } from '../offline/store'
import { DueReceipts, useDueReceipts } from './DueReceipts'
import { ExportPanel } from './ExportPanel'
import { PayeeHistory } from './PayeeHistory'
import { usePayee } from './payeeStore'
import { ReceiptDrawer } from './ReceiptDetail'
import { ReceiptSearch } from './ReceiptSearch'
import { useReceipts, type ReceiptsTab } from './store'
import { VerifyPanel } from './VerifyPanel'

export function ReceiptsView() {
  const tab = useReceipts((s) => s.tab)
  const setTab = useReceipts((s) => s.setTab)
  const loading = useReceipts((s) => s.loading)
  const payee = usePayee((s) => s.payee)
  const connectionState = useApp((s) => s.connection?.state)
  const reconnects = useOffline((s) => s.reconnects)

  useEffect(() => {
    void useReceipts.getState().refresh()
    void useReceipts.getState().loadBatches()
    const offs = [
      onEvent('receipts.changed', () => {
        void useReceipts.getState().changed()
        if (usePayee.getState().payee !== null) void usePayee.getState().refresh()
      }),
      onEvent('batches.changed', () => void useReceipts.getState().loadBatches()),
    ]
    return () => offs.forEach((off) => off())
  }, [])

  useEffect(() => {
    if (connectionState !== 'open') return
    void useReceipts.getState().refresh()
    void useDueReceipts.getState().load()
    if (usePayee.getState().payee !== null) void usePayee.getState().refresh()
  }, [connectionState, reconnects])

  return (
    <Stack gap="lg" data-testid="receipts">
      <ViewHeader
        title="Receipts"
        description="A signed receipt for every final payment — payouts, escrow releases and refunds, reversals — that anyone can verify offline. Find a payee's whole history, hand out PDFs, verify a receipt someone sends, export the books."
        actions={
          <>
            <Button
              variant="default"
              size="xs"
              leftSection={<IconRefresh size={14} />}
              onClick={() => {
                void useReceipts.getState().refresh()
                void useDueReceipts.getState().load()
                if (usePayee.getState().payee !== null) void usePayee.getState().refresh()
              }}
              loading={loading}
              data-testid="receipts-refresh"
            >
              Refresh
            </Button>
            <IssueDueButton />
          </>
        }
      />
      <DueReceipts />
      <Tabs value={tab} onChange={(v) => v && setTab(v as ReceiptsTab)} keepMounted={false} data-testid="receipts-tabs">
        <Tabs.List>
          <Tabs.Tab value="search" leftSection={<IconReceipt2 size={16} />} data-testid="receipts-tab-search">
            Receipts
          </Tabs.Tab>
          <Tabs.Tab value="verify" leftSection={<IconFileCertificate size={16} />} data-testid="receipts-tab-verify">
            Verify a receipt
          </Tabs.Tab>
          <Tabs.Tab value="export" leftSection={<IconFileExport size={16} />} data-testid="receipts-tab-export">
            Export
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="search" pt="lg">
          {payee !== null ? <PayeeHistory /> : <ReceiptSearch />}
        </Tabs.Panel>
        <Tabs.Panel value="verify" pt="lg">
          <VerifyPanel />
        </Tabs.Panel>
        <Tabs.Panel value="export" pt="lg">
          <ExportPanel />
        </Tabs.Panel>
      </Tabs>
      <ReceiptDrawer />
    </Stack>
  )
}

/**
 * Issues every receipt still due now rather than at the poller's next sweep. The core lets every
 * unlocked operator do it (it records what already happened, and the poller does it anyway as the
 * system), so the button is not limited to a role either.
 */
function IssueDueButton() {
  const [busy, setBusy] = useState(false)
  async function issue() {
    setBusy(true)
    try {
      const r = await invoke('receipts.issue', {})
      const why = r.waitingFor[0]?.reason
      const waiting =
        r.waiting > 0
          ? ` ${formatCount(r.waiting)} ${r.waiting === 1 ? 'payment waits' : 'payments wait'}${why !== undefined ? ` — ${why}` : ' for what they depend on.'}`
          : ''
      notifySuccess(
        r.issued === 0 ? 'No receipt was due' : `${formatCount(r.issued)} ${r.issued === 1 ? 'receipt' : 'receipts'} issued`,
        r.issued === 0 ? `Every final payment has its receipt.${waiting}` : `Numbers ${r.first} to ${r.last}.${waiting}`,
      )
      await useReceipts.getState().changed()
      void useDueReceipts.getState().load()
    } catch (e) {
      notifyError('Receipts not issued', e)
    } finally {
      setBusy(false)
    }
  }
  return (
    <Button size="xs" leftSection={<IconStack2 size={14} />} onClick={() => void issue()} loading={busy} data-testid="receipts-issue">
      Issue due receipts
    </Button>
  )
}
