import {
  ActionIcon,
  AppShell,
  Badge,
  Button,
  Group,
  Indicator,
  NavLink,
  ScrollArea,
  Stack,
  Text,
  Tooltip,
  useComputedColorScheme,
  useMantineColorScheme,
} from '@mantine/core'
import {
  IconArrowsExchange,
  IconLayoutDashboard,
  IconLock,
  IconMoon,
  IconReceipt2,
  IconBrandStripe,
  IconSend,
  IconSettings,
  IconShieldCheck,
  IconSun,
  IconUserCircle,
  IconAddressBook,
  type Icon,
} from '@tabler/icons-react'
import { databaseStatus } from './features/offline/store'
import { useEffect, useRef } from 'react'
import { useMediaQuery } from '@mantine/hooks'
import { ConnectionBanner } from './components/ConnectionBanner'
import { Notifications } from './components/Notifications'
import { OfflineBanner } from './components/OfflineBanner'
import { modeLabel, useApp } from './features/app/store'
import { AuditView } from './features/audit/AuditView'
import { DashboardView } from './features/dashboard/DashboardView'
import { EscrowView } from './features/escrow/EscrowView'
import { useAwaitingMeCount } from './features/nav/awaitingMe'
import { Shortcuts } from './features/nav/Shortcuts'
import { useNav, type ViewId } from './features/nav/store'
import { PayoutsView } from './features/payouts/PayoutsView'
import { PayeesView } from './features/payees/PayeesView'
import { ReconciliationView } from './features/reconciliation/ReconciliationView'
import { ReceiptsView } from './features/receipts/ReceiptsView'
import { OperatorPicker } from './features/session/OperatorPicker'
import { loadOperators, lock, touchSession } from './features/session/actions'
import { clearViewsOnLock } from './features/session/clearOnLock'
import { useSession } from './features/session/store'
import { useIdleLock } from './features/session/useIdleLock'
import { SettingsView } from './features/settings/SettingsView'
import { StripeView } from './features/stripe/StripeView'
import { onEvent } from './lib/api'
import { formatHourMinute } from './lib/format'

interface NavItem {
  id: ViewId
  label: string
  icon: Icon
}

const NAV: readonly NavItem[] = [
  { id: 'dashboard', label: 'Dashboard', icon: IconLayoutDashboard },
  { id: 'payouts', label: 'Payouts', icon: IconSend },
  { id: 'payees', label: 'Payees', icon: IconAddressBook },
  { id: 'stripe', label: 'Stripe', icon: IconBrandStripe },
  { id: 'escrow', label: 'Escrow', icon: IconLock },
  { id: 'reconciliation', label: 'Reconciliation', icon: IconArrowsExchange },
  { id: 'receipts', label: 'Receipts', icon: IconReceipt2 },
  { id: 'audit', label: 'Audit', icon: IconShieldCheck },
  { id: 'settings', label: 'Settings', icon: IconSettings },
]

export function App() {
  const operator = useSession((s) => s.operator)
  const loadInfo = useApp((s) => s.load)
  const connection = useApp((s) => s.connection)

  useEffect(() => {
    void loadInfo()
    void loadOperators()
    const offs = [
      clearViewsOnLock(),
      onEvent('operators.changed', () => void loadOperators()),
      onEvent('database.status', (p) => databaseStatus(p.reachable)),
      // The core ended this window's session on its own (idle, OS lock or suspend, deactivated).
      onEvent('session.locked', () => {
        if (useSession.getState().operator) useSession.getState().locked({ reason: 'ended', message: null })
      }),
    ]
    return () => offs.forEach((off) => off())
  }, [loadInfo])

  // After a browser-mode reconnect, events may have been missed: load again what is shared. A new
  // connection is a new session, locked: touchSession sends the window back to the picker.
  const wasOpen = useRef(false)
  useEffect(() => {
    if (connection?.state === 'open') {
      if (wasOpen.current) {
        void loadInfo()
        void loadOperators()
        void touchSession()
      }
      wasOpen.current = true
    }
  }, [connection?.state, loadInfo])

  // A locked window shows the picker and nothing else: no navigation, no data, no notices.
  return operator ? (
    <>
      <Shell />
      <Notifications />
    </>
  ) : (
    <OperatorPicker />
  )
}

/** Window width from which the navigation shows its names; below it, icons only. */
const NARROW_WINDOW_PX = 1200
const NAV_WIDTH_PX = 232
const NAV_WIDTH_NARROW_PX = 60

function Shell() {
  const view = useNav((s) => s.view)
  const go = useNav((s) => s.go)
  const operator = useSession((s) => s.operator)!
  const locksAt = useSession((s) => s.locksAt)
  const idleLockMinutes = useSession((s) => s.idleLockMinutes)
  const info = useApp((s) => s.info)
  useIdleLock()
  // Below NARROW_WINDOW_PX the navigation keeps its icons only (names on hover and for screen
  // readers): a 1024-pixel laptop gives its width to the tables.
  const narrow = useMediaQuery(`(max-width: ${NARROW_WINDOW_PX - 1}px)`) ?? false
  const awaiting = useAwaitingMeCount()
  const awaitingText = `${awaiting} ${awaiting === 1 ? 'batch waits' : 'batches wait'} for your approval`

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: narrow ? NAV_WIDTH_NARROW_PX : NAV_WIDTH_PX, breakpoint: 0 }}
      padding={narrow ? 'md' : 'lg'}
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <IconShieldCheck size={24} stroke={1.8} color="var(--mantine-color-indigo-6)" />
            <Text fw={700} size="lg" style={{ letterSpacing: '-0.01em' }}>
              Countersign
            </Text>
            <Badge variant="default" size="sm" radius="sm" data-testid="mode-badge">
              {modeLabel(info)}
            </Badge>
            {info?.database.backend === 'postgres' ? (
              <Badge variant="light" color="indigo" size="sm" radius="sm" title={info.database.location} data-testid="team-badge">
                Team database
              </Badge>
            ) : null}
          </Group>
          <Group gap="sm" wrap="nowrap">
            <ConnectionBanner />
            <Group gap={8} wrap="nowrap" data-testid="current-operator">
              <IconUserCircle size={20} stroke={1.5} />
              <Stack gap={0}>
                <Text size="sm" fw={600} lh={1.2}>
                  {operator.name}
                </Text>
                <Text size="xs" c="dimmed" lh={1.2} data-testid="session-locks-at">
                  {operator.roles.join(' · ')}
                  {locksAt ? ` · locks ${formatHourMinute(locksAt)} if idle` : ''}
                </Text>
              </Stack>
            </Group>
            <Tooltip label={`Lock now — it also locks itself after ${idleLockMinutes} min without activity`}>
              <Button
                variant="default"
                size="xs"
                leftSection={<IconLock size={14} />}
                onClick={() => void lock('manual')}
                data-testid="lock-button"
              >
                Lock
              </Button>
            </Tooltip>
            <ColorSchemeToggle />
          </Group>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="xs">
        <AppShell.Section grow component={ScrollArea}>
          <Stack gap={2}>
            {NAV.map((item) => {
              // Payouts says how many batches wait for this operator's approval: a badge beside the
              // name, a dot with the number on the icon when the navigation keeps its icons only.
              const count = item.id === 'payouts' ? awaiting : 0
              const label = count > 0 ? `${item.label} — ${awaitingText}` : item.label
              return (
                <Tooltip key={item.id} label={label} position="right" disabled={!narrow} withinPortal>
                  <NavLink
                    label={narrow ? null : item.label}
                    aria-label={label}
                    leftSection={
                      <Indicator
                        disabled={!narrow || count === 0}
                        label={count > 99 ? '99+' : count}
                        size={16}
                        color="orange"
                        offset={2}
                        data-testid={count > 0 && narrow ? 'nav-awaiting-dot' : undefined}
                      >
                        <item.icon size={18} stroke={1.6} />
                      </Indicator>
                    }
                    rightSection={
                      count > 0 && !narrow ? (
                        <Tooltip label={awaitingText} withinPortal>
                          <Badge size="sm" color="orange" variant="filled" radius="xl" data-testid="nav-awaiting">
                            {count > 99 ? '99+' : count}
                          </Badge>
                        </Tooltip>
                      ) : null
                    }
                    active={view === item.id}
                    onClick={() => go(item.id)}
                    data-testid={`nav-${item.id}`}
                    data-awaiting={item.id === 'payouts' ? count : undefined}
                    aria-current={view === item.id ? 'page' : undefined}
                    style={{ borderRadius: 'var(--mantine-radius-md)' }}
                  />
                </Tooltip>
              )
            })}
          </Stack>
        </AppShell.Section>
        <AppShell.Section>
          <Text size="xs" c="dimmed" px="sm" py={6} title="Press ? for keyboard shortcuts">
            {info ? `v${info.version}` : ''}
            {narrow ? '' : ' · ? shortcuts'}
          </Text>
        </AppShell.Section>
      </AppShell.Navbar>

      <Shortcuts />
      <AppShell.Main>
        <Stack gap="lg">
          <OfflineBanner />
          <CurrentView view={view} />
        </Stack>
      </AppShell.Main>
    </AppShell>
  )
}

function CurrentView({ view }: { view: ViewId }) {
  switch (view) {
    case 'dashboard':
      return <DashboardView />
    case 'audit':
      return <AuditView />
    case 'settings':
      return <SettingsView />
    case 'payouts':
      return <PayoutsView />
    case 'payees':
      return <PayeesView />
    case 'stripe':
      return <StripeView />
    case 'escrow':
      return <EscrowView />
    case 'reconciliation':
      return <ReconciliationView />
    case 'receipts':
      return <ReceiptsView />
  }
}

function ColorSchemeToggle() {
  const { setColorScheme } = useMantineColorScheme()
  const computed = useComputedColorScheme('light')
  const next = computed === 'dark' ? 'light' : 'dark'
  return (
    <Tooltip label={`Switch to ${next} theme`}>
      <ActionIcon
        variant="default"
        size="lg"
        onClick={() => setColorScheme(next)}
        aria-label={`Switch to ${next} theme`}
        data-testid="color-scheme-toggle"
      >
        {computed === 'dark' ? <IconSun size={18} /> : <IconMoon size={18} />}
      </ActionIcon>
    </Tooltip>
  )
}
