/**
 * The matches of a statement account: the suggestions a run made, each with why, to confirm in
 * bulk (tick them, Confirm selected) or reject one by one with a reason; and the confirmed ones,
 * newest first, each of which can be undone while its month is open.
 */
import { Checkbox, Group, SegmentedControl, Stack, Text } from '@mantine/core'
import { IconChecks } from '@tabler/icons-react'
import { useEffect, useState } from 'react'
import { formatCount } from '../../lib/format'
import { confirmMatches } from './matchActions'
import { MatchCard } from './MatchCard'
import { EmptyNote, GuardedButton, Pager, RefusalAlert, UpdatedAt } from './matchParts'
import { MATCHES_PAGE, useReconMatch } from './matchStore'

export function MatchesPanel({ canWork, notWorker }: { canWork: boolean; notWorker: string }) {
  const { accountId, suggestions, suggestionsTotal, confirmed, confirmedTotal, confirmedPage, setConfirmedPage, matches } = useReconMatch()
  const [view, setView] = useState<'suggested' | 'confirmed'>('suggested')
  const [checked, setChecked] = useState<Set<string>>(new Set())
  const [busy, setBusy] = useState(false)

  // A suggestion confirmed or rejected elsewhere leaves the selection.
  useEffect(() => {
    setChecked((c) => {
      const live = new Set(suggestions.map((m) => m.id))
      const kept = new Set([...c].filter((id) => live.has(id)))
      return kept.size === c.size ? c : kept
    })
  }, [suggestions])

  if (!accountId) return <EmptyNote testId="recon-matches-none">Choose a statement account above to review its matches.</EmptyNote>

  const allChecked = suggestions.length > 0 && checked.size === suggestions.length
  async function confirmSelected() {
    setBusy(true)
    const ok = await confirmMatches([...checked])
    if (ok) setChecked(new Set())
    setBusy(false)
  }

  return (
    <Stack gap="md" data-testid="recon-matches">
      <Group justify="space-between" wrap="wrap" gap="sm">
        <SegmentedControl
          size="xs"
          value={view}
          onChange={(v) => setView(v as 'suggested' | 'confirmed')}
          data={[
            { value: 'suggested', label: `Suggested · ${formatCount(suggestionsTotal)}` },
            { value: 'confirmed', label: `Confirmed · ${formatCount(confirmedTotal)}` },
          ]}
          data-testid="recon-matches-view"
        />
        <UpdatedAt at={matches.loadedAt} testId="recon-matches-updated" />
      </Group>
      {matches.error ? <RefusalAlert refusal={{ code: null, message: matches.error, items: [] }} testId="recon-matches-error" /> : null}

      {view === 'suggested' ? (
        suggestions.length === 0 ? (
          <EmptyNote testId="recon-suggestions-empty">
            No suggestions waiting. Run matching above to pair new statement lines with the ledger; what no rule can pair goes to the
            exceptions queue.
          </EmptyNote>
        ) : (
          <Stack gap="sm">
            <Group justify="space-between" wrap="wrap" gap="sm" px={4}>
              <Checkbox
                label={`Select all ${formatCount(suggestions.length)}`}
                checked={allChecked}
                indeterminate={checked.size > 0 && !allChecked}
                onChange={() => setChecked(allChecked ? new Set() : new Set(suggestions.map((m) => m.id)))}
                disabled={!canWork}
                data-testid="recon-suggestions-all"
              />
              <Group gap="sm" wrap="nowrap">
                <Text size="xs" c="dimmed" data-testid="recon-suggestions-selected">
                  {formatCount(checked.size)} selected
                </Text>
                <GuardedButton
                  size="sm"
                  leftSection={<IconChecks size={16} />}
                  refusedBecause={!canWork ? notWorker : checked.size === 0 ? 'Tick the suggestions to confirm first.' : null}
                  loading={busy}
                  onClick={() => void confirmSelected()}
                  testId="recon-confirm-selected"
                >
                  Confirm selected{checked.size > 0 ? ` (${formatCount(checked.size)})` : ''}
                </GuardedButton>
              </Group>
            </Group>
            {suggestions.map((m) => (
              <MatchCard
                key={m.id}
                match={m}
                canWork={canWork}
                notWorker={notWorker}
                checked={checked.has(m.id)}
                onCheck={(on) =>
                  setChecked((c) => {
                    const next = new Set(c)
                    if (on) next.add(m.id)
                    else next.delete(m.id)
                    return next
                  })
                }
                testId="recon-suggestion"
              />
            ))}
            {suggestionsTotal > suggestions.length ? (
              <Text size="xs" c="dimmed">
                The newest {formatCount(suggestions.length)} of {formatCount(suggestionsTotal)} are shown: confirm or reject these to see
                the rest.
              </Text>
            ) : null}
          </Stack>
        )
      ) : confirmed.length === 0 ? (
        <EmptyNote testId="recon-confirmed-empty">
          No confirmed matches yet. Exact keys are confirmed by a run at once; confirm suggestions in the Suggested list.
        </EmptyNote>
      ) : (
        <Stack gap="sm">
          {confirmed.map((m) => (
            <MatchCard key={m.id} match={m} canWork={canWork} notWorker={notWorker} testId="recon-confirmed" />
          ))}
          <Pager
            page={confirmedPage}
            size={MATCHES_PAGE}
            total={confirmedTotal}
            onPage={setConfirmedPage}
            noun={['confirmed match', 'confirmed matches']}
            testId="recon-confirmed-pager"
          />
        </Stack>
      )}
    </Stack>
  )
}
