import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUNDLES, LambdaWorld, scheduledEvent, type Invocation } from '../harness.js';

/** The route53 signal's state in each round an invocation logged. */
const route53States = (run: Invocation): string[] =>
  run.logs
    .filter((l) => l.message === 'probed the primary region')
    .map((l) => (l.readings as { route53?: { state: string } }).route53?.state ?? 'absent');

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
    // Route 53's verdict came each round through the reader Lambda, which asked the VPC resolver.
    expect(route53States(run)).toEqual(Array.from({ length: run.result?.rounds as number }, () => 'up'));
    expect(world.server.calls.filter((c) => c === 'lambda:Invoke')).toHaveLength(run.result?.rounds as number);
    expect(world.dns.queries).toHaveLength(run.result?.rounds as number);
  });

  it('reads the Route 53 record directly when given DNS servers instead of a reader', async () => {
    const run = await world.start(BUNDLES.controller, {
      timeoutMs: 10_000,
      env: { DR_HEALTH_RECORD_READER: undefined, DR_DNS_SERVERS: world.dns.server },
    });

    expect(run.result).toMatchObject({ action: 'watched', verdict: 'healthy' });
    expect(route53States(run)).toContain('up');
    expect(world.server.calls).not.toContain('lambda:Invoke');
    expect(world.dns.queries.length).toBeGreaterThanOrEqual(1);
  });

  it('reads Route 53 as unknown, and keeps watching, when the reader cannot be invoked', async () => {
    world.server.functions.clear();

    const run = await world.start(BUNDLES.controller, { timeoutMs: 10_000 });

    expect(run.result).toMatchObject({ action: 'watched', verdict: 'healthy' });
    expect(route53States(run).length).toBeGreaterThanOrEqual(1);
    expect(new Set(route53States(run))).toEqual(new Set(['unknown']));
    expect(world.dns.queries).toEqual([]);
  });

  it('does not fail over on a flapping probe: Route 53 and Global Accelerator see the primary healthy', async () => {
    await world.armDetector();
    world.health.mode = 'flapping';

    const run = await world.start(BUNDLES.controller, { timeoutMs: 26_000 });

    expect(run.result).toMatchObject({ action: 'watched' });
    expect(run.result?.rounds).toBeGreaterThanOrEqual(4);
    expect(
      run.logs
        .filter((l) => l.message === 'probed the primary region')
        .map((l) => (l.readings as { probe: { state: string } }).probe.state),
    ).toContain('down');
    expect(world.fake.calls.promoteReplicaAttempts ?? 0).toBe(0);
    expect(world.fake.mutations()).toBe(0);
    expect(await world.control()).toBeUndefined();
  });

  it('ignores a scheduled event delivered late (a retried throttled delivery): it probes nothing and changes nothing', async () => {
    await world.primaryOutage();

    const run = await world.start(BUNDLES.controller, {
      timeoutMs: 15_000,
      event: scheduledEvent(world.config.secondary.region, new Date(Date.now() - 5 * 60_000).toISOString()),
    });

    expect(run.result).toMatchObject({ action: 'stale-tick', rounds: 0 });
    expect(world.health.requests).toBe(0);
    expect(world.fake.mutations()).toBe(0);
    expect(await world.control()).toBeUndefined();
  });
});
