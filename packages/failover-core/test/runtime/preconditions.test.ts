import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/plan/build-plan.js';
import type { Ports } from '../../src/ports.js';
import { evaluatePreconditions } from '../../src/runtime/preconditions.js';
import { config } from '../fixtures.js';
import { simulation } from '../sim/harness.js';

describe('evaluatePreconditions', () => {
  it('passes a failover of the healthy reference topology and reads the replica lag', async () => {
    const { clock, ports } = simulation();

    const report = await clock.run(() => evaluatePreconditions(buildPlan(config, 'failover'), ports, 60));

    expect(report.problems).toEqual([]);
    expect(report.replicaLagSeconds).toBeGreaterThanOrEqual(0);
  });

  it('finds a DR group that has no launch template', async () => {
    const { clock, ports } = simulation();
    const bare: Ports = {
      ...ports,
      compute: { ...ports.compute, describe: async (asg) => ({ ...(await ports.compute.describe(asg)), launchTemplate: undefined }) },
    };

    const report = await clock.run(() => evaluatePreconditions(buildPlan(config, 'failover'), bare, 60));

    expect(report.problems).toEqual([
      { kind: 'precondition', message: 'Auto Scaling group secondary-asg in us-east-1 has no launch template to start instances from' },
    ]);
  });

  it('names a replica that is missing', async () => {
    const { clock, ports } = simulation();
    const renamed = { ...config, secondary: { ...config.secondary, dbInstanceIdentifier: 'ghost' } };

    const report = await clock.run(() => evaluatePreconditions(buildPlan(renamed, 'failover'), ports, 60));

    expect(report.problems).toContainEqual({ kind: 'precondition', message: 'replica ghost in us-east-1 was not found' });
  });

  it('refuses a failover to a database that is no longer a replica, naming the rebuild', async () => {
    const { clock, ports } = simulation(() => ({}), { layout: 'failed-over' });

    const report = await clock.run(() => evaluatePreconditions(buildPlan(config, 'failover', { from: 'primary' }), ports, 60));

    expect(report.problems).toContainEqual({
      kind: 'precondition',
      message: 'lamp-replica in us-east-1 is not a replica (it was promoted): rebuild the pilot light first (dr rebuild)',
    });
  });

  it('requires the database a failback replicates from to be the serving primary', async () => {
    const { clock, ports } = simulation();

    const report = await clock.run(() => evaluatePreconditions(buildPlan(config, 'failback'), ports, 60));

    expect(report.problems).toContainEqual(
      expect.objectContaining({ message: expect.stringContaining('a failback needs lamp-replica in us-east-1 to be the serving primary') }),
    );
  });

  it('requires the source of a planned handover to answer, since it fences its writes', async () => {
    const { clock, ports } = simulation((t0) => ({ outages: [{ region: 'eu-west-1', from: t0 }] }));

    const report = await clock.run(() => evaluatePreconditions(buildPlan(config, 'switchover'), ports, 60));

    expect(report.problems).toContainEqual(
      expect.objectContaining({
        kind: 'precondition',
        message: expect.stringMatching(/^database lamp-primary in eu-west-1: .*did not answer/),
      }),
    );
  });

  it('finds nothing to rebuild when the DR replica replicates', async () => {
    const { clock, ports } = simulation();

    const report = await clock.run(() => evaluatePreconditions(buildPlan(config, 'rebuild', { from: 'primary' }), ports, 60));

    expect(report.problems).toContainEqual({
      kind: 'precondition',
      message: 'nothing to rebuild: lamp-replica in us-east-1 is a replica and replicates',
    });
  });

  it('adds what the re-check of the detector found', async () => {
    const { clock, ports } = simulation();

    const report = await clock.run(() =>
      evaluatePreconditions(buildPlan(config, 'failover'), ports, 60, {
        confirmImpairment: async () => ({ kind: 'recovered', message: 'the primary no longer looks impaired' }),
      }),
    );

    expect(report.problems).toEqual([{ kind: 'recovered', message: 'the primary no longer looks impaired' }]);
  });
});
