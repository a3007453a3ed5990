import { DescribeAutoScalingGroupsCommand, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeStacksCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  CreateEndpointGroupCommand,
  DeleteEndpointGroupCommand,
  DescribeEndpointGroupCommand,
  ListEndpointGroupsCommand,
  UpdateEndpointGroupCommand,
} from '@aws-sdk/client-global-accelerator';
import { randomBytes } from 'node:crypto';
import { awsError } from '../errors.js';
import type { FakeAws } from '../fake-aws.js';
import type { FakeWiring } from './wiring.js';

/**
 * Compute and traffic: Auto Scaling groups (instances InService a few describes after launch), the
 * load balancers' healthy targets, and Global Accelerator's endpoint groups, whose health follows them.
 */
export function wireTraffic(fake: FakeAws, w: FakeWiring): void {
  w.route('autoscaling', DescribeAutoScalingGroupsCommand, async (input, region) => {
    const g = fake.asgs.get(region);
    if (!g) return { AutoScalingGroups: [] };
    for (const i of g.instances) i.describesLeft--;
    return {
      AutoScalingGroups: [
        {
          AutoScalingGroupName: input.AutoScalingGroupNames?.[0],
          MinSize: g.min,
          DesiredCapacity: g.desired,
          MaxSize: g.max,
          LaunchTemplate: { LaunchTemplateName: 'lamp' },
          Instances: g.instances.map((i, n) => ({
            InstanceId: `i-${n}`,
            LifecycleState: i.describesLeft <= 0 ? 'InService' : 'Pending',
          })),
        },
      ],
    };
  });
  w.route('autoscaling', UpdateAutoScalingGroupCommand, async (input, region) => {
    const g = fake.asgs.get(region);
    if (!g) throw awsError('ValidationError', 'AutoScalingGroup name not found');
    w.count('setCapacity');
    g.min = input.MinSize;
    g.max = input.MaxSize;
    g.desired = input.DesiredCapacity;
    while (g.instances.length < g.desired) g.instances.push({ describesLeft: 4 });
    g.instances.splice(g.desired);
    return {};
  });
  w.route('elasticloadbalancing', DescribeTargetHealthCommand, async (_input, region) => {
    const n = w.healthy(region);
    return { TargetHealthDescriptions: Array.from({ length: n }, () => ({ TargetHealth: { State: 'healthy' } })) };
  });
  w.route('globalaccelerator', DescribeEndpointGroupCommand, async (input) => {
    const g = fake.groups.get(input.EndpointGroupArn);
    if (!g) throw awsError('EndpointGroupNotFoundException');
    const health = w.healthy(g.region) > 0 ? 'HEALTHY' : 'UNHEALTHY';
    return {
      EndpointGroup: {
        EndpointGroupArn: input.EndpointGroupArn,
        TrafficDialPercentage: g.dial,
        EndpointDescriptions: g.endpoints.map((e) => ({ EndpointId: e.id, Weight: e.weight, HealthState: health })),
      },
    };
  });
  w.route('globalaccelerator', UpdateEndpointGroupCommand, async (input) => {
    const g = fake.groups.get(input.EndpointGroupArn);
    if (!g) throw awsError('EndpointGroupNotFoundException');
    if (input.TrafficDialPercentage !== undefined) {
      w.count('setTrafficDial');
      g.dial = input.TrafficDialPercentage;
    }
    if (input.EndpointConfigurations) {
      w.count('setEndpointWeight');
      // The list replaces the group's endpoints; an omitted weight is the default, 128.
      // https://docs.aws.amazon.com/global-accelerator/latest/api/API_UpdateEndpointGroup.html
      g.endpoints = input.EndpointConfigurations.map(
        (e: { EndpointId: string; Weight?: number; ClientIPPreservationEnabled?: boolean }) => ({
          id: e.EndpointId,
          weight: e.Weight ?? 128,
          clientIp: e.ClientIPPreservationEnabled,
        }),
      );
    }
    return {};
  });
}

/**
 * Global Accelerator's endpoint group lifecycle and the CloudFormation reads a custom resource
 * makes. CreateEndpointGroup: one group per region on a listener
 * (EndpointGroupAlreadyExistsException otherwise), the same group again for a repeated
 * IdempotencyToken, dial 100 and weight 128 when omitted; ListEndpointGroups by listener;
 * DeleteEndpointGroup (EndpointGroupNotFoundException when absent). DescribeStacks and
 * ListStackResources by stack id or name; an unknown stack is a ValidationError.
 * @see https://docs.aws.amazon.com/global-accelerator/latest/api/API_CreateEndpointGroup.html
 * @see https://docs.aws.amazon.com/global-accelerator/latest/api/API_ListEndpointGroups.html
 * @see https://docs.aws.amazon.com/global-accelerator/latest/api/API_DeleteEndpointGroup.html
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html
 */
export function wireEndpointGroupLifecycle(fake: FakeAws, w: FakeWiring): void {
  const describe = (arn: string) => {
    const g = fake.groups.get(arn)!;
    const health = w.healthy(g.region) > 0 ? 'HEALTHY' : 'UNHEALTHY';
    return {
      EndpointGroupArn: arn,
      EndpointGroupRegion: g.region,
      TrafficDialPercentage: g.dial,
      EndpointDescriptions: g.endpoints.map((e) => ({
        EndpointId: e.id,
        Weight: e.weight,
        HealthState: health,
        ClientIPPreservationEnabled: e.clientIp,
      })),
    };
  };
  const onListener = (listenerArn: string) => [...fake.groups.keys()].filter((arn) => arn.startsWith(`${listenerArn}/endpoint-group/`));
  w.route('globalaccelerator', CreateEndpointGroupCommand, async (input) => {
    const earlier = input.IdempotencyToken ? w.groupTokens.get(input.IdempotencyToken) : undefined;
    if (earlier && fake.groups.has(earlier)) return { EndpointGroup: describe(earlier) };
    if (onListener(input.ListenerArn).some((arn) => fake.groups.get(arn)?.region === input.EndpointGroupRegion))
      throw awsError('EndpointGroupAlreadyExistsException', `The listener already has an endpoint group in ${input.EndpointGroupRegion}.`);
    w.count('createEndpointGroup');
    const arn = `${input.ListenerArn}/endpoint-group/${randomBytes(6).toString('hex')}`;
    const endpoints = (input.EndpointConfigurations ?? []).map(
      (e: { EndpointId: string; Weight?: number; ClientIPPreservationEnabled?: boolean }) => ({
        id: e.EndpointId,
        weight: e.Weight ?? 128,
        clientIp: e.ClientIPPreservationEnabled,
      }),
    );
    fake.groups.set(arn, { region: input.EndpointGroupRegion, dial: input.TrafficDialPercentage ?? 100, endpoints });
    if (input.IdempotencyToken) w.groupTokens.set(input.IdempotencyToken, arn);
    return { EndpointGroup: describe(arn) };
  });
  w.route('globalaccelerator', ListEndpointGroupsCommand, async (input) => ({
    EndpointGroups: onListener(input.ListenerArn).map(describe),
  }));
  w.route('globalaccelerator', DeleteEndpointGroupCommand, async (input) => {
    if (!fake.groups.delete(input.EndpointGroupArn)) throw awsError('EndpointGroupNotFoundException');
    w.count('deleteEndpointGroup');
    return {};
  });
  const stack = (name: string) => {
    const found = fake.stacks.get(name) ?? [...fake.stacks.values()].find((s) => s.name === name);
    if (!found) throw awsError('ValidationError', `Stack with id ${name} does not exist`);
    return found;
  };
  w.route('cloudformation', DescribeStacksCommand, async (input) => {
    const s = stack(input.StackName);
    const id = [...fake.stacks.entries()].find(([, v]) => v === s)?.[0];
    return { Stacks: [{ StackId: id, StackName: s.name, StackStatus: s.status, CreationTime: new Date(0) }] };
  });
  w.route('cloudformation', ListStackResourcesCommand, async (input) => ({
    StackResourceSummaries: stack(input.StackName).resources.map((r) => ({ ...r, LastUpdatedTimestamp: new Date(0) })),
  }));
}
