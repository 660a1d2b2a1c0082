import { Alert, Button, Group, Stack, Text } from '@mantine/core'
import { IconAlertOctagon, IconAlertTriangle, IconShieldCheck } from '@tabler/icons-react'
import type { ReactNode } from 'react'
import type { AuditVerification } from '../../../../shared/workspaceApi'
import { formatClock, formatCount, shortHash } from '../../lib/format'
import { useAudit } from './store'

/** The chain's state, prominently: verified (green) or broken at a row (red), with re-verify. */
export function VerificationPanel() {
  const { verification: v, verifying, verifyError, verifiedAt, verify } = useAudit()
  const reverify = (
    <Button
      size="sm"
      variant={v && !v.ok ? 'filled' : 'light'}
      color={v && !v.ok ? 'red' : v?.ok ? 'teal' : 'gray'}
      onClick={() => void verify()}
      loading={verifying}
      data-testid="audit-reverify"
      style={{ flexShrink: 0 }}
    >
      Re-verify chain
    </Button>
  )
  const checkedAt = verifiedAt ? `Checked at ${formatClock(verifiedAt)}.` : ''

  if (verifyError) {
    return (
      <Alert
        color="red"
        variant="light"
        icon={<IconAlertTriangle size={22} />}
        title="Could not verify the audit log"
        data-testid="audit-verification"
        data-state="error"
      >
        <Group justify="space-between" align="flex-end" wrap="nowrap">
          <Text size="sm">{verifyError}</Text>
          {reverify}
        </Group>
      </Alert>
    )
  }
  if (!v) {
    return (
      <Alert color="gray" variant="light" title="Verifying the audit chain…" data-testid="audit-verification" data-state="pending">
        Recomputing every row&apos;s hash from the first one.
      </Alert>
    )
  }
  if (v.ok) {
    return (
      <Alert
        color="teal"
        variant="light"
        icon={<IconShieldCheck size={26} />}
        data-testid="audit-verification"
        data-state="verified"
        styles={{ title: { fontSize: 'var(--mantine-font-size-lg)' } }}
        title={
          <span data-testid="audit-verification-title">
            Chain verified — {formatCount(v.rowsChecked)} {v.rowsChecked === 1 ? 'row' : 'rows'}, head {shortHash(v.headHash)}
          </span>
        }
      >
        <Group justify="space-between" align="flex-end" wrap="nowrap">
          <Text size="sm">
            Every row from 1 to {formatCount(v.headSeq)} matches its hash and links to the row before it. {checkedAt}
          </Text>
          {reverify}
        </Group>
      </Alert>
    )
  }
  if (v.firstBroken?.kind !== undefined && v.firstBroken.kind !== 'chain')
    return <BooksBroken v={v} checkedAt={checkedAt} reverify={reverify} />
  const at = v.firstBroken?.seq ?? v.headSeq + 1
  return (
    <Alert
      color="red"
      variant="filled"
      icon={<IconAlertOctagon size={26} />}
      data-testid="audit-verification"
      data-state="broken"
      styles={{ title: { fontSize: 'var(--mantine-font-size-lg)' } }}
      title={
        <span data-testid="audit-verification-title">
          Broken at row {formatCount(at)}: {v.firstBroken?.reason ?? 'the chain does not verify'}
        </span>
      }
    >
      <Stack gap="xs">
        <Group justify="space-between" align="flex-end" wrap="nowrap">
          <Text size="sm">
            The audit log was changed outside Countersign. {trustedRows(at)} Row {formatCount(at)} and everything after it cannot be trusted
            (marked in the table). Do not edit the database further — keep a copy of this workspace and contact your administrator.{' '}
            {checkedAt}
          </Text>
          <Button
            size="sm"
            variant="white"
            color="red"
            onClick={() => void verify()}
            loading={verifying}
            data-testid="audit-reverify"
            style={{ flexShrink: 0 }}
          >
            Re-verify chain
          </Button>
        </Group>
      </Stack>
    </Alert>
  )
}

/** The chain holds, but a row of the books it describes was changed, added or removed outside Countersign. */
function BooksBroken({ v, checkedAt, reverify }: { v: AuditVerification; checkedAt: string; reverify: ReactNode }) {
  const broken = v.firstBroken!
  return (
    <Alert
      color="red"
      variant="light"
      icon={<IconAlertOctagon size={26} />}
      data-testid="audit-verification"
      data-state="broken"
      data-kind={broken.kind}
      styles={{ title: { fontSize: 'var(--mantine-font-size-lg)' } }}
      title={<span data-testid="audit-verification-title">The books were changed outside Countersign: {broken.reason}</span>}
    >
      <Group justify="space-between" align="flex-end" wrap="nowrap">
        <Text size="sm">
          {broken.subject ? <>Row: {broken.subject}. </> : null}The audit log itself verifies ({formatCount(v.rowsChecked)}{' '}
          {v.rowsChecked === 1 ? 'row' : 'rows'}), but the books no longer match what it recorded. Do not edit the database further — keep a
          copy of this workspace and contact your administrator. {checkedAt}
        </Text>
        {reverify}
      </Group>
    </Alert>
  )
}

function trustedRows(brokenAt: number): string {
  if (brokenAt <= 1) return 'No row verified.'
  if (brokenAt === 2) return 'Row 1 verified.'
  return `Rows 1–${formatCount(brokenAt - 1)} verified.`
}
