import {
  CloudWatchClient,
  GetMetricDataCommand,
  ListMetricsCommand,
  type CloudWatchClientConfig,
  type Metric,
} from '@aws-sdk/client-cloudwatch';
import { allPages, callAws, DEFAULT_CALL_POLICY, type CallPolicy } from '../aws-call.js';
import { ClientCache, type RegionalClients } from '../clients.js';

/** Options of {@link S3ReplicationFailures}. */
export type S3ReplicationFailuresOptions = RegionalClients<CloudWatchClient, CloudWatchClientConfig> & { readonly policy?: CallPolicy };

/**
 * S3 replication's `OperationsFailedReplication` for a source bucket, summed over every rule
 * (dimensions SourceBucket, DestinationBucket, RuleId; published in the source bucket's region).
 * The rules are found with ListMetrics, since the DR config does not name them. S3 publishes the
 * metric only when an operation fails, so a bucket that never failed has no metric: that is
 * `undefined` here, and the caller decides what no data means.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/repl-metrics.html
 */
export class S3ReplicationFailures {
  private readonly clients: ClientCache<CloudWatchClient, CloudWatchClientConfig>;
  private readonly policy: CallPolicy;

  constructor(options: S3ReplicationFailuresOptions = {}) {
    this.clients = new ClientCache(options, (c) => new CloudWatchClient(c));
    this.policy = options.policy ?? DEFAULT_CALL_POLICY;
  }

  /**
   * True when `BytesPendingReplication` of `sourceBucket` is listed in `region` (the destination
   * bucket's, where S3 publishes it, even when nothing replicates): replication metrics are on.
   */
  async metricsSeen(region: string, sourceBucket: string): Promise<boolean> {
    const page = await callAws(
      { region, resource: `BytesPendingReplication of ${sourceBucket}` },
      (abortSignal) =>
        this.clients.get(region).send(
          new ListMetricsCommand({
            Namespace: 'AWS/S3',
            MetricName: 'BytesPendingReplication',
            Dimensions: [{ Name: 'SourceBucket', Value: sourceBucket }],
          }),
          { abortSignal },
        ),
      this.policy,
    );
    return (page.Metrics ?? []).length > 0;
  }

  /** The sum over `[fromMs, toMs)`; undefined when no rule's metric has a datapoint in it. */
  async sum(region: string, sourceBucket: string, fromMs: number, toMs: number): Promise<number | undefined> {
    const ctx = { region, resource: `OperationsFailedReplication of ${sourceBucket}` };
    const metrics: Metric[] = await allPages(async (token) => {
      const page = await callAws(
        ctx,
        (abortSignal) =>
          this.clients.get(region).send(
            new ListMetricsCommand({
              Namespace: 'AWS/S3',
              MetricName: 'OperationsFailedReplication',
              Dimensions: [{ Name: 'SourceBucket', Value: sourceBucket }],
              NextToken: token,
            }),
            { abortSignal },
          ),
        this.policy,
      );
      return { items: page.Metrics ?? [], next: page.NextToken };
    });
    if (metrics.length === 0) return undefined;
    const period = Math.max(60, Math.ceil((toMs - fromMs) / 60_000) * 60);
    const values = await allPages(async (token) => {
      const page = await callAws(
        ctx,
        (abortSignal) =>
          this.clients.get(region).send(
            new GetMetricDataCommand({
              StartTime: new Date(fromMs),
              EndTime: new Date(toMs),
              NextToken: token,
              MetricDataQueries: metrics
                .slice(0, 500)
                .map((m, i) => ({ Id: `failed${i}`, MetricStat: { Metric: m, Period: period, Stat: 'Sum' } })),
            }),
            { abortSignal },
          ),
        this.policy,
      );
      return { items: (page.MetricDataResults ?? []).flatMap((r) => r.Values ?? []), next: page.NextToken };
    });
    return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0);
  }
}
