// The ESLint flat config shared by every package: typescript-eslint's recommended rules, and
// type-aware rules for TypeScript files (floating or misused promises, throwing non-Errors, …).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The rest of `recommendedTypeChecked`, for packages that pass it (see
 * docs/engineering-notes.md, "Type-aware lint"): no `any` flowing into assignments, calls,
 * member reads, returns or arguments, and no type assertion the types already say (state a tfjs
 * op's result type as its type argument, `tf.add<tf.Scalar>(a, b)` or
 * `tf.reshape<tf.Rank.R2>(x, shape)`, not with `as`). A package opts in with
 * `export default [...config, strictTypes]` in its eslint.config.js.
 */
export const strictTypes = {
  files: ['**/*.ts'],
  rules: {
    '@typescript-eslint/no-unsafe-argument': 'error',
    '@typescript-eslint/no-unsafe-assignment': 'error',
    '@typescript-eslint/no-unsafe-call': 'error',
    '@typescript-eslint/no-unsafe-declaration-merging': 'error',
    '@typescript-eslint/no-unsafe-enum-comparison': 'error',
    '@typescript-eslint/no-unsafe-function-type': 'error',
    '@typescript-eslint/no-unsafe-member-access': 'error',
    '@typescript-eslint/no-unsafe-return': 'error',
    '@typescript-eslint/no-unnecessary-type-assertion': 'error',
  },
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/fixtures/**', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // Type-aware rules (typed by each package's tsconfig.json through the project service): the
    // ones that catch behaviour bugs. The no-unsafe-* family and no-unnecessary-type-assertion
    // are `strictTypes` below, on in the packages that pass them.
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true } },
    rules: {
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-array-delete': 'error',
      '@typescript-eslint/no-base-to-string': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-for-in-array': 'error',
      '@typescript-eslint/no-implied-eval': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unsafe-unary-minus': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/prefer-promise-reject-errors': 'error',
      '@typescript-eslint/restrict-plus-operands': 'error',
      '@typescript-eslint/unbound-method': 'error',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
