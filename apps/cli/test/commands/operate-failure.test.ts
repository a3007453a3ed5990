import { afterEach, describe, expect, it } from 'vitest';
import { AwsWorld } from '../aws-world.js';
import { record, store } from '../control-record.js';
import { expectValidDocument } from '../json-schema.js';

// Apart from operate-decision.test.ts so that these slow runs (a promotion refused until its
// timeout, twice) go side by side with the dry-run decisions.
describe('a run that fails or stops says what it changed, the state now and the next command', () => {
  let world: AwsWorld;
  afterEach(() => world.stop());

  it('a promotion RDS refuses: each change with its fate, Now: and Next:, exit 1; the same in --json', { timeout: 300_000 }, async () => {
    world = await AwsWorld.start({ config: { timeouts: { promotionSeconds: 60 } } });
    world.fake.refusePromotion = true;

    const human = await world.dr(['failover', '--config', world.configFile, '--yes']);

    expect(human.code).toBe(1);
    expect(world.fake.calls.promoteReplica ?? 0).toBe(0);
    expect(world.fake.calls.promoteReplicaAttempts).toBeGreaterThan(0);
    const changed = human.stdout.slice(human.stdout.indexOf('What the run changed'));
    for (const block of ['fence-weight', 'fence-dial', 'scale-compute', 'promote-replica'])
      expect(changed).toMatch(new RegExp(`(kept|undone|not undone|left to the controller)\\s+${block}: `));
    expect(changed).toMatch(/\nNow: \S/);
    expect(changed).toMatch(/\nNext: dr /);

    const json = await world.dr(['failover', '--config', world.configFile, '--yes', '--json']);
    expect(json.code).toBe(1);
    const doc = expectValidDocument(json.stdout) as {
      command: string;
      outcome: string;
      summary: { changes: { blockId: string; fate: string }[]; now: string; next: string };
      measures: unknown;
      error: unknown;
    };
    expect(doc).toMatchObject({ command: 'failover', mode: 'live', outcome: 'failed', error: null, measures: expect.any(Object) });
    expect(doc.summary.changes.map((ch) => ch.blockId)).toEqual(expect.arrayContaining(['fence-weight', 'fence-dial', 'scale-compute']));
    expect(doc.summary.now).toMatch(/\S/);
    expect(doc.summary.next).toMatch(/^dr /);
  });

  it.each([false, true])(
    'a run whose lease is taken mid-run stops on the error and still says what it changed, the state and the next command (--json: %s)',
    { timeout: 120_000 },
    async (json) => {
      // The engine's default 2 s between observations: the run must still be going when the lease is taken from it.
      world = await AwsWorld.start({ pollSeconds: 2 });

      const running = world.dr(['failover', '--config', world.configFile, '--yes', ...(json ? ['--json'] : [])]);
      // Another controller takes the lease once the run has changed something: the run's next write is refused.
      while (world.fake.mutations() === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      for (let taken = false; !taken;) {
        const { value } = await record(world);
        taken = await store(world, {
          ...value!,
          lease: { owner: 'lambda:controller', epoch: (value!.lease?.epoch ?? 0) + 1, expiresAt: Date.now() + 120_000 },
        }).then(
          () => true,
          () => false,
        );
      }
      const r = await running;

      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/the failover stopped on an error: .*lost to another controller.*Next: dr failover/);
      if (json) {
        const doc = expectValidDocument(r.stdout) as {
          outcome: string;
          error: string;
          summary: { changes: { blockId: string }[]; now: string; next: string };
        };
        expect(doc).toMatchObject({ command: 'failover', outcome: 'stopped', error: expect.stringMatching(/lost to another controller/) });
        expect(doc.summary.changes.length).toBeGreaterThan(0);
        expect(doc.summary.now).toMatch(/The failover is running/);
        expect(doc.summary.next).toMatch(/^dr failover/);
      } else {
        expect(r.stdout).toMatch(/What the run changed\n(.*\n)*.*kept\s+\S+: /);
        expect(r.stdout).toMatch(/\nNow: The failover is running/);
        expect(r.stdout).toMatch(/\nNext: dr failover/);
      }
    },
  );
});
