import { describe, expect, it } from 'vitest';
import { isRegionUnreachable } from '../../src/errors.js';
import { simReadiness } from '../../src/sim/sim-readiness.js';
import { config } from '../fixtures.js';
import { simulation } from './harness.js';

describe('the simulator readiness side', () => {
  it('keeps what is published, in the region it was published in', async () => {
    const { clock, ports, world } = simulation();

    await clock.run(() =>
      ports.metrics.publish('us-east-1', 'DR/Readiness', [{ name: 'dr-image', value: 1, dimensions: { App: 'lamp' } }]),
    );

    expect(simReadiness(world).published.map((p) => [p.region, p.namespace, p.datum.name, p.datum.value])).toEqual([
      ['us-east-1', 'DR/Readiness', 'dr-image', 1],
    ]);
  });

  it('answers no read of a region in outage', async () => {
    const { clock, ports } = simulation((t0) => ({ outages: [{ region: config.secondary.region, from: t0 }] }));

    const e = await clock.run(() => ports.readiness.ec2VcpuQuota(config.secondary.region).catch((err: unknown) => err));

    expect(isRegionUnreachable(e)).toBe(true);
  });

  it("counts the group's running instances against the quota once it scales out", async () => {
    const { clock, ports, world } = simulation();
    const before = await clock.run(() => ports.readiness.ec2VcpuQuota(config.secondary.region));
    const asg = world.asgs.get(config.secondary.region)!;

    await clock.run(async () => {
      await ports.compute.setCapacity(
        { region: asg.region, autoScalingGroupName: asg.name, targetGroupArn: config.secondary.targetGroupArn },
        { min: 2, desired: 2, max: 4 },
      );
      await clock.sleep(600_000);
    });
    const after = await clock.run(() => ports.readiness.ec2VcpuQuota(config.secondary.region));

    expect(before).toEqual({ quota: 32, inUse: 0 });
    expect(after).toEqual({ quota: 32, inUse: 4 });
  });
});
