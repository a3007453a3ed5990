import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'aws-adapters',
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 60_000,
  },
});
