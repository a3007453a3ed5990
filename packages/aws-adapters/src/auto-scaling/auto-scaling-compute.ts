import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  UpdateAutoScalingGroupCommand,
  type AutoScalingClientConfig,
} from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, GetMetricStatisticsCommand, type CloudWatchClientConfig } from '@aws-sdk/client-cloudwatch';
import type { ElasticLoadBalancingV2Client, ElasticLoadBalancingV2ClientConfig } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ResourceNotFoundError } from '@dr/failover-core/errors';
import type { AsgRef, CapacitySetting, CapacityStatus, Compute } from '@dr/failover-core/ports';
import { allPages, callAws, DEFAULT_CALL_POLICY, type CallPolicy } from '../aws-call.js';
import { ClientCache, type RegionalClients } from '../clients.js';
import { ElbTargetHealth } from '../elbv2/target-health.js';

/** Options of {@link AutoScalingCompute}. */
export interface AutoScalingComputeOptions {
  readonly autoScaling?: RegionalClients<AutoScalingClient, AutoScalingClientConfig>;
  readonly elb?: RegionalClients<ElasticLoadBalancingV2Client, ElasticLoadBalancingV2ClientConfig>;
  readonly cloudWatch?: RegionalClients<CloudWatchClient, CloudWatchClientConfig>;
  readonly policy?: CallPolicy;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * The `Compute` port on Auto Scaling, with target health from the ALB target group
 * ({@link ElbTargetHealth}):
 * capacity is set in absolute numbers, so repeating a call changes nothing.
 */
export class AutoScalingCompute implements Compute {
  private readonly asg: ClientCache<AutoScalingClient, AutoScalingClientConfig>;
  private readonly targets: ElbTargetHealth;
  private readonly cw: ClientCache<CloudWatchClient, CloudWatchClientConfig>;
  private readonly policy: CallPolicy;
  private readonly now: () => number;

  constructor(options: AutoScalingComputeOptions = {}) {
    this.asg = new ClientCache(options.autoScaling ?? {}, (c) => new AutoScalingClient(c));
    this.targets = new ElbTargetHealth({ ...(options.elb ?? {}), policy: options.policy });
    this.cw = new ClientCache(options.cloudWatch ?? {}, (c) => new CloudWatchClient(c));
    this.policy = options.policy ?? DEFAULT_CALL_POLICY;
    this.now = options.now ?? Date.now;
  }

  private async group(ref: AsgRef) {
    const groups = await allPages(async (token) => {
      const out = await callAws(
        { region: ref.region, resource: `Auto Scaling group ${ref.autoScalingGroupName}` },
        (abortSignal) =>
          this.asg
            .get(ref.region)
            .send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [ref.autoScalingGroupName], NextToken: token }), {
              abortSignal,
            }),
        this.policy,
      );
      return { items: out.AutoScalingGroups ?? [], next: out.NextToken };
    });
    const group = groups.find((g) => g.AutoScalingGroupName === ref.autoScalingGroupName);
    if (!group) throw new ResourceNotFoundError(`Auto Scaling group ${ref.autoScalingGroupName}`, ref.region);
    return group;
  }

  async describe(ref: AsgRef): Promise<CapacityStatus> {
    const [group, healthyTargets] = await Promise.all([this.group(ref), this.targets.healthyCount(ref.region, ref.targetGroupArn)]);
    return {
      min: group.MinSize ?? 0,
      desired: group.DesiredCapacity ?? 0,
      max: group.MaxSize ?? 0,
      inService: (group.Instances ?? []).filter((i) => i.LifecycleState === 'InService').length,
      healthyTargets,
      launchTemplate:
        group.LaunchTemplate?.LaunchTemplateName ??
        group.LaunchTemplate?.LaunchTemplateId ??
        group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification?.LaunchTemplateName ??
        group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification?.LaunchTemplateId ??
        group.LaunchConfigurationName,
    };
  }

  async setCapacity(ref: AsgRef, capacity: CapacitySetting): Promise<void> {
    // UpdateAutoScalingGroup says "not found" as a ValidationError: look first, to name it properly.
    await this.group(ref);
    await callAws(
      {
        region: ref.region,
        resource: `Auto Scaling group ${ref.autoScalingGroupName}`,
        rejected: ['ValidationError', 'ScalingActivityInProgressFault'],
      },
      (abortSignal) =>
        this.asg.get(ref.region).send(
          new UpdateAutoScalingGroupCommand({
            AutoScalingGroupName: ref.autoScalingGroupName,
            MinSize: capacity.min,
            DesiredCapacity: capacity.desired,
            MaxSize: capacity.max,
          }),
          { abortSignal },
        ),
      this.policy,
    );
  }

  /**
   * The most instances the group had in service over the last `hours` (from the
   * `GroupInServiceInstances` metric; group metrics must be enabled), so the DR capacity can
   * match what the primary actually ran. Undefined without data.
   */
  async recentPeak(ref: AsgRef, hours = 24): Promise<number | undefined> {
    const end = this.now();
    const out = await callAws(
      { region: ref.region, resource: `GroupInServiceInstances of ${ref.autoScalingGroupName}` },
      (abortSignal) =>
        this.cw.get(ref.region).send(
          new GetMetricStatisticsCommand({
            Namespace: 'AWS/AutoScaling',
            MetricName: 'GroupInServiceInstances',
            Dimensions: [{ Name: 'AutoScalingGroupName', Value: ref.autoScalingGroupName }],
            StartTime: new Date(end - hours * 3_600_000),
            EndTime: new Date(end),
            Period: 3_600,
            Statistics: ['Maximum'],
          }),
          { abortSignal },
        ),
      this.policy,
    );
    const peaks = (out.Datapoints ?? []).map((d) => d.Maximum ?? 0);
    return peaks.length ? Math.max(...peaks) : undefined;
  }
}
