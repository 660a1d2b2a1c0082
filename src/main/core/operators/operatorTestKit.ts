/**
 * TEST ONLY: operators for in-process tests, made the way people make them — invited by an admin
 * (or the bootstrap), then activated with the one-time code and their passphrase — and left
 * unlocked on the caller's channel (DIRECT_CHANNEL by default), so later calls may name them in
 * meta. Passphrases are the sandbox's documented demo ones ("alice-demo-passphrase").
 */
import type { CallMeta } from '../../../shared/api'
import type { Operator, Role } from '../../../shared/blocks'
import { demoPassphrase } from '../../sandbox/sandboxPlan'
import type { CoreApi } from '../api/createApi'
import type { Channel } from './sessions'

export async function addOperatorForTest(
  api: Pick<CoreApi, 'call'>,
  input: { name: string; roles: Role[] },
  as?: CallMeta,
  channel?: Channel,
): Promise<Operator> {
  const added = await api.call('operators.add', input, as ?? {}, channel)
  if (added.inviteCode === null || added.change.state !== 'applied')
    throw new Error(`operator ${input.name} was not invited at once (${added.change.state}) — approve the change first`)
  const session = await api.call(
    'operators.activate',
    { operatorId: added.change.subjectId, inviteCode: added.inviteCode, passphrase: demoPassphrase(input.name) },
    {},
    channel,
  )
  return session.operator!
}

/** Unlock an existing operator with their demo passphrase on the channel. */
export async function unlockForTest(api: Pick<CoreApi, 'call'>, operator: { id: string; name: string }, channel?: Channel): Promise<void> {
  await api.call('operators.unlock', { operatorId: operator.id, passphrase: demoPassphrase(operator.name) }, {}, channel)
}
