import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand, type CloudWatchClientConfig } from '@aws-sdk/client-cloudwatch';
import { ResourceNotFoundError } from '@dr/failover-core/errors';
import type { AlarmRef, AlarmState, Alarms } from '@dr/failover-core/ports';
import { allPages, callAws, DEFAULT_CALL_POLICY, type CallPolicy } from '../aws-call.js';
import { ClientCache, type RegionalClients } from '../clients.js';

/** Options of {@link CloudWatchMetrics}. */
export type CloudWatchOptions = RegionalClients<CloudWatchClient, CloudWatchClientConfig> & {
  readonly policy?: CallPolicy;
  /** Clock for the metric window; tests fix it. @default Date.now */
  readonly now?: () => number;
};

/** How far back to look for the last replica-lag datapoint: replication may have stopped minutes ago. */
const LAG_LOOKBACK_MS = 15 * 60_000;

/**
 * CloudWatch: alarm state (the `Alarms` port), the RDS `ReplicaLag` metric and Aurora's global lag.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Monitoring.html
 */
export class CloudWatchMetrics implements Alarms {
  private readonly clients: ClientCache<CloudWatchClient, CloudWatchClientConfig>;
  private readonly policy: CallPolicy;
  private readonly now: () => number;

  constructor(options: CloudWatchOptions = {}) {
    this.clients = new ClientCache(options, (c) => new CloudWatchClient(c));
    this.policy = options.policy ?? DEFAULT_CALL_POLICY;
    this.now = options.now ?? Date.now;
  }

  async state(alarm: AlarmRef): Promise<AlarmState> {
    const alarms = await allPages(async (token) => {
      const page = await callAws(
        { region: alarm.region, resource: `CloudWatch alarm ${alarm.alarmName}` },
        (abortSignal) =>
          this.clients
            .get(alarm.region)
            .send(
              new DescribeAlarmsCommand({ AlarmNames: [alarm.alarmName], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], NextToken: token }),
              { abortSignal },
            ),
        this.policy,
      );
      return { items: [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])], next: page.NextToken };
    });
    const found = alarms.find((a) => a.AlarmName === alarm.alarmName);
    // A misnamed alarm must show up as a configuration error, not as an alarm forever silent.
    if (!found) throw new ResourceNotFoundError(`CloudWatch alarm ${alarm.alarmName}`, alarm.region);
    return (found.StateValue as AlarmState | undefined) ?? 'INSUFFICIENT_DATA';
  }

  /**
   * The replica's lag as CloudWatch last reported it. RDS reports -1 once replication stops (its
   * source unreachable): then `replicating` is false and `seconds` is the last non-negative value
   * before that, the lag at the moment it stopped (the writes a promotion now would lose).
   * Undefined with no datapoint in the last 15 minutes.
   */
  async replicaLag(
    region: string,
    dbInstanceIdentifier: string,
  ): Promise<{ seconds: number; at: number; replicating: boolean } | undefined> {
    const newestFirst = await this.points(region, `ReplicaLag of ${dbInstanceIdentifier}`, 'ReplicaLag', {
      Name: 'DBInstanceIdentifier',
      Value: dbInstanceIdentifier,
    });
    const latestValid = newestFirst.find((p) => p.value >= 0);
    if (latestValid === undefined) return undefined;
    return { seconds: Math.round(latestValid.value), at: latestValid.at, replicating: (newestFirst[0]?.value ?? -1) >= 0 };
  }

  /**
   * An Aurora secondary cluster's global lag (`AWS/RDS` `metricName`, in milliseconds, dimension
   * DBClusterIdentifier, read in the secondary's region), in seconds, as CloudWatch last reported
   * it. Aurora publishes it only for secondary clusters: undefined with no datapoint in the last
   * 15 minutes (a writer, or a lag not published).
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-monitoring.html
   */
  async globalLag(region: string, dbClusterIdentifier: string, metricName: string): Promise<{ seconds: number; at: number } | undefined> {
    const [latest] = await this.points(region, `${metricName} of ${dbClusterIdentifier}`, metricName, {
      Name: 'DBClusterIdentifier',
      Value: dbClusterIdentifier,
    });
    return latest && latest.value >= 0 ? { seconds: latest.value / 1000, at: latest.at } : undefined;
  }

  /** The 1-minute maxima of an `AWS/RDS` metric over the last 15 minutes, newest first, every page read. */
  private async points(
    region: string,
    resource: string,
    metricName: string,
    dimension: { Name: string; Value: string },
  ): Promise<{ at: number; value: number }[]> {
    const end = this.now();
    const values = await allPages(async (token) => {
      const page = await callAws(
        { region, resource },
        (abortSignal) =>
          this.clients.get(region).send(
            new GetMetricDataCommand({
              StartTime: new Date(end - LAG_LOOKBACK_MS),
              EndTime: new Date(end),
              ScanBy: 'TimestampDescending',
              NextToken: token,
              MetricDataQueries: [
                {
                  Id: 'lag',
                  MetricStat: {
                    Metric: { Namespace: 'AWS/RDS', MetricName: metricName, Dimensions: [dimension] },
                    Period: 60,
                    Stat: 'Maximum',
                  },
                },
              ],
            }),
            { abortSignal },
          ),
        this.policy,
      );
      const series = page.MetricDataResults?.find((r) => r.Id === 'lag');
      const points = (series?.Timestamps ?? []).map((t, i) => ({ at: t.getTime(), value: series?.Values?.[i] ?? Number.NaN }));
      return { items: points, next: page.NextToken };
    });
    return values.filter((p) => !Number.isNaN(p.value)).sort((a, b) => b.at - a.at);
  }
}
