import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';

/**
 * The Aurora tier's global lag alarm, `GlobalLag` in `scope`: the secondary cluster's lag (ms)
 * above the RPO objective `maxLag` (seconds), three minutes out of five. No datapoint is no
 * secondary (promoted by a failover), not lag: Aurora publishes the metric only for secondary clusters.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-monitoring.html
 */
export function globalLagAlarm(
  scope: Construct,
  metric: cloudwatch.IMetric,
  prefix: string,
  app: string,
  maxLag: number,
): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, 'GlobalLag', {
    metric,
    alarmName: `${prefix}-global-lag`,
    alarmDescription: `${app}'s Aurora global database lags more than the ${maxLag}s RPO objective in this region: an automatic failover would refuse`,
    threshold: maxLag * 1000,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 5,
    datapointsToAlarm: 3,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}
