import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport, readAssembly, type CostReport } from '../src/index.js';

// The reference app as built, synthesized on the Aurora tier (`-c dataTier=aurora-global`, as the CDK CLI passes context).
const root = join(import.meta.dirname, '../../..');
let outdir: string;
let report: CostReport;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'cost-report-aurora-'));
  execFileSync(process.execPath, [join(root, 'apps/reference-stack/dist/main.js')], {
    cwd: join(root, 'apps/reference-stack'),
    env: {
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CDK_'))),
      CDK_OUTDIR: outdir,
      CDK_CONTEXT_JSON: JSON.stringify({ dataTier: 'aurora-global' }),
    },
    stdio: 'pipe',
  });
  report = buildReport(readAssembly(outdir));
});

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const linesOf = (type: string, region: string) => report.lines.filter((l) => l.type === type && l.region === region);

describe('the reference app assembly on the aurora-global tier', () => {
  it('tells the DR region from the global database secondary and the primary from the global cluster', () => {
    expect({ dr: report.drRegion, primary: report.primaryRegion }).toEqual({ dr: 'us-east-1', primary: 'eu-west-1' });
  });

  it("bills each region's one instance at Aurora MySQL's db.r6g.large hour, the DR reader as the replica database", () => {
    const [writer] = linesOf('AWS::RDS::DBInstance', 'eu-west-1');
    const [reader] = linesOf('AWS::RDS::DBInstance', 'us-east-1');

    expect(writer?.idleUsd).toBeCloseTo(730 * 0.29, 6);
    expect(writer?.excluded).toBeUndefined();
    expect(reader?.idleUsd).toBeCloseTo(730 * 0.29, 6);
    expect(reader?.excluded).toBe('replica-database');
  });

  it('bills the DR cluster its storage and replicated write I/O while dark, and I/O requests once it serves', () => {
    const [cluster] = linesOf('AWS::RDS::DBCluster', 'us-east-1');

    expect(cluster?.idleUsd).toBeCloseTo(20 * 0.1 + 2 * 0.2, 6);
    expect(cluster?.failoverUsd).toBeCloseTo(20 * 0.1 + 10 * 0.2, 6);
    expect(cluster?.basis).toContain('replicated write I/O');
    expect(cluster?.excluded).toBe('replica-database');
  });

  it("counts the DR cluster's key with the replica database, and the global cluster as free", () => {
    const keys = linesOf('AWS::KMS::Key', 'us-east-1').filter((l) => l.excluded === 'replica-database');

    expect(keys).toHaveLength(1);
    expect(linesOf('AWS::RDS::GlobalCluster', 'eu-west-1').map((l) => l.kind)).toEqual(['free']);
  });

  it('reports the replica database apart, and the DR region idle as the sum of the two figures', () => {
    const drIdle = report.regions.find((r) => r.region === 'us-east-1')?.idleUsd ?? 0;

    expect(report.drReplicaDatabaseUsd).toBeCloseTo(730 * 0.29 + 20 * 0.1 + 2 * 0.2 + 3, 2);
    expect(drIdle).toBeCloseTo(report.drIdleExcludingReplicaAndAccelerator + report.drReplicaDatabaseUsd, 1);
  });
});
