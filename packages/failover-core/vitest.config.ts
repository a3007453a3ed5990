import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'failover-core',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
