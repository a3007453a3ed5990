import { Duration } from 'aws-cdk-lib';
import { READINESS_CHECKS } from '@dr/failover-core';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { AppTier } from './app-tier.js';
import type { ReadinessChecks } from './readiness.js';
import { validateProps } from './private/validate.js';

/** Props of {@link DrMonitoring}. */
export interface DrMonitoringProps {
  /** Used in alarm and dashboard names. */
  readonly app: string;
  /** `primary` or `secondary`: used in names, and the primary's availability alarm is one of the detector's signals. */
  readonly role: 'primary' | 'secondary';
  readonly appTier: AppTier;
  /** The replica to watch for lag (in the DR region). @default - no replica lag alarm */
  readonly replicaInstanceIdentifier?: string;
  /** Replica lag above this many seconds (or stopped replication), three minutes out of five, raises the alarm: the RPO objective. @default 60 */
  readonly maxDataLossSeconds?: number;
  /** Alarms of other constructs to show on the dashboard, such as the controller's errors. @default - none */
  readonly extraAlarms?: readonly cloudwatch.IAlarm[];
  /** Where alarms notify. @default - no notification */
  readonly topic?: sns.ITopic;
  /** Share of 5xx answers above which the ALB counts as unavailable. @default 0.05 */
  readonly maxErrorRate?: number;
  /**
   * The continuous readiness checks to show in a row of the dashboard: their alarms and one
   * graph of every check (1 passes, 0 fails, a gap could not be evaluated).
   * @default - no readiness row
   */
  readonly readiness?: ReadinessChecks;
}

/**
 * DR alarms and dashboard of one region: EC2 health (unhealthy targets), ALB availability (no
 * healthy target, or too many 5xx; in the DR region only while its group wants instances),
 * replica lag against the RPO objective (stopped replication alarms, a promoted replica does
 * not), the alarms of the DR Lambdas, and (with `readiness`) a row of the readiness checks. None is in ALARM while the DR region is dark. The availability alarm is named `<app>-<role>-alb-availability`, the name the DR
 * config gives the detector.
 */
export class DrMonitoring extends Construct {
  readonly availabilityAlarm: cloudwatch.Alarm;
  readonly unhealthyTargetsAlarm: cloudwatch.Alarm;
  readonly replicaLagAlarm?: cloudwatch.Alarm;
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: DrMonitoringProps) {
    super(scope, id);
    const maxLag = props.maxDataLossSeconds ?? 60;
    const maxErrorRate = props.maxErrorRate ?? 0.05;
    validateProps(this, [
      { failed: maxLag < 1, message: `maxDataLossSeconds must be at least 1; got ${maxLag}` },
      { failed: maxErrorRate <= 0 || maxErrorRate >= 1, message: `maxErrorRate must be between 0 and 1; got ${maxErrorRate}` },
    ]);
    const { loadBalancer, targetGroup } = props.appTier;
    const prefix = `${props.app}-${props.role}`;
    const minute = Duration.minutes(1);

    const healthy = targetGroup.metrics.healthyHostCount({ period: minute, statistic: 'Minimum' });
    const errors = loadBalancer.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: minute, statistic: 'Sum' });
    const elbErrors = loadBalancer.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period: minute, statistic: 'Sum' });
    const requests = loadBalancer.metrics.requestCount({ period: minute, statistic: 'Sum' });
    const unavailable = 'IF(healthy < 1, 1, IF(requests > 0, (target5xx + elb5xx) / requests, 0))';
    // The pilot light has no instance, hence no healthy target, until a failover asks for
    // capacity: it counts as unavailable only while its group wants instances.
    const desired = new cloudwatch.Metric({
      namespace: 'AWS/AutoScaling',
      metricName: 'GroupDesiredCapacity',
      dimensionsMap: { AutoScalingGroupName: props.appTier.autoScalingGroup.autoScalingGroupName },
      period: minute,
      statistic: 'Maximum',
    });
    const availability =
      props.role === 'primary'
        ? new cloudwatch.MathExpression({ expression: unavailable, usingMetrics: { healthy, requests, target5xx: errors, elb5xx: elbErrors }, label: 'unavailable share', period: minute })
        : new cloudwatch.MathExpression({
            expression: `IF(desired > 0, ${unavailable}, 0)`,
            usingMetrics: { healthy, requests, target5xx: errors, elb5xx: elbErrors, desired },
            label: 'unavailable share (while serving)',
            period: minute,
          });
    this.availabilityAlarm = availability.createAlarm(this, 'Availability', {
      alarmName: `${prefix}-alb-availability`,
      alarmDescription: `${props.app} in this region is not serving: no healthy target, or more than ${maxErrorRate * 100}% of requests fail`,
      threshold: maxErrorRate,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 2,
      // No data from the primary means it has gone silent: a breach, the detector's signal. The
      // dark DR region publishes little or nothing, which is its steady state, not trouble.
      treatMissingData: props.role === 'primary' ? cloudwatch.TreatMissingData.BREACHING : cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.unhealthyTargetsAlarm = targetGroup.metrics.unhealthyHostCount({ period: minute, statistic: 'Maximum' }).createAlarm(this, 'UnhealthyTargets', {
      alarmName: `${prefix}-unhealthy-instances`,
      alarmDescription: `EC2 instances of ${props.app} fail their health checks`,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const alarms: cloudwatch.IAlarm[] = [this.availabilityAlarm, this.unhealthyTargetsAlarm];
    if (props.replicaInstanceIdentifier) {
      const lag = new cloudwatch.Metric({ namespace: 'AWS/RDS', metricName: 'ReplicaLag', dimensionsMap: { DBInstanceIdentifier: props.replicaInstanceIdentifier }, period: minute, statistic: 'Maximum' });
      // RDS reports -1 when replication has stopped on a replica (trouble: counted as twice the
      // objective), and nothing once the replica is promoted (no replica, no lag: not trouble).
      // @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Monitoring.html
      const lagOrBroken = new cloudwatch.MathExpression({ expression: `IF(lag < 0, ${2 * maxLag}, lag)`, usingMetrics: { lag }, label: 'replica lag (s; stopped replication counts double)', period: minute });
      this.replicaLagAlarm = lagOrBroken.createAlarm(this, 'ReplicaLag', {
        alarmName: `${prefix}-replica-lag`,
        alarmDescription: `Replica ${props.replicaInstanceIdentifier} lags more than the ${maxLag}s RPO objective: an automatic failover would refuse`,
        threshold: maxLag,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarms.push(this.replicaLagAlarm);
    }
    if (props.topic) {
      const action = new actions.SnsAction(props.topic);
      for (const alarm of alarms) if (alarm instanceof cloudwatch.Alarm) alarm.addAlarmAction(action);
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: `${prefix}-dr` });
    this.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'DR alarms', alarms: [...alarms, ...(props.extraAlarms ?? [])], width: 24 }));
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Healthy targets', left: [healthy], width: 8 }),
      new cloudwatch.GraphWidget({ title: 'Requests and 5xx', left: [requests], right: [errors, elbErrors], width: 8 }),
      new cloudwatch.GraphWidget({ title: 'Unavailable share', left: [availability], width: 8 }),
    );
    if (props.readiness) {
      const readiness = props.readiness;
      this.dashboard.addWidgets(
        new cloudwatch.AlarmStatusWidget({ title: 'Readiness alarms', alarms: [...READINESS_CHECKS.map((check) => readiness.alarms[check]), readiness.errorsAlarm], width: 8 }),
        new cloudwatch.GraphWidget({
          title: 'Readiness (1 passes, 0 fails, gap: not evaluated)',
          left: READINESS_CHECKS.map((check) => readiness.metric(check)),
          leftYAxis: { min: 0, max: 1, showUnits: false },
          legendPosition: cloudwatch.LegendPosition.RIGHT,
          width: 16,
        }),
      );
    }
  }
}
