import { DescribeEndpointGroupCommand, GlobalAcceleratorClient, UpdateEndpointGroupCommand } from '@aws-sdk/client-global-accelerator';
import { groupRef } from '@dr/failover-core';
import { isResourceNotFound } from '@dr/failover-core/errors';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { GlobalAcceleratorTraffic } from '../../src/index.js';
import { config, fastPolicy } from '../fixtures.js';

const ga = mockClient(GlobalAcceleratorClient);
afterEach(() => ga.reset());

const traffic = new GlobalAcceleratorTraffic({ policy: fastPolicy() });
const group = groupRef(config.secondary);
const other = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/canary/1';
const described = {
  EndpointGroup: {
    EndpointGroupArn: group.endpointGroupArn,
    TrafficDialPercentage: 0,
    EndpointDescriptions: [
      { EndpointId: group.loadBalancerArn, Weight: 0, HealthState: 'HEALTHY' as const, ClientIPPreservationEnabled: true },
      { EndpointId: other, Weight: 10, HealthState: 'UNHEALTHY' as const, ClientIPPreservationEnabled: false },
    ],
  },
};

describe('GlobalAcceleratorTraffic', () => {
  it('always talks to the us-west-2 control plane', async () => {
    const built = new GlobalAcceleratorTraffic({ clientConfig: {} });

    expect(await (built as unknown as { client: GlobalAcceleratorClient }).client.config.region()).toBe('us-west-2');
  });

  it('reads the dial, the ALB endpoint weight and its health', async () => {
    ga.on(DescribeEndpointGroupCommand, { EndpointGroupArn: group.endpointGroupArn }).resolves(described);

    expect(await traffic.describe(group)).toEqual({ trafficDialPercent: 0, endpointWeight: 0, healthy: true });
  });

  it('changes the dial without touching the endpoints', async () => {
    ga.on(UpdateEndpointGroupCommand).resolves({});

    await traffic.setTrafficDial(group, 100);

    expect(ga.commandCalls(UpdateEndpointGroupCommand)[0]?.args[0].input).toEqual({
      EndpointGroupArn: group.endpointGroupArn,
      TrafficDialPercentage: 100,
    });
  });

  it('changes one endpoint weight and writes every other endpoint back as it was', async () => {
    ga.on(DescribeEndpointGroupCommand).resolves(described);
    ga.on(UpdateEndpointGroupCommand).resolves({});

    await traffic.setEndpointWeight(group, 128);

    expect(ga.commandCalls(UpdateEndpointGroupCommand)[0]?.args[0].input).toEqual({
      EndpointGroupArn: group.endpointGroupArn,
      EndpointConfigurations: [
        { EndpointId: group.loadBalancerArn, Weight: 128, ClientIPPreservationEnabled: true },
        { EndpointId: other, Weight: 10, ClientIPPreservationEnabled: false },
      ],
    });
  });

  it('names an endpoint group that does not exist', async () => {
    ga.on(DescribeEndpointGroupCommand).rejects(Object.assign(new Error('not found'), { name: 'EndpointGroupNotFoundException' }));

    await expect(traffic.describe(group)).rejects.toThrow(`endpoint group ${group.endpointGroupArn} was not found in us-west-2`);
  });

  it('names a load balancer missing from the endpoint group', async () => {
    ga.on(DescribeEndpointGroupCommand).resolves({ EndpointGroup: { EndpointDescriptions: [] } });

    const error = await traffic.describe(group).catch((e: unknown) => e);

    expect(isResourceNotFound(error)).toBe(true);
    expect((error as Error).message).toContain(group.loadBalancerArn);
  });
});
