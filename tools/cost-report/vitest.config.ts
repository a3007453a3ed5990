import { defineProject } from 'vitest/config';

export default defineProject({
  // The assembly test synthesizes the reference app (a few seconds on a busy machine).
  test: { name: 'cost-report', include: ['test/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 },
});
