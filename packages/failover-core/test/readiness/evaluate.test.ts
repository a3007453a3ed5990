import { describe, expect, it } from 'vitest';
import { READINESS_CHECKS, type ReadinessCheckId } from '../../src/readiness/checks.js';
import { evaluateReadiness } from '../../src/readiness/evaluate.js';
import {
  readinessMetricData,
  readReadiness,
  storeReadiness,
  summarizeReadiness,
  type ReadinessReport,
} from '../../src/readiness/report.js';
import { stateKeys } from '../../src/runtime/supervise.js';
import { simReadiness } from '../../src/sim/sim-readiness.js';
import type { Faults, Layout } from '../../src/sim/world.js';
import { config } from '../fixtures.js';
import { simulation } from '../sim/harness.js';

const HEARTBEAT = stateKeys(config.app).heartbeat;

/** A simulated world whose controller finished an invocation `heartbeatAgoMs` ago. */
async function world(faults: (t0: number) => Faults = () => ({}), options: { layout?: Layout; heartbeatAgoMs?: number | null } = {}) {
  const sim = simulation(faults, { layout: options.layout });
  if (options.heartbeatAgoMs !== null) {
    await sim.store.write(
      HEARTBEAT,
      { at: sim.t0 - (options.heartbeatAgoMs ?? 30_000), action: 'watched', verdict: 'healthy', armed: true },
      0,
    );
  }
  return sim;
}

const evaluate = (sim: Awaited<ReturnType<typeof world>>, active?: 'primary' | 'secondary') =>
  sim.clock.run(() => evaluateReadiness(sim.ports, config, { active }));
const status = (r: ReadinessReport, id: ReadinessCheckId) => r.checks.find((c) => c.id === id)!;

describe('evaluateReadiness', () => {
  it('passes every check on a steady pilot light', async () => {
    // Arrange
    const sim = await world();

    // Act
    const report = await evaluate(sim);

    // Assert
    expect(report.checks.map((c) => c.id)).toEqual([...READINESS_CHECKS]);
    expect(report.checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(report.standbyRegion).toBe(config.secondary.region);
    expect(status(report, 'dr-ec2-quota').detail).toMatch(/2 × t3\.small \(2 vCPUs\) needs 4 more vCPUs; quota 32/);
  });

  it('fails the image check when the DR region has no copy of the AMI', async () => {
    const sim = await world();
    simReadiness(sim.world).inject({ missingImage: config.secondary.region });

    const report = await evaluate(sim);

    expect(status(report, 'dr-image')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/does not exist in us-east-1/) });
    expect(report.checks.filter((c) => c.status !== 'pass').map((c) => c.id)).toEqual(['dr-image']);
  });

  it('fails the quota check when the quota leaves less than the DR capacity needs', async () => {
    const sim = await world();
    simReadiness(sim.world).inject({ vcpuQuota: { region: config.secondary.region, value: 10 } });
    simReadiness(sim.world).otherVcpus = 8;

    const report = await evaluate(sim);

    expect(status(report, 'dr-ec2-quota')).toMatchObject({ status: 'fail', value: -2 });
  });

  it('fails the config check when the two regions hold different documents', async () => {
    const sim = await world();
    simReadiness(sim.world).inject({ configDrift: config.primary.region });

    const report = await evaluate(sim);

    expect(status(report, 'config-parameter-match')).toMatchObject({
      status: 'fail',
      detail: '/dr/lamp/config differs between eu-west-1 and us-east-1',
    });
  });

  it('fails the heartbeat check when the controller has not finished for over 3 minutes, and when it never did', async () => {
    const late = await evaluate(await world(undefined, { heartbeatAgoMs: 181_000 }));
    const never = await evaluate(await world(undefined, { heartbeatAgoMs: null }));

    expect(status(late, 'controller-heartbeat')).toMatchObject({ status: 'fail', value: 181 });
    expect(status(never, 'controller-heartbeat')).toMatchObject({
      status: 'fail',
      detail: 'the failover controller has recorded no heartbeat',
    });
  });

  it('fails the snapshot check when the daily job stopped two days ago', async () => {
    const sim = await world();
    simReadiness(sim.world).inject({ snapshotsStoppedAt: sim.t0 - 2 * 86_400_000 });

    const report = await evaluate(sim);

    expect(status(report, 'snapshot-age').status).toBe('fail');
    expect(status(report, 'snapshot-age').value).toBeGreaterThan(26);
  });

  it('counts failed S3 replication operations in the last hour and passes when none was published', async () => {
    const failing = await world();
    simReadiness(failing.world).inject({ replicationFailures: { from: failing.t0 - 600_000, perMinute: 3 } });

    const report = await evaluate(failing);

    expect(status(report, 's3-replication')).toMatchObject({ status: 'fail', value: 30 });
  });

  it('says unknown, not pass, when no failure is published because replication metrics are off', async () => {
    const sim = await world();
    simReadiness(sim.world).inject({ replicationMetricsOff: true });

    const report = await evaluate(sim);

    expect(status(report, 's3-replication')).toMatchObject({
      status: 'unknown',
      detail: expect.stringMatching(/are S3 replication metrics on\?/),
    });
  });

  it('says unknown, never pass, for what an unreachable standby region hides, and still evaluates the rest', async () => {
    const sim = await world((t0) => ({ outages: [{ region: config.secondary.region, from: t0 - 1 }] }));

    const report = await evaluate(sim);

    const unknown = report.checks.filter((c) => c.status === 'unknown').map((c) => c.id);
    expect(unknown).toEqual([
      'replica-exists',
      'replica-replicating',
      'replica-lag',
      'dr-image',
      'dr-ec2-quota',
      'config-parameter-match',
      'dr-fence-clear',
      'snapshot-age',
      's3-replication',
    ]);
    expect(status(report, 'replica-exists').detail).toMatch(/us-east-1 did not answer/);
    expect(status(report, 'pilot-light-weight').status).toBe('pass');
    expect(status(report, 'controller-heartbeat').status).toBe('pass');
  });

  it('judges the primary region as the standby once the secondary serves', async () => {
    const sim = await world(undefined, { layout: 'failed-over' });

    const report = await evaluate(sim, 'secondary');

    expect(report.standbyRegion).toBe(config.primary.region);
    // After a contained failover the old primary is a fenced standalone instance, not a replica.
    expect(status(report, 'replica-exists').status).toBe('fail');
    expect(status(report, 'dr-fence-clear').status).toBe('fail');
    expect(status(report, 'pilot-light-weight').status).toBe('pass');
  });

  it('reads the serving region from the control record when none is given', async () => {
    const sim = await world(undefined, { layout: 'failed-over' });
    await sim.store.write(stateKeys(config.app).control, { active: 'secondary' }, 0);

    const report = await evaluate(sim);

    expect(report.standbyRegion).toBe(config.primary.region);
  });
});

describe('readiness reports', () => {
  const report: ReadinessReport = {
    at: 1_000_000,
    app: 'lamp',
    standbyRegion: 'us-east-1',
    checks: [
      { id: 'replica-exists', status: 'pass', detail: '' },
      { id: 'dr-image', status: 'fail', detail: '' },
      { id: 'replica-lag', status: 'unknown', detail: '' },
    ],
  };

  it('publishes 1 for a pass and 0 for a fail, and nothing for an unknown', () => {
    expect(readinessMetricData(report)).toEqual([
      { name: 'replica-exists', value: 1, unit: 'None', dimensions: { App: 'lamp' }, at: 1_000_000 },
      { name: 'dr-image', value: 0, unit: 'None', dimensions: { App: 'lamp' }, at: 1_000_000 },
    ]);
  });

  it('is stale once older than three intervals', () => {
    expect(summarizeReadiness(report, 1_000_000 + 15 * 60_000)).toMatchObject({
      pass: 1,
      fail: 1,
      unknown: 1,
      failing: ['dr-image'],
      unknowns: ['replica-lag'],
      stale: false,
    });
    expect(summarizeReadiness(report, 1_000_001 + 15 * 60_000).stale).toBe(true);
  });

  it('overwrites the stored report whatever its version', async () => {
    const sim = simulation();
    await sim.store.write(stateKeys('lamp').readiness, { old: true }, 0);
    await sim.store.write(stateKeys('lamp').readiness, { old: true }, 1);

    await storeReadiness(sim.store, report);

    expect(await readReadiness(sim.store, 'lamp')).toEqual(report);
  });
});
