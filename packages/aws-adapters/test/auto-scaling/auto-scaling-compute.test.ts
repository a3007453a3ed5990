import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  UpdateAutoScalingGroupCommand,
  type AutoScalingGroup,
  type LifecycleState,
} from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { asgRef } from '@dr/failover-core';
import { isResourceNotFound } from '@dr/failover-core/errors';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { AutoScalingCompute } from '../../src/index.js';
import { config, fastPolicy } from '../fixtures.js';

const asg = mockClient(AutoScalingClient);
const elb = mockClient(ElasticLoadBalancingV2Client);
const cw = mockClient(CloudWatchClient);
afterEach(() => {
  asg.reset();
  elb.reset();
  cw.reset();
});

const compute = new AutoScalingCompute({ policy: fastPolicy(), now: () => Date.UTC(2026, 10, 25) });
const ref = asgRef(config.secondary);
const group = (states: string[], name = 'secondary-asg'): AutoScalingGroup => ({
  AutoScalingGroupName: name,
  DefaultCooldown: 300,
  AvailabilityZones: ['us-east-1a', 'us-east-1b'],
  HealthCheckType: 'ELB',
  CreatedTime: new Date(0),
  MinSize: 2,
  MaxSize: 4,
  DesiredCapacity: 2,
  Instances: states.map((LifecycleState, i) => ({
    InstanceId: `i-${i}`,
    LifecycleState: LifecycleState as LifecycleState,
    AvailabilityZone: 'us-east-1a',
    HealthStatus: 'Healthy',
    ProtectedFromScaleIn: false,
  })),
  LaunchTemplate: { LaunchTemplateName: 'lamp-lt', Version: '$Latest' },
});

describe('AutoScalingCompute', () => {
  it('counts InService instances and healthy targets', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group(['InService', 'Pending', 'InService'])] });
    elb.on(DescribeTargetHealthCommand, { TargetGroupArn: config.secondary.targetGroupArn }).resolves({
      TargetHealthDescriptions: [
        { TargetHealth: { State: 'healthy' } },
        { TargetHealth: { State: 'initial' } },
        { TargetHealth: { State: 'unhealthy' } },
      ],
    });

    expect(await compute.describe(ref)).toEqual({ min: 2, desired: 2, max: 4, inService: 2, healthyTargets: 1, launchTemplate: 'lamp-lt' });
  });

  it('pages through DescribeAutoScalingGroups to find the group', async () => {
    asg
      .on(DescribeAutoScalingGroupsCommand)
      .resolvesOnce({ AutoScalingGroups: [], NextToken: 't2' })
      .resolvesOnce({ AutoScalingGroups: [group([], 'other')], NextToken: 't3' })
      .resolves({ AutoScalingGroups: [group(['InService'])] });
    elb.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [] });

    expect((await compute.describe(ref)).inService).toBe(1);
    expect(asg.commandCalls(DescribeAutoScalingGroupsCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, 't2', 't3']);
  });

  it('names a missing group and the region it was looked for in', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    elb.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [] });

    const error = await compute.describe(ref).catch((e: unknown) => e);

    expect(isResourceNotFound(error)).toBe(true);
    expect((error as Error).message).toBe('Auto Scaling group secondary-asg was not found in us-east-1');
  });

  it('sets absolute capacity', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group([])] });
    asg.on(UpdateAutoScalingGroupCommand).resolves({});

    await compute.setCapacity(ref, { min: 2, desired: 2, max: 4 });

    expect(asg.commandCalls(UpdateAutoScalingGroupCommand)[0]?.args[0].input).toEqual({
      AutoScalingGroupName: 'secondary-asg',
      MinSize: 2,
      DesiredCapacity: 2,
      MaxSize: 4,
    });
  });

  it('names a target group that does not exist', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group([])] });
    elb
      .on(DescribeTargetHealthCommand)
      .rejects(Object.assign(new Error('One or more target groups not found'), { name: 'TargetGroupNotFoundException' }));

    await expect(compute.describe(ref)).rejects.toThrow(`target group ${config.secondary.targetGroupArn} was not found in us-east-1`);
  });

  it('rides out throttling of the Auto Scaling API', async () => {
    asg
      .on(DescribeAutoScalingGroupsCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }))
      .resolves({ AutoScalingGroups: [group(['InService'])] });
    elb.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [] });

    expect((await compute.describe(ref)).inService).toBe(1);
    expect(asg.commandCalls(DescribeAutoScalingGroupsCommand)).toHaveLength(2);
  });

  it('reads the recent peak of instances in service', async () => {
    cw.on(GetMetricStatisticsCommand).resolves({ Datapoints: [{ Maximum: 2 }, { Maximum: 5 }, { Maximum: 3 }] });

    expect(await compute.recentPeak(asgRef(config.primary), 24)).toBe(5);
    expect(cw.commandCalls(GetMetricStatisticsCommand)[0]?.args[0].input).toMatchObject({
      MetricName: 'GroupInServiceInstances',
      Statistics: ['Maximum'],
      Dimensions: [{ Name: 'AutoScalingGroupName', Value: 'primary-asg' }],
    });
  });
});
