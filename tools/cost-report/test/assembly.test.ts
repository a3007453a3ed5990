import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readAssembly } from '../src/index.js';

let dir: string | undefined;
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

function assembly(manifest: unknown, templates: Record<string, unknown> = {}): string {
  dir = mkdtempSync(join(tmpdir(), 'cost-report-assembly-'));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  for (const [file, template] of Object.entries(templates)) writeFileSync(join(dir, file), JSON.stringify(template));
  return dir;
}

describe('readAssembly', () => {
  it('reads each stack with its region and resources, skipping other artifacts', () => {
    const path = assembly(
      {
        artifacts: {
          Tree: { type: 'cdk:tree' },
          App: {
            type: 'aws:cloudformation:stack',
            environment: 'aws://123456789012/eu-west-1',
            properties: { templateFile: 'App.template.json' },
          },
        },
      },
      { 'App.template.json': { Resources: { Vpc: { Type: 'AWS::EC2::VPC', Properties: {} } } } },
    );

    expect(readAssembly(path)).toEqual([
      { name: 'App', region: 'eu-west-1', resources: { Vpc: { Type: 'AWS::EC2::VPC', Properties: {} } } },
    ]);
  });

  it('refuses an environment-agnostic stack, naming the artifact', () => {
    const path = assembly(
      {
        artifacts: {
          App: {
            type: 'aws:cloudformation:stack',
            environment: 'aws://unknown-account/unknown-region',
            properties: { templateFile: 'App.template.json' },
          },
        },
      },
      { 'App.template.json': { Resources: {} } },
    );

    expect(() => readAssembly(path)).toThrow(/artifacts\.App\.environment/);
  });

  it('refuses a directory that is not an assembly, naming the manifest path', () => {
    dir = mkdtempSync(join(tmpdir(), 'cost-report-assembly-'));

    expect(() => readAssembly(dir as string)).toThrow(/manifest/);
  });
});
