/**
 * The unlock screen, and all a locked window shows: a finance team shares the desk, so each
 * person picks their profile and proves it with their passphrase. An invited operator sets theirs
 * here at first unlock, with the admin's one-time invite code; an empty workspace creates its
 * first admin here.
 */
import { Alert, Badge, Button, Center, Group, Loader, Paper, Stack, Text, Title, UnstyledButton } from '@mantine/core'
import { IconAlertTriangle, IconChevronRight, IconLock, IconShieldCheck, IconUserCircle } from '@tabler/icons-react'
import { useState } from 'react'
import type { Operator } from '../../../../shared/workspaceApi'
import { ConnectionBanner } from '../../components/ConnectionBanner'
import { OfflineBanner } from '../../components/OfflineBanner'
import { RoleBadges } from '../../components/RoleBadges'
import { modeLabel, useApp } from '../app/store'
import { loadOperators } from './actions'
import { needsFirstUnlock, useSession, type LockNotice } from './store'
import { FirstOperatorForm, FirstUnlockForm, UnlockForm } from './UnlockForms'
import classes from './OperatorPicker.module.css'

export function OperatorPicker() {
  const { operators, loaded, loading, error, lockNotice, idleLockMinutes } = useSession()
  const info = useApp((s) => s.info)
  const [selectedId, setSelectedId] = useState<string | null>(null)
  // Deactivated operators can no longer unlock; their signatures stay, their profile leaves the desk.
  const open = operators.filter((o) => o.status !== 'deactivated')
  const selected = open.find((o) => o.id === selectedId) ?? null

  return (
    <Center mih="100vh" p="lg" className={classes.backdrop}>
      <Paper withBorder shadow="sm" p="xl" w={520} maw="100%" radius="lg" data-testid="operator-picker">
        <Stack gap="lg">
          <Group gap="sm" justify="space-between" wrap="nowrap">
            <Group gap="sm" wrap="nowrap">
              <IconShieldCheck size={30} stroke={1.7} color="var(--mantine-color-indigo-6)" />
              <Stack gap={0}>
                <Title order={3}>Countersign</Title>
                <Text size="xs" c="dimmed">
                  {info ? `${modeLabel(info)} · v${info.version}` : 'Treasury payouts, countersigned'}
                </Text>
              </Stack>
            </Group>
            <ConnectionBanner />
          </Group>

          <OfflineBanner />
          <LockNoticeAlert notice={lockNotice} idleLockMinutes={idleLockMinutes} />

          {error ? (
            <Alert
              color="red"
              variant="light"
              icon={<IconAlertTriangle />}
              title="Could not load the operator profiles"
              data-testid="operators-error"
            >
              <Stack gap="xs">
                <span>{error}</span>
                <Button size="xs" variant="light" color="red" w="fit-content" onClick={() => void loadOperators()} loading={loading}>
                  Try again
                </Button>
              </Stack>
            </Alert>
          ) : null}

          {!loaded && !error ? (
            <Center py="lg">
              <Loader size="sm" />
            </Center>
          ) : null}

          {loaded && selected ? (
            needsFirstUnlock(selected) ? (
              <FirstUnlockForm key={selected.id} operator={selected} onBack={() => setSelectedId(null)} />
            ) : (
              <UnlockForm key={selected.id} operator={selected} onBack={() => setSelectedId(null)} />
            )
          ) : null}

          {loaded && !selected && open.length > 0 ? <ProfileList operators={open} onPick={(o) => setSelectedId(o.id)} /> : null}

          {loaded && operators.length === 0 ? <FirstOperatorForm /> : null}
        </Stack>
      </Paper>
    </Center>
  )
}

function ProfileList({ operators, onPick }: { operators: Operator[]; onPick(operator: Operator): void }) {
  return (
    <Stack gap="sm">
      <Stack gap={4}>
        <Title order={4}>Who is at the desk?</Title>
        <Text size="sm" c="dimmed">
          Choose your profile and unlock it with your passphrase. Every change you make is recorded under this name, and your approvals are
          signed with your own key.
        </Text>
      </Stack>
      <Stack gap="xs" data-testid="operator-list">
        {operators.map((op) => (
          <UnstyledButton
            key={op.id}
            className={classes.option}
            onClick={() => onPick(op)}
            data-testid="operator-option"
            data-operator-name={op.name}
            aria-label={needsFirstUnlock(op) ? `Set up ${op.name}` : `Unlock ${op.name}`}
          >
            <Group justify="space-between" wrap="nowrap">
              <Group gap="sm" wrap="nowrap">
                <IconUserCircle size={28} stroke={1.4} />
                <Stack gap={4}>
                  <Text fw={600} size="sm">
                    {op.name}
                  </Text>
                  <RoleBadges roles={op.roles} size="xs" />
                </Stack>
              </Group>
              <Group gap="xs" wrap="nowrap">
                {needsFirstUnlock(op) ? (
                  <Badge size="sm" variant="light" color="yellow" radius="sm">
                    First unlock
                  </Badge>
                ) : (
                  <IconLock size={16} opacity={0.45} aria-hidden />
                )}
                <IconChevronRight size={18} opacity={0.5} />
              </Group>
            </Group>
          </UnstyledButton>
        ))}
      </Stack>
    </Stack>
  )
}

/** Why the window is locked, when it did not just start: the idle timer, a Lock press, the core. */
function LockNoticeAlert({ notice, idleLockMinutes }: { notice: LockNotice; idleLockMinutes: number }) {
  const text = lockNoticeText(notice, idleLockMinutes)
  if (!text) return null
  return (
    <Alert color="gray" variant="light" icon={<IconLock size={18} />} data-testid="lock-notice" data-reason={notice.reason}>
      {text}
    </Alert>
  )
}

function lockNoticeText(notice: LockNotice, idleLockMinutes: number): string | null {
  switch (notice.reason) {
    case 'start':
      return null
    case 'manual':
      return 'Locked. Nothing of the last session stays on screen — unlock to continue.'
    case 'idle':
      return `Locked after ${idleLockMinutes} ${idleLockMinutes === 1 ? 'minute' : 'minutes'} without activity. Unlock to continue.`
    case 'ended':
      return 'Locked: the session ended (the computer was locked or went to sleep, or the connection was opened again). Unlock to continue.'
    case 'refused':
      return notice.message ?? 'Locked. Unlock to continue.'
  }
}
