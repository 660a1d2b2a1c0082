/**
 * A live countdown to a deadline ("review ends in 2 d 4 h"), redrawn every second in its last hour
 * and twice a minute before; orange under a day, red once passed. It counts on this window's clock.
 */
import { Text } from '@mantine/core'
import { useEffect, useState } from 'react'
import { formatTimestamp } from '../../lib/format'
import { countdownTickMs, deadlineText, type DeadlineKind } from './deadlines'

export function Countdown({ kind, at, size = 'sm', testId }: { kind: DeadlineKind; at: string; size?: 'xs' | 'sm'; testId?: string }) {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const timer = setTimeout(() => setNow(Date.now()), countdownTickMs(at, now))
    return () => clearTimeout(timer)
  }, [at, now])
  const d = deadlineText(kind, at, now)
  return (
    <Text
      span
      size={size}
      fw={d.urgent ? 600 : undefined}
      c={d.passed ? 'red.7' : d.urgent ? 'orange.8' : undefined}
      title={formatTimestamp(at)}
      data-testid={testId}
      data-urgent={d.urgent || undefined}
      data-passed={d.passed || undefined}
    >
      {d.text}
    </Text>
  )
}
