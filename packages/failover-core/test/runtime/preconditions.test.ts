import { describe, expect, it } from 'vitest';
import { buildPlan, evaluatePreconditions, type Ports } from '../../src/index.js';
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
    const bare: Ports = { ...ports, compute: { ...ports.compute, describe: async (asg) => ({ ...(await ports.compute.describe(asg)), launchTemplate: undefined }) } };

    const report = await clock.run(() => evaluatePreconditions(buildPlan(config, 'failover'), bare, 60));

    expect(report.problems).toEqual([{ kind: 'precondition', message: 'Auto Scaling group secondary-asg in us-east-1 has no launch template to start instances from' }]);
  });

  it('names a replica that is missing', async () => {
    const { clock, ports } = simulation();
    const renamed = { ...config, secondary: { ...config.secondary, dbInstanceIdentifier: 'ghost' } };

    const report = await clock.run(() => evaluatePreconditions(buildPlan(renamed, 'failover'), ports, 60));

    expect(report.problems).toContainEqual({ kind: 'precondition', message: 'replica ghost was not found in us-east-1' });
  });

  it('requires the promoted database to be the active primary before a failback', async () => {
    const { clock, ports } = simulation();

    const report = await clock.run(() => evaluatePreconditions(buildPlan(config, 'failback'), ports, 60));

    expect(report.problems).toContainEqual(expect.objectContaining({ message: expect.stringContaining('failback needs lamp-replica in us-east-1 to be the active primary') }));
  });
});
