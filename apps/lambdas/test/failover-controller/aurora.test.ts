import { READINESS_CHECKS, stateKeys, type ReadinessReport } from '@dr/failover-core';
import { afterEach, describe, expect, it } from 'vitest';
import { BUNDLES, LambdaWorld, SHORT_TIMEOUT_MS, TIMEOUT_MS, untilCompleted } from '../harness.js';

describe('the bundles on the Aurora global database tier (the Aurora PilotLight deployed on the fakes, each role enforced)', () => {
  let world: LambdaWorld;
  afterEach(() => world.stop());

  it(
    'the controller fails the global database over once (FailoverGlobalCluster) in an outage of eu-west-1, and contains eu-west-1 once it rejoins',
    { timeout: 300_000 },
    async () => {
      world = await LambdaWorld.start({}, 'aurora-global');
      await world.primaryOutage();
      const { primary, secondary } = world.config;

      const first = await world.start(BUNDLES.controller, { timeoutMs: SHORT_TIMEOUT_MS });
      expect(first.error).toBeUndefined();
      expect(first.result).toMatchObject({ action: 'started', verdict: 'down' });
      const next = await untilCompleted(world, 8);

      expect(next.result).toMatchObject({ action: 'resumed', phase: 'completed' });
      expect(world.fake.calls.failoverGlobalCluster).toBe(1);
      expect(world.fake.writable(secondary.region)).toEqual([secondary.dbInstanceIdentifier]);
      expect(next.metrics.RpoSeconds?.[0]).toBeLessThan(1);
      expect(await world.control()).toMatchObject({ active: 'secondary', containment: { role: 'primary', capacity: false } });

      // eu-west-1 comes back: AWS re-adds its cluster as a secondary (it takes no writes), and the
      // controller takes its capacity to 0, then clears the containment.
      world.fake.outages.clear();
      world.health.mode = 'up';
      const back = await world.start(BUNDLES.controller, { timeoutMs: TIMEOUT_MS });

      expect(back.result).toMatchObject({ action: 'watched', containment: 'contained' });
      expect(world.fake.writable(primary.region)).toEqual([]);
      expect(world.fake.asgs.get(primary.region)).toMatchObject({ min: 0, desired: 0 });
      expect((await world.control())?.containment).toBeUndefined();
      expect(world.fake.calls.failoverGlobalCluster).toBe(1);
    },
  );

  it('readiness passes every check of the steady Aurora pilot light, reading the global lag and the secondary cluster backups', async () => {
    world = await LambdaWorld.start({}, 'aurora-global');
    world.fake.parameters.set(`${world.config.primary.region}:/dr/lamp/config`, JSON.stringify(world.config));
    await world
      .stateStore()
      .write(stateKeys('lamp').heartbeat, { at: Date.now() - 20_000, action: 'watched', verdict: 'healthy', armed: true }, 0);

    const run = await world.start(BUNDLES.readiness, { timeoutMs: 60_000 });

    expect(run.error).toBeUndefined();
    const report = run.result!.report as ReadinessReport;
    expect(report.checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(report.checks.map((c) => c.id)).toEqual([...READINESS_CHECKS]);
    expect(report.checks.find((c) => c.id === 'replica-exists')?.detail).toMatch(
      /the reader of lamp-secondary, a secondary cluster of lamp-global/,
    );
    expect(report.checks.find((c) => c.id === 'snapshot-age')?.detail).toMatch(/keeps 7 days of continuous backups/);
    expect(world.fake.mutations()).toBe(0);
  });
});
