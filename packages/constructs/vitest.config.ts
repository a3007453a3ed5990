import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'constructs',
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    // One module graph per worker rather than per file: aws-cdk-lib is loaded (and warmed up)
    // once per worker instead of once per test file, most of this suite's time. The files share
    // no mutable state: each test builds its own App, the one file that changes process.env and
    // console.log (test/private/endpoint-groups.test.ts) restores both after each test, and the
    // only module-level caches are the per-file `once` builders of test/helpers.ts.
    isolate: false,
  },
});
