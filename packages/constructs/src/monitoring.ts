import { Duration } from 'aws-cdk-lib';
import { READINESS_CHECKS } from '@dr/failover-core';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { IAppTier } from './app-tier.js';
import { globalLagAlarm } from './private/lag-alarms.js';
import { replicaLagMetric } from './private/metrics.js';
import type { IReadinessChecks } from './readiness.js';
import { validateProps } from './private/validate.js';

/** Props of {@link DrMonitoring}. */
export interface DrMonitoringProps {
  /** Used in alarm and dashboard names. */
  readonly app: string;
  /** `primary` or `secondary`: used in names, and the primary's availability alarm is one of the detector's signals. */
  readonly role: 'primary' | 'secondary';
  /**
   * The region's app tier (an `AppTier`, or the load balancer, target group and group name of
   * yours): its load balancer's and target group's metrics make the availability and
   * unhealthy-targets alarms, its group's desired capacity tells a dark DR region from a down one.
   */
  readonly appTier: IAppTier;
  /** The replica to watch for lag (in the DR region). @default - no replica lag alarm */
  readonly replicaInstanceIdentifier?: string;
  /**
   * The Aurora tier's global lag (milliseconds, published only for the secondary cluster, in its
   * region): `PilotLightAuroraSecondary.metricGlobalLag()`. Alarms as `<app>-<role>-global-lag`.
   * @default - no global lag alarm
   */
  readonly globalLagMetric?: cloudwatch.IMetric;
  /**
   * Replica lag above this (or stopped replication), three minutes out of five, raises the
   * alarm: the RPO objective, in whole seconds.
   * @default Duration.seconds(60)
   */
  readonly maxDataLoss?: Duration;
  /**
   * The RPO objective in seconds.
   * @deprecated use `maxDataLoss`.
   * @default 60
   */
  readonly maxDataLossSeconds?: number;
  /** Alarms of other constructs to show on the dashboard, such as the controller's errors. @default - none */
  readonly extraAlarms?: readonly cloudwatch.IAlarm[];
  /** Where the alarms notify: a topic of this stack's region. @default - no notification */
  readonly topic?: sns.ITopic;
  /** Share of 5xx answers above which the ALB counts as unavailable. @default 0.05 */
  readonly maxErrorRate?: number;
  /**
   * The continuous readiness checks to show in a row of the dashboard: their alarms and one
   * graph of every check (1 passes, 0 fails, a gap could not be evaluated).
   * @default - no readiness row
   */
  readonly readiness?: IReadinessChecks;
}

/**
 * DR alarms and dashboard of one region: EC2 health (unhealthy targets), ALB availability (no
 * healthy target, or too many 5xx; in the DR region only while its group wants instances),
 * replica lag against the RPO objective (stopped replication alarms, a promoted replica does
 * not), the alarms of the DR Lambdas, and (with `readiness`) a row of the readiness checks.
 * None is in ALARM while the DR region is dark, nor while a region serves without traffic: the
 * ALB's sparse counts are filled with 0. The availability alarm is named
 * `<app>-<role>-alb-availability`, the name the DR config gives the detector.
 */
export class DrMonitoring extends Construct {
  readonly availabilityAlarm: cloudwatch.Alarm;
  readonly unhealthyTargetsAlarm: cloudwatch.Alarm;
  readonly replicaLagAlarm?: cloudwatch.Alarm;
  /** The Aurora tier's global lag alarm, when `globalLagMetric` is given. */
  readonly globalLagAlarm?: cloudwatch.Alarm;
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: DrMonitoringProps) {
    super(scope, id);
    const maxLag = props.maxDataLoss?.toSeconds({ integral: false }) ?? props.maxDataLossSeconds ?? 60;
    const maxErrorRate = props.maxErrorRate ?? 0.05;
    validateProps(this, [
      {
        failed: maxLag < 1 || (props.maxDataLoss !== undefined && !Number.isInteger(maxLag)),
        message: props.maxDataLoss
          ? `maxDataLoss must be a whole number of seconds, at least 1; got ${props.maxDataLoss.toHumanString()}`
          : `maxDataLossSeconds must be at least 1; got ${maxLag}`,
      },
      {
        failed: props.maxDataLoss !== undefined && props.maxDataLossSeconds !== undefined,
        message: 'maxDataLoss and maxDataLossSeconds must not both be given: maxDataLossSeconds is the deprecated form of maxDataLoss',
      },
      { failed: maxErrorRate <= 0 || maxErrorRate >= 1, message: `maxErrorRate must be between 0 and 1; got ${maxErrorRate}` },
    ]);
    const { loadBalancer, targetGroup } = props.appTier;
    const prefix = `${props.app}-${props.role}`;
    const minute = Duration.minutes(1);

    // Statistics per minute, as the ALB publishes them (every 60 s, and only while requests flow;
    // the 5xx counts only when nonzero; the healthy-host count while health checks are on).
    // @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html
    // Maximum: the region counts as having no healthy target only when no sample of the minute saw one.
    const healthy = targetGroup.metrics.healthyHostCount({ period: minute, statistic: 'Maximum' });
    const errors = loadBalancer.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: minute, statistic: 'Sum' });
    const elbErrors = loadBalancer.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period: minute, statistic: 'Sum' });
    const requests = loadBalancer.metrics.requestCount({ period: minute, statistic: 'Sum' });
    // The sparse counts are filled with 0 (no datapoint means none): an absent 5xx count is a
    // minute without errors, not an unknown one. The ALB's own 5xx (a 503 with no target to choose)
    // are not in RequestCount, which counts only requests that reached a target: they join the
    // denominator, so the share stays within 0..1 and is 0 without traffic (no division by zero,
    // which metric math would drop).
    // @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html (FILL; "divide by zero, the data point is dropped")
    const failedShare = new cloudwatch.MathExpression({
      expression: 'IF(answers > 0, failures / answers, 0)',
      usingMetrics: {
        failures: new cloudwatch.MathExpression({
          expression: 'FILL(target5xx, 0) + FILL(elb5xx, 0)',
          usingMetrics: { target5xx: errors, elb5xx: elbErrors },
          period: minute,
        }),
        answers: new cloudwatch.MathExpression({
          expression: 'FILL(requests, 0) + FILL(elb5xx, 0)',
          usingMetrics: { requests, elb5xx: elbErrors },
          period: minute,
        }),
      },
      label: 'share of 5xx answers',
      period: minute,
    });
    // The healthy-host count, never filled, is what gives the expression a datapoint: FILL would
    // answer for the latest minute before its data has arrived (the caveat of FILL in alarms) and
    // could hold the alarm in one state; unfilled, a late minute is simply missing, and the
    // evaluation range falls back on the real minutes before it.
    // @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html
    const unavailable = 'IF(healthy < 1, 1, failedShare)';
    // The pilot light has no instance, hence no healthy target, until a failover asks for
    // capacity: it counts as unavailable only while its group wants instances. The group's
    // metrics (collected every minute, AppTier turns them on) say so; while it wants some, a
    // minute without a healthy-host count stays missing (the false branch of IF drops it).
    const desired = new cloudwatch.Metric({
      namespace: 'AWS/AutoScaling',
      metricName: 'GroupDesiredCapacity',
      dimensionsMap: { AutoScalingGroupName: props.appTier.autoScalingGroupName },
      period: minute,
      statistic: 'Maximum',
    });
    const availability =
      props.role === 'primary'
        ? new cloudwatch.MathExpression({
            expression: unavailable,
            usingMetrics: { healthy, failedShare },
            label: 'unavailable share',
            period: minute,
          })
        : new cloudwatch.MathExpression({
            expression: `IF(desired < 1, 0, ${unavailable})`,
            usingMetrics: { healthy, failedShare, desired },
            label: 'unavailable share (while serving)',
            period: minute,
          });
    this.availabilityAlarm = availability.createAlarm(this, 'Availability', {
      alarmName: `${prefix}-alb-availability`,
      alarmDescription: `${props.app} in this region is not serving: no healthy target, or more than ${maxErrorRate * 100}% of requests fail`,
      threshold: maxErrorRate,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      // Two bad minutes out of three: a minute whose 5xx counts arrive late (filled with 0) can
      // neither raise nor hold the alarm alone, as the FILL caveat advises (M out of N).
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      // Breaching: the expression has a datapoint in every minute the ALB publishes its
      // healthy-host count (health checks are always on), and in the DR region also every
      // minute its group wants no instance. Missing data is therefore a region whose ALB has
      // gone silent, or a DR group that wants instances without a single registered target:
      // both are "not serving". Never the quiet of no traffic, which FILL turns into 0.
      // @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    this.unhealthyTargetsAlarm = this.unhealthyTargetsAlarmOf(props, prefix);
    // The data tier's lag against the RPO objective: the replica's, or the global database's.
    this.replicaLagAlarm = props.replicaInstanceIdentifier
      ? this.replicaLagAlarmOf(props.replicaInstanceIdentifier, prefix, props.app, maxLag)
      : undefined;
    this.globalLagAlarm = props.globalLagMetric ? globalLagAlarm(this, props.globalLagMetric, prefix, props.app, maxLag) : undefined;
    const alarms: cloudwatch.IAlarm[] = [
      this.availabilityAlarm,
      this.unhealthyTargetsAlarm,
      this.replicaLagAlarm,
      this.globalLagAlarm,
    ].filter((a): a is cloudwatch.Alarm => a !== undefined);
    if (props.topic) {
      const action = new actions.SnsAction(props.topic);
      for (const alarm of alarms) if (alarm instanceof cloudwatch.Alarm) alarm.addAlarmAction(action);
    }

    this.dashboard = this.dashboardOf(props, prefix, [...alarms, ...(props.extraAlarms ?? [])], {
      healthy,
      requests,
      errors,
      elbErrors,
      availability,
    });
  }

  /** Targets failing their health checks, three minutes running (not silence: that is the availability alarm's concern). */
  private unhealthyTargetsAlarmOf(props: DrMonitoringProps, prefix: string): cloudwatch.Alarm {
    return props.appTier.targetGroup.metrics
      .unhealthyHostCount({ period: Duration.minutes(1), statistic: 'Maximum' })
      .createAlarm(this, 'UnhealthyTargets', {
        alarmName: `${prefix}-unhealthy-instances`,
        alarmDescription: `EC2 instances of ${props.app} fail their health checks`,
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        // Not breaching: silence is the availability alarm's concern, and a dark DR target group
        // (no target) may publish no count at all; this alarm speaks only of targets that fail.
        // @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
  }

  /**
   * The replica lag alarm: lag above the RPO objective (or stopped replication), three minutes
   * out of five. The metric is the database constructs' `metricReplicaLag`.
   */
  private replicaLagAlarmOf(instanceIdentifier: string, prefix: string, app: string, maxLag: number): cloudwatch.Alarm {
    const lag = replicaLagMetric(instanceIdentifier, { period: Duration.minutes(1), statistic: 'Maximum' });
    // RDS reports -1 when replication has stopped on a replica (trouble: counted as twice the
    // objective), and nothing once the replica is promoted (no replica, no lag: not trouble).
    // @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Monitoring.html
    const lagOrBroken = new cloudwatch.MathExpression({
      expression: `IF(lag < 0, ${2 * maxLag}, lag)`,
      usingMetrics: { lag },
      label: 'replica lag (s; stopped replication counts double)',
      period: Duration.minutes(1),
    });
    return lagOrBroken.createAlarm(this, 'ReplicaLag', {
      alarmName: `${prefix}-replica-lag`,
      alarmDescription: `Replica ${instanceIdentifier} lags more than the ${maxLag}s RPO objective: an automatic failover would refuse`,
      threshold: maxLag,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      // Not breaching: no ReplicaLag datapoint means no replica (promoted, or not there), not lag.
      // @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  /** The region's DR dashboard: every alarm, the load balancer's graphs, and the readiness row. */
  private dashboardOf(
    props: DrMonitoringProps,
    prefix: string,
    alarms: cloudwatch.IAlarm[],
    graphs: Readonly<Record<'healthy' | 'requests' | 'errors' | 'elbErrors' | 'availability', cloudwatch.IMetric>>,
  ): cloudwatch.Dashboard {
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: `${prefix}-dr` });
    dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'DR alarms', alarms, width: 24 }));
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Healthy targets', left: [graphs.healthy], width: 8 }),
      new cloudwatch.GraphWidget({
        title: 'Requests and 5xx',
        left: [graphs.requests],
        right: [graphs.errors, graphs.elbErrors],
        width: 8,
      }),
      new cloudwatch.GraphWidget({ title: 'Unavailable share', left: [graphs.availability], width: 8 }),
    );
    if (props.readiness) {
      const readiness = props.readiness;
      dashboard.addWidgets(
        new cloudwatch.AlarmStatusWidget({
          title: 'Readiness alarms',
          alarms: [...READINESS_CHECKS.map((check) => readiness.alarms[check]), readiness.errorsAlarm],
          width: 8,
        }),
        new cloudwatch.GraphWidget({
          title: 'Readiness (1 passes, 0 fails, gap: not evaluated)',
          left: READINESS_CHECKS.map((check) => readiness.metricReadiness(check)),
          leftYAxis: { min: 0, max: 1, showUnits: false },
          legendPosition: cloudwatch.LegendPosition.RIGHT,
          width: 16,
        }),
      );
    }
    return dashboard;
  }
}
