import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { referenceConfig } from '@dr/failover-core';
import { describe, expect, it } from 'vitest';
import { dr } from '../run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'dr-cli-'));
function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('dr drill', () => {
  it('runs a failover drill on the simulator and shows the plan, each step, and the summary', () => {
    const r = dr('drill');

    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Plan: failover from eu-west-1 to us-east-1');
    expect(r.stdout).toMatch(/▶ step 1\/8 Scale us-east-1, lift any fence left on lamp-replica/);
    expect(r.stdout).toMatch(/▶ step 2\/8 Confirm eu-west-1 is still impaired 90 s after it began/);
    expect(r.stdout).toMatch(/◆ past the point of no return: us-east-1 is the active region from here/);
    expect(r.stdout).toMatch(/✓ promote-replica/);
    expect(r.stdout).toMatch(/■ step 8\/8 done/);
    for (const label of ['time to detect', 'critical path', 'RTO', 'RPO', 'invariants', 'objectives']) expect(r.stdout).toContain(label);
    expect(r.stdout).toMatch(
      /invariants\s+promotions per operation \(max\) 1, unsafe traffic 0 s, both databases writable 0 s, self-inflicted outage 0 s, lease violations 0/,
    );
    expect(r.stdout).toMatch(/objectives\s+met/);
    expect(r.stderr).toBe('');
  });

  it('prints exactly one JSON object with the stable fields under --json', () => {
    const r = dr('drill', '--json', '--seed', '1');
    const report = JSON.parse(r.stdout);

    expect(r.code).toBe(0);
    expect(report).toMatchObject({
      operation: 'failover',
      scenario: 'region-outage',
      seed: 1,
      outcome: 'completed',
      detectSeconds: expect.any(Number),
      rtoSeconds: expect.any(Number),
      rpoSeconds: expect.any(Number),
      objectives: { rtoSeconds: 900, maxDataLossSeconds: 60, met: true },
      actions: { promoteReplica: 1 },
    });
    for (const step of report.steps) {
      expect(step).toEqual(
        expect.objectContaining({
          name: expect.any(String),
          startSeconds: expect.any(Number),
          endSeconds: expect.any(Number),
          outcome: 'completed',
        }),
      );
    }
  });

  it('gives identical JSON for the same seed, but for when it was made', () => {
    const [a, b] = [1, 2].map(() =>
      dr('drill', '--json', '--seed', '42', '--scenario', 'alb-5xx').stdout.replace(/"generatedAt": "[^"]+"/, '"generatedAt": "…"'),
    );
    expect(a).toContain('"generatedAt": "…"');
    expect(a).toBe(b);
  });

  it('exits 1 when the drilled failover is rolled back, saying where, what was undone, and the next command', () => {
    const r = dr('drill', '--scenario', 'promotion-failure');

    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/rolling back: promote-replica failed before the point of no return/);
    expect(r.stdout).toMatch(/▶ undo 1\/\d+ Set \S+ .* back to /);
    expect(r.stdout).toMatch(/outcome\s+rolled-back/);
    expect(r.stdout).toMatch(/reason\s+InvalidDBInstanceState.*\(step commit, block promote-replica\)/);
    expect(r.stdout).toMatch(/↺ undone\s+fence-weight: Set eu-west-1 endpoint weight to 0/);
    expect(r.stdout).toMatch(
      /Now: Rolled back before the point of no return: traffic goes to eu-west-1 as before, which looked impaired when the run began/,
    );
    expect(r.stdout).toMatch(/Next: dr failover, to try again once this is fixed: InvalidDBInstanceState/);
  });

  it('puts the rollback, the invariants and the summary in the JSON of a rolled-back drill', () => {
    const r = dr('drill', '--scenario', 'promotion-failure', '--json');
    const report = JSON.parse(r.stdout);

    expect(r.code).toBe(1);
    expect(report).toMatchObject({
      outcome: 'rolled-back',
      activeRegion: 'eu-west-1',
      invariants: {
        promotionsPerOperationMax: 0,
        unsafeTrafficSeconds: 0,
        bothWritableSeconds: 0,
        selfInflictedOutageSeconds: 0,
        leaseViolations: 0,
      },
      summary: { now: expect.stringMatching(/^Rolled back before the point of no return/), next: expect.stringMatching(/^dr failover/) },
    });
    expect(report.summary.changes.map((c: { fate: string }) => c.fate)).toEqual(expect.arrayContaining(['undone']));
    expect(report.summary.changes.every((c: { fate: string }) => c.fate === 'undone')).toBe(true);
  });

  it('drills the target failing mid-switchover as a switchover: rolled back, the promoted target left fenced, dr rebuild next', () => {
    const r = dr('drill', '--scenario', 'target-fails-mid-switchover', '--json');
    const report = JSON.parse(r.stdout);

    expect(r.code).toBe(1);
    expect(report).toMatchObject({
      operation: 'switchover',
      outcome: 'rolled-back',
      activeRegion: 'eu-west-1',
      invariants: { unsafeTrafficSeconds: 0, bothWritableSeconds: 0, selfInflictedOutageSeconds: 0 },
    });
    expect(report.summary.next).toMatch(/^dr rebuild/);
    expect(report.summary.changes).toEqual(expect.arrayContaining([expect.objectContaining({ blockId: 'promote-replica', fate: 'kept' })]));
  });

  it('reports a refusal by the RPO guard, and a forced run with the window risked', () => {
    const refused = JSON.parse(dr('drill', '--json', '--scenario', 'replica-lag').stdout);
    const forced = JSON.parse(dr('drill', '--json', '--scenario', 'replica-lag', '--force').stdout);

    expect(refused.outcome).toBe('refused');
    expect(forced).toMatchObject({ outcome: 'completed', rpoRisked: true });
    expect(forced.rpoSeconds).toBeGreaterThan(60);
  });

  it('refuses a failover approved after the outage ended, changing nothing, and counts that as right', () => {
    const r = dr('drill', '--scenario', 'late-approval', '--json');
    const report = JSON.parse(r.stdout);

    expect(r.code).toBe(0);
    expect(report).toMatchObject({
      operation: 'failover',
      outcome: 'refused',
      actions: {},
      activeRegion: 'eu-west-1',
      objectives: { met: true },
    });
    expect(report.reason).toMatch(/no longer looks impaired/);
    expect(report.summary.next).toMatch(/nothing to do, the primary looks healthy again/);
  });

  it('never promotes for an outage shorter than detection.confirmSeconds: the run undoes its reversible steps, and that is right', () => {
    const r = dr('drill', '--scenario', 'region-outage', '--outage-seconds', '60', '--json', '--seed', '3');
    const report = JSON.parse(r.stdout);

    expect(r.code).toBe(0);
    expect(report).toMatchObject({
      outcome: 'rolled-back',
      promoted: false,
      startedAfterRecovery: false,
      detectSeconds: expect.any(Number),
      objectives: { met: true },
    });
    expect(report.failure.blockId).toBe('confirm-impairment');
    expect(report.actions.promoteReplica).toBeUndefined();
  });

  it('fails over a 5xx burst that outlasts the confirmation', () => {
    const r = dr('drill', '--scenario', 'alb-5xx', '--outage-seconds', '240', '--json');
    const report = JSON.parse(r.stdout);

    expect(r.code).toBe(0);
    expect(report).toMatchObject({ outcome: 'completed', promoted: true, startedAfterRecovery: false, actions: { promoteReplica: 1 } });
    expect(report.impairment.estimatedSeconds - report.impairment.actualSeconds).toBeLessThanOrEqual(10);
  });

  it('does not fail over a maintenance reboot of the primary database', () => {
    const r = dr('drill', '--scenario', 'maintenance-reboot', '--json');

    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: 'not-triggered', promoted: false, actions: {} });
  });

  it.each([['0'], ['1.5'], ['-3'], ['soon'], ['100000']])('exits 2 on --outage-seconds %s, naming the flag', (value) => {
    const r = dr('drill', '--outage-seconds', value);

    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--outage-seconds must be a positive whole number/);
    expect(r.stdout).toBe('');
  });

  it('exits 2 on --outage-seconds for a scenario with no fault window, or a lifecycle', () => {
    expect(dr('drill', '--scenario', 'flapping-probe', '--outage-seconds', '30').stderr).toMatch(/flapping-probe has none/);
    expect(dr('drill', '--operation', 'lifecycle', '--outage-seconds', '30').code).toBe(2);
  });

  it('exits 2 on a detection config whose quorum an outage makes unreachable, or whose confirmSeconds is out of range', () => {
    const quorum = JSON.parse(JSON.stringify(referenceConfig));
    quorum.detection = { quorum: 3 };
    const confirm = JSON.parse(JSON.stringify(referenceConfig));
    confirm.detection = { confirmSeconds: 5 };

    const q = dr('drill', '--config', file('quorum.json', JSON.stringify(quorum)));
    const c = dr('drill', '--config', file('confirm.json', JSON.stringify(confirm)));

    expect(q.code).toBe(2);
    expect(q.stderr).toMatch(
      /- detection\.quorum: must be at most 2: in an outage of eu-west-1 only probe, route53, endpoint-health can answer/,
    );
    expect(c.code).toBe(2);
    expect(c.stderr).toContain('- detection.confirmSeconds: must be at least 10 seconds');
  });

  it('does not fail over on a flapping probe', () => {
    const r = JSON.parse(dr('drill', '--json', '--scenario', 'flapping-probe').stdout);

    expect(r).toMatchObject({ outcome: 'not-triggered', actions: {} });
  });

  it('drills a switchover and a failback', () => {
    const switchover = JSON.parse(dr('drill', '--json', '--operation', 'switchover').stdout);
    const failback = JSON.parse(dr('drill', '--json', '--operation', 'failback').stdout);

    expect(switchover).toMatchObject({ operation: 'switchover', scenario: 'none', outcome: 'completed', rpoSeconds: 0 });
    expect(failback).toMatchObject({ operation: 'failback', outcome: 'completed', toRegion: 'eu-west-1' });
  });

  it('runs on a config file', () => {
    const custom = { ...referenceConfig, app: 'shop', objectives: { rtoSeconds: 120, maxDataLossSeconds: 60 } };

    const r = dr('drill', '--json', '--config', file('shop.json', JSON.stringify(custom)));

    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: 'completed', objectives: { rtoSeconds: 120, met: false } });
  });
});

describe('dr drill with bad input', () => {
  it.each([
    [['--scenario', 'nope'], /--scenario must be one of none, region-outage, .*; got "nope"/],
    [['--operation', 'teleport'], /--operation must be one of failover, switchover, failback, lifecycle; got "teleport"/],
    [['--operation', 'rebuild'], /--operation must be one of .*; got "rebuild" \(a rebuild is drilled inside a lifecycle/],
    [
      ['--scenario', 'target-fails-mid-switchover', '--operation', 'failover'],
      /--scenario target-fails-mid-switchover drills a switchover, not a failover/,
    ],
    [['--seed', '-3'], /--seed must be a whole number/],
    [['--seed', 'abc'], /--seed must be a whole number/],
    [['--frobnicate'], /unknown option '--frobnicate'/],
    [['--config', '/nonexistent/dr.json'], /cannot read config file \/nonexistent\/dr\.json: no such file/],
  ])('dr drill %j exits 2 with a clear message and no stack', (args, message) => {
    const r = dr('drill', ...args);

    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).not.toContain('Plan:');
  });

  it('shows the usage and exits 2 when no command is given', () => {
    const r = dr();

    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: dr');
  });

  it('names the malformed config file', () => {
    const r = dr('drill', '--config', file('broken.json', '{ "app": '));

    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/config file .*broken\.json is invalid:\n {2}- \(root\): is not valid JSON/);
  });

  it('names every bad field of an invalid config by path', () => {
    const bad = JSON.parse(JSON.stringify(referenceConfig));
    bad.primary.region = 42;
    bad.secondary.capacity.max = -1;
    bad.objectives = { rtoSeconds: 'fast' };

    const r = dr('drill', '--config', file('bad.json', JSON.stringify(bad)));

    expect(r.code).toBe(2);
    expect(r.stderr).toContain('- primary.region: must be an AWS region name');
    expect(r.stderr).toContain('- secondary.capacity.max: must be at least 1 instances');
    expect(r.stderr).toContain('- objectives.rtoSeconds: must be a whole number of seconds');
    expect(r.stdout).toBe('');
  });
});
