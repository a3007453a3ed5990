import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'tsup';

const METAFILE = 'dist/metafile-esm.json';

/**
 * The packages a bundle holds (from esbuild's metafile), each with its license text, as
 * `dist/THIRD-PARTY-LICENSES.txt`: what their licenses (Apache-2.0, MIT, ISC, BSD) ask of a
 * redistribution. The metafile itself is not shipped.
 */
function writeThirdPartyLicenses(): void {
  const meta = JSON.parse(readFileSync(METAFILE, 'utf8')) as { inputs: Record<string, unknown> };
  const roots = new Set<string>();
  for (const input of Object.keys(meta.inputs)) {
    const at = input.lastIndexOf('node_modules/');
    if (at < 0) continue;
    const rest = input.slice(at + 'node_modules/'.length).split('/');
    const name = rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
    if (name) roots.add(input.slice(0, at + 'node_modules/'.length) + name);
  }
  const sections = [...roots].sort().map((dir) => {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; version: string; license?: string };
    const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying|notice)(\.|$)/i.test(f));
    const text = file ? readFileSync(join(dir, file), 'utf8').trim() : `License: ${manifest.license ?? 'not stated'}`;
    return `${manifest.name}@${manifest.version} (${manifest.license ?? 'license not stated'})\n\n${text}\n`;
  });
  writeFileSync(
    'dist/THIRD-PARTY-LICENSES.txt',
    `The dr command bundles these packages.\n\n${sections.join('\n' + '-'.repeat(78) + '\n\n')}`,
  );
  rmSync(METAFILE);
}

// The CLI is published as `@dr/cli`, self-contained: the workspace libraries (not on the npm
// registry) and every third-party package (the AWS SDK clients, commander, valibot...) are
// bundled into dist, at the versions the libraries are tested with. One bundle loads in about
// two thirds of the time Node takes to find, detect and compile the SDK's CommonJS files one by
// one (measured with `dr status` against the fakes: ~0.65 s against ~1.0 s), and nothing is
// left for `npm install -g @dr/cli` to resolve. tools/consumer-check fails on any bundle import
// that is not declared. ESM splitting keeps the dynamic imports (the AWS context,
// `drill --live`) as chunks loaded only when needed.
export default defineConfig({
  entry: ['src/bin.ts'],
  format: ['esm'],
  platform: 'node',
  noExternal: [/.*/],
  sourcemap: true,
  clean: true,
  target: 'node20',
  metafile: true,
  // Bundled CommonJS (the SDK's) calls require() for Node's own modules: an ES module has none
  // unless it makes one.
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __drCreateRequire } from 'node:module';\nconst require = __drCreateRequire(import.meta.url);",
  },
  // The libraries' own split builds import shared chunks bare (`import "./chunk-X.js"`), and
  // esbuild warns for each that it drops it because the package says `"sideEffects": false`.
  // Dropping is right, those chunks only declare, so the warning is noise in every build.
  esbuildOptions(options) {
    options.logOverride = { ...options.logOverride, 'ignored-bare-import': 'silent' };
  },
  onSuccess: async () => {
    if (existsSync(METAFILE)) writeThirdPartyLicenses();
  },
});
