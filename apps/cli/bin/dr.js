#!/usr/bin/env node
// The `dr` command as npm links it. It is committed (not built) so that the link exists as soon
// as `npm ci` runs in the workspace, before anything is built; published, it sits beside the
// bundle in the tarball. It only checks that the bundle is there and loads it.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/bin.js', import.meta.url);

if (existsSync(bundle)) {
  // Set before the bundle loads the AWS SDK, as dist/bin.js itself does: the SDK's Node-version
  // warning is the maintainers' to act on, not the operator's (see src/bin.ts).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  await import(bundle.href);
} else {
  process.stderr.write('dr: the command is not built yet (apps/cli/dist/bin.js is missing): run npx nx run cli:build first\n');
  process.exitCode = 1;
}
