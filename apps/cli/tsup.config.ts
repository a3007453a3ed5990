import { defineConfig } from 'tsup';

// The CLI is published as `@dr/cli` but the workspace libraries are not on the npm registry, so
// they are bundled into dist (every subpath entry too: the pattern matches `@dr/x/y`). Every
// third-party import stays external and is declared in `dependencies`, so `npm install -g
// @dr/cli` gets the same AWS SDK clients, commander and valibot the libraries are tested with;
// tools/consumer-check fails on any bundle import that is not declared. ESM splitting keeps
// the dynamic imports (the AWS context, `drill --live`) as chunks loaded only when needed.
export default defineConfig({
  entry: ['src/bin.ts'],
  format: ['esm'],
  noExternal: [/^@dr\//],
  sourcemap: true,
  clean: true,
  target: 'node20',
  banner: { js: '#!/usr/bin/env node' },
});
