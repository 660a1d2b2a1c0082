// ESLint flat config. The rule that matters most: the core and the contract never import
// 'electron' (they run unchanged in the CLI, browser mode and tests).
import tseslint from 'typescript-eslint'
import reactHooks from 'eslint-plugin-react-hooks'

const noElectron = {
  'no-restricted-imports': [
    'error',
    {
      paths: [
        {
          name: 'electron',
          message: 'src/main/core and src/shared must not import electron: put platform code behind an interface in src/main/platform.',
        },
      ],
      patterns: [{ group: ['electron/*'], message: 'src/main/core and src/shared must not import electron.' }],
    },
  ],
}

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'build/**', 'test/fixtures/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  { files: ['src/main/core/**/*.ts', 'src/shared/**/*.ts', 'src/cli/**/*.ts', 'src/web/**/*.ts'], rules: noElectron },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
)
