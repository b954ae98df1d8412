import { existsSync } from 'node:fs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import serviceSections from './service-sections.cjs';

/** The files a service is split into (service-sections.cjs): they are the service. */
const serviceSectionFiles = Object.entries(serviceSections).flatMap(([m, sections]) =>
  sections.map((s) => `src/modules/${m}/${m}.${s}.ts`),
);
for (const file of serviceSectionFiles)
  if (!existsSync(file)) throw new Error(`service-sections.cjs names ${file}, which does not exist`);

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'coverage/', 'scratch/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/modules/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./(?!\\.\\.)[^/]+/(?!index\\.ts$)[^/]+$|modules/[^/]+/(?!index\\.ts$)[^/]+$',
              message: 'Import another module only through its index.ts',
            },
          ],
        },
      ],
    },
  },
  {
    // Routes call services; services hold the rules and open transactions; the SQL lives in
    // repositories (DESIGN.md's layering; dependency-cruiser checks the imports, this the calls).
    files: ['src/**/*.service.ts', ...serviceSectionFiles, 'src/**/*.pages.ts', 'src/**/*.api.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            'CallExpression[callee.property.name=/^(selectFrom|insertInto|updateTable|deleteFrom|mergeInto|selectNoFrom|replaceInto)$/]',
          message: 'Build queries in the module’s repository, not in a service, page or API file',
        },
        {
          selector: "TaggedTemplateExpression[tag.name='sql']",
          message: 'Write SQL in the module’s repository, not in a service, page or API file',
        },
      ],
    },
  },
  {
    files: ['src/db/migrations/*.ts', 'src/db/migrate.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['src/platform/**/*.ts', 'src/db/**/*.ts'],
    ignores: ['src/db/database.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/modules/**'], message: 'Platform and db code never imports modules' }] },
      ],
    },
  },
);
