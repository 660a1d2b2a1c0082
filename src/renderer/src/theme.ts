import { createTheme, localStorageColorSchemeManager } from '@mantine/core'

/** Light / dark / auto, remembered per machine. */
export const colorSchemeManager = localStorageColorSchemeManager({ key: 'countersign.colorScheme' })

export const theme = createTheme({
  primaryColor: 'indigo',
  defaultRadius: 'md',
  fontFamily: 'ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  fontFamilyMonospace: 'ui-monospace, "SF Mono", "JetBrains Mono", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace',
  headings: { fontWeight: '650' },
  cursorType: 'pointer',
})
