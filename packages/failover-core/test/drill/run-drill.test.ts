import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import type { DrillOutcome } from '../../src/drill/report.js';
import { runDrill } from '../../src/drill/run-drill.js';
import type { Scenario } from '../../src/drill/scenarios.js';
import { DEFAULT_LATENCY } from '../../src/sim/latency.js';
import { config } from '../fixtures.js';

const drill = (scenario: Scenario, seed = 1, extra: { force?: boolean } = {}) => runDrill({ config, scenario, seed, ...extra });
const ZERO = {
  promotionsPerOperationMax: expect.any(Number),
  unsafeTrafficSeconds: 0,
  bothWritableSeconds: 0,
  selfInflictedOutageSeconds: 0,
  leaseViolations: 0,
};

describe('runDrill: each failover scenario ends as it should, and the world stays safe', () => {
  it.each<[Scenario, DrillOutcome, string | null]>([
    ['none', 'not-triggered', null],
    ['region-outage', 'completed', null],
    ['alb-5xx', 'completed', null],
    ['flapping-probe', 'not-triggered', null],
    ['api-throttling', 'completed', null],
    ['promotion-failure', 'rolled-back', 'promote-replica'],
    ['no-capacity', 'failed', 'await-healthy'],
    ['controller-crash', 'completed', null],
    ['replica-lag', 'refused', null],
    ['late-approval', 'refused', null],
    ['late-state-writes', 'completed', null],
    ['capacity-lost-after-promotion', 'completed', null],
  ])('%s → %s', async (scenario, outcome, failedBlock) => {
    const report = await drill(scenario);

    expect(report.outcome).toBe(outcome);
    expect(report.failure?.blockId ?? null).toBe(failedBlock);
    expect(report.invariants).toEqual(ZERO);
    expect(report.invariants.promotionsPerOperationMax).toBeLessThanOrEqual(1);
  });

  it('completes a region outage within the objectives, promoting once and losing only the replica lag', async () => {
    const r = await drill('region-outage');

    expect(r.objectives).toEqual({ rtoSeconds: 900, maxDataLossSeconds: 60, met: true });
    expect(r.actions).toMatchObject({ promoteReplica: 1, setCapacity: 1, setEndpointWeight: 2, setTrafficDial: 2 });
    expect(r.rpoSeconds).toBeLessThanOrEqual(12);
    expect(r.steps.map((s) => s.id)).toEqual([
      'prepare',
      'confirm',
      'fence-traffic',
      'commit',
      'await-ready',
      'shift-traffic',
      'verify',
      'contain',
    ]);
    expect(r.steps.map((s) => s.outcome)).toEqual(Array(8).fill('completed'));
    expect(r.rtoSeconds).toBeCloseTo(
      (r.detectSeconds ?? 0) + (r.durationSeconds ?? 0) - (r.durationSeconds! - (r.rtoSeconds! - r.detectSeconds!)),
      0,
    );
  });

  it("measures what AWS itself took, so the engine's own share of the RTO shows", async () => {
    const r = await drill('region-outage');

    expect(r.awsPromotionSeconds).toBeGreaterThanOrEqual(240);
    expect(r.awsReadySeconds).toBeGreaterThanOrEqual(r.awsPromotionSeconds ?? Infinity);
    expect((r.rtoSeconds ?? 0) - (r.detectSeconds ?? 0) - (r.awsReadySeconds ?? 0)).toBeGreaterThanOrEqual(0);
    expect(r.bucketRpoSeconds).toBeGreaterThan(0);
  });

  it('rides out throttling with retries', async () => {
    const r = await drill('api-throttling');

    expect(Object.values(r.failedCalls).reduce((a, b) => a + b, 0)).toBeGreaterThan(5);
    expect(r.actions.promoteReplica).toBe(1);
  });

  it('resumes after a controller crash from the stored state without repeating the promotion', async () => {
    const r = await drill('controller-crash');

    expect(r.controller.crashes).toBe(1);
    expect(r.actions.promoteReplica).toBe(1);
  });

  it('rolls back a refused promotion during a 5-minute outage: the primary is routed again when it returns, and the run says so', async () => {
    const r = await drill('promotion-failure');

    expect(r.failure).toMatchObject({
      stepId: 'commit',
      blockId: 'promote-replica',
      message: expect.stringContaining('InvalidDBInstanceState'),
    });
    expect(r.activeRegion).toBe('eu-west-1');
    expect(r.summary?.changes.every((c) => c.fate === 'undone' || c.fate === 'left-to-controller')).toBe(true);
    expect(r.summary?.now).toMatch(/traffic goes to eu-west-1 as before/);
    expect(r.summary?.next).toMatch(/^dr failover/);
  });

  it('names the DR region active after a failure past the point of no return, and contains the old one when it returns', async () => {
    const r = await drill('no-capacity');

    expect(r.activeRegion).toBe('us-east-1');
    expect(r.summary?.now).toMatch(/Past the point of no return/);
    expect(r.summary?.next).toMatch(/^dr failover, to retry from await-healthy/);
  });

  it('refuses under the RPO guard and names the window of writes at stake', async () => {
    const r = await drill('replica-lag');

    expect(r.outcome).toBe('refused');
    expect(r.reason).toMatch(/replica lag \d+s exceeds maxDataLossSeconds 60s/);
    expect(r.rpoSeconds).toBeGreaterThan(60);
    expect(r.actions).toEqual({});
  });

  it('proceeds when forced past the RPO guard and reports the risked window', async () => {
    const r = await drill('replica-lag', 1, { force: true });

    expect(r.outcome).toBe('completed');
    expect(r.rpoRisked).toBe(true);
    expect(r.rpoSeconds).toBeGreaterThan(60);
    expect(r.objectives.met).toBe(false);
  });

  it('refuses a failover approved ten minutes after the outage ended: the re-check finds the primary healthy, nothing changes', async () => {
    const r = await drill('late-approval');

    expect(r.outcome).toBe('refused');
    expect(r.reason).toMatch(/no longer looks impaired/);
    expect(r.actions).toEqual({});
    expect(r.objectives.met).toBe(true);
  });

  it('gives identical reports for the same seed and different ones for another', async () => {
    const [a, b, c] = await Promise.all([drill('region-outage', 7), drill('region-outage', 7), drill('region-outage', 8)]);

    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(c));
  });
});

describe('runDrill: objectives', () => {
  it('does not call a missed outage a success', async () => {
    const blind = { ...config, detection: { ...config.detection, signals: ['alarm' as const], quorum: 1 } };

    const r = await runDrill({ config: blind, scenario: 'region-outage', seed: 1, watchSeconds: 600 });

    expect(r.outcome).toBe('not-triggered');
    expect(r.objectives.met).toBe(false);
  });

  it('counts the operator in the RTO when approval is required', async () => {
    const gated = { ...config, approval: { ...config.approval, required: true } };

    const [auto, approved] = await Promise.all([
      drill('region-outage', 5),
      runDrill({ config: gated, scenario: 'region-outage', seed: 5, approvalDelaySeconds: 240 }),
    ]);

    expect(approved.outcome).toBe('completed');
    expect(approved.actions.promoteReplica).toBe(1);
    // Without approval the run waits out detection.confirmSeconds anyway; the operator's wait covers it.
    expect((approved.rtoSeconds ?? 0) - (auto.rtoSeconds ?? 0)).toBeGreaterThanOrEqual(240 - config.detection.confirmSeconds);
  });
});

describe('runDrill: detection', () => {
  // In a region outage the probe fails at once; the second signal is Global Accelerator, once the
  // ALB's targets have failed their threshold of checks and it has followed them. Then the
  // detector needs failureThreshold rounds, the first up to one interval after, and the round
  // ends with the probe's timeout.
  const { intervalSeconds, failureThreshold, probeTimeoutSeconds } = config.detection;
  const { albUnhealthyThreshold, albHealthIntervalMs, gaFollowsAlbMs } = DEFAULT_LATENCY;
  const windowSeconds =
    (albUnhealthyThreshold * albHealthIntervalMs + gaFollowsAlbMs[1]) / 1000 +
    (failureThreshold + 1) * intervalSeconds +
    probeTimeoutSeconds;

  test.prop([fc.integer({ min: 0, max: 1_000_000 })], { numRuns: 12 })(
    'declares down within its window under a region outage',
    async (seed) => {
      const r = await drill('region-outage', seed);

      expect(r.outcome).toBe('completed');
      expect(r.detectSeconds).toBeGreaterThan(0);
      expect(r.detectSeconds).toBeLessThanOrEqual(windowSeconds);
    },
  );

  it('with a quorum of one a flapping probe starts a failover, and the confirmation undoes it before the point of no return', async () => {
    const hasty = { ...config, detection: { ...config.detection, quorum: 1 } };

    const r = await runDrill({ config: hasty, scenario: 'flapping-probe', seed: 1 });

    expect(r.outcome).toBe('rolled-back');
    expect(r.failure?.blockId).toBe('confirm-impairment');
    expect(r.promoted).toBe(false);
    expect(r.actions.promoteReplica).toBeUndefined();
  });

  test.prop(
    [fc.integer({ min: 0, max: 1_000_000 }), fc.constantFrom('region-outage', 'alb-5xx' as const), fc.integer({ min: 20, max: 85 })],
    { numRuns: 10 },
  )(
    'never promotes for an outage that ends before detection.confirmSeconds, and never starts a run after it ended',
    async (seed, scenario, outageSeconds) => {
      const r = await runDrill({ config, scenario, seed, outageSeconds });

      expect(r.promoted).toBe(false);
      expect(r.startedAfterRecovery).toBe(false);
      expect(['not-triggered', 'rolled-back']).toContain(r.outcome);
      expect(r.objectives.met).toBe(true);
      expect(r.invariants).toEqual(ZERO);
    },
  );

  test.prop([fc.integer({ min: 0, max: 1_000_000 })], { numRuns: 6 })(
    'fails over an outage that outlasts detection.confirmSeconds',
    async (seed) => {
      const r = await runDrill({ config, scenario: 'region-outage', seed, outageSeconds: config.detection.confirmSeconds + 60 });

      expect(r.promoted).toBe(true);
      expect(r.outcome).toBe('completed');
      expect(r.startedAfterRecovery).toBe(false);
    },
  );

  test.prop([fc.integer({ min: 0, max: 1_000_000 })], { numRuns: 8 })(
    'never fails over a maintenance reboot of the primary database',
    async (seed) => {
      const r = await drill('maintenance-reboot', seed);

      expect(r.outcome).toBe('not-triggered');
      expect(r.promoted).toBe(false);
      expect(r.actions).toEqual({});
    },
  );

  test.prop([fc.integer({ min: 0, max: 1_000_000 })], { numRuns: 6 })(
    'late (up to 6 hours) and duplicated schedule deliveries still fail over once, safely',
    async (seed) => {
      const r = await runDrill({ config, scenario: 'region-outage', seed, chaos: { lateTickRate: 0.3, duplicateTickRate: 0.3 } });

      expect(r.outcome).toBe('completed');
      expect(r.actions.promoteReplica).toBe(1);
      expect(r.invariants).toEqual(ZERO);
      expect(r.startedAfterRecovery).toBe(false);
    },
  );

  it('estimates when the impairment began within one detection interval', async () => {
    const r = await drill('region-outage', 7);

    expect(r.impairment).not.toBeNull();
    const { actualSeconds, estimatedSeconds } = r.impairment!;
    expect(estimatedSeconds - actualSeconds).toBeGreaterThanOrEqual(-0.1);
    expect(estimatedSeconds - actualSeconds).toBeLessThanOrEqual(config.detection.intervalSeconds);
  });

  test.prop([fc.integer({ min: 0, max: 1_000_000 })], { numRuns: 12 })(
    'never fails over on a flapping probe with default settings',
    async (seed) => {
      const r = await drill('flapping-probe', seed);

      expect(r.outcome).toBe('not-triggered');
      expect(r.actions).toEqual({});
    },
  );
});

describe('runDrill: properties over seeds, crash points and chaos', () => {
  test.prop([fc.integer({ min: 0, max: 1_000_000 })], { numRuns: 12 })(
    'a crashed controller resumes to the same outcome as one that did not crash, with one promotion',
    async (seed) => {
      const [calm, crashed] = await Promise.all([drill('region-outage', seed), drill('controller-crash', seed)]);

      expect(crashed.outcome).toBe(calm.outcome);
      expect(crashed.actions.promoteReplica).toBe(1);
      expect(crashed.invariants).toEqual(ZERO);
    },
  );

  test.prop(
    [
      fc.integer({ min: 0, max: 1_000_000 }),
      fc.constantFrom<Scenario>('promotion-failure', 'late-approval', 'late-state-writes', 'capacity-lost-after-promotion'),
    ],
    { numRuns: 16 },
  )('the failure scenarios leave no healthy region unrouted and never two writable databases', async (seed, scenario) => {
    const r = await drill(scenario, seed);

    expect(r.invariants).toEqual(ZERO);
    expect(r.invariants.promotionsPerOperationMax).toBeLessThanOrEqual(1);
  });

  test.prop([fc.integer({ min: 0, max: 1_000_000 })], { numRuns: 8 })(
    'holds with calls whose answers are lost and controllers that crash',
    async (seed) => {
      const r = await runDrill({ config, scenario: 'region-outage', seed, chaos: { crashRate: 0.3, lostResponseRate: 0.05 } });

      expect(r.outcome).toBe('completed');
      expect(r.invariants).toEqual(ZERO);
      expect(r.actions.promoteReplica).toBe(1);
    },
  );
});

describe('runDrill: planned operations', () => {
  it('switches over with no data loss: drained, writes fenced, lag drained to zero, one promotion, the old region contained', async () => {
    const r = await runDrill({ config, operation: 'switchover', seed: 3 });

    expect(r).toMatchObject({ outcome: 'completed', scenario: 'none', rpoSeconds: 0, detectSeconds: null, activeRegion: 'us-east-1' });
    expect(r.actions).toMatchObject({ promoteReplica: 1 });
    expect(r.invariants).toEqual(ZERO);
    expect(r.rtoSeconds).toBeLessThan(r.durationSeconds ?? 0);
  });

  it('gives the service back when the target fails seven minutes into a switchover', async () => {
    const r = await runDrill({ config, operation: 'switchover', scenario: 'target-fails-mid-switchover', seed: 3 });

    expect(r.outcome).toBe('rolled-back');
    expect(r.activeRegion).toBe('eu-west-1');
    expect(r.invariants).toEqual(ZERO);
  });

  it('fails back home and rebuilds the pilot light, keeping the retired databases', async () => {
    const r = await runDrill({ config, operation: 'failback', seed: 3 });

    expect(r).toMatchObject({
      outcome: 'completed',
      fromRegion: 'us-east-1',
      toRegion: 'eu-west-1',
      rpoSeconds: 0,
      activeRegion: 'eu-west-1',
    });
    expect(r.actions).toMatchObject({ retireInstance: 2, rebootInstance: 2, createReplica: 2, promoteReplica: 1 });
    expect(r.steps.at(-1)).toMatchObject({ id: 'lift-dr-fence', outcome: 'completed' });
    expect(r.invariants).toEqual(ZERO);
  });
});

describe('runDrill: an operator failover', () => {
  it('starts at the fault with no detection and no confirmation step, as dr failover does', async () => {
    const r = await runDrill({ config, seed: 2, startedBy: 'operator' });

    expect(r.outcome).toBe('completed');
    expect(r.detectSeconds).toBe(0);
    expect(r.steps.map((s) => s.id)).not.toContain('confirm');
    expect(r.actions.promoteReplica).toBe(1);
  });
});
