import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { READINESS_CHECKS, READINESS_INTERVAL_MINUTES, READINESS_NAMESPACE, type ReadinessCheckId } from '@dr/failover-core';
import { Construct, type IConstruct } from 'constructs';
import type { IDrConfigParameter } from './dr-config-parameter.js';
import type { IFailoverController } from './failover-controller.js';
import { acknowledge } from './private/nag.js';
import { drFunction, lambdaRoleAndLogs } from './private/lambda-basics.js';
import { validateProps } from './private/validate.js';

/** Continuous readiness checks, as a dashboard sees them: an alarm and a metric per check, and the evaluation's errors alarm. */
export interface IReadinessChecks extends IConstruct {
  /** One alarm per readiness check, by check id. */
  readonly alarms: Readonly<Record<ReadinessCheckId, cloudwatch.IAlarm>>;
  /** Goes off when an evaluation fails. */
  readonly errorsAlarm: cloudwatch.IAlarm;
  /** The metric of one readiness check (1 passes, 0 fails, no data: not evaluated). */
  metricReadiness(check: ReadinessCheckId, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/** Props of {@link ReadinessChecks}. */
export interface ReadinessChecksProps {
  /**
   * The DR config parameter of this region: the evaluation reads it (and its copy in the primary region), and its resources scope the role.
   */
  readonly configParameter: IDrConfigParameter;
  /** The failover controller: the evaluation reads its state table (its heartbeat), and the alarms notify its topic. */
  readonly controller: IFailoverController;
  /**
   * The evaluation's code.
   * @default the `readiness` bundle shipped in this package (handler `index.handler`)
   */
  readonly code?: lambda.Code;
  /** The handler within `code`. @default 'index.handler' */
  readonly handler?: string;
  /** The Lambda timeout; shorter than the schedule, so two evaluations never overlap. @default Duration.minutes(3) */
  readonly timeout?: Duration;
  /** How long the evaluation's log group keeps its events. @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
}

/** Evaluation periods of a readiness alarm: two evaluations in a row must fail (or go missing). */
const EVALUATION_PERIODS = 2;

/**
 * Continuous readiness, in the DR region: every `READINESS_INTERVAL_MINUTES` (5) an EventBridge
 * rule runs the readiness Lambda, which checks everything a failover would need (the checks of
 * `READINESS_CHECKS` in `@dr/failover-core`) and publishes each as a metric named by its id in
 * `DR/Readiness`, dimension `App`: 1 passes, 0 fails, no data when it could not be evaluated.
 * One alarm per check goes off when it fails two evaluations in a row and notifies the
 * controller's topic.
 *
 * A check that could not be evaluated is missing data, not a failure: its alarm keeps its
 * state (`missing`). The heartbeat check is the exception, and the evaluation's own watchdog: no
 * data for `controller-heartbeat` means the evaluation itself stopped (or cannot publish), and its
 * alarm treats that as breaching, so a silent readiness never looks like a ready one. The
 * function's errors alarm says when it fails outright.
 */
export class ReadinessChecks extends Construct implements IReadinessChecks {
  /** The evaluation. */
  readonly function: lambda.Function;
  /** Runs the evaluation every `READINESS_INTERVAL_MINUTES`. */
  readonly rule: events.Rule;
  /** One alarm per readiness check, by check id. */
  readonly alarms: Readonly<Record<ReadinessCheckId, cloudwatch.Alarm>>;
  /** Goes off when an evaluation fails. */
  readonly errorsAlarm: cloudwatch.Alarm;
  private readonly app: string;

  constructor(scope: Construct, id: string, props: ReadinessChecksProps) {
    super(scope, id);
    const configParameter = props.configParameter;
    const config = configParameter.config;
    const stack = Stack.of(this);
    const interval = Duration.minutes(READINESS_INTERVAL_MINUTES);
    const timeout = props.timeout ?? Duration.minutes(3);
    this.app = config.app;
    validateProps(this, [
      {
        failed: timeout.toSeconds() < 30 || timeout.toSeconds() >= interval.toSeconds(),
        message: `timeout must be at least 30 seconds and shorter than the ${READINESS_INTERVAL_MINUTES}-minute schedule; got ${timeout.toHumanString()}`,
      },
    ]);

    const { role, logGroup } = lambdaRoleAndLogs(this, `Readiness checks of ${config.app}`, props.logRetention);
    for (const statement of readinessStatements(configParameter, stack, props.controller)) role.addToPolicy(statement);
    configParameter.grantRead(role);
    acknowledge(
      role,
      ['AwsSolutions-IAM5[Resource::*]'],
      'Only reads without resource-level permissions (EC2 DescribeImages and DescribeLaunchTemplateVersions, Auto Scaling DescribeAutoScalingGroups, RDS DescribeDBSnapshots, CloudWatch GetMetricData), limited to the two regions, and PutMetricData, limited to the DR/Readiness namespace.',
    );
    acknowledge(
      role,
      [config.primary.region, config.secondary.region].map(
        (region) => `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:servicequotas:${region}:${stack.account}:ec2/*]`,
      ),
      "The EC2 quota that covers the standby capacity depends on the launch template's instance family; the grant reads EC2 quotas of the two regions (the standby is the primary region after a failover).",
    );

    this.function = drFunction(this, {
      bundle: 'readiness',
      code: props.code,
      handler: props.handler,
      role,
      logGroup,
      configParameter,
      memorySize: 256,
      timeout,
      description: `Checks every ${READINESS_INTERVAL_MINUTES} minutes that ${config.app} can fail over to ${config.secondary.region}`,
      environment: {
        DR_STATE_TABLE: props.controller.table.tableName,
        DR_TOPIC_ARN: props.controller.topic.topicArn,
      },
    });
    this.rule = new events.Rule(this, 'Schedule', {
      description: `Evaluates the readiness of ${config.app} to fail over`,
      schedule: events.Schedule.rate(interval),
      // A missed evaluation is made up by the next one.
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0 })],
    });

    const notify = new actions.SnsAction(props.controller.topic);
    const alarms: Partial<Record<ReadinessCheckId, cloudwatch.Alarm>> = {};
    for (const check of READINESS_CHECKS) {
      const alarm = this.metricReadiness(check).createAlarm(this, `Alarm-${check}`, {
        alarmName: `${config.app}-readiness-${check}`,
        alarmDescription: `Readiness check ${check} of ${config.app} fails: a failover to ${config.secondary.region} may not succeed`,
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: EVALUATION_PERIODS,
        // Missing data is "could not be evaluated": not a failure, except for the heartbeat,
        // which the evaluation publishes on every run; its silence means readiness is not
        // being evaluated at all, and that must raise an alarm. With `missing`, a failure
        // followed only by evaluations that could not be made still alarms (the rule of the
        // oldest breaching datapoint), and a check not evaluated in the whole range goes to
        // INSUFFICIENT_DATA, not OK.
        // @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html
        treatMissingData: check === 'controller-heartbeat' ? cloudwatch.TreatMissingData.BREACHING : cloudwatch.TreatMissingData.MISSING,
      });
      alarm.addAlarmAction(notify);
      alarms[check] = alarm;
    }
    this.alarms = alarms as Record<ReadinessCheckId, cloudwatch.Alarm>;

    this.errorsAlarm = this.function.metricErrors({ period: interval, statistic: 'Sum' }).createAlarm(this, 'Errors', {
      alarmDescription: `The ${config.app} readiness evaluation is failing`,
      threshold: 1,
      evaluationPeriods: EVALUATION_PERIODS,
      // Not breaching: Lambda's Errors counts failed runs; no datapoint is no failure. A silent
      // evaluation is the heartbeat alarm's concern.
      // @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.errorsAlarm.addAlarmAction(notify);
  }

  /**
   * The metric of one readiness check, `DR/Readiness` `<check>` (dimension `App`): its lowest value
   * over each evaluation interval unless `props` says otherwise (1 passes, 0 fails, no data: not evaluated).
   */
  metricReadiness(check: ReadinessCheckId, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: READINESS_NAMESPACE,
      metricName: check,
      dimensionsMap: { App: this.app },
      period: Duration.minutes(READINESS_INTERVAL_MINUTES),
      statistic: 'Minimum',
      ...props,
    });
  }

  /**
   * The metric of one readiness check.
   * @deprecated use {@link metricReadiness}, named as aws-cdk-lib names its metrics.
   */
  metric(check: ReadinessCheckId, options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metricReadiness(check, options);
  }
}

/**
 * On the Aurora tier, the reads of the database checks: the global cluster (membership and
 * synchronization), both clusters, and the fence in each cluster's own cluster parameter group.
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html
 */
function auroraReadinessStatements(config: IDrConfigParameter['config'], stack: Stack): iam.PolicyStatement[] {
  const tier = config.database;
  if (tier.tier !== 'aurora-global') return [];
  const regions = [config.primary, config.secondary];
  const rds = (region: string, resource: string) => `arn:${stack.partition}:rds:${region}:${stack.account}:${resource}`;
  return [
    new iam.PolicyStatement({
      sid: 'ReadTheGlobalDatabase',
      actions: ['rds:DescribeGlobalClusters'],
      resources: [`arn:${stack.partition}:rds::${stack.account}:global-cluster:${tier.globalClusterIdentifier}`],
    }),
    new iam.PolicyStatement({
      sid: 'ReadTheClusters',
      actions: ['rds:DescribeDBClusters'],
      resources: regions.map((r) => rds(r.region, `cluster:${r.dbClusterIdentifier ?? r.dbInstanceIdentifier}`)),
    }),
    new iam.PolicyStatement({
      sid: 'ReadTheClusterFences',
      actions: ['rds:DescribeDBClusterParameters'],
      resources: regions.flatMap((r) =>
        r.dbClusterParameterGroupName ? [rds(r.region, `cluster-pg:${r.dbClusterParameterGroupName}`)] : [],
      ),
    }),
  ];
}

/**
 * The evaluation's permissions: reads only, scoped to the resources of the DR config where AWS
 * offers resource-level permissions, plus its metrics (one namespace) and the state table.
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_servicequotas.html
 */
function readinessStatements(configParameter: IDrConfigParameter, stack: Stack, controller: IFailoverController): iam.PolicyStatement[] {
  const config = configParameter.config;
  const regions = [config.primary, config.secondary];
  const rds = (region: string, resource: string) => `arn:${stack.partition}:rds:${region}:${stack.account}:${resource}`;
  return [
    new iam.PolicyStatement({
      sid: 'ReadWithoutResourceLevelPermissions',
      // DescribeInstanceTypes gives the launch template's vCPUs; the capacity read (as the
      // controller's) takes target health and the in-service metric; ListMetrics finds the
      // bucket's replication rules.
      actions: [
        'ec2:DescribeImages',
        'ec2:DescribeLaunchTemplateVersions',
        'ec2:DescribeInstanceTypes',
        'autoscaling:DescribeAutoScalingGroups',
        'elasticloadbalancing:DescribeTargetHealth',
        'rds:DescribeDBSnapshots',
        'cloudwatch:GetMetricData',
        'cloudwatch:GetMetricStatistics',
        'cloudwatch:ListMetrics',
      ],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:RequestedRegion': regions.map((r) => r.region) } },
    }),
    new iam.PolicyStatement({
      sid: 'ReadTheDatabases',
      actions: ['rds:DescribeDBInstances'],
      resources: regions.map((r) => rds(r.region, `db:${r.dbInstanceIdentifier}`)),
    }),
    // The write fence is read_only in a database's own parameter group.
    new iam.PolicyStatement({
      sid: 'ReadTheFences',
      actions: ['rds:DescribeDBParameters'],
      resources: regions.map((r) => rds(r.region, `pg:${r.dbParameterGroupName}`)),
    }),
    ...auroraReadinessStatements(config, stack),
    // The standby region is the primary's after a failover: both regions' quotas.
    new iam.PolicyStatement({
      sid: 'ReadTheEc2Quotas',
      actions: ['servicequotas:GetServiceQuota'],
      resources: regions.map((r) => `arn:${stack.partition}:servicequotas:${r.region}:${stack.account}:ec2/*`),
    }),
    new iam.PolicyStatement({
      sid: 'ReadTheAccelerator',
      actions: ['globalaccelerator:DescribeEndpointGroup'],
      resources: [config.primary.endpointGroupArn, config.secondary.endpointGroupArn],
    }),
    // The copy of the config in the primary region, compared with this region's (granted by the parameter).
    new iam.PolicyStatement({
      sid: 'ReadThePrimaryConfig',
      actions: ['ssm:GetParameter'],
      resources: [
        `arn:${stack.partition}:ssm:${config.primary.region}:${stack.account}:parameter/${configParameter.parameterName.replace(/^\//, '')}`,
      ],
    }),
    new iam.PolicyStatement({
      sid: 'PublishReadiness',
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': READINESS_NAMESPACE } },
    }),
    new iam.PolicyStatement({
      sid: 'KeepState',
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      resources: [controller.table.tableArn],
    }),
  ];
}
