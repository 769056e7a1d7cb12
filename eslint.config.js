import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import prettier from 'eslint-config-prettier'

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'build/**',
      'node_modules/**',
      'coverage/**',
      '.scratch/**',
      '.bench-tmp/**',
      '.stryker-tmp*/**',
      'reports/**'
    ]
  },
  js.configs.recommended,
  // Every .ts file gets the type-checked rules (floating promises, unsafe any, needless assertions…),
  // with the types of the tsconfig.json nearest to it.
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } }
  },
  // The .js config files are in no tsconfig: the untyped rules only.
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
  prettier,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }]
    }
  }
)
