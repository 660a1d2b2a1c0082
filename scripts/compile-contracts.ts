// Compiles contracts/**/*.sol with the npm `solc` package (pinned, emscripten build) and writes:
//   contracts/artifacts/<Name>.json          abi, bytecode, deployedBytecode, source sha256, solc version, settings
//   src/main/core/rails/evm/abi.ts           the CountersignBatch and CountersignEscrow ABIs `as const` + runtime code hashes (production)
//   src/main/sandbox/harness/evm/contracts.generated.ts  every contract's ABI `as const` + bytecode (tests and sandbox)
//
// Run: npx tsx scripts/compile-contracts.ts         (writes the files)
//      npx tsx scripts/compile-contracts.ts --check (writes nothing; exits 1 if anything is stale)
//
// test/contracts/artifacts.test.ts recompiles with the same function and fails if the committed
// files differ, so the sources, the artifacts and the ABIs the app imports cannot drift apart.
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, writeFileSync, existsSync, mkdirSync, unlinkSync } from 'node:fs'
import { dirname, join, relative, sep, posix } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { keccak256, type Abi, type Hex } from 'viem'

/** The compiler release the sources are pinned to (`pragma solidity 0.8.37`). */
export const solcVersionPinned = '0.8.37'

/**
 * Fixed compiler settings: the artifacts are a pure function of (sources, compiler, settings).
 * - optimizer runs 1000: the batch contract is deployed once per chain and then executes loops of
 *   hundreds of payouts, so runtime gas matters more than deploy size.
 * - evmVersion cancun: pinned (not the compiler default, which moves between releases) and chosen
 *   to run on every chain we target (Ethereum, Base, Arbitrum, Optimism, Polygon all accept it).
 * - metadata hash kept (ipfs, CBOR appended): the bytecode then fingerprints the exact sources and
 *   settings, and stays verifiable on block explorers.
 */
export const compilerSettings = {
  optimizer: { enabled: true, runs: 1_000 },
  evmVersion: 'cancun',
  viaIR: false,
  metadata: { bytecodeHash: 'ipfs', appendCBOR: true },
} as const

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..')
export const contractsDir = join(repoRoot, 'contracts')
export const artifactsDir = join(contractsDir, 'artifacts')
export const productionAbiPath = join(repoRoot, 'src', 'main', 'core', 'rails', 'evm', 'abi.ts')
export const harnessContractsPath = join(repoRoot, 'src', 'main', 'sandbox', 'harness', 'evm', 'contracts.generated.ts')

/** The contracts whose ABI the production code imports (the rest are test-only). */
const productionContractNames = ['CountersignBatch', 'CountersignEscrow'] as const

/** A source tree deeper than this is a mistake (e.g. a symlink loop), not a contract layout. */
const sourceDirDepthMax = 4

export interface ContractArtifact {
  contractName: string
  /** Path of the source file relative to contracts/, with forward slashes. */
  sourceName: string
  /** sha256 (hex) of the source file's bytes. Every contract is self-contained (no imports). */
  sourceSha256: string
  /** Full compiler version, e.g. 0.8.37+commit.f401782d. */
  solcVersion: string
  settings: typeof compilerSettings
  abi: Abi
  bytecode: Hex
  deployedBytecode: Hex
}

interface SolcCompiler {
  version(): string
  compile(standardJsonInput: string): string
}

interface SolcOutput {
  errors?: { severity: 'error' | 'warning' | 'info'; formattedMessage: string }[]
  contracts?: Record<
    string,
    Record<string, { abi: Abi; metadata: string; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }>
  >
}

/** Lists contracts/**\/*.sol (excluding artifacts/) as sorted posix paths relative to contracts/. */
export function listSources(): string[] {
  const found: string[] = []
  const walk = (dir: string, depth: number): void => {
    if (depth > sourceDirDepthMax) throw new Error(`contracts/ is nested deeper than ${sourceDirDepthMax} levels at ${dir}`)
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name)
      if (entry.isDirectory()) {
        if (full !== artifactsDir) walk(full, depth + 1)
      } else if (entry.isFile() && entry.name.endsWith('.sol')) {
        found.push(relative(contractsDir, full).split(sep).join(posix.sep))
      }
    }
  }
  walk(contractsDir, 0)
  return found.sort()
}

async function loadSolc(): Promise<SolcCompiler> {
  // Loaded lazily: the emscripten compiler takes seconds to instantiate.
  const solc = (await import('solc')).default as unknown as SolcCompiler
  const version = solc.version()
  if (!version.startsWith(`${solcVersionPinned}+`)) {
    throw new Error(`npm solc is ${version}, but the contracts are pinned to ${solcVersionPinned}: run npm ci.`)
  }
  return solc
}

function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex')
}

/** Compiles every source and returns one artifact per deployable contract, sorted by name. */
export async function compileContracts(): Promise<ContractArtifact[]> {
  const solc = await loadSolc()
  const sourceNames = listSources()
  if (sourceNames.length === 0) throw new Error(`no .sol files under ${contractsDir}`)

  const sources: Record<string, { content: string }> = {}
  const sourceSha256: Record<string, string> = {}
  for (const name of sourceNames) {
    const bytes = readFileSync(join(contractsDir, name))
    sources[name] = { content: bytes.toString('utf8') }
    sourceSha256[name] = sha256Hex(bytes)
  }

  const input = {
    language: 'Solidity',
    sources,
    settings: {
      ...compilerSettings,
      outputSelection: { '*': { '*': ['abi', 'metadata', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
    },
  }
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as SolcOutput

  // Warnings fail the build too: they are cheap to fix now and easy to miss forever after.
  const problems = (output.errors ?? []).filter((e) => e.severity !== 'info')
  if (problems.length > 0) {
    throw new Error(`solc reported ${problems.length} problem(s):\n${problems.map((e) => e.formattedMessage).join('\n')}`)
  }

  const solcVersion = solc.version().replace(/\.Emscripten\..*$/, '')
  const artifacts: ContractArtifact[] = []
  for (const sourceName of sourceNames) {
    for (const [contractName, out] of Object.entries(output.contracts?.[sourceName] ?? {})) {
      // Interfaces and abstract contracts have no bytecode and nothing to deploy.
      if (out.evm.bytecode.object.length === 0) continue
      // The artifact's sourceSha256 covers one file, so each contract must be compiled from one.
      const metadataSources = Object.keys((JSON.parse(out.metadata) as { sources: Record<string, unknown> }).sources)
      if (metadataSources.length !== 1 || metadataSources[0] !== sourceName) {
        throw new Error(`${contractName} is built from ${metadataSources.join(', ')}: keep each contract self-contained (no imports).`)
      }
      artifacts.push({
        contractName,
        sourceName,
        sourceSha256: sourceSha256[sourceName] ?? '',
        solcVersion,
        settings: compilerSettings,
        abi: out.abi,
        bytecode: `0x${out.evm.bytecode.object}`,
        deployedBytecode: `0x${out.evm.deployedBytecode.object}`,
      })
    }
  }
  const names = artifacts.map((a) => a.contractName)
  if (new Set(names).size !== names.length) throw new Error(`two contracts share a name: ${names.join(', ')}`)
  for (const name of productionContractNames) {
    if (!names.includes(name)) throw new Error(`contract ${name} (imported by the app) is missing from contracts/`)
  }
  return artifacts.sort((a, b) => (a.contractName < b.contractName ? -1 : 1))
}

/** TestUSD -> testUsd, CountersignBatch -> countersignBatch: the export name in generated TS. */
export function exportName(contractName: string): string {
  const words = contractName.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+/g) ?? [contractName]
  return words.map((w, i) => (i === 0 ? w.toLowerCase() : w.charAt(0).toUpperCase() + w.slice(1).toLowerCase())).join('')
}

const generatedHeader = (what: string): string =>
  `// GENERATED by scripts/compile-contracts.ts from contracts/ — do not edit.\n` +
  `// ${what}\n` +
  `// After changing any .sol file run \`npx tsx scripts/compile-contracts.ts\`; test/contracts fails until you do.\n`

function renderProductionAbi(artifacts: ContractArtifact[]): string {
  let text = generatedHeader('Typed ABIs the payout engine imports (viem infers argument and event types from `as const`).')
  for (const name of productionContractNames) {
    const artifact = artifacts.find((a) => a.contractName === name)
    if (artifact === undefined) throw new Error(`missing artifact ${name}`)
    const id = exportName(name)
    text +=
      `\n/** ABI of ${name} (contracts/${artifact.sourceName}, solc ${artifact.solcVersion}). */\n` +
      `export const ${id}Abi = ${JSON.stringify(artifact.abi)} as const\n` +
      `\n/**\n` +
      ` * keccak256 of ${name}'s runtime bytecode. It has no immutables, so every honest deployment has\n` +
      ` * exactly this code hash: compare keccak256(eth_getCode(address)) with it before paying through an\n` +
      ` * address from configuration, so a wrong or malicious address is refused before anything is signed.\n` +
      ` */\n` +
      `export const ${id}RuntimeCodeHash = '${keccak256(artifact.deployedBytecode)}' as const\n`
  }
  return text
}

function renderHarnessContracts(artifacts: ContractArtifact[]): string {
  let text = generatedHeader('Every contract (production and TEST ONLY) with ABI and creation bytecode, for the harness and tests.')
  for (const artifact of artifacts) {
    text +=
      `\n/** ${artifact.contractName} (contracts/${artifact.sourceName}). */\n` +
      `export const ${exportName(artifact.contractName)} = {\n` +
      `  abi: ${JSON.stringify(artifact.abi)},\n` +
      `  bytecode: '${artifact.bytecode}',\n` +
      `  deployedBytecode: '${artifact.deployedBytecode}',\n` +
      `} as const\n`
  }
  return text
}

/** Formats with the repo's Prettier config, so `npm run format` leaves generated files unchanged. */
async function formatLike(filePath: string, text: string): Promise<string> {
  const prettier = await import('prettier')
  const config = (await prettier.resolveConfig(filePath)) ?? {}
  return prettier.format(text, { ...config, filepath: filePath })
}

/** Every file this script owns, path -> exact content. */
export async function renderOutputs(artifacts: ContractArtifact[]): Promise<Map<string, string>> {
  const files = new Map<string, string>()
  for (const artifact of artifacts) {
    const path = join(artifactsDir, `${artifact.contractName}.json`)
    files.set(path, await formatLike(path, JSON.stringify(artifact, null, 2)))
  }
  files.set(productionAbiPath, await formatLike(productionAbiPath, renderProductionAbi(artifacts)))
  files.set(harnessContractsPath, await formatLike(harnessContractsPath, renderHarnessContracts(artifacts)))
  return files
}

/** Artifact files present on disk that no current contract produces. */
export function staleArtifactPaths(artifacts: ContractArtifact[]): string[] {
  if (!existsSync(artifactsDir)) return []
  const expected = new Set(artifacts.map((a) => `${a.contractName}.json`))
  return readdirSync(artifactsDir)
    .filter((f) => f.endsWith('.json') && !expected.has(f))
    .map((f) => join(artifactsDir, f))
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check')
  const artifacts = await compileContracts()
  const files = await renderOutputs(artifacts)
  const stale = staleArtifactPaths(artifacts)
  const changed = [...files].filter(([path, content]) => !existsSync(path) || readFileSync(path, 'utf8') !== content).map(([p]) => p)

  if (check) {
    const problems = [
      ...changed.map((p) => `out of date: ${relative(repoRoot, p)}`),
      ...stale.map((p) => `stale: ${relative(repoRoot, p)}`),
    ]
    if (problems.length > 0) {
      console.error(`${problems.join('\n')}\nRun: npx tsx scripts/compile-contracts.ts`)
      process.exitCode = 1
    } else {
      console.log(`contracts: ${artifacts.length} artifacts up to date (solc ${artifacts[0]?.solcVersion})`)
    }
    return
  }

  mkdirSync(artifactsDir, { recursive: true })
  for (const path of changed) {
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, files.get(path) ?? '')
  }
  for (const path of stale) unlinkSync(path)
  for (const a of artifacts) {
    console.log(`${a.contractName.padEnd(20)} ${String((a.deployedBytecode.length - 2) / 2).padStart(6)} bytes runtime  ${a.sourceName}`)
  }
  console.log(`solc ${artifacts[0]?.solcVersion}: ${changed.length} file(s) written, ${stale.length} stale artifact(s) removed`)
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error)
    process.exitCode = 1
  })
}
