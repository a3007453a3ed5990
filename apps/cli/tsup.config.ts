import { defineConfig } from 'tsup';

// The CLI is an app: one ESM entry with its dependencies left to node_modules.
export default defineConfig({
  entry: ['src/bin.ts'],
  format: ['esm'],
  sourcemap: true,
  clean: true,
  target: 'node20',
  banner: { js: '#!/usr/bin/env node' },
});
