import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'cli',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // The command tests mostly wait on their child processes (dr, the reader bundle) and the fakes'
    // states, not on this process's CPU: three files side by side on two cores, as the Lambdas' tests do.
    maxWorkers: 3,
    // PilotLight synthesized once per run: the AWS worlds take their config and the operator's policy from it.
    globalSetup: ['test/global-setup.ts'],
  },
});
