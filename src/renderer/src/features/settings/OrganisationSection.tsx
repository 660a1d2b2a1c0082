/**
 * Settings → Organisation: the payer printed on every receipt — name, postal address,
 * registration number and logo (a PNG, previewed, its size checked here and again by the core).
 * An admin changes them; everyone sees them and who changed them last. A receipt copies these
 * details when it is issued: changing them later changes no receipt already issued (the logo is
 * drawn when a PDF is made).
 */
import { Alert, Button, Card, FileButton, Group, Image, Stack, Text, TextInput, Textarea, Title } from '@mantine/core'
import { IconAlertTriangle, IconBuilding, IconPhotoUp, IconTrash } from '@tabler/icons-react'
import { useCallback, useEffect, useState } from 'react'
import {
  ORGANISATION_ADDRESS_CHARS_MAX,
  ORGANISATION_ADDRESS_LINES_MAX,
  ORGANISATION_LOGO_BYTES_MAX,
  ORGANISATION_NAME_CHARS_MAX,
  ORGANISATION_REGISTRATION_CHARS_MAX,
} from '../../../../shared/limits'
import { fileTooLargeMessage, formatFileSize } from '../../../../shared/fileSize'
import type { OrganisationSettings } from '../../../../shared/receiptsApi'
import { errorMessage, invoke, loadErrorMessage } from '../../lib/api'
import { bytesToBase64 } from '../../lib/download'
import { formatTimestamp } from '../../lib/format'
import { notifySuccess } from '../notify/store'
import { hasRole, useSession } from '../session/store'

const NOT_ADMIN = 'Only an admin can change what receipts print as the payer.'
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
const LOGO_PREVIEW_HEIGHT_PX = 64

interface Draft {
  name: string
  address: string
  registrationNumber: string
  logoPng: string | null
}

function draftOf(o: OrganisationSettings): Draft {
  return { name: o.name, address: o.address, registrationNumber: o.registrationNumber, logoPng: o.logoPng }
}

function same(a: Draft, b: Draft): boolean {
  return a.name === b.name && a.address === b.address && a.registrationNumber === b.registrationNumber && a.logoPng === b.logoPng
}

/** The logo's bytes as base64, or the sentence saying why it cannot be used. */
async function readLogo(file: File): Promise<{ base64: string } | { problem: string }> {
  if (file.size > ORGANISATION_LOGO_BYTES_MAX)
    return {
      problem: fileTooLargeMessage({
        name: file.name,
        bytes: file.size,
        limitBytes: ORGANISATION_LOGO_BYTES_MAX,
        kind: 'the logo (it is embedded in every receipt)',
        fix: 'Save it smaller and choose it again.',
      }),
    }
  const bytes = new Uint8Array(await file.arrayBuffer())
  if (!PNG_SIGNATURE.every((b, i) => bytes[i] === b))
    return { problem: `${file.name} is not a PNG image — export the logo as PNG and choose it again.` }
  return { base64: bytesToBase64(bytes) }
}

export function OrganisationSection() {
  const operator = useSession((s) => s.operator)
  const operators = useSession((s) => s.operators)
  const isAdmin = hasRole(operator, 'admin')
  const [saved, setSaved] = useState<OrganisationSettings | null>(null)
  const [draft, setDraft] = useState<Draft | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [logoProblem, setLogoProblem] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const load = useCallback(async () => {
    try {
      const o = await invoke('settings.organisation.get', {})
      setSaved(o)
      setDraft(draftOf(o))
      setError(null)
    } catch (e) {
      setError(loadErrorMessage(e))
    }
  }, [])
  useEffect(() => {
    void load()
  }, [load])

  async function save() {
    if (!draft) return
    setBusy(true)
    try {
      const o = await invoke('settings.organisation.set', draft)
      setSaved(o)
      setDraft(draftOf(o))
      setError(null)
      notifySuccess('Organisation saved', 'Receipts issued from now on print these details; receipts already issued keep theirs.')
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  async function chooseLogo(file: File | null) {
    if (!file || !draft) return
    const read = await readLogo(file)
    if ('problem' in read) return setLogoProblem(read.problem)
    setLogoProblem(null)
    setDraft({ ...draft, logoPng: read.base64 })
  }

  const lines = draft ? draft.address.split('\n').length : 0
  const changedBy = saved?.updatedBy ? (operators.find((o) => o.id === saved.updatedBy)?.name ?? saved.updatedBy) : null
  const dirty = saved !== null && draft !== null && !same(draft, draftOf(saved))

  return (
    <Card withBorder padding="lg" data-testid="settings-organisation">
      <Stack gap="md">
        <Stack gap={2}>
          <Group gap="xs">
            <IconBuilding size={18} />
            <Title order={4}>Organisation on receipts</Title>
          </Group>
          <Text size="sm" c="dimmed">
            Printed as the payer on every receipt and remittance advice. A receipt keeps the details it was issued with.
          </Text>
          <Text size="xs" c="dimmed" data-testid="organisation-changed">
            {saved === null
              ? ''
              : changedBy && saved.updatedAt
                ? `Last changed by ${changedBy} at ${formatTimestamp(saved.updatedAt)}`
                : 'Not set yet.'}
          </Text>
        </Stack>
        {error ? (
          <Alert color="red" variant="light" icon={<IconAlertTriangle />} data-testid="organisation-error">
            {error}
          </Alert>
        ) : null}
        {draft ? (
          <>
            <TextInput
              label="Name"
              value={draft.name}
              onChange={(e) => setDraft({ ...draft, name: e.currentTarget.value })}
              maxLength={ORGANISATION_NAME_CHARS_MAX}
              readOnly={!isAdmin}
              data-testid="organisation-name"
            />
            <Textarea
              label="Postal address"
              description={`${lines} of ${ORGANISATION_ADDRESS_LINES_MAX} lines`}
              error={
                lines > ORGANISATION_ADDRESS_LINES_MAX
                  ? `A receipt header fits ${ORGANISATION_ADDRESS_LINES_MAX} lines — join some.`
                  : undefined
              }
              value={draft.address}
              onChange={(e) => setDraft({ ...draft, address: e.currentTarget.value })}
              maxLength={ORGANISATION_ADDRESS_CHARS_MAX}
              autosize
              minRows={3}
              readOnly={!isAdmin}
              data-testid="organisation-address"
            />
            <TextInput
              label="Registration number"
              value={draft.registrationNumber}
              onChange={(e) => setDraft({ ...draft, registrationNumber: e.currentTarget.value })}
              maxLength={ORGANISATION_REGISTRATION_CHARS_MAX}
              readOnly={!isAdmin}
              data-testid="organisation-registration"
            />
            <Stack gap={6}>
              <Text size="sm" fw={500}>
                Logo
              </Text>
              <Group gap="md" align="center">
                {draft.logoPng ? (
                  <Image
                    src={`data:image/png;base64,${draft.logoPng}`}
                    alt="Organisation logo"
                    h={LOGO_PREVIEW_HEIGHT_PX}
                    w="auto"
                    fit="contain"
                    data-testid="organisation-logo-preview"
                  />
                ) : (
                  <Text size="sm" c="dimmed">
                    No logo.
                  </Text>
                )}
                <FileButton onChange={(f) => void chooseLogo(f)} accept="image/png" disabled={!isAdmin}>
                  {(props) => (
                    <Button
                      {...props}
                      size="xs"
                      variant="default"
                      leftSection={<IconPhotoUp size={14} />}
                      disabled={!isAdmin}
                      data-testid="organisation-logo-pick"
                    >
                      Choose PNG…
                    </Button>
                  )}
                </FileButton>
                {draft.logoPng ? (
                  <Button
                    size="xs"
                    variant="subtle"
                    color="red"
                    leftSection={<IconTrash size={14} />}
                    onClick={() => setDraft({ ...draft, logoPng: null })}
                    disabled={!isAdmin}
                    data-testid="organisation-logo-remove"
                  >
                    Remove
                  </Button>
                ) : null}
              </Group>
              <Text size="xs" c={logoProblem ? 'red' : 'dimmed'} data-testid="organisation-logo-hint">
                {logoProblem ?? `A PNG of at most ${formatFileSize(ORGANISATION_LOGO_BYTES_MAX)} (it is embedded in every receipt PDF).`}
              </Text>
            </Stack>
            <Group gap="sm">
              <Button
                onClick={() => void save()}
                loading={busy}
                disabled={!isAdmin || !dirty || lines > ORGANISATION_ADDRESS_LINES_MAX}
                title={isAdmin ? undefined : NOT_ADMIN}
                data-testid="organisation-save"
              >
                Save
              </Button>
              {dirty ? (
                <Button variant="subtle" onClick={() => saved && setDraft(draftOf(saved))} data-testid="organisation-discard">
                  Discard changes
                </Button>
              ) : null}
              {!isAdmin ? (
                <Text size="xs" c="dimmed">
                  {NOT_ADMIN}
                </Text>
              ) : null}
            </Group>
          </>
        ) : null}
      </Stack>
    </Card>
  )
}
