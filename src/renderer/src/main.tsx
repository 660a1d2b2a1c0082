import '@mantine/core/styles.css'
import '@mantine/charts/styles.css'
import './global.css'
import { MantineProvider } from '@mantine/core'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App'
import { ErrorBoundary } from './components/ErrorBoundary'
import { useApp } from './features/app/store'
import { getConnectionStatus, installWebBridge, onConnectionChange } from './lib/webBridge'
import { colorSchemeManager, theme } from './theme'

// Electron's preload provides window.countersign; in a plain browser, connect over the WebSocket.
if (installWebBridge()) {
  useApp.getState().setConnection(getConnectionStatus())
  onConnectionChange((status) => useApp.getState().setConnection(status))
}

const root = document.getElementById('root')
if (!root) throw new Error('invariant: index.html has no #root')

createRoot(root).render(
  <StrictMode>
    <MantineProvider theme={theme} colorSchemeManager={colorSchemeManager} defaultColorScheme="auto">
      <ErrorBoundary>
        <App />
      </ErrorBoundary>
    </MantineProvider>
  </StrictMode>,
)
