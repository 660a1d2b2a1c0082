/**
 * Settings → Organisation: the payer printed on every receipt (name, postal address,
 * registration number, logo), stored under the settings key "organisation" as JSON
 * { name, address, registrationNumber, logoPng } (logoPng: base64 of a PNG, or null).
 *
 * A receipt copies these details when it is issued; changing them later changes no receipt.
 * The logo is checked by its bytes, not its name: it must start with the PNG signature and an
 * IHDR chunk, and stay under ORGANISATION_LOGO_BYTES_MAX (it is embedded in every PDF).
 */
import { CsError } from '../../../shared/errors'
import { ORGANISATION_ADDRESS_LINES_MAX, ORGANISATION_LOGO_BYTES_MAX } from '../../../shared/limits'
import type { OrganisationInput, OrganisationSettings } from '../../../shared/receiptsApi'
import { appendAudit } from '../audit/appendAudit'
import type { Actor, CoreContext } from '../context'
import { sha256Hex } from './receiptCrypto'

export const ORGANISATION_SETTING_KEY = 'organisation'
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
/** Signature (8) + IHDR length (4) + "IHDR" (4) + its 13 bytes + CRC (4). */
const PNG_HEADER_BYTES_MIN = 33

export interface Organisation {
  name: string
  address: string
  registrationNumber: string
  logoPng: string | null
}

const EMPTY: Organisation = { name: '', address: '', registrationNumber: '', logoPng: null }

export async function readOrganisation(ctx: CoreContext): Promise<OrganisationSettings> {
  const row = await ctx.db.first(ctx.db.k.selectFrom('settings').selectAll().where('key', '=', ORGANISATION_SETTING_KEY))
  if (!row) return { ...EMPTY, updatedAt: null, updatedBy: null }
  return { ...parseStored(row.value), updatedAt: row.updated_at, updatedBy: row.updated_by }
}

/** The logo's bytes, for the PDF; null when none is set. */
export async function readOrganisationLogo(ctx: CoreContext): Promise<Uint8Array | null> {
  const org = await readOrganisation(ctx)
  return org.logoPng === null ? null : new Uint8Array(Buffer.from(org.logoPng, 'base64'))
}

export async function setOrganisation(ctx: CoreContext, actor: Actor, input: OrganisationInput): Promise<OrganisationSettings> {
  const next = checkOrganisation(input)
  const now = ctx.clock.now().toISOString()
  await ctx.db.tx(async () => {
    const before = await readOrganisation(ctx)
    await ctx.db.run(
      ctx.db.k
        .insertInto('settings')
        .values({ key: ORGANISATION_SETTING_KEY, value: JSON.stringify(next), updated_at: now, updated_by: actor })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(next), updated_at: now, updated_by: actor })),
    )
    await appendAudit(ctx, {
      actor,
      action: 'settings.organisation.set',
      subject: 'settings:organisation',
      change: { before: auditView(before), after: auditView(next) },
    })
  })
  return await readOrganisation(ctx)
}

/** What the audit keeps: the text as it was, and the logo by its size and hash. */
function auditView(o: Organisation): unknown {
  const logo = o.logoPng === null ? null : Buffer.from(o.logoPng, 'base64')
  return {
    name: o.name,
    address: o.address,
    registrationNumber: o.registrationNumber,
    logo: logo === null ? null : { bytes: logo.length, sha256: sha256Hex(logo) },
  }
}

function checkOrganisation(input: OrganisationInput): Organisation {
  const address = input.address.replace(/\r\n?/g, '\n')
  const lines = address.split('\n')
  if (lines.length > ORGANISATION_ADDRESS_LINES_MAX)
    throw new CsError(
      'ORGANISATION_INVALID',
      `The address has ${lines.length} lines — a receipt header fits ${ORGANISATION_ADDRESS_LINES_MAX}; join some lines.`,
      { details: { field: 'address' } },
    )
  return { name: input.name, address, registrationNumber: input.registrationNumber, logoPng: checkLogo(input.logoPng) }
}

/** The logo as canonical base64, or null; refused unless its bytes are a PNG of allowed size. */
export function checkLogo(base64: string | null): string | null {
  if (base64 === null || base64 === '') return null
  const clean = base64.replace(/\s+/g, '')
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 !== 0)
    throw new CsError('ORGANISATION_INVALID', 'The logo is not base64 text — choose the PNG file again.', { details: { field: 'logoPng' } })
  const bytes = Buffer.from(clean, 'base64')
  if (bytes.length > ORGANISATION_LOGO_BYTES_MAX)
    throw new CsError(
      'ORGANISATION_INVALID',
      `The logo is ${Math.ceil(bytes.length / 1024)} KiB — the limit is ${ORGANISATION_LOGO_BYTES_MAX / 1024} KiB; save it smaller (it is embedded in every receipt).`,
      { details: { field: 'logoPng' } },
    )
  const isPng =
    bytes.length >= PNG_HEADER_BYTES_MIN &&
    bytes.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE) &&
    bytes.subarray(12, 16).toString('latin1') === 'IHDR'
  if (!isPng)
    throw new CsError('ORGANISATION_INVALID', 'The logo is not a PNG image — export it as PNG and choose it again.', {
      details: { field: 'logoPng' },
    })
  return bytes.toString('base64')
}

function parseStored(value: string): Organisation {
  const o = JSON.parse(value) as Partial<Organisation>
  return {
    name: typeof o.name === 'string' ? o.name : '',
    address: typeof o.address === 'string' ? o.address : '',
    registrationNumber: typeof o.registrationNumber === 'string' ? o.registrationNumber : '',
    logoPng: typeof o.logoPng === 'string' ? o.logoPng : null,
  }
}
