import type { DrConfig } from '@dr/failover-core';
import { awsError } from './errors.js';

/** One launch template of a region, as the fake keeps it (its default version). */
export interface FakeLaunchTemplate {
  name: string;
  id: string;
  imageId?: string | undefined;
  instanceType?: string | undefined;
}

/** A datapoint published with PutMetricData. */
export interface FakePublished {
  region: string;
  namespace: string;
  name: string;
  value: number;
  dimensions: Record<string, string>;
  at?: Date | number | undefined;
}

/**
 * vCPUs per instance type (`DefaultVCpus`).
 * @see https://docs.aws.amazon.com/ec2/latest/instancetypes/gp.html
 */
const VCPUS: Readonly<Record<string, number>> = {
  't3.micro': 2,
  't3.small': 2,
  't3.medium': 2,
  'm5.large': 2,
  'm5.xlarge': 4,
  'c6i.xlarge': 4,
  'g5.xlarge': 4,
};

/**
 * The readiness side of the fake: EC2 launch templates, images and instance types, the EC2 vCPU
 * quota (Service Quotas) and its usage metric, S3 replication metrics and PutMetricData.
 *
 * - Launch templates and AMIs are regional (an AMI id names one region's copy): each region has
 *   the template the Auto Scaling group names (`lamp`, `t3.small`) and its own available AMI.
 * - GetServiceQuota answers `L-1216C47A` in the region asked, with its usage metric (`AWS/Usage`
 *   `ResourceCount`, Class `Standard/OnDemand`), as Service Quotas documents it; usage is the
 *   running instances of the region's group times their vCPUs, plus `otherVcpus`.
 * - S3 publishes `OperationsFailedReplication` (dimensions SourceBucket, DestinationBucket,
 *   RuleId) in the source bucket's region and only when an operation fails: a bucket with no
 *   failures has no metric at all.
 */
export class FakeReadiness {
  /** Launch templates by region. */
  readonly launchTemplates = new Map<string, FakeLaunchTemplate>();
  /** AMI state by `region:imageId`; an AMI not here does not exist there. */
  readonly images = new Map<string, string>();
  /** The applied L-1216C47A quota by region, vCPUs. @default 32 */
  readonly vcpuQuotas = new Map<string, number>();
  /** vCPUs other workloads run, by region. */
  readonly otherVcpus = new Map<string, number>();
  /** Regions whose usage metric has no datapoint. */
  readonly usageMissing = new Set<string>();
  /** Failed replication operations published per source bucket (one datapoint each). */
  readonly replicationFailures = new Map<string, number[]>();
  /** Source buckets whose replication metrics are off: S3 publishes none of them. */
  readonly replicationMetricsOff = new Set<string>();
  /** Every datapoint published with PutMetricData. */
  readonly published: FakePublished[] = [];

  constructor(config: DrConfig) {
    for (const r of [config.primary, config.secondary]) {
      const imageId = `ami-0${Buffer.from(r.region).toString('hex').slice(0, 16)}`;
      this.launchTemplates.set(r.region, {
        name: 'lamp',
        id: `lt-0${Buffer.from(r.region).toString('hex').slice(0, 16)}`,
        imageId,
        instanceType: 't3.small',
      });
      this.images.set(`${r.region}:${imageId}`, 'available');
    }
  }

  launchTemplateVersions(input: { LaunchTemplateName?: string; LaunchTemplateId?: string }, region: string) {
    const lt = this.launchTemplates.get(region);
    if (
      !lt ||
      (input.LaunchTemplateName !== undefined && input.LaunchTemplateName !== lt.name) ||
      (input.LaunchTemplateId !== undefined && input.LaunchTemplateId !== lt.id)
    ) {
      throw awsError(
        'InvalidLaunchTemplateName.NotFoundException',
        'At least one of the launch templates specified in the request does not exist.',
      );
    }
    return {
      LaunchTemplateVersions: [
        {
          LaunchTemplateId: lt.id,
          LaunchTemplateName: lt.name,
          VersionNumber: 1,
          DefaultVersion: true,
          LaunchTemplateData: { ImageId: lt.imageId, InstanceType: lt.instanceType },
        },
      ],
    };
  }

  describeImages(input: { ImageIds?: string[] }, region: string) {
    // DescribeImages with an id that does not exist fails, as EC2 does for a malformed or unknown id.
    const ids = input.ImageIds ?? [];
    const missing = ids.find((id) => !this.images.has(`${region}:${id}`));
    if (missing) throw awsError('InvalidAMIID.NotFound', `The image id '[${missing}]' does not exist`);
    return { Images: ids.map((id) => ({ ImageId: id, State: this.images.get(`${region}:${id}`) })) };
  }

  describeInstanceTypes(input: { InstanceTypes?: string[] }) {
    const types = input.InstanceTypes ?? [];
    const unknown = types.find((t) => VCPUS[t] === undefined);
    if (unknown) throw awsError('InvalidInstanceType', `The following supplied instance types do not exist: [${unknown}]`);
    return { InstanceTypes: types.map((t) => ({ InstanceType: t, VCpuInfo: { DefaultVCpus: VCPUS[t] } })) };
  }

  serviceQuota(input: { ServiceCode?: string; QuotaCode?: string }, region: string) {
    if (input.ServiceCode !== 'ec2' || input.QuotaCode !== 'L-1216C47A')
      throw awsError('NoSuchResourceException', `quota ${input.ServiceCode}/${input.QuotaCode} not found`);
    return {
      Quota: {
        ServiceCode: 'ec2',
        QuotaCode: 'L-1216C47A',
        QuotaName: 'Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances',
        Value: this.vcpuQuotas.get(region) ?? 32,
        Unit: 'None',
        UsageMetric: {
          MetricNamespace: 'AWS/Usage',
          MetricName: 'ResourceCount',
          MetricDimensions: { Class: 'Standard/OnDemand', Resource: 'vCPU', Service: 'EC2', Type: 'Resource' },
          MetricStatisticRecommendation: 'Maximum',
        },
      },
    };
  }

  /** vCPUs in use in `region`, given the instances its group runs. */
  usage(region: string, instances: number): number | undefined {
    if (this.usageMissing.has(region)) return undefined;
    const type = this.launchTemplates.get(region)?.instanceType ?? 't3.small';
    return instances * (VCPUS[type] ?? 2) + (this.otherVcpus.get(region) ?? 0);
  }

  listMetrics(input: { Namespace?: string; MetricName?: string; Dimensions?: { Name: string; Value?: string }[] }, config: DrConfig) {
    if (
      input.Namespace !== 'AWS/S3' ||
      (input.MetricName !== 'OperationsFailedReplication' && input.MetricName !== 'BytesPendingReplication')
    )
      return { Metrics: [] };
    const bucket = input.Dimensions?.find((d) => d.Name === 'SourceBucket')?.Value;
    if (!bucket || this.replicationMetricsOff.has(bucket) || ![config.primary.bucketName, config.secondary.bucketName].includes(bucket))
      return { Metrics: [] };
    // Failures are published only when an operation failed; bytes pending always, once metrics are on.
    if (input.MetricName === 'OperationsFailedReplication' && !this.replicationFailures.has(bucket)) return { Metrics: [] };
    const destination = bucket === config.primary.bucketName ? config.secondary.bucketName : config.primary.bucketName;
    return {
      Metrics: [
        {
          Namespace: 'AWS/S3',
          MetricName: input.MetricName,
          Dimensions: [
            { Name: 'SourceBucket', Value: bucket },
            { Name: 'DestinationBucket', Value: destination },
            { Name: 'RuleId', Value: 'replicate-all' },
          ],
        },
      ],
    };
  }

  putMetricData(
    input: {
      Namespace?: string;
      MetricData?: { MetricName: string; Value: number; Dimensions?: { Name: string; Value: string }[]; Timestamp?: Date | number }[];
    },
    region: string,
  ) {
    const data = input.MetricData ?? [];
    if (data.length > 1000) throw awsError('InvalidParameterValue', 'The collection MetricData must not have a size greater than 1000.');
    for (const d of data) {
      this.published.push({
        region,
        namespace: input.Namespace ?? '',
        name: d.MetricName,
        value: Number(d.Value),
        dimensions: Object.fromEntries((d.Dimensions ?? []).map((x) => [x.Name, x.Value])),
        at: d.Timestamp,
      });
    }
    return {};
  }
}
