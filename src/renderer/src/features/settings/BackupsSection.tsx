/**
 * Settings → Backups: when the workspace was last backed up and into which file, how long backups
 * are kept, and (admin) "Back up now". A single-desk workspace backs itself up before every
 * upgrade and daily; restoring one is done with the app closed (`countersign restore FILE`), so
 * this window only says how. A team workspace (PostgreSQL) is backed up on its server with
 * pg_dump: the section says so and offers nothing else.
 */
import { Alert, Badge, Button, Card, Code, Group, Stack, Table, Text, Title } from '@mantine/core'
import { IconAlertTriangle, IconArchive } from '@tabler/icons-react'
import { useCallback, useEffect, useState } from 'react'
import type { BackupList } from '../../../../shared/backupsApi'
import { formatFileSize } from '../../../../shared/fileSize'
import { formatTimestamp } from '../../lib/format'
import { invoke, loadErrorMessage } from '../../lib/api'
import { notifyError, notifySuccess } from '../notify/store'
import { hasRole, useSession } from '../session/store'

/** Older backups listed under the last one. */
const OLDER_BACKUPS_SHOWN_MAX = 4
/** A last backup older than this is shown as overdue (the daily one should have replaced it). */
const BACKUP_OVERDUE_MS = 2 * 86_400_000

export function BackupsSection() {
  const operator = useSession((s) => s.operator)
  const isAdmin = hasRole(operator, 'admin')
  const [list, setList] = useState<BackupList | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const load = useCallback(async () => {
    try {
      setList(await invoke('backups.list', {}))
      setError(null)
    } catch (e) {
      setError(loadErrorMessage(e))
    }
  }, [])
  useEffect(() => {
    void load()
  }, [load])

  async function backUpNow() {
    setBusy(true)
    try {
      const written = await invoke('backups.create', {})
      notifySuccess('Backup written', `${written.name} — ${formatBytes(written.bytes)}, up to audit row ${written.auditHead?.seq ?? '?'}.`)
      await load()
    } catch (e) {
      notifyError('Backup not written', e)
    } finally {
      setBusy(false)
    }
  }

  return (
    <Card withBorder padding="lg" data-testid="settings-backups">
      <Stack gap="sm">
        <Group gap="xs">
          <IconArchive size={18} />
          <Title order={4}>Backups</Title>
        </Group>
        {error ? (
          <Alert color="red" variant="light" icon={<IconAlertTriangle />}>
            {error}
          </Alert>
        ) : null}
        {list === null ? null : list.backend === 'postgres' ? (
          <Text size="sm" data-testid="settings-backups-team">
            This workspace keeps its books in a team database: back it up on the server with <Code>pg_dump</Code> (and restore with{' '}
            <Code>pg_restore</Code>) — that is the database administrator&apos;s job, not this desk&apos;s.
          </Text>
        ) : (
          <LocalBackups list={list} isAdmin={isAdmin} busy={busy} onBackUp={() => void backUpNow()} />
        )}
      </Stack>
    </Card>
  )
}

function LocalBackups(props: { list: BackupList; isAdmin: boolean; busy: boolean; onBackUp: () => void }) {
  const { list } = props
  const [last, ...older] = list.backups
  const overdue = !last || Date.now() - Date.parse(last.at) > BACKUP_OVERDUE_MS
  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed">
        This desk copies the workspace database into <Code>{list.folder}</Code> before every upgrade and once a day, and keeps the copies{' '}
        {list.keepDays} days (always the newest {list.keptMin}).
      </Text>
      <Group gap="xs" align="center">
        <Text size="sm">Last backup:</Text>
        {last ? (
          <>
            <Badge color={overdue ? 'orange' : 'green'} variant="light" data-testid="settings-backups-last-time">
              {formatTimestamp(last.at)}
            </Badge>
            <Text size="sm" ff="monospace" data-testid="settings-backups-last-file">
              {last.name}
            </Text>
            <Text size="sm" c="dimmed">
              {formatBytes(last.bytes)}, up to audit row {last.auditHead?.seq ?? '?'}
            </Text>
          </>
        ) : (
          <Badge color="orange" variant="light" data-testid="settings-backups-last-time">
            none yet
          </Badge>
        )}
      </Group>
      {older.length > 0 ? (
        <Table withRowBorders={false} verticalSpacing={2} fz="xs" c="dimmed" data-testid="settings-backups-older">
          <Table.Tbody>
            {older.slice(0, OLDER_BACKUPS_SHOWN_MAX).map((b) => (
              <Table.Tr key={b.name}>
                <Table.Td>{formatTimestamp(b.at)}</Table.Td>
                <Table.Td ff="monospace">{b.name}</Table.Td>
                <Table.Td>{formatBytes(b.bytes)}</Table.Td>
                <Table.Td>audit row {b.auditHead?.seq ?? '?'}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      ) : null}
      <Text size="xs" c="dimmed">
        To restore one, close Countersign and run <Code>countersign restore {last?.name ?? 'FILE'}</Code>: the current database is kept
        aside, and everything recorded after the backup is rolled back.
      </Text>
      {props.isAdmin ? (
        <Group>
          <Button variant="light" onClick={props.onBackUp} loading={props.busy} data-testid="settings-backups-now">
            Back up now
          </Button>
        </Group>
      ) : null}
    </Stack>
  )
}

/** Sizes everywhere in the app read the same (src/shared/fileSize.ts). */
const formatBytes = formatFileSize
