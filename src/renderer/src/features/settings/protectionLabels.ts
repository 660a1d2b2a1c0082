/** What protects a saved secret on this desk, in words (Settings → Stripe, Settings → Team database). */
import type { SecretProtection } from '../../../../shared/blocks'

export const PROTECTION_LABELS: Record<SecretProtection, string> = {
  'os-encryption': 'Encrypted by the operating system',
  'basic-text': 'Not encrypted (no system keyring)',
  environment: 'Read from the environment',
  'plaintext-file': 'Plain file in the sandbox folder (sandbox only)',
  memory: 'Memory only',
}
