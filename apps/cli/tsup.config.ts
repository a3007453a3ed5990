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
  // The libraries' own split builds import shared chunks bare (`import "./chunk-X.js"`), and
  // esbuild warns for each that it drops it because the package says `"sideEffects": false`.
  // Dropping is right, those chunks only declare, so the warning is noise in every build.
  esbuildOptions(options) {
    options.logOverride = { ...options.logOverride, 'ignored-bare-import': 'silent' };
  },
  banner: { js: '#!/usr/bin/env node' },
});
