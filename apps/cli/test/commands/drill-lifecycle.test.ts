import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { referenceConfig } from '@dr/failover-core';
import { describe, expect, it } from 'vitest';
import { dr } from '../run-cli.js';

/** What a test reads of `dr drill --operation lifecycle --json`. */
interface Lifecycle {
  operation: string;
  outcome: string;
  sequence: string[];
  operations: {
    operation: string;
    outcome: string;
    trigger: string | null;
    scenario: string | null;
    rtoSeconds: number | null;
    rpoSeconds: number | null;
    reason: string | null;
    next: string | null;
  }[];
  invariants: {
    promotionsPerOperationMax: number;
    unsafeTrafficSeconds: number;
    bothWritableSeconds: number;
    selfInflictedOutageSeconds: number;
    leaseViolations: number;
  };
  returnExposureSeconds: number;
  pilotLightRestored: boolean;
  pilotLight: { restored: boolean; problems: string[] };
  retiredInstances: { region: string; dbInstanceIdentifier: string; instanceClass: string | null; deletionProtection: boolean }[];
}

const lifecycle = (...args: string[]) => dr('drill', '--operation', 'lifecycle', ...args);

describe('dr drill --operation lifecycle', () => {
  it('runs the default sequence on one world: six operations completed, every invariant held, the pilot light restored', () => {
    const r = lifecycle('--json');

    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Lifecycle;
    expect(report).toMatchObject({
      operation: 'lifecycle',
      outcome: 'completed',
      sequence: ['failover', 'failback', 'failover', 'failback', 'switchover', 'failback'],
      pilotLightRestored: true,
    });
    expect(report.operations.map((o) => [o.operation, o.outcome])).toEqual([
      ['failover', 'completed'],
      ['failback', 'completed'],
      ['failover', 'completed'],
      ['failback', 'completed'],
      ['switchover', 'completed'],
      ['failback', 'completed'],
    ]);
    for (const op of report.operations) {
      expect(op.rtoSeconds).toBeGreaterThan(0);
      expect(op.rpoSeconds).toBeLessThanOrEqual(60);
    }
    // The region outage applies to the first failover, which the controller's detector starts.
    expect(report.operations[0]).toMatchObject({ trigger: 'detector', scenario: 'region-outage' });
    // One promotion per operation is the design; every other invariant must be zero.
    expect(report.invariants).toEqual({
      promotionsPerOperationMax: 1,
      unsafeTrafficSeconds: 0,
      bothWritableSeconds: 0,
      selfInflictedOutageSeconds: 0,
      leaseViolations: 0,
    });
    expect(report.pilotLight.problems).toEqual([]);
    expect(report.retiredInstances.length).toBeGreaterThan(0);
    expect(report.retiredInstances.every((i) => i.dbInstanceIdentifier.includes('-retired-'))).toBe(true);
  });

  it('streams each operation and ends with the table of operations, the invariants, the return exposure, the pilot light and the retired instances', () => {
    const r = lifecycle('--sequence', 'failover,failback');

    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/── failover from eu-west-1 to us-east-1: run \S+, started by the detector ──/);
    expect(r.stdout).toMatch(/── failback from us-east-1 to eu-west-1: run \S+, started by the operator ──/);
    expect(r.stdout).toMatch(/\[\+ *\d+:\d\d:\d\d\] ◆ past the point of no return/);
    expect(r.stdout).toMatch(/│ # │ operation\s+│ trigger\s+│ outcome\s+│ RTO\s+│ RPO\s+│ reason \/ next\s+│/);
    expect(r.stdout).toMatch(/│ 1 │ failover\s+│ detector │ completed │ \d+\.\d s │/);
    expect(r.stdout).toMatch(/│ 2 │ failback\s+│ operator │ completed │/);
    expect(r.stdout).toMatch(/promotions per operation \(max\)\s+✓ 1/);
    for (const label of ['unsafe traffic', 'both databases writable', 'self-inflicted outage'])
      expect(r.stdout).toMatch(new RegExp(`${label}\\s+✓ 0 s`));
    expect(r.stdout).toMatch(
      /return exposure\s+[\d.]+ s\s+seconds an old primary was writable right after its region came back, before the controller could fence it/,
    );
    expect(r.stdout).toMatch(/Pilot light restored: yes/);
    expect(r.stdout).toMatch(/Retired databases \(\d+\), kept for reconciliation/);
    expect(r.stdout).toMatch(/eu-west-1 {2}lamp-primary-retired-\S+ {2}db\.t3\.small, deletion protection on, about \$\d+\.\d{2} a month/);
    expect(r.stdout).toMatch(
      /Each keeps billing \(its instance class and storage\) until it is deleted\. Together about \$\d+\.\d{2} a month/,
    );
    expect(r.stdout).toMatch(/outcome\s+completed/);
  });

  it('rolls back a switchover whose target fails, rebuilds the pilot light, and ends restored', () => {
    const r = lifecycle('--scenario', 'target-fails-mid-switchover', '--json');

    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Lifecycle;
    const at = report.operations.findIndex((o) => o.operation === 'switchover');
    expect(report.operations[at]).toMatchObject({
      outcome: 'rolled-back',
      scenario: 'target-fails-mid-switchover',
      next: expect.stringMatching(/^dr rebuild/),
    });
    expect(report.operations[at + 1]).toMatchObject({ operation: 'rebuild', outcome: 'completed' });
    // The rollback gave the service back to the primary: the failback that followed had nothing to do.
    expect(report.operations[at + 2]).toMatchObject({ operation: 'failback', outcome: 'skipped' });
    expect(report.pilotLightRestored).toBe(true);
    expect(report.invariants).toMatchObject({
      unsafeTrafficSeconds: 0,
      bothWritableSeconds: 0,
      selfInflictedOutageSeconds: 0,
      leaseViolations: 0,
    });
    expect(report.outcome).toBe('completed');
  });

  it('runs a sequence of its own, the same for the same seed', () => {
    const a = lifecycle('--sequence', 'switchover, failback', '--scenario', 'none', '--seed', '9', '--json');
    const b = lifecycle('--sequence', 'switchover, failback', '--scenario', 'none', '--seed', '9', '--json');

    expect(a.code).toBe(0);
    // The same life, made at two moments.
    const when = /"generatedAt": "[^"]+"/;
    expect(a.stdout.replace(when, '')).toBe(b.stdout.replace(when, ''));
    const report = JSON.parse(a.stdout) as Lifecycle;
    expect(report.operations.map((o) => `${o.operation}:${o.outcome}:${o.trigger}`)).toEqual([
      'switchover:completed:operator',
      'failback:completed:operator',
    ]);
  });
});

describe('dr drill --operation lifecycle with bad input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dr-lifecycle-'));

  it.each([
    [['--sequence', 'failback,failover'], /operation 1 \(failback\): cannot run here: it comes first/],
    [['--sequence', 'failover,failover'], /operation 2 \(failover\): cannot run here: it follows failover/],
    [['--sequence', 'failover,teleport'], /operation 2 \(teleport\): unknown; the operations are failover, switchover, failback/],
    [['--sequence', 'failover,,failback'], /operation 2 \(\): unknown/],
    [
      ['--sequence', 'failover,failback', '--scenario', 'target-fails-mid-switchover'],
      /--scenario target-fails-mid-switchover applies to the first switchover, and the sequence failover,failback has none/,
    ],
    [['--report', join(dir, 'life.html')], /--report charts the timeline of one run; a lifecycle has many/],
    [['--force'], /--force takes one drilled operation past the RPO guard/],
    [['--scenario', 'sunspots'], /--scenario must be one of/],
  ])('dr drill --operation lifecycle %j exits 2, names what is wrong, and prints no JSON', (args, message) => {
    const r = lifecycle(...args, '--json');

    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  it('refuses --sequence without --operation lifecycle', () => {
    const r = dr('drill', '--sequence', 'failover,failback', '--json');

    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--sequence strings operations into a lifecycle: use it with --operation lifecycle/);
    expect(r.stdout).toBe('');
  });

  it('refuses a config that cannot support a failback before anything runs, naming each missing field', () => {
    const file = join(dir, 'failover-only.json');
    writeFileSync(
      file,
      JSON.stringify({
        ...referenceConfig,
        primary: { ...referenceConfig.primary, retiredDbParameterGroupName: undefined, dbSubnetGroupName: undefined },
      }),
    );

    const r = lifecycle('--config', file, '--json');

    expect(r.code).toBe(2);
    expect(r.stderr).toContain('primary.retiredDbParameterGroupName: is required for a failback');
    expect(r.stderr).toContain('primary.dbSubnetGroupName: is required for a failback');
    expect(r.stdout).toBe('');
  });
});
