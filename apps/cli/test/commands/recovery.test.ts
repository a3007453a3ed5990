import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsWorld } from '../aws-world.js';
import { expectValidDocument } from '../json-schema.js';

/** The DR database promoted and left (what a switchover rolled back after its promotion leaves): the pilot light needs rebuilding. */
function promoteTheDrDatabase(world: AwsWorld): void {
  world.fake.dbs.find((d) => d.region === 'us-east-1' && d.id === 'lamp-replica')!.sourceArn = undefined;
}

describe('dr rebuild against AWS (stateful fakes over HTTP, dynalite)', () => {
  let world: AwsWorld;
  beforeEach(async () => {
    world = await AwsWorld.start();
  });
  afterEach(() => world.stop());

  it('--dry-run prints the rebuild plan without expected durations, and changes nothing; with a healthy pilot light it has nothing to do', async () => {
    const healthy = await world.dr(['rebuild', '--config', world.configFile, '--dry-run']);
    promoteTheDrDatabase(world);
    const dry = await world.dr(['rebuild', '--config', world.configFile, '--dry-run']);
    const json = await world.dr(['plan', 'rebuild', '--config', world.configFile, '--json']);

    expect(healthy.code).toBe(1);
    expect(healthy.stdout).toMatch(/✗ nothing to rebuild: lamp-replica in us-east-1 is a replica and replicates/);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/Plan: rebuild the pilot light in us-east-1 from eu-west-1/);
    expect(dry.stdout).toMatch(/Rename lamp-replica in us-east-1 to lamp-replica-retired-\d{12} \(kept for reconciliation\)/);
    expect(dry.stdout).toMatch(/Create replica lamp-replica in us-east-1 from lamp-primary, as deployed/);
    expect(dry.stdout).not.toMatch(/expected/);
    expect(dry.stdout).toMatch(/✓ every precondition passes/);
    expect(dry.stdout).toMatch(/Dry run: nothing was changed/);
    const doc = expectValidDocument(json.stdout) as {
      dryRun: boolean;
      operation: string;
      expected: unknown;
      plan: { from: string; to: string };
    };
    expect(doc).toMatchObject({
      command: 'plan',
      mode: 'live',
      outcome: 'would-start',
      measures: null,
      summary: null,
      dryRun: true,
      operation: 'rebuild',
      expected: null,
      plan: { from: 'primary', to: 'primary' },
    });
    expect(world.fake.mutations()).toBe(0);
  });

  it(
    'retires the promoted DR database, replicates anew, ends with what changed and the next command; dr status lists the retired instance and how to delete it',
    { timeout: 120_000 },
    async () => {
      promoteTheDrDatabase(world);

      const r = await world.dr(['rebuild', '--config', world.configFile, '--yes']);
      const status = await world.dr(['status', '--config', world.configFile]);

      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/✓ retire-stale-db {2}renamed to lamp-replica-retired-\d{12}/);
      expect(r.stdout).toMatch(/What the run changed\n(.*\n)*.*• kept\s+create-dr-replica: Create replica lamp-replica in us-east-1/);
      expect(r.stdout).toMatch(/Now: The pilot light in us-east-1 is rebuilt/);
      expect(r.stdout).toMatch(/Next: dr status/);
      expect(world.fake.db('us-east-1', 'lamp-replica')).toMatchObject({ role: 'replica' });
      const retired = world.fake.dbs.find((d) => d.region === 'us-east-1' && d.id.startsWith('lamp-replica-retired-'))!;
      expect(retired).toBeDefined();
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(/last run rebuild-\S+: rebuild completed/);
      expect(status.stdout).toMatch(
        new RegExp(`us-east-1 {2}${retired.id} {2}db\\.t3\\.small, available, deletion protection on, about \\$\\d+\\.\\d{2} a month`),
      );
      expect(status.stdout).toMatch(/Each keeps billing/);
      expect(status.stdout).toContain(
        `aws rds --region us-east-1 modify-db-instance --db-instance-identifier ${retired.id} --no-deletion-protection --apply-immediately`,
      );
      expect(status.stdout).toContain(
        `aws rds --region us-east-1 delete-db-instance --db-instance-identifier ${retired.id} --final-db-snapshot-identifier ${retired.id}-final`,
      );
    },
  );
});

describe('a failover that fails past its point of no return', () => {
  let world: AwsWorld;
  beforeEach(async () => {
    // The shortest wait the config allows for verification, so the failure comes within a minute.
    world = await AwsWorld.start({ config: { timeouts: { healthySeconds: 60 } } });
  });
  afterEach(() => world.stop());

  it(
    'keeps the promoted region active, says so in the summary and in dr status, and is retried from the failed block by running dr failover again',
    { timeout: 240_000 },
    async () => {
      // us-east-1's health path does not answer: it is never seen serving.
      world.drHealth.mode = 'down';

      const failed = await world.dr(['failover', '--config', world.configFile, '--yes', '--json']);
      const status = await world.dr(['status', '--config', world.configFile]);
      world.drHealth.mode = 'up';
      const retried = await world.dr(['failover', '--config', world.configFile, '--yes']);

      expect(failed.code).toBe(1);
      const doc = expectValidDocument(failed.stdout) as {
        phase: string;
        committedAt: number | null;
        failure: { blockId: string };
        summary: { now: string; next: string; changes: { blockId: string; fate: string }[] };
      };
      expect(doc).toMatchObject({ command: 'failover', outcome: 'failed', phase: 'failed', failure: { blockId: 'verify-serving' } });
      expect(doc.committedAt).toEqual(expect.any(Number));
      expect(doc.summary.now).toMatch(
        /Past the point of no return since \d\d:\d\d:\d\d: us-east-1 is the active region; traffic is sent to us-east-1, which was not seen serving/,
      );
      expect(doc.summary.next).toMatch(/^dr failover, to retry from verify-serving/);
      expect(doc.summary.changes).toEqual(expect.arrayContaining([expect.objectContaining({ blockId: 'promote-replica', fate: 'kept' })]));
      expect(failed.stderr).toMatch(/failover failed at verify\/verify-serving: .*Next: dr failover, to retry from verify-serving/);

      expect(status.stdout).toMatch(/lamp: us-east-1 \(secondary\) serves/);
      expect(status.stdout).toMatch(/last run failover-\S+: failover failed/);
      expect(status.stdout).toMatch(/failed past its point of no return .*: us-east-1 is the active region/);
      expect(status.stdout).toMatch(/Next: dr failover, to retry from verify-serving/);

      expect(retried.stderr).toBe('');
      expect(retried.code).toBe(0);
      expect(retried.stdout).toMatch(/Retrying run failover-\S+ from verify-serving: it failed past its point of no return/);
      expect(retried.stdout).not.toMatch(/Preconditions/);
      expect(retried.stdout).toMatch(/retried by cli:/);
      expect(retried.stdout).toMatch(/✓ verify-serving/);
      expect(retried.stdout).toMatch(/Now: us-east-1 serves traffic\./);
      expect(retried.stdout).toMatch(/Next: dr failback, once eu-west-1 is healthy again/);
      // One promotion in all: the retry went on from where the run failed.
      expect(world.fake.calls.promoteReplicaAttempts).toBe(1);
      expect(world.fake.servingRegion()).toBe('us-east-1');
    },
  );
});
