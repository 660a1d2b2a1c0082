/**
 * The statement accounts seen so far (an IBAN or the bank's account number, with its currency),
 * the ledger account each is linked to, and Link for those that are not linked yet: a statement
 * in EUR can only be linked to a ledger account whose asset is EUR.
 */
import { Badge, Button, Group, Modal, Select, Stack, Table, Text } from '@mantine/core'
import { IconLink } from '@tabler/icons-react'
import { useState } from 'react'
import type { ReconAccount } from '../../../../shared/reconApi'
import { formatCount } from '../../lib/format'
import { linkAccount } from './actions'
import { formatStatementAmount } from './statementWords'
import { ledgerAccountsFor, useRecon } from './store'

export function AccountsTable({ accounts, canLink, notImporter }: { accounts: ReconAccount[]; canLink: boolean; notImporter: string }) {
  const ledgerAccounts = useRecon((s) => s.ledgerAccounts)
  const [linking, setLinking] = useState<ReconAccount | null>(null)
  if (accounts.length === 0)
    return (
      <Text size="sm" c="dimmed" data-testid="recon-accounts-empty">
        None yet: an account appears here with its first imported statement.
      </Text>
    )
  const nameOf = new Map(ledgerAccounts.map((a) => [a.id, a.name]))
  return (
    <>
      <Table.ScrollContainer minWidth={700} type="native">
        <Table striped withTableBorder verticalSpacing={6} data-testid="recon-accounts-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Statement account</Table.Th>
              <Table.Th ta="right">Statements</Table.Th>
              <Table.Th ta="right">Last closing</Table.Th>
              <Table.Th>Ledger account</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {accounts.map((a) => (
              <Table.Tr key={a.id} data-testid="recon-account" data-account-id={a.id} data-linked={a.ledgerAccountId !== null}>
                <Table.Td>
                  <Text size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                    {a.externalId}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {[a.currency, a.name, a.bic].filter(Boolean).join(' · ')}
                  </Text>
                </Table.Td>
                <Table.Td ta="right">
                  <Text size="sm">{formatCount(a.statements)}</Text>
                  <Text size="xs" c="dimmed">
                    {a.lastSequence !== null ? `last sequence ${a.lastSequence}` : ''}
                  </Text>
                </Table.Td>
                <Table.Td ta="right">
                  <Text size="sm" ff="monospace" style={{ whiteSpace: 'nowrap' }} data-testid="recon-account-closing">
                    {a.lastClosing === null ? '—' : `${formatStatementAmount(a.lastClosing)} ${a.currency}`}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {a.lastClosingDate ? `on ${a.lastClosingDate.slice(0, 10)}` : ''}
                  </Text>
                </Table.Td>
                <Table.Td>
                  {a.ledgerAccountId !== null ? (
                    <Stack gap={0} data-testid="recon-account-ledger">
                      <Text size="sm">{nameOf.get(a.ledgerAccountId) ?? a.ledgerAccountId}</Text>
                      <Text size="xs" c="dimmed" ff="monospace">
                        {a.ledgerAccountId}
                      </Text>
                    </Stack>
                  ) : (
                    <Group gap="xs" wrap="nowrap">
                      <Badge color="orange" variant="light" size="sm" radius="sm" data-testid="recon-account-unlinked">
                        Not linked
                      </Badge>
                      <Button
                        size="compact-xs"
                        variant="default"
                        leftSection={<IconLink size={12} />}
                        onClick={() => setLinking(a)}
                        disabled={!canLink}
                        title={canLink ? undefined : notImporter}
                        data-testid="recon-account-link"
                      >
                        Link…
                      </Button>
                    </Group>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {linking ? <LinkAccountDialog account={linking} onClose={() => setLinking(null)} /> : null}
    </>
  )
}

export function LinkAccountDialog({ account, onClose }: { account: ReconAccount; onClose: () => void }) {
  const { ledgerAccounts, assets } = useRecon()
  const options = ledgerAccountsFor(account.currency, ledgerAccounts, assets)
  const [choice, setChoice] = useState<string | null>(options.length === 1 ? (options[0]?.id ?? null) : null)
  const [busy, setBusy] = useState(false)

  async function go() {
    if (!choice) return
    setBusy(true)
    const ok = await linkAccount(account, choice)
    setBusy(false)
    if (ok) onClose()
  }

  return (
    <Modal opened onClose={onClose} title="Link a statement account" size="lg" centered data-testid="recon-link-dialog">
      <Stack gap="md">
        <Text size="sm">
          The lines of <b style={{ fontFamily: 'var(--mantine-font-family-monospace)' }}>{account.id}</b> will be matched against the
          movements of the ledger account chosen here. Only ledger accounts in {account.currency} can be linked.
        </Text>
        <Select
          label={`Ledger account in ${account.currency}`}
          placeholder={options.length === 0 ? `No ledger account holds ${account.currency}` : 'Choose…'}
          value={choice}
          onChange={setChoice}
          data={options.map((a) => ({ value: a.id, label: `${a.name} — ${a.id} (${a.asset.id})` }))}
          disabled={options.length === 0}
          description={
            options.length === 0 ? `An admin opens a ledger account in ${account.currency} first (ledger accounts add).` : undefined
          }
          data-testid="recon-link-select"
        />
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button
            leftSection={<IconLink size={16} />}
            onClick={() => void go()}
            disabled={!choice}
            loading={busy}
            data-testid="recon-link-confirm"
          >
            Link
          </Button>
        </Group>
      </Stack>
    </Modal>
  )
}
