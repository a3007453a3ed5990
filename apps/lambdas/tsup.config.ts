import { defineConfig } from 'tsup';

/**
 * Each handler as one ESM file for the nodejs22.x runtime (`index.mjs`, handler `index.handler`).
 * Everything is bundled except the AWS SDK v3, which the runtime provides (as CDK's
 * NodejsFunction does by default): that keeps each bundle small and its cold start short.
 */
export default defineConfig({
  entry: { 'failover-controller/index': 'src/failover-controller/handler.ts', 'snapshot/index': 'src/snapshot/handler.ts' },
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
