import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'lambdas',
    include: ['test/**/*.test.ts'],
    // The handlers probe in real time (every 5 s at the fastest the config allows).
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
