import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stateKeys } from '@dr/failover-core';
import { AwsWorld } from '../aws-world.js';
import { expectValidDocument } from '../json-schema.js';

describe('dr status, dr plan', () => {
  let world: AwsWorld;
  beforeEach(async () => {
    world = await AwsWorld.start();
  });
  afterEach(() => world.stop());

  it('shows both regions and the readiness of a failover, for people and as JSON', async () => {
    world.fake.alarmStates.set('lamp-primary-alb-availability', 'OK');
    world.fake.addSnapshot({
      region: 'eu-west-1',
      id: 'lamp-daily-2026-11-24',
      dbInstanceIdentifier: 'lamp-primary',
      createdAt: new Date(Date.now() - 3 * 3_600_000),
      tags: { 'dr:managed-by': 'dr-snapshot', 'dr:app': 'lamp' },
    });

    const human = await world.dr(['status', '--app', 'lamp']);
    const json = await world.dr(['status', '--config', world.configFile, '--json']);

    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(
      /^lamp: eu-west-1 \(primary\) serves, observed healthy\n {2}state record: primary \(eu-west-1\) active, epoch 0\n/,
    );
    expect(human.stdout).toMatch(/replica, available/);
    expect(human.stdout).toMatch(/lag 1 s ≤ 60 s/);
    expect(human.stdout).toMatch(/dial 100%, weight 128/);
    // Each database's write fence: its own group's read_only, and whether RDS applied it.
    expect(human.stdout).toMatch(/fence\s+│ read_only \{TrueIfReplica\}\s+│ read_only \{TrueIfReplica\}/);
    expect(human.stdout).toMatch(/lamp-primary-params, in-sync\s+│ lamp-replica-params, in-sync/);
    expect(human.stdout).not.toMatch(/Containment|Retired databases/);
    expect(human.stdout).toMatch(/lamp-daily-2026-11-24/);
    expect(human.stdout).toMatch(/✓ every precondition passes/);
    const doc = expectValidDocument(json.stdout) as {
      outcome: string;
      active: { region: string };
      regions: {
        role: string;
        database: { ok: boolean; value: { role: string } };
        newestSnapshot: { value: { ageHours: number } | null };
      }[];
      readiness: { ready: boolean; replicaLagSeconds: number };
    };
    expect(json.code).toBe(0);
    expect(doc.outcome).toBe('healthy');
    expect(doc.active.region).toBe('eu-west-1');
    expect(doc.regions.map((r) => [r.role, r.database.value.role])).toEqual([
      ['primary', 'primary'],
      ['secondary', 'replica'],
    ]);
    expect(doc.regions[0]?.newestSnapshot.value?.ageHours).toBe(3);
    expect(doc.readiness).toMatchObject({ ready: true, replicaLagSeconds: 1 });
    expect(world.fake.mutations()).toBe(0);
  });

  it('shows a fence left on the DR database, which a failover would have to lift', async () => {
    world.fake.parameterGroup('us-east-1', 'lamp-replica-params')!.parameters.set('read_only', '1');

    const r = await world.dr(['status', '--config', world.configFile]);
    const doc = expectValidDocument((await world.dr(['status', '--config', world.configFile, '--json'])).stdout) as {
      regions: { database: { value: { readOnly: string; parameterGroup: { name: string; applyStatus: string } } } }[];
    };

    expect(r.stdout).toMatch(/fence\s+│ read_only \{TrueIfReplica\}\s+│ read_only 1 \(fenced\)/);
    expect(doc.regions[1]?.database.value).toMatchObject({
      readOnly: 'on',
      parameterGroup: { name: 'lamp-replica-params', applyStatus: 'in-sync' },
    });
    expect(world.fake.mutations()).toBe(0);
  });

  it('says plainly while the old primary is still writable after a failover, and when it cannot tell', async () => {
    // What a failover that could not reach eu-west-1 leaves: traffic on us-east-1, eu-west-1 to contain.
    const since = Date.UTC(2026, 10, 29, 14, 5);
    await world
      .ports()
      .stateStore.write(
        stateKeys('lamp').control,
        { active: 'secondary', containment: { role: 'primary', since, runId: 'failover-test', writes: false, capacity: false } },
        0,
      );

    const back = await world.dr(['status', '--config', world.configFile]);
    const json = expectValidDocument((await world.dr(['status', '--config', world.configFile, '--json'])).stdout) as {
      containment: { region: string; databaseWritable: { value: boolean | null } };
    };
    world.fake.outages.add('eu-west-1');
    const down = await world.dr(['status', '--config', world.configFile]);

    expect(back.stdout).toMatch(/^lamp: us-east-1 \(secondary\) is meant to serve, but/);
    expect(back.stdout).toMatch(
      /eu-west-1's database lamp-primary is still writable: the controller fences it when eu-west-1 answers \(since 14:05 UTC, run failover-test\)/,
    );
    expect(back.stdout).toMatch(/primary-asg in eu-west-1 still has capacity: the controller takes it to 0 when eu-west-1 answers/);
    expect(json.containment).toMatchObject({ region: 'eu-west-1', databaseWritable: { value: true } });
    expect(down.stdout).toMatch(
      /eu-west-1's database lamp-primary could not be observed \(.*eu-west-1.*dropped before an answer came\): it may still be writable; the controller fences it when eu-west-1 answers/,
    );
    expect(down.stdout).not.toMatch(/is still writable/);
    expect(world.fake.mutations()).toBe(0);
  });

  it('--watch refreshes until interrupted, one JSON document per line', async () => {
    const r = await world.dr(['status', '--config', world.configFile, '--json', '--watch', '1'], {
      onOutput: (stdout, signal) => {
        if (stdout.split('\n').filter(Boolean).length >= 3) signal('SIGTERM');
      },
    });

    const docs = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => expectValidDocument(line) as { schemaVersion: number; command: string; outcome: string; active: { region: string } });
    expect(docs.length).toBeGreaterThanOrEqual(3);
    expect(
      docs.every((d) => d.schemaVersion === 1 && d.command === 'status' && d.outcome === 'healthy' && d.active.region === 'eu-west-1'),
    ).toBe(true);
  });

  it('still answers when the primary region is down, marking what it cannot read', async () => {
    world.fake.outages.add('eu-west-1');

    const r = await world.dr(['status', '--config', world.configFile]);

    expect(r.stdout).toMatch(/unreachable: dropped \[1\]/);
    expect(r.stdout).toMatch(/\[1\] RDS instance lamp-primary in eu-west-1: the connection was dropped before an answer came/);
    expect(r.stdout).toMatch(/✓ every precondition passes/);
    expect(r.code).toBe(1);
  });

  it('dr plan prints each step with its expected duration and the expected RTO, changing nothing', async () => {
    const r = await world.dr(['plan', 'failover', '--config', world.configFile, '--json']);

    expect(r.code).toBe(0);
    const doc = expectValidDocument(r.stdout) as {
      plan: { steps: { id: string }[] };
      expected: { steps: { id: string; p50Seconds: number }[]; rto: { p50Seconds: number } };
      problems: unknown[];
    };
    expect(doc.problems).toEqual([]);
    expect(doc.expected.steps.map((s) => s.id)).toEqual(doc.plan.steps.map((s) => s.id));
    // The latency model's promotion takes minutes: the RTO cannot be seconds.
    expect(doc.expected.rto.p50Seconds).toBeGreaterThan(120);
    expect(world.fake.mutations()).toBe(0);

    const bad = await world.dr(['plan', 'failforward', '--config', world.configFile]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/operation must be one of failover, switchover, failback, rebuild; got "failforward"/);
  });
});
