export * from './externalFile'
export { exportUnsignedEvm, verifySignedEvm, type EvmExportItem, type EvmExpected, type VerifiedSigned } from './externalEvm'
export { exportUnsignedStellar, verifySignedStellar, type StellarExportItem, type StellarExpected } from './externalStellar'
export { importSignedFile, type ExpectedSigned, type ImportedSigned, type ImportSignedOptions } from './importSignedFile'
