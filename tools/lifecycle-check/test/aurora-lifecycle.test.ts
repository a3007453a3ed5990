import type { FakeAws } from '@dr/aws-fakes';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { controllerUntil, drOperation, lifecycleSteps, said, timings } from './drive.js';
import { describeWorld, expectAuroraServing } from './expectations.js';
import { LifecycleWorld, requireBuilds } from './world.js';

/** Each operation's one call that moves the writer: FailoverGlobalCluster (a failover) or SwitchoverGlobalCluster. */
const handovers = (fake: FakeAws) => ({
  failovers: fake.calls.failoverGlobalCluster ?? 0,
  switchovers: fake.calls.switchoverGlobalCluster ?? 0,
});

describe('the lifecycle on the Aurora global database tier, end to end: the controller bundle and dr as processes, one fake AWS world', () => {
  let world: LifecycleWorld;
  beforeAll(async () => {
    requireBuilds();
    world = await LifecycleWorld.start('aurora-global');
  });
  afterAll(async () => {
    console.log(timings.join('\n'));
    await world?.stop();
  });

  const operation = lifecycleSteps();

  /**
   * The controller sees the primary healthy (its detector arms), then an outage of eu-west-1: it
   * fails over once, and contains eu-west-1 once it is back.
   */
  async function failoverByController(): Promise<void> {
    const { fake, config } = world;
    const watching = await controllerUntil(world, (r) => r.result?.verdict === 'healthy', 3, 20_000);
    expect(watching.at(-1)?.result, said(watching)).toMatchObject({ action: 'watched', verdict: 'healthy' });
    const before = handovers(fake);
    const lastRun = (await world.control())?.run?.runId;
    fake.outages.add(config.primary.region);
    world.health.mode = 'down';

    const runs = await controllerUntil(world, (r) => r.result?.phase === 'completed' && r.result.failoverId !== lastRun, 10);
    timings.push(`failover: ${runs.map((r) => `${r.result?.action} ${Math.round(r.elapsedMs / 1000)} s`).join(', ')}`);

    expect(runs.at(-1)?.metrics, said(runs)).toContain('FailoverCompleted');
    expect(handovers(fake), describeWorld(fake, config)).toEqual({ ...before, failovers: before.failovers + 1 });
    expect(await world.control()).toMatchObject({ active: 'secondary' });

    // eu-west-1 answers again: AWS re-adds its cluster as a secondary, and the controller takes its capacity to 0.
    fake.outages.clear();
    world.health.mode = 'up';
    const containing = await controllerUntil(world, (r) => r.result?.containment === 'contained', 6);
    timings.push(`containment: ${containing.map((r) => `${r.result?.containment} ${Math.round(r.elapsedMs / 1000)} s`).join(', ')}`);
    expect((await world.control())?.containment).toBeUndefined();
  }

  /** `dr failback`: once the old primary has rejoined, its old volume kept, a switchover back. */
  async function failbackByOperator(): Promise<void> {
    const before = handovers(world.fake);
    const doc = await drOperation(world, 'failback');
    expect(handovers(world.fake)).toEqual({ ...before, switchovers: before.switchovers + 1 });
    expect(await world.control()).toMatchObject({ active: 'primary', run: { operation: 'failback', phase: 'completed' } });
    expect(doc.phase).toBe('completed');
  }

  operation(
    '1. failover by the controller: FailoverGlobalCluster once, us-east-1 serves, eu-west-1 rejoins as a secondary and is contained',
    async () => {
      await failoverByController();

      expectAuroraServing(world.fake, world.config, 'secondary');
    },
  );

  operation("2. failback with dr: the old volume's snapshot kept, a switchover back, eu-west-1 serves", async () => {
    await failbackByOperator();

    expectAuroraServing(world.fake, world.config, 'primary');
    expect(world.fake.aurora.clusterSnapshots.some((s) => s.type === 'manual' && s.id.startsWith('lamp-primary-lost-writes-'))).toBe(true);
  });

  operation(
    '3. a second failover by the controller: the cluster it promotes takes writes (no fence left from the first cycle)',
    async () => {
      await failoverByController();

      expectAuroraServing(world.fake, world.config, 'secondary');
    },
  );

  operation('4. failback with dr, again', async () => {
    await failbackByOperator();

    expectAuroraServing(world.fake, world.config, 'primary');
  });

  operation('5. switchover with dr: SwitchoverGlobalCluster, no data lost, us-east-1 serves', async () => {
    const before = handovers(world.fake);

    const doc = await drOperation(world, 'switchover');

    expect(doc.measures.rpoSeconds ?? 0).toBe(0);
    expect(handovers(world.fake)).toEqual({ ...before, switchovers: before.switchovers + 1 });
    expectAuroraServing(world.fake, world.config, 'secondary');
  });

  operation(
    '6. failback with dr after the switchover: the pilot light as deployed, two failovers and four switchovers in all',
    async () => {
      await failbackByOperator();

      expectAuroraServing(world.fake, world.config, 'primary');
      expect(handovers(world.fake)).toEqual({ failovers: 2, switchovers: 4 });
      expect((await world.control())?.containment).toBeUndefined();
    },
  );
});
