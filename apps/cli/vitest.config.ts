import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'cli',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // PilotLight synthesized once per run: the AWS worlds take their config and the operator's policy from it.
    globalSetup: ['test/global-setup.ts'],
  },
});
