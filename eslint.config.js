import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules', 'cdk.out', 'dist', 'coverage', '.trustwatch', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The pure core: no AWS SDK, no environment, no clock. Time is passed in.
    files: ['lambdas/core/**/*.ts', 'lambdas/rules/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@aws-sdk/*', 'aws-cdk-lib', 'aws-cdk-lib/*', 'constructs'],
              message: 'core and rules are pure: no SDK or CDK',
            },
            { group: ['**/adapters/**', '**/handlers/**', '**/cli/**'], message: 'core and rules do no I/O' },
          ],
          paths: [
            { name: 'node:fs', message: 'core and rules do no I/O' },
            { name: 'node:process', message: 'core and rules read no environment' },
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'process', message: 'core and rules read no environment' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'pass time in (ctx.now); never read the clock',
        },
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'pass time in (ctx.now); never read the clock',
        },
      ],
    },
  },
  {
    // Runtime code never imports the CDK (core and rules have the stricter list above).
    files: ['lambdas/**/*.ts'],
    ignores: ['lambdas/core/**', 'lambdas/rules/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', '**/lib/**'],
              message: 'lambdas/ is runtime code: no CDK',
            },
          ],
        },
      ],
    },
  },
);
