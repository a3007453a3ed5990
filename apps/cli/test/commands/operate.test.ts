import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsWorld } from '../aws-world.js';
import { expectValidDocument } from '../json-schema.js';

const INTERRUPTED = 'an interrupted failover stops where it is, says so, and resumes from there when run again';

describe('dr failover, switchover, failback against AWS (stateful fakes over HTTP, dynalite)', () => {
  let world: AwsWorld;
  beforeEach(async ({ task }) => {
    // The interrupted run must still be going when its Ctrl-C lands: that test keeps the engine's
    // default 2 s between observations, the rest observe the fakes as fast as they change.
    world = await AwsWorld.start(task.name === INTERRUPTED ? { pollSeconds: 2 } : {});
  });
  afterEach(() => world.stop());

  it('--dry-run evaluates and prints the plan, and changes nothing', async () => {
    const r = await world.dr(['failover', '--config', world.configFile, '--dry-run']);

    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Plan: failover from eu-west-1 to us-east-1/);
    expect(r.stdout).toMatch(/✓ every precondition passes/);
    expect(r.stdout).toMatch(/expected RTO \d/);
    expect(r.stdout).toMatch(/Dry run: nothing was changed/);
    expect(world.fake.mutations()).toBe(0);
  });

  it('refuses to act with no terminal to ask on and no --yes', async () => {
    const r = await world.dr(['failover', '--config', world.configFile]);

    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refusing to act without confirmation: there is no terminal to ask on \(pass --yes/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(world.fake.mutations()).toBe(0);
  });

  it('fails over with --yes: one promotion, progress, a timeline, and JSON on request; a second failover is refused', async () => {
    const r = await world.dr(['failover', '--app', 'lamp', '--region', 'us-east-1', '--yes', '--json']);

    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = expectValidDocument(r.stdout) as { phase: string; operation: string; measures: { rtoSeconds: number } };
    expect(doc).toMatchObject({
      schemaVersion: 1,
      command: 'failover',
      mode: 'live',
      outcome: 'completed',
      phase: 'completed',
      operation: 'failover',
      error: null,
      summary: { next: expect.stringMatching(/^dr failback/) },
    });
    expect(doc.measures.rtoSeconds).toBeGreaterThan(0);
    expect(world.fake.calls.promoteReplicaAttempts).toBe(1);
    expect(world.fake.servingRegion()).toBe('us-east-1');
    // The DR load balancer is internal: dr checked its health path through the reader in the DR
    // VPC (the config's healthCheckVia), as the operator policy allows.
    expect(world.config.secondary.healthCheckVia).toMatch(/^arn:aws:lambda:us-east-1:\d{12}:function:/);
    expect(world.readerEvents).toContainEqual({ kind: 'http', url: world.drHealth.url, timeoutMs: 5_000 });
    expect(world.drHealth.requests).toBeGreaterThan(0);

    const again = await world.dr(['failover', '--config', world.configFile, '--yes']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/served from the secondary region already/);
    expect(world.fake.calls.promoteReplicaAttempts).toBe(1);
  });

  it('holds at the RPO guard, and --force goes past it saying what it risks', async () => {
    world.fake.replicaLagSeconds = 300;

    const held = await world.dr(['failover', '--config', world.configFile, '--yes']);
    expect(held.code).toBe(1);
    expect(held.stdout).toMatch(/✗ RPO guard: replica lag 300s exceeds maxDataLossSeconds 60s/);
    expect(held.stderr).toMatch(/--force proceeds past the RPO guard/);
    expect(world.fake.mutations()).toBe(0);

    const forced = await world.dr(['failover', '--config', world.configFile, '--yes', '--force']);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(/Forced past the RPO guard: up to 300 s of writes/);
    expect(forced.stdout).toMatch(/completed/);
  });

  it(INTERRUPTED, async () => {
    let interrupted = false;
    const first = await world.dr(['failover', '--config', world.configFile, '--yes'], {
      onOutput: (stdout, signal) => {
        if (!interrupted && /✓ promote-replica/.test(stdout)) {
          interrupted = true;
          signal('SIGINT');
        }
      },
    });
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(
      /stopped at ".+" with the run kept: run dr failover again to resume from there\. Next: dr failover, to resume it/,
    );
    // What took effect before the Ctrl-C, the state it left, and the command that goes on.
    expect(first.stdout).toMatch(/What the run changed\n(.*\n)*.*kept\s+promote-replica: Promote lamp-replica in us-east-1/);
    expect(first.stdout).toMatch(/\nNow: The failover is running, at step \d+\./);
    expect(first.stdout).toMatch(/\nNext: dr failover, to resume it/);
    const status = expectValidDocument((await world.dr(['status', '--config', world.configFile, '--json'])).stdout) as {
      run: { phase: string };
    };
    expect(status.run.phase).toBe('running');

    const second = await world.dr(['failover', '--config', world.configFile, '--yes']);

    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/Resuming run failover-/);
    expect(second.stdout).toMatch(/completed/);
    expect(world.fake.calls.promoteReplicaAttempts).toBe(1);
  });

  it('names an unreachable region and a missing resource, with no stack trace', async () => {
    world.fake.outages.add('us-east-1');
    const down = await world.dr(['failover', '--config', world.configFile, '--dry-run']);
    expect(down.code).toBe(1);
    // The engine's plan evaluation names what it read: the database, then why it could not.
    expect(down.stdout).toMatch(/✗ database lamp-replica in us-east-1: .*us-east-1/);

    world.fake.outages.clear();
    world.fake.dbs.splice(
      world.fake.dbs.findIndex((d) => d.region === 'us-east-1'),
      1,
    );
    const missing = await world.dr(['failover', '--config', world.configFile, '--yes']);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/✗ replica lamp-replica in us-east-1 was not found/);
    expect(`${missing.stdout}${missing.stderr}`).not.toMatch(/\n\s+at /);
    expect(world.fake.mutations()).toBe(0);
  });
});

describe('dr switchover against AWS', () => {
  it('switches over with no data loss: writes fenced first, replica caught up, then traffic moved', { timeout: 180_000 }, async () => {
    const world = await AwsWorld.start();
    try {
      const r = await world.dr(['switchover', '--config', world.configFile, '--yes', '--json']);

      expect(r.code).toBe(0);
      const doc = expectValidDocument(r.stdout) as { phase: string; outcome: string; measures: { rpoSeconds: number | null } };
      expect(doc).toMatchObject({ command: 'switchover', outcome: 'completed', phase: 'completed' });
      expect(doc.measures.rpoSeconds ?? 0).toBe(0);
      expect(world.fake.calls.setWriteFence).toBeGreaterThanOrEqual(1);
      expect(world.fake.calls.promoteReplicaAttempts).toBe(1);
      expect(world.fake.servingRegion()).toBe('us-east-1');
    } finally {
      await world.stop();
    }
  });
});
