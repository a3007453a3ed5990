import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { libraryConfig } from '../../tools/build/tsup-library.js';

/** The Lambda bundles this package ships, copied from apps/lambdas (a build dependency, not an import). */
const BUNDLES = ['failover-controller', 'snapshot', 'readiness', 'database-users', 'health-record-reader'];

function copyLambdaBundles(): void {
  for (const name of BUNDLES) {
    const from = `../../apps/lambdas/dist/${name}/index.mjs`;
    if (!existsSync(from)) throw new Error(`${from} is missing: build the Lambdas first (npx nx run lambdas:build)`);
    mkdirSync(`lambda/${name}`, { recursive: true });
    copyFileSync(from, `lambda/${name}/index.mjs`);
  }
}

// aws-cdk-lib and constructs are peer dependencies: the consumer's copy must be the one used.
// `shims` gives the CommonJS build import.meta.url, which finds the shipped bundles.
export default libraryConfig({ external: ['aws-cdk-lib', 'constructs'], shims: true, onSuccess: async () => copyLambdaBundles() });
