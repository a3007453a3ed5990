import { afterEach, describe, expect, it } from 'vitest';
import { AwsWorld } from '../aws-world.js';
import { store } from '../control-record.js';
import { expectValidDocument } from '../json-schema.js';
import { dr } from '../run-cli.js';

/** What every operation's JSON document says, as far as these tests read it. */
interface RunDocument {
  readonly outcome: string;
  readonly operation: string;
  readonly measures: { readonly rtoSeconds: number; readonly rpoSeconds: number | null };
  readonly summary: { readonly now: string; readonly next: string };
}

describe('dr on the Aurora global database tier (the Aurora PilotLight deployed on the stateful fakes, operator policy enforced)', () => {
  let world: AwsWorld;
  afterEach(() => world.stop());

  it('status shows the global database (writer, secondary, connected), each cluster, and a failover ready', async () => {
    world = await AwsWorld.start({ tier: 'aurora-global' });

    const r = await world.dr(['status', '--config', world.configFile]);
    const json = await world.dr(['status', '--config', world.configFile, '--json']);

    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(
      /global database lamp-global: lamp-primary \(eu-west-1\) writer; lamp-secondary \(us-east-1\) secondary, connected \(as us-east-1 sees it\)/,
    );
    expect(r.stdout).toMatch(/backups\s+│ continuous, 7 days/);
    expect(r.stdout).toMatch(/✓ every precondition passes \(replica lag 0\.\d s, objective 60 s\)/);
    const doc = expectValidDocument(json.stdout) as { globalDatabase: { seen: { ok: boolean; value: { members: unknown[] } } } };
    expect(doc.globalDatabase.seen.ok).toBe(true);
    expect(doc.globalDatabase.seen.value.members).toHaveLength(2);
  });

  it('fails over with FailoverGlobalCluster while eu-west-1 is out, then fails back once it has rejoined, keeping its old volume', async () => {
    world = await AwsWorld.start({ tier: 'aurora-global', config: { timeouts: { drainSeconds: 0, containmentSeconds: 10 } } });
    const plan = await world.dr(['failover', '--config', world.configFile, '--dry-run']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/Aurora fails the global database over \(FailoverGlobalCluster, AllowDataLoss\)/);
    expect(plan.stdout).toMatch(/Fail lamp-global over to lamp-secondary in us-east-1 \(FailoverGlobalCluster, AllowDataLoss\)/);
    expect(world.fake.mutations()).toBe(0);
    world.fake.outages.add('eu-west-1');

    const failover = await world.dr(['failover', '--config', world.configFile, '--yes', '--json']);

    expect(failover.stderr).toBe('');
    expect(failover.code).toBe(0);
    const over = expectValidDocument(failover.stdout) as RunDocument;
    expect(over).toMatchObject({ outcome: 'completed', operation: 'failover', summary: { next: expect.stringMatching(/^dr failback/) } });
    expect(over.measures.rpoSeconds).toBeLessThan(1);
    expect(world.fake.calls.failoverGlobalCluster).toBe(1);
    expect(world.fake.writable('us-east-1')).toEqual(['lamp-secondary-1']);
    world.fake.outages.delete('eu-west-1');

    const failback = await world.dr(['failback', '--config', world.configFile, '--yes', '--json']);

    expect(failback.code).toBe(0);
    const back = expectValidDocument(failback.stdout) as RunDocument;
    expect(back.outcome).toBe('completed');
    expect(back.summary.now).toMatch(/The writes the failover lost are kept in snapshot lamp-primary-lost-writes-\w+ in eu-west-1/);
    expect(world.fake.writable('eu-west-1')).toEqual(['lamp-primary-1']);
    expect(world.fake.writable('us-east-1')).toEqual([]);
    expect(world.fake.auroraDb('us-east-1', 'lamp-secondary-1')).toMatchObject({ role: 'replica', synchronizationStatus: 'connected' });
  });

  it('switches over with no data loss (SwitchoverGlobalCluster) and fails back the same way', async () => {
    world = await AwsWorld.start({ tier: 'aurora-global', config: { timeouts: { drainSeconds: 0 } } });

    const over = await world.dr(['switchover', '--config', world.configFile, '--yes', '--json']);
    expect(over.code).toBe(0);
    expect((expectValidDocument(over.stdout) as RunDocument).outcome).toBe('completed');
    expect(world.fake.writable('us-east-1')).toEqual(['lamp-secondary-1']);
    expect(world.fake.calls.switchoverGlobalCluster).toBe(1);

    const back = await world.dr(['failback', '--config', world.configFile, '--yes', '--json']);
    expect(back.code).toBe(0);
    expect(world.fake.writable('eu-west-1')).toEqual(['lamp-primary-1']);
    expect(world.fake.calls.switchoverGlobalCluster).toBe(2);
  });

  it('refuses a failback while the old primary is no longer in the global database, saying how to add it back, and changes nothing', async () => {
    world = await AwsWorld.start({ tier: 'aurora-global', layout: 'failed-over' });
    await store(world, { active: 'secondary' });
    const global = world.fake.aurora.global!;
    const primary = global.members.findIndex((m) => m.clusterArn.endsWith(':cluster:lamp-primary'));
    global.members.splice(primary, 1);

    const r = await world.dr(['failback', '--config', world.configFile, '--yes']);

    expect(r.code).toBe(1);
    expect(`${r.stdout}${r.stderr}`).toMatch(
      /lamp-primary in eu-west-1 is not a member of lamp-global: AWS re-adds a recovered old primary by itself/,
    );
    expect(world.fake.mutations()).toBe(0);
  });

  it('dr snapshot refuses the Aurora tier, saying where its backups are, exit 2', async () => {
    world = await AwsWorld.start({ tier: 'aurora-global' });

    const r = await world.dr(['snapshot', 'list', '--config', world.configFile]);

    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error dr snapshot manages RDS instance snapshots, the rds-replica tier's daily job; lamp is on the aurora-global tier/,
    );
  });
});

describe('dr drill on the Aurora tier (the simulator)', () => {
  it('--tier aurora-global drills a failover with FailoverGlobalCluster, and says the tier', () => {
    const r = dr('drill', '--tier', 'aurora-global', '--json');

    expect(r.code).toBe(0);
    const doc = expectValidDocument(r.stdout) as {
      dataTier: string;
      outcome: string;
      measures: { rtoSeconds: number; rpoSeconds: number };
    };
    expect(doc).toMatchObject({ dataTier: 'aurora-global', outcome: 'completed' });
    expect(doc.measures.rpoSeconds).toBeLessThan(1.5);
    expect(r.stdout).toMatch(/failover-global-cluster/);
  });

  it('runs the lifecycle on the Aurora tier with every invariant held', () => {
    const r = dr('drill', '--tier', 'aurora-global', '--operation', 'lifecycle');

    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Lifecycle drill of lamp \(aurora-global: lamp-global\) on the simulator/m);
  });
});
