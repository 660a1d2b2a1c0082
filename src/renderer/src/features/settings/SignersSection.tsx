/**
 * Settings → Signers: the Ledger's state, read again every few seconds while this section is on
 * screen (plugging in, unlocking, opening an app show up by themselves); the treasuries of the
 * configured rails with their verification; the accounts the device derives at the standard
 * paths; and "Verify on device": the address is shown on the Ledger and recorded as verified only
 * once the person approves it there. The engine refuses to sign for an unverified treasury.
 */
import { Alert, Badge, Button, Card, Group, Loader, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core'
import { IconAlertTriangle, IconDeviceUsb, IconShieldCheck } from '@tabler/icons-react'
import { useCallback, useEffect, useState } from 'react'
import type { SignerAccountRow, SignersStatus } from '../../../../shared/signersApi'
import { errorCode, errorMessage, invoke } from '../../lib/api'
import { formatTimestamp } from '../../lib/format'
import { notifyError, notifySuccess } from '../notify/store'
import { hasRole, useSession } from '../session/store'

/** How often the device is asked while the section is open (each ask is one short APDU exchange). */
const DEVICE_REFRESH_MS = 4_000
const ACCOUNTS_SHOWN = 5

type Chain = 'evm' | 'stellar'

export function SignersSection() {
  const operator = useSession((s) => s.operator)
  const canVerify = hasRole(operator, 'signer')
  const [status, setStatus] = useState<SignersStatus | null>(null)
  const [chain, setChain] = useState<Chain>('evm')
  const [accounts, setAccounts] = useState<SignerAccountRow[] | null>(null)
  const [accountsError, setAccountsError] = useState<string | null>(null)
  const [verifying, setVerifying] = useState<string | null>(null)
  const [verifyError, setVerifyError] = useState<{ code: string | null; message: string } | null>(null)

  const refresh = useCallback(async () => {
    try {
      setStatus(await invoke('signers.status', {}))
    } catch (error) {
      setStatus(
        (s) =>
          s ?? {
            label: null,
            device: null,
            problem: { code: errorCode(error) ?? 'INTERNAL', message: errorMessage(error) },
            treasuries: [],
          },
      )
    }
  }, [])

  const loadAccounts = useCallback(async (c: Chain) => {
    setAccounts(null)
    setAccountsError(null)
    try {
      setAccounts(await invoke('signers.accounts', { chain: c, start: 0, count: ACCOUNTS_SHOWN }))
    } catch (error) {
      setAccountsError(errorMessage(error))
    }
  }, [])

  useEffect(() => {
    void refresh()
    const timer = setInterval(() => void refresh(), DEVICE_REFRESH_MS)
    return () => clearInterval(timer)
  }, [refresh])
  useEffect(() => {
    void loadAccounts(chain)
  }, [chain, loadAccounts])

  async function verify(c: Chain, path: string, address: string) {
    setVerifying(address)
    setVerifyError(null)
    try {
      await invoke('signers.verify', { chain: c, path, address })
      notifySuccess('Address verified on the device', `${address} (${path}) can now pay.`)
    } catch (error) {
      setVerifyError({ code: errorCode(error), message: errorMessage(error) })
      notifyError('Address not verified', error)
    } finally {
      setVerifying(null)
      void refresh()
      void loadAccounts(chain)
    }
  }

  const device = status?.device ?? null
  return (
    <Card withBorder padding="lg" data-testid="settings-signers">
      <Stack gap="md">
        <Group justify="space-between" align="flex-start">
          <Stack gap={2}>
            <Title order={4}>Signers</Title>
            <Text size="sm" c="dimmed">
              Transactions are signed on a Ledger; Countersign never holds a private key. Verify each treasury address on the device before
              it pays.
            </Text>
          </Stack>
          <Badge variant="light" color={device ? 'teal' : 'gray'} leftSection={<IconDeviceUsb size={14} />} data-testid="signer-label">
            {status?.label ?? 'No signer'}
          </Badge>
        </Group>

        {status === null ? (
          <Group gap="xs">
            <Loader size="xs" />
            <Text size="sm">Asking the device…</Text>
          </Group>
        ) : device ? (
          <Group gap="lg" data-testid="signer-device">
            <Text size="sm">
              Open app:{' '}
              <b data-testid="signer-open-app">
                {device.openApp.name === 'BOLOS' ? 'Dashboard (no app open)' : `${device.openApp.name} ${device.openApp.version}`}
              </b>
            </Text>
            {device.ethereum ? (
              <Text size="sm">
                Ethereum {device.ethereum.version} · blind signing{' '}
                <Badge size="sm" color={device.ethereum.blindSigningEnabled ? 'teal' : 'orange'} variant="light">
                  {device.ethereum.blindSigningEnabled ? 'on' : 'off'}
                </Badge>
              </Text>
            ) : null}
            {device.stellar ? (
              <Text size="sm">
                Stellar {device.stellar.version} · hash signing{' '}
                <Badge size="sm" color={device.stellar.hashSigningEnabled ? 'teal' : 'orange'} variant="light">
                  {device.stellar.hashSigningEnabled ? 'on' : 'off'}
                </Badge>
                {device.stellar.maxDataSizeBytes !== null ? ` · up to ${device.stellar.maxDataSizeBytes} bytes parsed on screen` : ''}
              </Text>
            ) : null}
          </Group>
        ) : status.problem ? (
          <Alert color="orange" variant="light" icon={<IconAlertTriangle />} title={status.problem.code} data-testid="signer-problem">
            {status.problem.message}
          </Alert>
        ) : (
          <Text size="sm" c="dimmed">
            This workspace has no signer.
          </Text>
        )}

        {status && status.treasuries.length > 0 ? (
          <Table withTableBorder verticalSpacing={6} data-testid="signer-treasuries">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Treasury</Table.Th>
                <Table.Th>Address</Table.Th>
                <Table.Th>Path</Table.Th>
                <Table.Th>Verified on device</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {status.treasuries.map((t) => (
                <Table.Tr key={`${t.rail}:${t.network}`} data-testid="signer-treasury" data-verified={t.verified ? 'yes' : 'no'}>
                  <Table.Td ff="monospace">
                    {t.rail}:{t.network}
                  </Table.Td>
                  <Table.Td ff="monospace" title={t.address}>
                    {t.address}
                  </Table.Td>
                  <Table.Td ff="monospace">{t.path}</Table.Td>
                  <Table.Td>
                    {t.verified ? (
                      <Group gap={4}>
                        <IconShieldCheck size={16} color="var(--mantine-color-teal-6)" />
                        <Text size="sm">{formatTimestamp(t.verified.verifiedAt)}</Text>
                      </Group>
                    ) : (
                      <Badge color="orange" variant="light">
                        Not verified — cannot pay
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Button
                      size="xs"
                      variant={t.verified ? 'subtle' : 'filled'}
                      loading={verifying === t.address}
                      disabled={!canVerify || verifying !== null}
                      title={canVerify ? undefined : 'Verifying an address needs the signer role.'}
                      onClick={() => void verify(t.chain, t.path, t.address)}
                      data-testid="signer-verify"
                    >
                      {t.verified ? 'Verify again' : 'Verify on device'}
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        ) : null}

        {verifying ? (
          <Alert color="violet" variant="light" icon={<IconDeviceUsb />} data-testid="signer-verify-prompt">
            Check that your Ledger shows <b>{verifying}</b> and press Approve on the device.
          </Alert>
        ) : null}
        {verifyError ? (
          <Alert
            color="red"
            variant="light"
            icon={<IconAlertTriangle />}
            title={verifyError.code ?? 'Not verified'}
            data-testid="signer-verify-error"
          >
            {verifyError.message}
          </Alert>
        ) : null}

        <Group justify="space-between">
          <Text size="sm" fw={600}>
            Accounts on the device
          </Text>
          <SegmentedControl
            size="xs"
            value={chain}
            onChange={(v) => setChain(v as Chain)}
            data={[
              { label: "Ethereum (m/44'/60'/0'/0/i)", value: 'evm' },
              { label: "Stellar (m/44'/148'/i')", value: 'stellar' },
            ]}
            data-testid="signer-chain"
          />
        </Group>
        {accountsError ? (
          <Text size="sm" c="orange" data-testid="signer-accounts-error">
            {accountsError}
          </Text>
        ) : accounts === null ? (
          <Loader size="xs" />
        ) : (
          <Table striped verticalSpacing={4} data-testid="signer-accounts">
            <Table.Tbody>
              {accounts.map((a) => (
                <Table.Tr key={a.path} data-testid="signer-account">
                  <Table.Td ff="monospace">{a.path}</Table.Td>
                  <Table.Td ff="monospace">{a.address}</Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {a.treasury ? (
                        <Badge size="sm" variant="light">
                          treasury
                        </Badge>
                      ) : null}
                      {a.verified ? (
                        <Badge size="sm" color="teal" variant="light">
                          verified
                        </Badge>
                      ) : null}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Button
                      size="xs"
                      variant="subtle"
                      disabled={!canVerify || verifying !== null}
                      onClick={() => void verify(a.chain, a.path, a.address)}
                    >
                      Verify on device
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Card>
  )
}
