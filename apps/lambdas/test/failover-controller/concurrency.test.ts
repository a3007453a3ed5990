import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUNDLES, LambdaWorld, TIMEOUT_MS, untilCompleted } from '../harness.js';

describe('failover-controller bundle: overlapping and crashing invocations in an outage of the primary region', () => {
  let world: LambdaWorld;
  beforeEach(async () => {
    world = await LambdaWorld.start();
    await world.primaryOutage();
  });
  afterEach(() => world.stop());

  it('two invocations at once: exactly one acts, and the replica is promoted once', async () => {
    const [a, b] = await Promise.all([
      world.start(BUNDLES.controller, { timeoutMs: TIMEOUT_MS }),
      world.start(BUNDLES.controller, { timeoutMs: TIMEOUT_MS }),
    ]);

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

    // The dead invocation's lease (30 s here, and the 5 s skew bound) must lapse before anyone may act.
    const next = await untilCompleted(world, 12);

    expect(next.result).toMatchObject({ phase: 'completed', failoverId: stored?.run?.runId });
    expect(world.fake.calls.promoteReplicaAttempts).toBe(1);
    expect(world.fake.servingRegion()).toBe(world.config.secondary.region);
  });
});
