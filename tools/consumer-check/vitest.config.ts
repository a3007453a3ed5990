import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'consumer-check',
    include: ['test/**/*.test.ts'],
    // Installing the tarballs and their peers from the npm registry takes a while on a cold cache.
    hookTimeout: 600_000,
    testTimeout: 120_000,
  },
});
