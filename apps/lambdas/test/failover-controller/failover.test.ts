import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUNDLES, LambdaWorld, type Invocation } from '../harness.js';

/** Time for detection (two failing rounds 5 s apart) and for the failover to start and promote. */
const TIMEOUT_MS = 40_000;
/** Detection takes 5 s; the handover margin (20 s) then leaves the runner about 5 s: it hands over mid-failover. */
const SHORT_TIMEOUT_MS = 30_000;

/** Invokes the controller as the schedule would until the failover completes (a busy lease means: come back later). */
async function untilCompleted(world: LambdaWorld, attempts: number): Promise<Invocation> {
  let last: Invocation | undefined;
  for (let i = 0; i < attempts; i++) {
    last = await world.start(BUNDLES.controller, { timeoutMs: TIMEOUT_MS });
    if (last.result?.phase === 'completed') return last;
    if (last.result?.action === 'busy') await new Promise((r) => setTimeout(r, 5_000));
  }
  return last!;
}

describe('failover-controller bundle: a sustained outage of the primary region', () => {
  let world: LambdaWorld;
  beforeEach(async () => {
    world = await LambdaWorld.start();
    world.fake.outages.add(world.config.primary.region);
    world.health.mode = 'down';
  });
  afterEach(() => world.stop());

  it('starts the failover and promotes the replica once; the next invocation finishes it and reports RTO and RPO', { timeout: 300_000 }, async () => {
    const first = await world.start(BUNDLES.controller, { timeoutMs: SHORT_TIMEOUT_MS });

    expect(first.error).toBeUndefined();
    expect(first.result).toMatchObject({ action: 'started', verdict: 'down', phase: 'running' });
    expect(first.elapsedMs).toBeLessThan(SHORT_TIMEOUT_MS);
    expect(first.metrics.FailoverStarted).toEqual([1]);
    expect(world.fake.calls.promoteReplicaAttempts ?? 0).toBeLessThanOrEqual(1);
    const failoverId = first.result?.failoverId;
    expect(first.logs.filter((l) => l.message === 'failover progressed').every((l) => l.failoverId === failoverId && typeof l.epoch === 'number')).toBe(true);

    const next = await untilCompleted(world, 4);

    expect(next.result).toMatchObject({ action: 'resumed', phase: 'completed', failoverId });
    expect(world.fake.calls.promoteReplicaAttempts).toBe(1);
    expect(world.fake.servingRegion()).toBe(world.config.secondary.region);
    expect(next.metrics.FailoverCompleted).toEqual([1]);
    expect(next.metrics.RtoSeconds?.[0]).toBeGreaterThan(0);
    expect(next.metrics.RpoSeconds).toHaveLength(1);
    const done = world.fake.published.find((m) => m.subject === '[INFO] failover completed');
    expect(done?.message).toMatch(/us-east-1 now serves traffic/);
    expect(done?.message).toMatch(/RTO \d+(\.\d)? s/);
    expect(done?.message).toMatch(/RPO \d+(\.\d)? s/);
    expect(await world.control()).toMatchObject({ active: 'secondary', run: { phase: 'completed' } });

    // Failback is never automatic: with the secondary active, later invocations only watch.
    world.fake.outages.clear();
    world.health.mode = 'up';
    const after = await world.start(BUNDLES.controller, { timeoutMs: 10_000 });
    expect(after.result).toMatchObject({ action: 'watched', rounds: 0 });
    expect(world.fake.calls.promoteReplicaAttempts).toBe(1);
  });

  it('two invocations at once: exactly one acts, and the replica is promoted once', async () => {
    const [a, b] = await Promise.all([world.start(BUNDLES.controller, { timeoutMs: TIMEOUT_MS }), world.start(BUNDLES.controller, { timeoutMs: TIMEOUT_MS })]);

    expect([a.result?.action, b.result?.action].sort()).toEqual(['busy', 'started']);
    expect(world.fake.calls.promoteReplicaAttempts).toBe(1);
  });

  it('an invocation that dies mid-failover is resumed by the next, without a second promotion', { timeout: 300_000 }, async () => {
    const killed = await world.start(BUNDLES.controller, {
      timeoutMs: TIMEOUT_MS,
      onLog: (line, child) => {
        if (line.message === 'failover progressed' && line.event === 'acted') child.kill('SIGKILL');
      },
    });
    expect(killed.signal).toBe('SIGKILL');
    const stored = await world.control();
    expect(stored?.run?.phase).toBe('running');

    // The dead invocation's lease (15 s here) must lapse before anyone may act.
    const next = await untilCompleted(world, 12);

    expect(next.result).toMatchObject({ phase: 'completed', failoverId: stored?.run?.runId });
    expect(world.fake.calls.promoteReplicaAttempts).toBe(1);
    expect(world.fake.servingRegion()).toBe(world.config.secondary.region);
  });
});

describe('failover-controller bundle: approval mode', () => {
  it('asks for an operator instead of acting, and keeps waiting', async () => {
    const world = await LambdaWorld.start({ approval: { required: true } });
    try {
      world.fake.outages.add(world.config.primary.region);
      world.health.mode = 'down';

      const first = await world.start(BUNDLES.controller, { timeoutMs: TIMEOUT_MS });
      const again = await world.start(BUNDLES.controller, { timeoutMs: TIMEOUT_MS });

      expect(first.result).toMatchObject({ action: 'started', phase: 'awaiting-approval' });
      // Later invocations leave the parked run as it is (no resume, no growth): it is the operator's move.
      expect(again.result).toMatchObject({ action: 'awaiting-approval', phase: 'awaiting-approval', failoverId: first.result?.failoverId });
      expect(again.metrics.AwaitingApproval).toEqual([1]);
      expect(world.fake.published.some((m) => m.subject?.includes('awaits approval'))).toBe(true);
      expect(world.fake.mutations()).toBe(0);
    } finally {
      await world.stop();
    }
  });
});
