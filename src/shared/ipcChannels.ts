/**
 * Electron IPC channel names. Their own module, free of zod, so the sandboxed preload bundle
 * stays a few kilobytes; src/shared/api.ts re-exports them as part of the contract.
 */
export const IPC_INVOKE_CHANNEL = 'countersign:invoke'
export const IPC_EVENT_CHANNEL = 'countersign:event'
