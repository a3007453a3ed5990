import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'lifecycle-check',
    include: ['test/**/*.test.ts'],
    // Each operation runs in real time through processes that poll AWS every 2 s (the engine's
    // default), and the controller probes every 5 s: one operation takes up to a couple of minutes.
    testTimeout: 300_000,
    hookTimeout: 60_000,
  },
});
