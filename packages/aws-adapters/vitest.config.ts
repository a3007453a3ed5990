import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'aws-adapters',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
