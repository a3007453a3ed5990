import { CloudWatchClient, GetMetricDataCommand, type CloudWatchClientConfig } from '@aws-sdk/client-cloudwatch';
import { GetServiceQuotaCommand, ServiceQuotasClient, type ServiceQuotasClientConfig } from '@aws-sdk/client-service-quotas';
import { EC2_STANDARD_VCPU_QUOTA_CODE } from '@dr/failover-core';
import type { VcpuQuota } from '@dr/failover-core/ports';
import { callAws, DEFAULT_CALL_POLICY, type CallPolicy } from '../aws-call.js';
import { ClientCache, type RegionalClients } from '../clients.js';

/** Options of {@link Ec2VcpuQuota}. */
export interface Ec2VcpuQuotaOptions {
  readonly serviceQuotas?: RegionalClients<ServiceQuotasClient, ServiceQuotasClientConfig>;
  readonly cloudWatch?: RegionalClients<CloudWatchClient, CloudWatchClientConfig>;
  readonly policy?: CallPolicy;
  /** Clock for the usage window; tests fix it. @default Date.now */
  readonly now?: () => number;
}

/** How far back to look for the usage metric's last datapoint. */
const USAGE_LOOKBACK_MS = 15 * 60_000;

/**
 * The EC2 "Running On-Demand Standard instances" vCPU quota (L-1216C47A) of a region, from
 * Service Quotas, and its usage from the metric the quota names (`UsageMetric`: CloudWatch
 * `AWS/Usage` `ResourceCount`), read with the statistic Service Quotas recommends.
 * @see https://docs.aws.amazon.com/servicequotas/latest/userguide/configure-cloudwatch.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-resource-limits.html
 */
export class Ec2VcpuQuota {
  private readonly quotas: ClientCache<ServiceQuotasClient, ServiceQuotasClientConfig>;
  private readonly cloudWatch: ClientCache<CloudWatchClient, CloudWatchClientConfig>;
  private readonly policy: CallPolicy;
  private readonly now: () => number;

  constructor(options: Ec2VcpuQuotaOptions = {}) {
    this.quotas = new ClientCache(options.serviceQuotas ?? {}, (c) => new ServiceQuotasClient(c));
    this.cloudWatch = new ClientCache(options.cloudWatch ?? {}, (c) => new CloudWatchClient(c));
    this.policy = options.policy ?? DEFAULT_CALL_POLICY;
    this.now = options.now ?? Date.now;
  }

  /** The applied quota, and the vCPUs in use now (undefined when the usage metric has no recent datapoint). */
  async read(region: string): Promise<VcpuQuota> {
    const out = await callAws(
      { region, resource: `EC2 quota ${EC2_STANDARD_VCPU_QUOTA_CODE}`, notFound: ['NoSuchResourceException'] },
      (abortSignal) =>
        this.quotas
          .get(region)
          .send(new GetServiceQuotaCommand({ ServiceCode: 'ec2', QuotaCode: EC2_STANDARD_VCPU_QUOTA_CODE }), { abortSignal }),
      this.policy,
    );
    const quota = out.Quota?.Value;
    if (quota === undefined) throw new Error(`Service Quotas returned no value for ${EC2_STANDARD_VCPU_QUOTA_CODE} in ${region}`);
    const metric = out.Quota?.UsageMetric;
    if (!metric?.MetricNamespace || !metric.MetricName) return { quota };
    const end = this.now();
    const usage = await callAws(
      { region, resource: `usage of ${EC2_STANDARD_VCPU_QUOTA_CODE}` },
      (abortSignal) =>
        this.cloudWatch.get(region).send(
          new GetMetricDataCommand({
            StartTime: new Date(end - USAGE_LOOKBACK_MS),
            EndTime: new Date(end),
            ScanBy: 'TimestampDescending',
            MetricDataQueries: [
              {
                Id: 'usage',
                MetricStat: {
                  Metric: {
                    Namespace: metric.MetricNamespace,
                    MetricName: metric.MetricName,
                    Dimensions: Object.entries(metric.MetricDimensions ?? {}).map(([Name, Value]) => ({ Name, Value })),
                  },
                  Period: 60,
                  Stat: metric.MetricStatisticRecommendation ?? 'Maximum',
                },
              },
            ],
          }),
          { abortSignal },
        ),
      this.policy,
    );
    return { quota, inUse: usage.MetricDataResults?.[0]?.Values?.[0] };
  }
}
