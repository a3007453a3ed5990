import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/** The Lambda bundles this package ships (built from apps/lambdas, copied into `lambda/` at build). */
export type BundledHandler = 'failover-controller' | 'snapshot' | 'readiness' | 'database-users' | 'health-record-reader';

/**
 * The shipped bundle of a DR Lambda as `lambda.Code`: `lambda/<name>/index.mjs` in this package,
 * handler `index.handler`. The package's root is found from this module, which sits one level
 * down in `dist/` when installed and two in `src/private/` in the workspace.
 */
export function bundledCode(name: BundledHandler): lambda.Code {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 4; up++, dir = dirname(dir)) {
    const candidate = join(dir, 'lambda', name);
    if (existsSync(join(candidate, 'index.mjs'))) return lambda.Code.fromAsset(candidate);
  }
  throw new Error(
    `the ${name} Lambda bundle is missing from @dr/constructs (lambda/${name}/index.mjs): build the package (npx nx run constructs:build) or pass your own code`,
  );
}
