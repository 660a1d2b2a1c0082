/**
 * One line of an escrow's history, as a finance person reads it, from its audit row: "Release of
 * milestone 2 requested: 2,500.5 USDC", "Transaction for the funding sent (0x12ab…)", "Milestone 1
 * released: 2,500.5 USDC to the payee". Amounts at display precision (never rounded: trailing zeros
 * trimmed). The audit row itself (audit views, `audit list`) keeps every field; an action this
 * does not know yet reads as before ("action: field value, …"), so nothing is ever hidden.
 */
import { formatDisplay, formatDisplayMinor } from '../../../shared/displayAmount'

export interface HistoryAsset {
  code: string
  scale: number
}

/** What the history knows of each action request of the escrow (approvals name only the action's id). */
export type HistoryActions = ReadonlyMap<string, { kind: string; milestone: number | null }>

const ACTION_NAMES: Record<string, string> = {
  fund: 'Funding',
  release: 'Release',
  dispute: 'Dispute',
  resolve: 'Resolution',
  refund: 'Refund',
}

const ACTION_STATE_WORDS: Record<string, string> = {
  awaiting_approval: 'waits for approval',
  approved: 'approved — ready to execute',
  executing: 'being executed',
  done: 'done',
  failed: 'failed',
  rejected: 'rejected',
  cancelled: 'cancelled',
}

const TX_STATE_WORDS: Record<string, string> = {
  planned: 'prepared',
  signed: 'signed',
  broadcast: 'sent',
  confirmed: 'confirmed',
  failed: 'refused by the rail',
  dead: 'will never land',
}

const MILESTONE_STATE_WORDS: Record<string, string> = {
  draft: 'back to draft',
  funding: 'being funded',
  held: 'funded and held',
  in_review: 'in review',
  released: 'released',
  disputed: 'disputed',
  resolved: 'resolved',
  refunded: 'refunded',
  expired: 'expired',
  failed: 'failed',
}

const ESCROW_STATE_WORDS: Record<string, string> = {
  ...MILESTONE_STATE_WORDS,
  // The escrow comes back to 'held' after a dispute is settled too: not "funded" again.
  held: 'held',
  draft: 'a draft',
  cancelled: 'cancelled',
  closed: 'closed',
}

const TEXT_CHARS_MAX = 300

export function escrowHistoryText(action: string, changeJson: string, asset: HistoryAsset, actions: HistoryActions): string {
  const c = JSON.parse(changeJson) as Record<string, unknown>
  const text = sentence(action, c, asset, actions) ?? generic(action, c)
  return text.length > TEXT_CHARS_MAX ? `${text.slice(0, TEXT_CHARS_MAX - 1)}…` : text
}

function sentence(action: string, c: Record<string, unknown>, asset: HistoryAsset, actions: HistoryActions): string | null {
  const amount = (v: unknown) => (typeof v === 'string' ? `${formatDisplay(v, asset.scale, asset.code)} ${asset.code}` : null)
  const minor = (v: unknown) =>
    typeof v === 'string' && /^\d+$/.test(v) ? `${formatDisplayMinor(BigInt(v), asset.scale, asset.code)} ${asset.code}` : null
  const actionName = (kind: unknown, milestone: unknown) => {
    const name = ACTION_NAMES[String(kind)] ?? String(kind)
    return typeof milestone === 'number' ? `${name} of milestone ${milestone}` : name
  }
  const ofAction = (id: unknown) => {
    const a = typeof id === 'string' ? actions.get(id) : undefined
    return a ? actionName(a.kind, a.milestone).toLowerCase() : 'request'
  }
  const quoted = (v: unknown) => (typeof v === 'string' && v !== '' ? ` — “${v}”` : '')
  switch (action) {
    case 'escrow.create': {
      const n = Array.isArray(c.milestones) ? c.milestones.length : 0
      return `Escrow created: ${amount(c.total) ?? '?'} in ${n} milestone${n === 1 ? '' : 's'}, for ${String(c.payee)}`
    }
    case 'escrow.action.request': {
      const what = `${actionName(c.kind, c.milestone)} requested`
      if (c.kind === 'resolve')
        return `${what}: ${amount(c.toPayee) ?? '?'} to the payee, ${amount(c.toPayer) ?? '?'} back to the payer${quoted(c.reason)}`
      const sum = amount(c.amount)
      return `${what}${sum && c.amount !== '0' && !/^0(\.0*)?$/.test(String(c.amount)) ? `: ${sum}` : ''}${quoted(c.reason)}`
    }
    case 'escrow.action.approve':
      return `Approved the ${ofAction(c.actionId)}${quoted(c.comment)}`
    case 'escrow.execute.refused':
      return `Execution of the ${ofAction(c.actionId)} refused: ${String(c.problem)}`
    case 'escrow.milestone.change': {
      const to = typeof c.state === 'string' ? c.state : null
      const head = `Milestone ${String(c.milestone)} ${to ? (MILESTONE_STATE_WORDS[to] ?? to) : 'changed'}`
      const parts: string[] = []
      const released = minor(c.released)
      const refunded = minor(c.refunded)
      if (released && c.released !== '0') parts.push(`${released} to the payee`)
      if (refunded && c.refunded !== '0') parts.push(`${refunded} back to the payer`)
      if (c.auto_released === 1) parts.push('automatically, after its review window')
      return parts.length > 0 ? `${head}: ${parts.join(', ')}` : head
    }
    case 'escrow.state':
      return `Escrow is now ${ESCROW_STATE_WORDS[String(c.to)] ?? String(c.to)}`
    case 'escrow.cancel':
      return `Escrow cancelled${quoted(c.comment)}`
    default:
      break
  }
  const actionState = /^escrow\.action\.([a-z_]+)$/.exec(action)?.[1]
  if (actionState && ACTION_STATE_WORDS[actionState]) {
    const failure = c.failure as { message?: unknown } | undefined
    const why = failure && typeof failure.message === 'string' ? `: ${failure.message}` : ''
    return `${actionName(c.kind, c.milestone)} ${ACTION_STATE_WORDS[actionState]}${why}`
  }
  const txState = /^escrow\.tx\.([a-z_]+)$/.exec(action)?.[1]
  if (txState && TX_STATE_WORDS[txState]) {
    const hash = typeof c.txHash === 'string' ? ` (${c.txHash.length > 14 ? `${c.txHash.slice(0, 10)}…` : c.txHash})` : ''
    const again = c.landedAgainAfterReorg === true ? ' again after a reorg' : ''
    const why = typeof c.failure_message === 'string' ? `: ${c.failure_message}` : typeof c.reason === 'string' ? `: ${c.reason}` : ''
    return `Transaction for the ${ofAction(c.actionId)} ${TX_STATE_WORDS[txState]}${again}${hash}${why}`
  }
  return null
}

/** An action this file has no sentence for: its name and plain fields, as the audit row holds them. */
function generic(action: string, c: Record<string, unknown>): string {
  const bits = ['kind', 'milestone', 'from', 'to', 'state', 'amount', 'toPayee', 'toPayer', 'txHash', 'reason']
    .filter((k) => c[k] !== undefined && c[k] !== null)
    .map((k) => `${k} ${String(c[k])}`)
  return `${action.replace(/^escrow\./, '')}${bits.length > 0 ? `: ${bits.join(', ')}` : ''}`
}
