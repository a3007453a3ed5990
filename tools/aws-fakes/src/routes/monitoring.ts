import { DescribeAlarmsCommand, GetMetricDataCommand, ListMetricsCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeImagesCommand, DescribeInstanceTypesCommand, DescribeLaunchTemplateVersionsCommand } from '@aws-sdk/client-ec2';
import { GetServiceQuotaCommand } from '@aws-sdk/client-service-quotas';
import type { FakeAws } from '../fake-aws.js';
import type { FakeWiring } from './wiring.js';

/**
 * CloudWatch (the replica's lag, Aurora's global lag, the readiness metrics, alarms, PutMetricData), and what readiness
 * reads of EC2 and Service Quotas (answered by `fake-readiness.ts`).
 */
export function wireMonitoring(fake: FakeAws, w: FakeWiring): void {
  w.route('monitoring', GetMetricDataCommand, async (input, region) => {
    const stat = input.MetricDataQueries?.[0]?.MetricStat?.Metric;
    if (stat?.MetricName === 'ResourceCount') {
      const used = fake.readiness.usage(region, fake.asgs.get(region)?.instances.length ?? 0);
      return {
        MetricDataResults: [
          {
            Id: input.MetricDataQueries[0].Id,
            Timestamps: used === undefined ? [] : [new Date()],
            Values: used === undefined ? [] : [used],
          },
        ],
      };
    }
    if (stat?.MetricName === 'OperationsFailedReplication') {
      return {
        MetricDataResults: input.MetricDataQueries.map(
          (q: { Id: string; MetricStat?: { Metric?: { Dimensions?: { Name: string; Value: string }[] } } }) => {
            const bucket = q.MetricStat?.Metric?.Dimensions?.find((d) => d.Name === 'SourceBucket')?.Value ?? '';
            const values = fake.readiness.replicationFailures.get(bucket) ?? [];
            return { Id: q.Id, Timestamps: values.map(() => new Date()), Values: values };
          },
        ),
      };
    }
    // Aurora's global lag (ms), published for a connected secondary cluster only: no datapoint for the writer.
    if (stat?.MetricName === 'AuroraGlobalDBRPOLag' || stat?.MetricName === 'AuroraGlobalDBReplicationLag') {
      const cluster = stat.Dimensions?.find((d: { Name?: string }) => d.Name === 'DBClusterIdentifier')?.Value;
      const lag = w.aurora.globalLagMs(region, cluster, stat.MetricName);
      const id = input.MetricDataQueries[0].Id;
      return { MetricDataResults: [{ Id: id, Timestamps: lag === undefined ? [] : [new Date()], Values: lag === undefined ? [] : [lag] }] };
    }
    // The replica lags until its source's group has read_only = 1; then it catches up.
    const id = input.MetricDataQueries?.[0]?.MetricStat?.Metric?.Dimensions?.find(
      (d: { Name?: string }) => d.Name === 'DBInstanceIdentifier',
    )?.Value;
    return {
      MetricDataResults: [{ Id: 'lag', Timestamps: [new Date()], Values: [w.rds.replicaLag(region, id, fake.replicaLagSeconds)] }],
    };
  });
  w.route('monitoring', DescribeAlarmsCommand, async (input) => {
    const names: string[] = input.AlarmNames ?? [];
    const found = names.filter((n) => fake.alarmStates.has(n)).map((n) => ({ AlarmName: n, StateValue: fake.alarmStates.get(n) }));
    return { MetricAlarms: found, CompositeAlarms: [] };
  });
  w.route('monitoring', ListMetricsCommand, async (input) => fake.readiness.listMetrics(input, fake.topology));
  w.route('monitoring', PutMetricDataCommand, async (input, region) => fake.readiness.putMetricData(input, region));
  w.route('ec2', DescribeLaunchTemplateVersionsCommand, async (input, region) => fake.readiness.launchTemplateVersions(input, region));
  w.route('ec2', DescribeImagesCommand, async (input, region) => fake.readiness.describeImages(input, region));
  w.route('ec2', DescribeInstanceTypesCommand, async (input) => fake.readiness.describeInstanceTypes(input));
  w.route('servicequotas', GetServiceQuotaCommand, async (input, region) => fake.readiness.serviceQuota(input, region));
}
