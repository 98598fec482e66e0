// ESLint flat config. Type imports count as cycle edges only in scripts/check-cycles.ts (import-x/no-cycle skips them).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'tests/generated/', 'chat-ui/dist/', 'chat-ui/src/generated/', 'migrations/', 'bench/results/', 'bench/.cache/', 'coverage/', 'data/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })] },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'import-x/no-cycle': 'error',
    },
  },
  // House rule 13: no library's private API in src/, knex's least of all (the pools we need are pg's, opened by db/pg.ts).
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...[
          ['Identifier', 'name'],
          ['Literal', 'value'],
        ].map(([node, field]) => ({
          selector: `${node}[${field}=/^(acquireConnection|releaseConnection|acquireRawConnection|destroyRawConnection|_freeResources|_acquireConnection|numUsed|numFree|numPendingAcquires|numPendingCreates|__knex.*)$/]`,
          message: "knex's (or tarn's) private API: use a pg pool of our own (db/pg.ts), house rule 13",
        })),
        {
          selector:
            "MemberExpression[object.property.name='client'][property.name='pool'], MemberExpression[object.property.name='client'][property.value='pool']",
          message: "knex's pool is private: use a pg pool of our own (db/pg.ts), house rule 13",
        },
        {
          selector: "MemberExpression[object.callee.property.name='getKnex'][property.name='client']",
          message: "knex's client is private: use a pg pool of our own (db/pg.ts), house rule 13",
        },
      ],
    },
  },
  // Tests and benches poke at raw JSON answers and frames: `any` there is the honest type.
  { files: ['tests/**/*.ts', 'bench/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  // Plain-JS files run under Node (bench/lib/gc-hook.mjs, this file).
  { files: ['**/*.{js,mjs}'], languageOptions: { globals: { process: 'readonly', console: 'readonly', globalThis: 'readonly' } } },
  prettier,
);
