import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LATENCY, runDrill, type DrillOutcome, type Scenario } from '../../src/index.js';
import { config } from '../fixtures.js';

const drill = (scenario: Scenario, seed = 1, extra: { force?: boolean } = {}) => runDrill({ config, scenario, seed, ...extra });

describe('runDrill: each failover scenario ends as it should', () => {
  it.each<[Scenario, DrillOutcome, string | null]>([
    ['none', 'not-triggered', null],
    ['region-outage', 'completed', null],
    ['alb-5xx', 'completed', null],
    ['flapping-probe', 'not-triggered', null],
    ['api-throttling', 'completed', null],
    ['promotion-failure', 'failed', 'promote-replica'],
    ['no-capacity', 'failed', 'await-healthy'],
    ['controller-crash', 'completed', null],
    ['replica-lag', 'refused', null],
  ])('%s → %s', async (scenario, outcome, failedBlock) => {
    const report = await drill(scenario);

    expect(report.outcome).toBe(outcome);
    expect(report.failure?.blockId ?? null).toBe(failedBlock);
    expect(report.actions.promoteReplica ?? 0).toBeLessThanOrEqual(1);
    expect(report.unsafeTrafficSeconds).toBe(0);
  });

  it('completes a region outage within the objectives, promoting once and losing only the replica lag', async () => {
    const r = await drill('region-outage');

    expect(r.objectives).toEqual({ rtoSeconds: 900, maxDataLossSeconds: 60, met: true });
    expect(r.actions).toEqual({ promoteReplica: 1, setCapacity: 1, setEndpointWeight: 2, setTrafficDial: 2 });
    expect(r.rpoSeconds).toBeLessThanOrEqual(12);
    expect(r.steps.map((s) => s.outcome)).toEqual(['completed', 'completed', 'completed', 'completed']);
    expect(r.rtoSeconds).toBeCloseTo((r.detectSeconds ?? 0) + (r.durationSeconds ?? 0), 0);
  });

  it('measures what AWS itself took, so the engine\'s own share of the RTO shows', async () => {
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

  it('stops a failed promotion before any traffic moves, and says where', async () => {
    const r = await drill('promotion-failure');

    expect(r.failure).toMatchObject({ stepId: 'fence-promote-scale', blockId: 'promote-replica', message: expect.stringContaining('InvalidDBInstanceState') });
    expect(r.steps.map((s) => s.outcome)).toEqual(['failed', 'not-started', 'not-started', 'not-started']);
    expect(r.actions.setEndpointWeight).toBe(1);
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
    const gated = { ...config, approval: { required: true } };

    const [auto, approved] = await Promise.all([drill('region-outage', 5), runDrill({ config: gated, scenario: 'region-outage', seed: 5, approvalDelaySeconds: 240 })]);

    expect(approved.outcome).toBe('completed');
    expect(approved.actions.promoteReplica).toBe(1);
    expect((approved.rtoSeconds ?? 0) - (auto.rtoSeconds ?? 0)).toBeGreaterThanOrEqual(200);
  });
});

describe('runDrill: detection', () => {
  // The slowest independent signal in a region outage is Global Accelerator's endpoint health
  // (threshold × interval, plus up to one interval of phase); then the detector needs
  // failureThreshold rounds, and an invocation may start up to one interval late.
  const { intervalSeconds, failureThreshold, probeTimeoutSeconds } = config.detection;
  const windowSeconds =
    (DEFAULT_LATENCY.gaHealthThreshold + 1) * (DEFAULT_LATENCY.gaHealthIntervalMs / 1000) + failureThreshold * intervalSeconds + intervalSeconds + probeTimeoutSeconds;

  test.prop([fc.integer({ min: 0, max: 1_000_000 })], { numRuns: 25 })('declares down within its window under a region outage', async (seed) => {
    const r = await drill('region-outage', seed);

    expect(r.outcome).toBe('completed');
    expect(r.detectSeconds).toBeGreaterThan(0);
    expect(r.detectSeconds).toBeLessThanOrEqual(windowSeconds);
  });

  it('would fail over on the same flapping probe with a quorum of one: the default quorum is what holds it back', async () => {
    const hasty = { ...config, detection: { ...config.detection, quorum: 1 } };

    const r = await runDrill({ config: hasty, scenario: 'flapping-probe', seed: 1 });

    expect(r.outcome).toBe('completed');
    expect(r.objectives.met).toBe(false);
  });

  test.prop([fc.integer({ min: 0, max: 1_000_000 })], { numRuns: 25 })('never fails over on a flapping probe with default settings', async (seed) => {
    const r = await drill('flapping-probe', seed);

    expect(r.outcome).toBe('not-triggered');
    expect(r.actions).toEqual({});
  });
});

describe('runDrill: properties over seeds and crash points', () => {
  test.prop([fc.integer({ min: 0, max: 1_000_000 })], { numRuns: 40 })(
    'a crashed controller resumes to the same outcome as one that did not crash, with one promotion',
    async (seed) => {
      const [calm, crashed] = await Promise.all([drill('region-outage', seed), drill('controller-crash', seed)]);

      expect(crashed.outcome).toBe(calm.outcome);
      expect(crashed.actions.promoteReplica).toBe(1);
      expect(crashed.unsafeTrafficSeconds).toBe(0);
    },
  );
});

describe('runDrill: planned operations', () => {
  it('switches over with no data loss: writes fenced, lag drained to zero, one promotion', async () => {
    const r = await runDrill({ config, operation: 'switchover', seed: 3 });

    expect(r).toMatchObject({ outcome: 'completed', scenario: 'none', rpoSeconds: 0, detectSeconds: null });
    expect(r.actions).toMatchObject({ setWriteFence: 1, promoteReplica: 1, setCapacity: 1 });
    expect(r.rtoSeconds).toBeLessThan(r.durationSeconds ?? 0);
  });

  it('fails back home and rebuilds the pilot light, keeping the retired databases', async () => {
    const r = await runDrill({ config, operation: 'failback', seed: 3 });

    expect(r).toMatchObject({ outcome: 'completed', fromRegion: 'us-east-1', toRegion: 'eu-west-1', rpoSeconds: 0 });
    expect(r.actions).toMatchObject({ renameInstance: 2, createReplica: 2, promoteReplica: 1, setWriteFence: 1, setCapacity: 2 });
    expect(r.steps.at(-1)).toMatchObject({ id: 'restore-pilot-light', outcome: 'completed' });
  });
});
