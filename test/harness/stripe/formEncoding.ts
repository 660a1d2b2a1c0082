/** Moved to src/main/sandbox/harness/stripe/formEncoding.ts. */
export * from '../../../src/main/sandbox/harness/stripe/formEncoding'
