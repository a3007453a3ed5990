import { defineConfig, type Options } from 'tsup';

/**
 * The build of every publishable package: ESM + CJS + type declarations from `src/index.ts`,
 * for Node 20. A package adds only what differs (such as peer dependencies kept external).
 */
export function libraryConfig(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    tsconfig: 'tsconfig.json',
    ...overrides,
  });
}
