import { defineConfig } from 'vitest/config';

// Vitest 4 dropped workspace files: this is a root config listing every project, for
// `npm run test:vitest` (one Vitest process over the whole repo). Nx runs each project's own
// `vitest run` for `npm test`.
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'apps/*/vitest.config.ts', 'tools/*/vitest.config.ts'],
  },
});
