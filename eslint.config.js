// @ts-check
import js from '@eslint/js';
import importX from 'eslint-plugin-import-x';
import simpleImportSort from 'eslint-plugin-simple-import-sort';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const VENDOR_SDKS = ['bullmq', 'ioredis', 'pg', 'hono', 'hono/*', '@hono/*', 'pino', 'jose'];

/**
 * The dependency rules of ARCHITECTURE.md: each entry forbids one folder from importing
 * the layers above it. Type-only imports of config are fine (a factory receives its slice).
 */
const layerRules = [
  {
    files: ['src/features/**/*.ts'],
    forbidden: ['**/http/**', '**/jobs/**', '**/wiring/**', '**/entrypoints/**', ...VENDOR_SDKS],
    why: 'features hold business rules: no HTTP, queue, wiring or vendor SDK imports',
  },
  {
    files: ['src/db/**/*.ts', 'src/redis/**/*.ts'],
    forbidden: ['**/features/**', '**/http/**', '**/jobs/**', '**/wiring/**', '**/entrypoints/**'],
    why: 'db/ and redis/ are below the features',
  },
  {
    files: ['src/integrations/**/*.ts', 'src/cache/**/*.ts'],
    forbidden: ['**/features/**', '**/http/**', '**/jobs/**', '**/wiring/**', '**/entrypoints/**'],
    why: 'integrations and cache are ports/adapters below the features',
  },
  {
    files: ['src/http/**/*.ts', 'src/jobs/**/*.ts', 'src/schedules/**/*.ts'],
    forbidden: ['**/wiring/**', '**/entrypoints/**'],
    why: 'only entrypoints use the composition root',
  },
  {
    files: ['src/lib/**/*.ts', 'src/errors/**/*.ts', 'src/config/**/*.ts'],
    forbidden: [
      '**/features/**',
      '**/http/**',
      '**/jobs/**',
      '**/db/**',
      '**/wiring/**',
      '**/entrypoints/**',
      '**/integrations/**',
    ],
    why: 'lib/, errors/ and config/ depend on nothing in the app',
  },
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: {
      reportUnusedDisableDirectives: 'error',
      reportUnusedInlineConfigs: 'error',
    },
    plugins: { 'import-x': importX, 'simple-import-sort': simpleImportSort },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      curly: ['error', 'all'],
      eqeqeq: ['error', 'always'],
      'max-lines': ['warn', { max: 400, skipBlankLines: true, skipComments: true }],
      'simple-import-sort/imports': 'error',
      'simple-import-sort/exports': 'error',
      'import-x/no-cycle': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read settings through src/config/env.ts.' },
      ],
    },
  },
  ...layerRules.map(({ files, forbidden, why }) => ({
    files,
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: forbidden, message: why, allowTypeImports: true }] },
      ],
    },
  })),
  {
    files: ['src/config/**/*.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    // R-SEC-1: every transaction opens through withTransaction, which marks its scope so a
    // second pool connection or a vendor call inside it is caught.
    files: ['src/**/*.ts'],
    ignores: ['src/db/transaction-scope.ts', 'src/db/migrate.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='transaction'][arguments.length=0]",
          message: 'Open transactions with withTransaction (src/db/transaction-scope.ts).',
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      'max-lines': 'off',
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
