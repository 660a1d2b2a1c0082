import { Badge, Group } from '@mantine/core'
import type { Role } from '../../../shared/blocks'

export const ROLE_COLORS: Record<Role, string> = { preparer: 'blue', approver: 'teal', signer: 'violet', admin: 'orange' }
export const ROLE_LABELS: Record<Role, string> = { preparer: 'Preparer', approver: 'Approver', signer: 'Signer', admin: 'Admin' }

export function RoleBadges({ roles, size = 'sm' }: { roles: readonly Role[]; size?: 'xs' | 'sm' | 'md' }) {
  return (
    <Group gap={4} wrap="wrap">
      {roles.map((r) => (
        <Badge key={r} color={ROLE_COLORS[r]} variant="light" size={size} radius="sm">
          {ROLE_LABELS[r]}
        </Badge>
      ))}
    </Group>
  )
}
