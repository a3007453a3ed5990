import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../src/main.js';

let dir: string | undefined;
afterEach(() => {
  vi.restoreAllMocks();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** An assembly of one stack in `region` with a NAT gateway and a read replica (so the DR region is known). */
function assemblyIn(region: string): string {
  dir = mkdtempSync(join(tmpdir(), 'cost-report-main-'));
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify({
      artifacts: {
        Dr: {
          type: 'aws:cloudformation:stack',
          environment: `aws://123456789012/${region}`,
          properties: { templateFile: 'Dr.template.json' },
        },
      },
    }),
  );
  writeFileSync(
    join(dir, 'Dr.template.json'),
    JSON.stringify({
      Resources: {
        Nat: { Type: 'AWS::EC2::NatGateway', Properties: {} },
        Replica: {
          Type: 'AWS::RDS::DBInstance',
          Properties: {
            DBInstanceClass: 'db.t3.small',
            SourceDBInstanceIdentifier: 'arn:aws:rds:eu-west-1:123456789012:db:x',
            SourceRegion: 'eu-west-1',
          },
        },
      },
    }),
  );
  return dir;
}

function run(argv: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  const code = main(argv);
  return { code, stdout, stderr };
}

describe('the command', () => {
  it('prints the report as JSON with --json', () => {
    const { code, stdout } = run(['--assembly', assemblyIn('us-east-1'), '--json']);

    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ drRegion: 'us-east-1', primaryRegion: 'eu-west-1' });
  });

  it('exits 1 with a message naming the region and the price when a region has no price', () => {
    const { code, stdout, stderr } = run(['--assembly', assemblyIn('ap-south-1')]);

    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^cost-report: no price for nat-gateway-hour in ap-south-1/);
  });

  it('exits 2 without --assembly', () => {
    expect(run([]).code).toBe(2);
  });
});
