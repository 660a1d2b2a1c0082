/**
 * On a batch's page, once its payouts have receipts: how many, every PDF in one ZIP, the batch's
 * receipts in the Receipts view — and, for a signer, the treasury device's signature over the
 * batch's receipts (EVM and Stellar), which each receipt then carries with its own proof.
 * Shows nothing before the first receipt; follows `receipts.changed`.
 */
import { Button, Card, Group, Stack, Text, Title } from '@mantine/core'
import { IconDeviceUsb, IconReceipt2 } from '@tabler/icons-react'
import { useCallback, useEffect, useState } from 'react'
import type { ReceiptTotal } from '../../../../shared/receiptsApi'
import { invoke, onEvent } from '../../lib/api'
import { formatCount } from '../../lib/format'
import { useNav } from '../nav/store'
import { notifyError, notifySuccess } from '../notify/store'
import { hasRole, useSession } from '../session/store'
import { BatchZipButton } from './BatchZipButton'
import { usePayee } from './payeeStore'
import { amountWithCode } from './receiptWords'
import { useReceipts } from './store'

const NOT_SIGNER = 'You need the signer role to sign the receipts on the treasury device.'

export function BatchReceipts({ batchId, rails }: { batchId: string; rails: readonly string[] }) {
  const operator = useSession((s) => s.operator)
  const [totals, setTotals] = useState<ReceiptTotal[] | null>(null)
  const [attesting, setAttesting] = useState(false)

  const load = useCallback(async () => {
    try {
      const page = await invoke('receipts.list', { batchId, limit: 1 })
      setTotals(page.totals ?? [])
    } catch {
      setTotals(null) // the card stays hidden; the Receipts view says why if asked there
    }
  }, [batchId])
  useEffect(() => {
    void load()
    return onEvent('receipts.changed', () => void load())
  }, [load])

  const count = totals?.reduce((n, t) => n + t.count, 0) ?? 0
  if (count === 0) return null
  const attestable = rails.includes('evm') || rails.includes('stellar')
  const signer = hasRole(operator, 'signer')

  function showInReceipts() {
    usePayee.getState().closePayee()
    useReceipts.getState().setTab('search')
    useReceipts.getState().setFilter({ batchId })
    useNav.getState().go('receipts')
  }

  async function attest() {
    setAttesting(true)
    try {
      const a = await invoke('receipts.attest', { batchId })
      notifySuccess(
        a.signedNow ? 'Receipts signed on the device' : 'Already signed on the device',
        `${a.leafCount} receipts under one signature by ${a.signer}; each receipt now carries its proof.`,
      )
    } catch (e) {
      notifyError('The receipts were not signed on the device', e)
    } finally {
      setAttesting(false)
    }
  }

  return (
    <Card withBorder padding="md" data-testid="batch-receipts">
      <Stack gap="xs">
        <Group justify="space-between" wrap="wrap" gap="sm">
          <Group gap="xs">
            <IconReceipt2 size={18} />
            <Title order={5}>Receipts</Title>
            <Text size="sm" c="dimmed" data-testid="batch-receipts-count">
              {formatCount(count)} issued · {totals!.map((t) => amountWithCode(t.paid, t.code)).join(' · ')}
            </Text>
          </Group>
          <Group gap="xs">
            <Button size="xs" variant="subtle" onClick={showInReceipts} data-testid="batch-receipts-show">
              Show in Receipts
            </Button>
            {attestable ? (
              <Button
                size="xs"
                variant="default"
                leftSection={<IconDeviceUsb size={14} />}
                onClick={() => void attest()}
                loading={attesting}
                disabled={!signer}
                title={signer ? 'Sign the Merkle root of these receipts with the treasury account, on the device' : NOT_SIGNER}
                data-testid="batch-receipts-attest"
              >
                Sign on device
              </Button>
            ) : null}
            <BatchZipButton batchId={batchId} />
          </Group>
        </Group>
      </Stack>
    </Card>
  )
}
