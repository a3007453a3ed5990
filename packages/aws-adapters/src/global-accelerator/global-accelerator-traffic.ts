import {
  DescribeEndpointGroupCommand,
  GlobalAcceleratorClient,
  UpdateEndpointGroupCommand,
  type EndpointDescription,
  type GlobalAcceleratorClientConfig,
} from '@aws-sdk/client-global-accelerator';
import { GLOBAL_ACCELERATOR_CONTROL_REGION } from '@dr/failover-core';
import { ResourceNotFoundError } from '@dr/failover-core/errors';
import type { EndpointGroupRef, EndpointGroupStatus, Traffic } from '@dr/failover-core/ports';
import { callAws, DEFAULT_CALL_POLICY, type CallPolicy } from '../aws-call.js';

/** Options of {@link GlobalAcceleratorTraffic}: an injected client, or a config (its region is always us-west-2). */
export type GlobalAcceleratorTrafficOptions = (
  | { readonly awsSdkV3Client: GlobalAcceleratorClient; readonly clientConfig?: never }
  | { readonly clientConfig?: Omit<GlobalAcceleratorClientConfig, 'region'>; readonly awsSdkV3Client?: never }
) & { readonly policy?: CallPolicy };

const NOT_FOUND = ['EndpointGroupNotFoundException'];

/**
 * The `Traffic` port on Global Accelerator: the endpoint group's traffic dial, the ALB endpoint's
 * weight and its health. UpdateEndpointGroup replaces the endpoint list, so a weight change
 * writes back every endpoint as read, changing only the one.
 */
export class GlobalAcceleratorTraffic implements Traffic {
  private readonly client: GlobalAcceleratorClient;
  private readonly policy: CallPolicy;

  constructor(options: GlobalAcceleratorTrafficOptions = {}) {
    this.client =
      options.awsSdkV3Client ?? new GlobalAcceleratorClient({ ...options.clientConfig, region: GLOBAL_ACCELERATOR_CONTROL_REGION });
    this.policy = options.policy ?? DEFAULT_CALL_POLICY;
  }

  private ctx(group: EndpointGroupRef) {
    return {
      region: GLOBAL_ACCELERATOR_CONTROL_REGION,
      resource: `endpoint group ${group.endpointGroupArn}`,
      notFound: NOT_FOUND,
      rejected: ['InvalidArgumentException', 'LimitExceededException'],
    };
  }

  private async read(group: EndpointGroupRef) {
    const out = await callAws(
      this.ctx(group),
      (abortSignal) => this.client.send(new DescribeEndpointGroupCommand({ EndpointGroupArn: group.endpointGroupArn }), { abortSignal }),
      this.policy,
    );
    if (!out.EndpointGroup) throw new ResourceNotFoundError(`endpoint group ${group.endpointGroupArn}`, GLOBAL_ACCELERATOR_CONTROL_REGION);
    return out.EndpointGroup;
  }

  private endpoint(group: EndpointGroupRef, endpoints: readonly EndpointDescription[]): EndpointDescription {
    const found = endpoints.find((e) => e.EndpointId === group.loadBalancerArn);
    if (!found)
      throw new ResourceNotFoundError(
        `endpoint ${group.loadBalancerArn} in endpoint group ${group.endpointGroupArn}`,
        GLOBAL_ACCELERATOR_CONTROL_REGION,
      );
    return found;
  }

  async describe(group: EndpointGroupRef): Promise<EndpointGroupStatus> {
    const g = await this.read(group);
    const endpoint = this.endpoint(group, g.EndpointDescriptions ?? []);
    return {
      trafficDialPercent: g.TrafficDialPercentage ?? 100,
      endpointWeight: endpoint.Weight ?? 128,
      healthy: endpoint.HealthState === 'HEALTHY',
    };
  }

  async setTrafficDial(group: EndpointGroupRef, percent: number): Promise<void> {
    await callAws(
      this.ctx(group),
      (abortSignal) =>
        this.client.send(new UpdateEndpointGroupCommand({ EndpointGroupArn: group.endpointGroupArn, TrafficDialPercentage: percent }), {
          abortSignal,
        }),
      this.policy,
    );
  }

  async setEndpointWeight(group: EndpointGroupRef, weight: number): Promise<void> {
    const g = await this.read(group);
    const endpoints = g.EndpointDescriptions ?? [];
    this.endpoint(group, endpoints);
    await callAws(
      this.ctx(group),
      (abortSignal) =>
        this.client.send(
          new UpdateEndpointGroupCommand({
            EndpointGroupArn: group.endpointGroupArn,
            EndpointConfigurations: endpoints.map((e) => ({
              EndpointId: e.EndpointId,
              Weight: e.EndpointId === group.loadBalancerArn ? weight : e.Weight,
              ClientIPPreservationEnabled: e.ClientIPPreservationEnabled,
            })),
          }),
          { abortSignal },
        ),
      this.policy,
    );
  }
}
