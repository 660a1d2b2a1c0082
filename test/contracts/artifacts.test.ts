// The committed artifacts and generated ABI modules must be exactly what the pinned compiler makes
// of the committed sources. If this fails, the fix is always the same: recompile.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { keccak256 } from 'viem'
import {
  artifactsDir,
  compileContracts,
  contractsDir,
  exportName,
  harnessContractsPath,
  listSources,
  productionAbiPath,
  renderOutputs,
  solcVersionPinned,
  staleArtifactPaths,
  type ContractArtifact,
} from '../../scripts/compile-contracts'
import * as productionAbi from '../../src/main/core/rails/evm/abi'
import * as harnessContracts from '../harness/evm/contracts.generated'

const fix = 'contracts/ and its artifacts are out of sync: run `npx tsx scripts/compile-contracts.ts` and commit the result'

/** Loading the emscripten compiler and compiling takes several seconds. */
const compileTimeoutMs = 120_000

describe('contract artifacts', () => {
  let fresh: ContractArtifact[]
  beforeAll(async () => {
    fresh = await compileContracts()
  }, compileTimeoutMs)

  it('compiles the expected contracts with the pinned solc', () => {
    expect(fresh.map((a) => a.contractName)).toEqual([
      'CountersignBatch',
      'CountersignEscrow',
      'FalseToken',
      'FeeOnTransferToken',
      'NoBoolToken',
      'RevertingReceiver',
      'TestUSD',
    ])
    for (const a of fresh) expect(a.solcVersion.startsWith(`${solcVersionPinned}+`)).toBe(true)
  })

  it('every source pins `pragma solidity 0.8.37` exactly', () => {
    for (const name of listSources()) {
      const source = readFileSync(join(contractsDir, name), 'utf8')
      expect(source, `${name} must say \`pragma solidity ${solcVersionPinned};\``).toMatch(/^pragma solidity 0\.8\.37;$/m)
    }
  })

  it('each committed artifact equals a fresh compile: abi, bytecode, deployedBytecode, source sha256, solc version, settings', () => {
    for (const a of fresh) {
      const path = join(artifactsDir, `${a.contractName}.json`)
      expect(existsSync(path), `${a.contractName}.json is missing — ${fix}`).toBe(true)
      const committed = JSON.parse(readFileSync(path, 'utf8')) as ContractArtifact
      expect(committed.sourceSha256, `${a.contractName}: source changed — ${fix}`).toBe(a.sourceSha256)
      expect(committed.solcVersion, `${a.contractName}: compiler changed — ${fix}`).toBe(a.solcVersion)
      expect(committed.settings, `${a.contractName}: settings changed — ${fix}`).toEqual(a.settings)
      expect(committed.abi, `${a.contractName}: ABI differs — ${fix}`).toEqual(a.abi)
      expect(committed.bytecode, `${a.contractName}: bytecode differs — ${fix}`).toBe(a.bytecode)
      expect(committed.deployedBytecode, `${a.contractName}: deployedBytecode differs — ${fix}`).toBe(a.deployedBytecode)
    }
  })

  it('no artifact is left over from a deleted or renamed contract', () => {
    expect(staleArtifactPaths(fresh), fix).toEqual([])
  })

  it('the production ABI module (src/main/core/rails/evm/abi.ts) matches CountersignBatch', () => {
    const batch = fresh.find((a) => a.contractName === 'CountersignBatch')
    expect(productionAbi.countersignBatchAbi, fix).toEqual(batch?.abi)
    expect(productionAbi.countersignBatchRuntimeCodeHash, fix).toBe(batch && keccak256(batch.deployedBytecode))
  })

  it('the production ABI module matches CountersignEscrow', () => {
    const escrow = fresh.find((a) => a.contractName === 'CountersignEscrow')
    expect(productionAbi.countersignEscrowAbi, fix).toEqual(escrow?.abi)
    expect(productionAbi.countersignEscrowRuntimeCodeHash, fix).toBe(escrow && keccak256(escrow.deployedBytecode))
  })

  it('the harness module (test/harness/evm/contracts.generated.ts) matches every artifact', () => {
    const modules = harnessContracts as Record<string, { abi: unknown; bytecode: string; deployedBytecode: string }>
    expect(Object.keys(modules).sort(), fix).toEqual(fresh.map((a) => exportName(a.contractName)).sort())
    for (const a of fresh) {
      const m = modules[exportName(a.contractName)]
      expect(m?.abi, `${a.contractName} — ${fix}`).toEqual(a.abi)
      expect(m?.bytecode, `${a.contractName} — ${fix}`).toBe(a.bytecode)
      expect(m?.deployedBytecode, `${a.contractName} — ${fix}`).toBe(a.deployedBytecode)
    }
  })

  it('every generated file is byte-identical to what the script would write', async () => {
    const outputs = await renderOutputs(fresh)
    expect([...outputs.keys()]).toContain(productionAbiPath)
    expect([...outputs.keys()]).toContain(harnessContractsPath)
    for (const [path, content] of outputs) {
      expect(readFileSync(path, 'utf8'), `${path} — ${fix}`).toBe(content)
    }
  })
})
