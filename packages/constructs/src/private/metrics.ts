import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/**
 * AWS/RDS `ReplicaLag` of one instance: seconds behind its source, -1 when replication has
 * stopped, nothing when the instance is no replica. Maximum per minute unless `props` says otherwise.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Monitoring.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-metrics.html
 */
export function replicaLagMetric(instanceIdentifier: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/RDS',
    metricName: 'ReplicaLag',
    dimensionsMap: { DBInstanceIdentifier: instanceIdentifier },
    period: Duration.minutes(1),
    statistic: 'Maximum',
    ...props,
  });
}
