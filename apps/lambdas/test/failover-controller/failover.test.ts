import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUNDLES, LambdaWorld, SHORT_TIMEOUT_MS, TIMEOUT_MS, untilCompleted } from '../harness.js';

describe('failover-controller bundle: a sustained outage of the primary region', () => {
  let world: LambdaWorld;
  beforeEach(async () => {
    world = await LambdaWorld.start();
    await world.primaryOutage();
  });
  afterEach(() => world.stop());

  it(
    'starts the failover and promotes the replica once; the next invocation finishes it and reports RTO and RPO; once the region is back, the old primary is contained',
    { timeout: 300_000 },
    async () => {
      const first = await world.start(BUNDLES.controller, { timeoutMs: SHORT_TIMEOUT_MS });

      expect(first.error).toBeUndefined();
      expect(first.result).toMatchObject({ action: 'started', verdict: 'down', phase: 'running' });
      expect(first.elapsedMs).toBeLessThan(SHORT_TIMEOUT_MS);
      expect(first.metrics.FailoverStarted).toEqual([1]);
      expect(world.fake.calls.promoteReplicaAttempts ?? 0).toBeLessThanOrEqual(1);
      // Route 53 saw the outage too, read through the reader Lambda in the DR VPC.
      expect(
        first.logs
          .filter((l) => l.message === 'probed the primary region')
          .map((l) => (l.readings as { route53?: { state: string } }).route53?.state),
      ).toContain('down');
      const failoverId = first.result?.failoverId;
      expect(
        first.logs
          .filter((l) => l.message === 'failover progressed')
          .every((l) => l.failoverId === failoverId && typeof l.epoch === 'number'),
      ).toBe(true);

      const next = await untilCompleted(world, 8);

      expect(next.result).toMatchObject({ action: 'resumed', phase: 'completed', failoverId });
      expect(world.fake.calls.promoteReplicaAttempts).toBe(1);
      expect(world.fake.servingRegion()).toBe(world.config.secondary.region);
      // The DR load balancer is internal: its health path was checked through the reader in its VPC.
      expect(world.config.secondary.healthCheckVia).toBe(world.readerArn);
      expect(world.readerEvents).toContainEqual({ kind: 'http', url: world.drHealth.url, timeoutMs: 5_000 });
      expect(world.drHealth.requests).toBeGreaterThan(0);
      expect(next.metrics.FailoverCompleted).toEqual([1]);
      expect(next.metrics.RtoSeconds?.[0]).toBeGreaterThan(0);
      expect(next.metrics.RpoSeconds).toHaveLength(1);
      const done = world.fake.published.find((m) => m.subject === '[INFO] failover completed');
      expect(done?.message).toMatch(/us-east-1 now serves traffic/);
      expect(done?.message).toMatch(/RTO \d+(\.\d)? s/);
      expect(done?.message).toMatch(/RPO \d+(\.\d)? s/);
      expect(await world.control()).toMatchObject({ active: 'secondary', run: { phase: 'completed' } });

      // While eu-west-1 stays down, the containment the failover left is pending, tried each round.
      // (Rounds 5 s apart for 15 s: the lease the last invocation released still holds others off
      // for the 5 s clock-skew bound, so the first round may find it `busy`.)
      const during = await world.start(BUNDLES.controller, { timeoutMs: 20_000 });
      expect(during.result).toMatchObject({ action: 'watched', rounds: 0, containment: 'unreachable' });
      expect(during.metrics.ContainmentPending).toEqual([1]);
      expect(await world.control()).toMatchObject({ containment: { role: 'primary', runId: failoverId, writes: false, capacity: false } });

      // The region comes back: a later invocation fences the old primary's database and takes
      // its capacity to 0, then clears the containment once it sees both done.
      world.fake.outages.clear();
      world.health.mode = 'up';
      const back = await world.start(BUNDLES.controller, { timeoutMs: TIMEOUT_MS });

      expect(back.result).toMatchObject({ action: 'watched', rounds: 0, containment: 'contained' });
      expect(back.metrics.Contained).toEqual([1]);
      expect(world.fake.db(world.config.primary.region, world.config.primary.dbInstanceIdentifier)).toMatchObject({
        role: 'primary',
        applyStatus: 'in-sync',
        readOnlyEffective: true,
        writable: false,
      });
      expect(
        world.fake.parameterGroup(world.config.primary.region, world.config.primary.dbParameterGroupName)?.parameters.get('read_only'),
      ).toBe('1');
      expect(world.fake.asgs.get(world.config.primary.region)).toMatchObject({ min: 0, desired: 0 });
      expect(world.fake.writable(world.config.primary.region)).toEqual([]);
      expect(world.fake.writable(world.config.secondary.region)).toEqual([world.config.secondary.dbInstanceIdentifier]);
      expect((await world.control())?.containment).toBeUndefined();
      expect(world.fake.published.some((m) => m.subject === `[INFO] ${world.config.primary.region} contained`)).toBe(true);

      // Failback is never automatic: with the secondary active and nothing left to contain, later invocations only watch.
      const mutations = world.fake.mutations();
      const after = await world.start(BUNDLES.controller, { timeoutMs: 10_000 });
      expect(after.result).toMatchObject({ action: 'watched', rounds: 0 });
      expect(after.result?.containment).toBeUndefined();
      expect(world.fake.calls.promoteReplicaAttempts).toBe(1);
      expect(world.fake.mutations()).toBe(mutations);
    },
  );
});

describe('failover-controller bundle: approval mode', () => {
  it('asks for an operator instead of acting, keeps waiting, and refuses the run once its approval has expired', async () => {
    const world = await LambdaWorld.start({ approval: { required: true } });
    try {
      await world.primaryOutage();

      const first = await world.start(BUNDLES.controller, { timeoutMs: TIMEOUT_MS });
      const again = await world.start(BUNDLES.controller, { timeoutMs: TIMEOUT_MS });

      expect(first.result).toMatchObject({ action: 'started', phase: 'awaiting-approval' });
      // Later invocations leave the parked run as it is (no resume, no growth): it is the operator's move.
      expect(again.result).toMatchObject({ action: 'awaiting-approval', phase: 'awaiting-approval', failoverId: first.result?.failoverId });
      expect(again.metrics.AwaitingApproval).toEqual([1]);
      expect(world.fake.published.some((m) => m.subject?.includes('awaits approval'))).toBe(true);
      expect(world.fake.mutations()).toBe(0);

      // Half an hour on (config.approval.expiresAfterSeconds, default 1800 s), nobody has approved.
      await world.letTimePass((world.config.approval.expiresAfterSeconds + 60) * 1000);
      const expired = await world.start(BUNDLES.controller, { timeoutMs: TIMEOUT_MS });

      expect(expired.result).toMatchObject({ action: 'expired', phase: 'refused', failoverId: first.result?.failoverId });
      expect(expired.metrics.ApprovalExpired).toEqual([1]);
      expect(expired.metrics.FailoverRefused).toEqual([1]);
      expect(expired.logs.some((l) => l.level === 'ERROR' && l.message === 'failover refused' && typeof l.next === 'string')).toBe(true);
      expect(world.fake.mutations()).toBe(0);
      expect(await world.control()).toMatchObject({ active: 'primary', run: { phase: 'refused' } });
    } finally {
      await world.stop();
    }
  });
});
