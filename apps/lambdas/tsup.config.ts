import { defineConfig } from 'tsup';

/**
 * Each handler as one ESM file for the nodejs22.x runtime (`index.mjs`, handler `index.handler`).
 * Everything is bundled, the AWS SDK v3 included: the file that ships is the file the tests run,
 * and one minified file loads several times faster than the SDK's many modules (README).
 */
export default defineConfig({
  entry: {
    'failover-controller/index': 'src/failover-controller/handler.ts',
    'snapshot/index': 'src/snapshot/handler.ts',
    'readiness/index': 'src/readiness/handler.ts',
    'database-users/index': 'src/database-users/handler.ts',
    'health-record-reader/index': 'src/health-record-reader/handler.ts',
  },
  format: ['esm'],
  outExtension: () => ({ js: '.mjs' }),
  platform: 'node',
  target: 'node22',
  noExternal: [/.*/],

  splitting: false,
  treeshake: true,
  minify: true,
  keepNames: true,
  clean: true,
  tsconfig: 'tsconfig.json',
  // Bundled CommonJS dependencies call require() for Node built-ins.
  banner: { js: "import { createRequire as __drCreateRequire } from 'node:module'; const require = __drCreateRequire(import.meta.url);" },
});
