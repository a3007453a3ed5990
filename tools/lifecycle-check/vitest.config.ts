import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'lifecycle-check',
    include: ['test/**/*.test.ts'],
    // Each operation runs in real time through processes (polling the fakes every 0.2 s, see
    // test/world.ts), and the controller probes every 5 s: one operation takes up to a couple of minutes.
    testTimeout: 300_000,
    hookTimeout: 60_000,
  },
});
