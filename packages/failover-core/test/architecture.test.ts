import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The lint rule behind DESIGN.md's dependency directions: the engine imports nothing of ours,
// no AWS SDK, no CDK and no Node I/O, and reads no clock or randomness of its own.
const root = fileURLToPath(new URL('../../..', import.meta.url));
const eslint = new ESLint({ cwd: root });

async function ruleIds(code: string, file = 'packages/failover-core/src/probe.ts'): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}/${file}` });
  return (result?.messages ?? []).map((m) => m.ruleId ?? 'parse-error');
}

describe('the engine dependency rule', () => {
  it.each([
    ["import { x } from '@dr/aws-adapters';"],
    ["import { RDSClient } from '@aws-sdk/client-rds';"],
    ["import { Stack } from 'aws-cdk-lib';"],
    ["import { Construct } from 'constructs';"],
    ["import { readFile } from 'node:fs/promises';"],
    ["import { request } from 'https';"],
  ])('rejects %s in @dr/failover-core', async (line) => {
    expect(await ruleIds(`${line}\nexport {};\n`)).toContain('no-restricted-imports');
  });

  it('rejects reading the clock, randomness or the environment in the engine', async () => {
    const ids = await ruleIds('export const a = [Date.now(), Math.random(), process.env.X];\n');

    expect(ids.filter((id) => id === 'no-restricted-properties')).toHaveLength(2);
    expect(ids).toContain('no-restricted-globals');
  });

  it('keeps the machine pure: it may not import the runtime, the simulator or the drills', async () => {
    for (const line of [
      "import { Runner } from '../runtime/runner.js';",
      "import { SimWorld } from '../sim/world.js';",
      "import { runDrill } from '../drill/run-drill.js';",
    ]) {
      expect(await ruleIds(`${line}\nexport {};\n`, 'packages/failover-core/src/machine/probe.ts')).toContain('no-restricted-imports');
    }
    expect(
      await ruleIds(
        "import { Runner } from '../runtime/runner.js';\nexport const r = Runner;\n",
        'packages/failover-core/src/drill/probe.ts',
      ),
    ).toEqual([]);
  });

  it('allows the same imports outside the engine', async () => {
    expect(await ruleIds("import { readFile } from 'node:fs/promises';\nexport const r = readFile;\n", 'apps/cli/src/probe.ts')).toEqual(
      [],
    );
  });
});
