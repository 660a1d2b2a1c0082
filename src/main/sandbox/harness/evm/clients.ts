// viem clients for a harness Anvil. The production code builds its own clients from a URL; these
// exist so tests and the sandbox do not repeat the boilerplate.
import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  http,
  type Chain,
  type PublicClient,
  type TestClient,
  type Transport,
  type WalletClient,
  type Account,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { Anvil, AnvilTestAccount } from './anvil'

/**
 * Local chain: blocks appear as soon as a transaction arrives (automine), so a short poll finds
 * receipts quickly. viem's default (4 s) is tuned for public networks.
 */
const pollingIntervalMs = 50

export type AnvilEndpoint = Pick<Anvil, 'rpcUrl' | 'chainId'>

export function anvilChain(anvil: AnvilEndpoint): Chain {
  return defineChain({
    id: anvil.chainId,
    name: `Anvil ${anvil.chainId} (local test chain)`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [anvil.rpcUrl] } },
    testnet: true,
  })
}

export interface HarnessClients {
  chain: Chain
  publicClient: PublicClient<Transport, Chain>
  testClient: TestClient<'anvil', Transport, Chain>
  /** A wallet that signs locally with a TEST key, as the sandbox's software signer does. */
  walletFor(account: AnvilTestAccount): WalletClient<Transport, Chain, Account>
}

export function createHarnessClients(anvil: AnvilEndpoint): HarnessClients {
  const chain = anvilChain(anvil)
  const transport = http(anvil.rpcUrl)
  return {
    chain,
    publicClient: createPublicClient({ chain, transport, pollingInterval: pollingIntervalMs, cacheTime: 0 }),
    testClient: createTestClient({ chain, transport, mode: 'anvil', pollingInterval: pollingIntervalMs, cacheTime: 0 }),
    walletFor: (account) =>
      createWalletClient({
        chain,
        transport,
        account: privateKeyToAccount(account.testOnlyPrivateKey),
        pollingInterval: pollingIntervalMs,
      }),
  }
}
