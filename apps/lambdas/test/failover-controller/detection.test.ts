import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUNDLES, LambdaWorld, scheduledEvent } from '../harness.js';

describe('failover-controller bundle: watching the primary', () => {
  let world: LambdaWorld;
  beforeEach(async () => {
    world = await LambdaWorld.start();
  });
  afterEach(() => world.stop());

  it('probes every interval and stops before its deadline, with no change to anything', async () => {
    const timeoutMs = 15_000;

    const run = await world.start(BUNDLES.controller, { timeoutMs });

    expect(run.error).toBeUndefined();
    expect(run.result).toMatchObject({ action: 'watched', verdict: 'healthy' });
    // Rounds at 0 s and 5 s; a third at 10 s would end (with its 2 s probe timeout) past the
    // deadline less the 5 s margin. (A start slowed by CI load may leave room for the first only.)
    expect(run.result?.rounds).toBeGreaterThanOrEqual(1);
    expect(run.result?.rounds).toBeLessThanOrEqual(2);
    expect(world.health.requests).toBe(run.result?.rounds);
    expect(run.elapsedMs).toBeLessThan(timeoutMs);
    expect(run.metrics.PrimaryHealthy).toEqual([1]);
    expect(world.fake.mutations()).toBe(0);
    // Every line is structured and carries the invocation's request id.
    expect(run.logs.every((l) => l.service === 'dr-failover-controller' && typeof l.function_request_id === 'string')).toBe(true);
  });

  it('does not fail over on a flapping probe: Route 53 and Global Accelerator see the primary healthy', async () => {
    await world.armDetector();
    world.health.mode = 'flapping';

    const run = await world.start(BUNDLES.controller, { timeoutMs: 26_000 });

    expect(run.result).toMatchObject({ action: 'watched' });
    expect(run.result?.rounds).toBeGreaterThanOrEqual(4);
    expect(run.logs.filter((l) => l.message === 'probed the primary region').map((l) => (l.readings as { probe: { state: string } }).probe.state)).toContain('down');
    expect(world.fake.calls.promoteReplicaAttempts ?? 0).toBe(0);
    expect(world.fake.mutations()).toBe(0);
    expect(await world.control()).toBeUndefined();
  });

  it('ignores a scheduled event delivered late (a retried throttled delivery): it probes nothing and changes nothing', async () => {
    await world.primaryOutage();

    const run = await world.start(BUNDLES.controller, { timeoutMs: 15_000, event: scheduledEvent(world.config.secondary.region, new Date(Date.now() - 5 * 60_000).toISOString()) });

    expect(run.result).toMatchObject({ action: 'stale-tick', rounds: 0 });
    expect(world.health.requests).toBe(0);
    expect(world.fake.mutations()).toBe(0);
    expect(await world.control()).toBeUndefined();
  });
});
