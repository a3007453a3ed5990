import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport, formatMarkdown, readAssembly, type CostReport } from '../src/index.js';

// The reference app as built (`reference-stack:build`, an implicit dependency of this project), synthesized into a fresh directory.
const root = join(import.meta.dirname, '../../..');
let outdir: string;
let report: CostReport;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'cost-report-'));
  execFileSync(process.execPath, [join(root, 'apps/reference-stack/dist/main.js')], {
    cwd: join(root, 'apps/reference-stack'),
    env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CDK_'))), CDK_OUTDIR: outdir },
    stdio: 'pipe',
  });
  report = buildReport(readAssembly(outdir));
});

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const sum = (values: readonly number[]) => values.reduce((s, v) => s + v, 0);

describe('the reference app assembly', () => {
  it('reports every stack and region of the manifest', () => {
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
      artifacts: Record<string, { type: string; environment: string; properties?: { stackName?: string } }>;
    };
    const stacks = Object.entries(manifest.artifacts).filter(([, a]) => a.type === 'aws:cloudformation:stack');

    // Stacks are named as CloudFormation deploys them (their artifact ids follow PilotLight's construct path).
    expect(report.stacks.map((s) => s.stack).sort()).toEqual(stacks.map(([id, a]) => a.properties?.stackName ?? id).sort());
    expect(report.regions.map((r) => r.region).sort()).toEqual([...new Set(stacks.map(([, a]) => a.environment.split('/').pop()))].sort());
    expect(report).toMatchObject({ primaryRegion: 'eu-west-1', drRegion: 'us-east-1' });
  });

  it('has totals that are the sums of their lines', () => {
    for (const region of report.regions) {
      const lines = report.lines.filter((l) => l.region === region.region);
      expect(region.idleUsd).toBeCloseTo(sum(lines.map((l) => l.idleUsd)), 2);
      expect(region.failoverUsd).toBeCloseTo(sum(lines.map((l) => l.failoverUsd)), 2);
    }
    for (const stack of report.stacks)
      expect(stack.idleUsd).toBeCloseTo(sum(report.lines.filter((l) => l.stack === stack.stack).map((l) => l.idleUsd)), 2);
  });

  it("leaves the replica database and Global Accelerator out of the DR region's idle figure, and reports them apart", () => {
    const dr = report.regions.find((r) => r.region === report.drRegion);
    const replica = report.lines.filter((l) => l.excluded === 'replica-database');
    const accelerator = report.lines.filter((l) => l.excluded === 'global-accelerator');

    // The replica and its storage key, which nothing else uses.
    expect(replica.map((l) => `${l.region} ${l.type}`).sort()).toEqual(['us-east-1 AWS::KMS::Key', 'us-east-1 AWS::RDS::DBInstance']);
    expect(accelerator.map((l) => l.type)).toEqual(['AWS::GlobalAccelerator::Accelerator']);
    expect(report.drReplicaDatabaseUsd).toBeGreaterThan(0);
    const drAccelerator = sum(accelerator.filter((l) => l.region === report.drRegion).map((l) => l.idleUsd));
    expect(report.drIdleExcludingReplicaAndAccelerator).toBeCloseTo((dr?.idleUsd ?? 0) - report.drReplicaDatabaseUsd - drAccelerator, 2);
  });

  it('costs more in the DR region during a failover than idle, and nothing is left without a line', () => {
    const resources = sum(readAssembly(outdir).map((s) => Object.keys(s.resources).length));

    expect(report.drFailoverUsd).toBeGreaterThan(report.regions.find((r) => r.region === report.drRegion)?.idleUsd ?? Infinity);
    expect(report.lines.filter((l) => !l.logicalId.startsWith('(') && !l.logicalId.includes('(replica')).length).toBe(resources);
    expect(report.pricesUsed.every((p) => p.source.length > 0 && /^\d{4}-\d{2}-\d{2}$/.test(p.read))).toBe(true);
  });

  it("keeps the dark DR region, without the replica database and Global Accelerator, within issue 14's $40 a month", () => {
    expect(report.drIdleExcludingReplicaAndAccelerator).toBeGreaterThan(0);
    expect(report.drIdleExcludingReplicaAndAccelerator).toBeLessThanOrEqual(40);
  });

  it('is the table the constructs README shows (regenerate it with --markdown when the templates change)', () => {
    const readme = readFileSync(join(root, 'packages/constructs/README.md'), 'utf8');
    const start = readme.indexOf('## What it costs');
    const end = readme.indexOf('\n## ', start + 1);
    const section = readme.slice(start, end === -1 ? undefined : end).trim();

    expect(section).toBe(
      formatMarkdown(report, 'node tools/cost-report/dist/main.js --assembly apps/reference-stack/cdk.out --markdown').trim(),
    );
  });

  it('renders the README section with the DR figure and every price used', () => {
    const markdown = formatMarkdown(report, 'node tools/cost-report/dist/main.js --assembly apps/reference-stack/cdk.out --markdown');

    expect(markdown.startsWith('## What it costs')).toBe(true);
    expect(markdown).toContain(`**$${report.drIdleExcludingReplicaAndAccelerator.toFixed(2)}**`);
    for (const price of report.pricesUsed) expect(markdown).toContain(`| ${price.key} | ${price.region} |`);
  });
});
