import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import react from '@vitejs/plugin-react'

// main + preload: owned by the Electron shell; renderer: the React app (also served by browser mode).
export default defineConfig({
  // Main: ESM (package.json "type": "module", Electron >= 28). Dependencies stay external
  // (electron-vite's externalizeDeps) — better-sqlite3 above all: it loads a native .node file,
  // which main picks per ABI (build/electron-native for Electron, node_modules for Node).
  main: {
    build: {
      outDir: 'out/main',
      externalizeDeps: true,
      rolldownOptions: {
        input: { index: resolve(__dirname, 'src/main/index.ts') },
        external: ['better-sqlite3'],
      },
    },
  },
  // Preload: the window is sandboxed, and a sandboxed preload must be one CommonJS file with no
  // require() of anything but 'electron' — so CJS, .cjs (the package is "type": "module"), and
  // every import bundled in (externalizeDeps off). main loads out/preload/index.cjs.
  preload: {
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: '[name]-[hash].cjs' },
      },
    },
  },
  // Renderer: the React app, loaded by Electron from disk and served by browser mode (src/web).
  // Relative asset URLs (base './') work for both. Minified: ~3x smaller to parse at launch.
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    base: './',
    plugins: [react()],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      emptyOutDir: true,
      minify: true,
      chunkSizeWarningLimit: 2_000,
      rolldownOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } },
    },
  },
})
