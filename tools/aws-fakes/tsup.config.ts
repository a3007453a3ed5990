import { defineConfig } from 'tsup';

// ESM only: the fakes are loaded by the workspace's tests, never by a consumer.
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  dts: true,
  clean: true,
  target: 'node20',
  tsconfig: 'tsconfig.json',
});
