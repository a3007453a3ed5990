import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { lostWritesNotKept } from '../../src/drill/aurora-checks.js';
import { runLifecycle } from '../../src/drill/lifecycle.js';
import { runDrill } from '../../src/drill/run-drill.js';
import { parseConfig, referenceAuroraConfig } from '../../src/index.js';
import { DEFAULT_LATENCY } from '../../src/sim/latency.js';
import { SimWorld } from '../../src/sim/world.js';

const aurora = parseConfig(referenceAuroraConfig);
const ZERO = {
  promotionsPerOperationMax: 1,
  unsafeTrafficSeconds: 0,
  bothWritableSeconds: 0,
  selfInflictedOutageSeconds: 0,
  leaseViolations: 0,
};
const [failoverMin, failoverMax] = DEFAULT_LATENCY.globalFailoverMs.map((ms) => ms / 1000);

describe('drills on the Aurora tier', () => {
  it('region outage: detected, failed over with FailoverGlobalCluster once, RPO within a second, every invariant at 0', async () => {
    const r = await runDrill({ config: aurora, seed: 1 });

    expect(r.outcome).toBe('completed');
    expect(r.invariants).toEqual(ZERO);
    expect(r.actions.failoverGlobalCluster).toBeGreaterThanOrEqual(1);
    expect(r.actions.promoteReplica).toBeUndefined();
    expect(r.rpoSeconds).toBeLessThanOrEqual(1);
    expect(r.awsPromotionSeconds).toBeGreaterThanOrEqual(failoverMin!);
    expect(r.awsPromotionSeconds).toBeLessThanOrEqual(failoverMax! + 1);
    expect(r.criticalPath.map((c) => c.blockId)).toContain('failover-global-cluster');
    expect(r.activeRegion).toBe(aurora.secondary.region);
  });

  it('switchover: no data lost, the old primary a secondary with its fence lifted, every invariant at 0', async () => {
    const r = await runDrill({ config: aurora, operation: 'switchover', seed: 2 });

    expect(r.outcome).toBe('completed');
    expect(r.invariants).toEqual(ZERO);
    expect(r.actions.switchoverGlobalCluster).toBeGreaterThanOrEqual(1);
    expect(r.steps.map((s) => s.outcome)).not.toContain('failed');
  });

  it('failback: waits until the recovered old primary has rejoined, keeps the snapshot of its old volume, switches back', async () => {
    const r = await runDrill({ config: aurora, operation: 'failback', seed: 3 });

    expect(r.outcome).toBe('completed');
    expect(r.invariants).toEqual(ZERO);
    const rejoin = r.steps.find((s) => s.id === 'await-rejoined')!;
    // AWS rebuilds the old primary in minutes to hours: the model's 10–60 minutes, after its snapshot.
    expect(rejoin.endSeconds! - rejoin.startSeconds!).toBeGreaterThanOrEqual(DEFAULT_LATENCY.globalRejoinMs[0] / 1000 - 120);
    expect(r.actions.copyClusterSnapshot).toBe(1);
    expect(r.activeRegion).toBe(aurora.primary.region);
  });

  it('a second cycle (failover, failback, failover, failback) keeps every invariant and leaves the pilot light as deployed', async () => {
    const r = await runLifecycle({ config: aurora, seed: 4, sequence: ['failover', 'failback', 'failover', 'failback'] });

    expect(r.operations.map((o) => `${o.operation}:${o.outcome}`)).toEqual([
      'failover:completed',
      'failback:completed',
      'failover:completed',
      'failback:completed',
    ]);
    expect(r.invariants).toEqual(ZERO);
    expect(r.pilotLight).toEqual({ restored: true, problems: [] });
    expect(r.outcome).toBe('completed');
  });

  it('promotion-failure: AWS refuses FailoverGlobalCluster and the run is rolled back', async () => {
    const r = await runDrill({ config: aurora, scenario: 'promotion-failure', seed: 1 });

    expect(r.outcome).toBe('rolled-back');
    expect(r.failure?.blockId).toBe('failover-global-cluster');
    expect(r.invariants.bothWritableSeconds).toBe(0);
  });

  it('replica-lag: the RPO guard reads the global lag and refuses', async () => {
    const r = await runDrill({ config: aurora, scenario: 'replica-lag', seed: 1 });

    expect(r.outcome).toBe('refused');
    expect(r.reason).toContain('global lag');
  });

  it('warm standby (a configuration apart): the DR compute runs from the start, still at weight 0', () => {
    const pilot = new SimWorld(aurora, 0, {}, {});
    const warm = new SimWorld(aurora, 0, {}, { warmStandby: true });
    const dr = aurora.secondary;
    expect(pilot.asgs.get(dr.region)?.desired).toBe(0);
    expect(warm.asgs.get(dr.region)?.desired).toBe(dr.capacity.desired);
    expect(warm.inServiceAt(warm.asgs.get(dr.region)!, 0)).toBe(dr.capacity.desired);
    expect(warm.weightAt(dr.region, 0)).toBe(0);
  });

  it('names a failover snapshot a later failback did not keep', () => {
    const world = new SimWorld(aurora, 0, {}, { layout: 'failed-over' });
    const t = 20 * 3_600_000;
    expect(lostWritesNotKept(world, [{ from: 0, to: t - 1, operation: 'failback' }], t)).toEqual([
      expect.stringMatching(/^the snapshot of lamp-primary's old volume rds:unplanned-global-failover-lamp-primary-.* was not kept/),
    ]);
    expect(lostWritesNotKept(world, [{ from: 0, to: t - 1, operation: 'switchover' }], t)).toEqual([]);
  });
});

describe('the Aurora lifecycle drill, over seeds', () => {
  test.prop([fc.integer({ min: 0, max: 1_000_000 })], { numRuns: 4 })(
    'keeps every invariant at 0 and restores the pilot light (snapshots of old volumes kept)',
    async (seed) => {
      const r = await runLifecycle({ config: aurora, seed });

      expect(r.invariants).toEqual(ZERO);
      expect(r.pilotLight).toEqual({ restored: true, problems: [] });
      expect(r.outcome).toBe('completed');
    },
  );
});
