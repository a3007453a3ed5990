import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'lambdas',
    include: ['test/**/*.test.ts'],
    // The handlers probe in real time (every 5 s at the fastest the config allows).
    testTimeout: 120_000,
    // Each test mostly waits on real time (probe intervals, leases, the bundle's own processes),
    // not on the CPU: running the slow files side by side keeps the suite near two minutes.
    maxWorkers: 3,
    hookTimeout: 60_000,
    // PilotLight synthesized once per run: each world takes its config and roles from it.
    globalSetup: ['test/global-setup.ts'],
  },
});
