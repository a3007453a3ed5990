import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'workspace-check',
    include: ['test/**/*.test.ts'],
    // Each case computes Nx's project graph in a fresh process (a few seconds on 2 cores).
    testTimeout: 60_000,
  },
});
