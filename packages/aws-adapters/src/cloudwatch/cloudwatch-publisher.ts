import { CloudWatchClient, PutMetricDataCommand, type CloudWatchClientConfig, type StandardUnit } from '@aws-sdk/client-cloudwatch';
import type { MetricDatum, Metrics } from '@dr/failover-core/ports';
import { callAws, DEFAULT_CALL_POLICY, type CallPolicy } from '../aws-call.js';
import { ClientCache, type RegionalClients } from '../clients.js';

/** Options of {@link CloudWatchPublisher}. */
export type CloudWatchPublisherOptions = RegionalClients<CloudWatchClient, CloudWatchClientConfig> & { readonly policy?: CallPolicy };

/**
 * The `Metrics` port on CloudWatch PutMetricData: every datapoint in one call (CloudWatch takes
 * up to 1000 per request).
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html
 */
export class CloudWatchPublisher implements Metrics {
  private readonly clients: ClientCache<CloudWatchClient, CloudWatchClientConfig>;
  private readonly policy: CallPolicy;

  constructor(options: CloudWatchPublisherOptions = {}) {
    this.clients = new ClientCache(options, (c) => new CloudWatchClient(c));
    this.policy = options.policy ?? DEFAULT_CALL_POLICY;
  }

  async publish(region: string, namespace: string, data: readonly MetricDatum[]): Promise<void> {
    if (data.length === 0) return;
    await callAws(
      {
        region,
        resource: `metrics in ${namespace}`,
        rejected: ['InvalidParameterValue', 'InvalidParameterCombination', 'MissingParameter'],
      },
      (abortSignal) =>
        this.clients.get(region).send(
          new PutMetricDataCommand({
            Namespace: namespace,
            MetricData: data.map((d) => ({
              MetricName: d.name,
              Value: d.value,
              Unit: (d.unit ?? 'None') as StandardUnit,
              Dimensions: Object.entries(d.dimensions).map(([Name, Value]) => ({ Name, Value })),
              Timestamp: d.at === undefined ? undefined : new Date(d.at),
            })),
          }),
          { abortSignal },
        ),
      this.policy,
    );
  }
}
