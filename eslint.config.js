// One lint configuration for the workspace. Besides typescript-eslint's recommended rules it
// enforces DESIGN.md's dependency directions in two ways: Nx's module-boundary rule over project
// tags (apps -> libraries, never back; each library only to those below it), and a ban on
// imports that would give the pure engine I/O, the AWS SDK or the CDK.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

/** Imports `@dr/failover-core` may never make: it is pure, with no I/O, AWS SDK or CDK. */
const CORE_FORBIDDEN = [
  { group: ['@dr/*'], message: '@dr/failover-core depends on nothing of ours (DESIGN.md, Layout).' },
  {
    group: ['@aws-sdk/*', 'aws-sdk', '@smithy/*'],
    message: 'The engine talks to AWS only through ports; adapters live in @dr/aws-adapters.',
  },
  { group: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', 'aws-cdk'], message: 'CDK code lives in @dr/constructs.' },
  {
    group: [
      'node:*',
      'fs',
      'fs/*',
      'path',
      'os',
      'net',
      'http',
      'https',
      'child_process',
      'dgram',
      'dns',
      'tls',
      'worker_threads',
      'process',
      'crypto',
      'timers',
      'timers/*',
    ],
    message: 'The engine does no I/O and reads no clock: use a port.',
  },
];

/**
 * DESIGN.md's dependency directions over project tags. Test files may also use the workspace's
 * test support (`@dr/aws-fakes`, tagged `type:testing`); shipped code may not.
 */
function boundaries({ testSupport }) {
  const also = testSupport ? ['type:testing'] : [];
  return {
    enforceBuildableLibDependency: false,
    allow: [],
    depConstraints: [
      { sourceTag: 'type:lib', notDependOnLibsWithTags: ['type:app'] },
      { sourceTag: 'scope:core', onlyDependOnLibsWithTags: [] },
      { sourceTag: 'scope:snapshot', onlyDependOnLibsWithTags: ['scope:core', ...also] },
      { sourceTag: 'scope:adapters', onlyDependOnLibsWithTags: ['scope:core', 'scope:snapshot', ...also] },
      { sourceTag: 'scope:constructs', onlyDependOnLibsWithTags: ['scope:core', ...also] },
      { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', ...also] },
      { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib', ...also] },
      { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:lib'] },
    ],
  };
}

export default tseslint.config(
  // packages/constructs/lambda holds the built Lambda bundles the package ships.
  // tsup writes tsup.config.bundled_*.mjs beside its config while it builds; a lint running alongside must not read it.
  {
    ignores: [
      '**/tsup.config.bundled_*',
      '**/dist/**',
      '**/node_modules/**',
      '**/coverage/**',
      '**/.nx/**',
      '**/cdk.out/**',
      'packages/constructs/lambda/**',
    ],
  },
  ...tseslint.configs.recommended,
  {
    plugins: { '@nx': nx },
    rules: {
      'no-template-curly-in-string': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': ['error', boundaries({ testSupport: false })],
      // Prettier formats code to 140 columns; this holds comments to it too. A string or template
      // literal may run longer: a message is kept whole, so that grep finds it.
      'max-len': ['error', { code: 140, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true }],
    },
  },
  {
    // Budgets a newcomer can read in one sitting. Tests are exempt: a describe block is a list.
    // A source file that must run longer says why in an `eslint-disable max-lines -- <reason>` at its top.
    files: ['**/src/**/*.ts'],
    rules: {
      'max-lines-per-function': ['error', { max: 100, skipBlankLines: true, skipComments: true }],
      'max-lines': ['error', { max: 300 }],
    },
  },
  {
    // Tests may use the workspace's test support; shipped code may not depend on a fake.
    // The benchmarks ship nothing and time `dr` against the fakes, as the tests run it.
    files: ['**/test/**/*.ts', 'tools/bench/src/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': ['error', boundaries({ testSupport: true })] },
  },
  {
    // Build configuration shares the workspace's tooling (tools/build); the boundaries guard code.
    files: ['**/tsup.config.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  {
    files: ['packages/failover-core/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: CORE_FORBIDDEN }],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'The engine reads no environment: pass settings in.' },
        { name: 'fetch', message: 'The engine does no I/O: use the Probe port.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Time comes from the Clock port.' },
        { object: 'Math', property: 'random', message: 'Randomness comes from a seeded Rng.' },
      ],
    },
  },
  {
    // The machine is pure: states, events and transitions. What runs it (the runner, the lease,
    // supervision) and what models the world (the simulator, drills) build on it, never the reverse.
    files: ['packages/failover-core/src/machine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...CORE_FORBIDDEN,
            {
              group: ['../runtime/*', '../sim/*', '../drill/*', '../detector/*'],
              message: 'The machine is pure: the runtime, the simulator and the drills depend on it, not it on them.',
            },
          ],
        },
      ],
    },
  },
);
