import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const cdk = join(root, '../../node_modules/.bin/cdk');

/** The environment of a machine with no AWS credentials, profile or instance metadata. */
function noCredentials(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && !k.startsWith('CDK_')));
  return { ...env, HOME: mkdtempSync(join(tmpdir(), 'no-aws-home-')), AWS_EC2_METADATA_DISABLED: 'true', CI: 'true' };
}

describe('cdk synth (the pinned CDK CLI, as the README runs it)', () => {
  it('synthesizes the reference app with no credentials: no lookup, no error', () => {
    expect(existsSync(join(root, 'dist/main.js')), 'build the app first (nx run reference-stack:build)').toBe(true);
    const out = mkdtempSync(join(tmpdir(), 'ref-cdk-synth-'));
    const run = spawnSync(cdk, ['synth', '--quiet', '--output', out], {
      cwd: root,
      env: noCredentials(),
      encoding: 'utf8',
      timeout: 180_000,
    });

    expect(run.stderr).not.toMatch(/ERROR|no credentials have been configured/);
    expect(run.status, run.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
      missing?: unknown[];
      artifacts: Record<string, { type: string }>;
    };
    expect(manifest.missing ?? []).toEqual([]);
    expect(Object.values(manifest.artifacts).filter((a) => a.type === 'aws:cloudformation:stack')).toHaveLength(5);
    expect(existsSync(join(root, 'cdk.context.json')), 'a lookup would have cached its answer in cdk.context.json').toBe(false);
  });
});
