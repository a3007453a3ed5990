import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { DrConfig } from '@dr/failover-core';
import { Construct } from 'constructs';
import type { IDrConfigParameter } from './dr-config-parameter.js';
import { acknowledge } from './private/nag.js';
import { drFunction, lambdaRoleAndLogs } from './private/lambda-basics.js';
import { validateProps } from './private/validate.js';

/** Props of {@link SnapshotSchedule}. */
export interface SnapshotScheduleProps {
  /** The DR config parameter: the job reads it, and its databases scope the role. */
  readonly configParameter: IDrConfigParameter;
  /**
   * The job's code.
   * @default the `snapshot` bundle shipped in this package (handler `index.handler`)
   */
  readonly code?: lambda.Code;
  /** The handler within `code`. @default 'index.handler' */
  readonly handler?: string;
  /**
   * When the job runs (EventBridge evaluates cron and rate expressions in UTC). Give it or
   * `hourUtc`/`minuteUtc`, not both.
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html
   * @default events.Schedule.cron({ hour: '2', minute: '0' }): daily at 02:00 UTC, the original brief's
   */
  readonly schedule?: events.Schedule;
  /**
   * Hour of day (UTC) the job runs, daily.
   * @deprecated use `schedule`: `events.Schedule.cron({ hour: '3', minute: '30' })`.
   * @default 2, the original brief's 02:00
   */
  readonly hourUtc?: number;
  /**
   * Minute of `hourUtc` the job runs.
   * @deprecated use `schedule`.
   * @default 0
   */
  readonly minuteUtc?: number;
  /** How long the job's log group keeps its events. @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /** Where the errors alarm notifies: a topic of this stack's region. @default - no notification */
  readonly topic?: sns.ITopic;
}

/**
 * The daily snapshot job: a Lambda on a cron schedule (02:00 UTC by default) that snapshots the
 * active primary, copies the snapshot to the other region and prunes both by the retention
 * policy, with a role limited to snapshots of the app's databases.
 */
export class SnapshotSchedule extends Construct {
  /** The snapshot job. */
  readonly function: lambda.Function;
  /** Runs the job on `schedule`. */
  readonly rule: events.Rule;
  /** Goes off when a run fails. */
  readonly errorsAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: SnapshotScheduleProps) {
    super(scope, id);
    const config = props.configParameter.config;
    const stack = Stack.of(this);
    const hour = props.hourUtc ?? 2;
    const minute = props.minuteUtc ?? 0;
    validateProps(this, [
      { failed: !Number.isInteger(hour) || hour < 0 || hour > 23, message: `hourUtc must be a whole hour 0–23; got ${hour}` },
      { failed: !Number.isInteger(minute) || minute < 0 || minute > 59, message: `minuteUtc must be a whole minute 0–59; got ${minute}` },
      {
        failed: props.schedule !== undefined && (props.hourUtc !== undefined || props.minuteUtc !== undefined),
        message: 'schedule and hourUtc/minuteUtc must not both be given: hourUtc and minuteUtc are the deprecated form of schedule',
      },
    ]);
    const at = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')} UTC`;
    const schedule = props.schedule ?? events.Schedule.cron({ hour: String(hour), minute: String(minute) });

    const { role, logGroup } = lambdaRoleAndLogs(this, `Daily snapshots of ${config.app}`, props.logRetention);
    const regions = [config.primary, config.secondary];
    for (const statement of snapshotStatements(config, stack)) role.addToPolicy(statement);
    props.configParameter.grantRead(role);
    acknowledge(
      role,
      ['AwsSolutions-IAM5[Resource::*]'],
      'Only DescribeDBInstances and DescribeDBSnapshots, which have no resource-level permissions.',
    );
    acknowledge(
      role,
      regions.flatMap((r) =>
        ['daily', 'manual'].map(
          (kind) => `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:rds:${r.region}:${stack.account}:snapshot:${config.app}-${kind}-*]`,
        ),
      ),
      'Snapshots this tool creates are named <app>-daily-<date> (this job) or <app>-manual-<time> (dr snapshot create); it may copy, tag and delete only those.',
    );

    this.function = drFunction(this, {
      bundle: 'snapshot',
      code: props.code,
      handler: props.handler,
      role,
      logGroup,
      configParameter: props.configParameter,
      memorySize: 256,
      timeout: Duration.minutes(15),
      description: `Daily snapshots of ${config.app}, copied across regions and pruned`,
    });
    this.rule = new events.Rule(this, 'Daily', {
      description: props.schedule
        ? `Snapshot of ${config.app} on ${props.schedule.expressionString}`
        : `Daily snapshot of ${config.app} at ${at}`,
      schedule,
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 2 })],
    });
    this.errorsAlarm = this.metricErrors().createAlarm(this, 'Errors', {
      alarmDescription: `The ${config.app} daily snapshot failed`,
      threshold: 1,
      evaluationPeriods: 1,
      // Not breaching: Lambda's Errors has no datapoint in the 23 hours the job does not run, nor
      // when it succeeds; only a failed run publishes a count. A job that stops running at all is
      // the readiness check snapshot-age's alarm.
      // @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (props.topic) this.errorsAlarm.addAlarmAction(new actions.SnsAction(props.topic));
  }

  /** Failed runs of the job (AWS/Lambda `Errors`, Sum per hour unless `props` says otherwise). */
  metricErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metricErrors({ period: Duration.hours(1), statistic: 'Sum', ...props });
  }
}

/**
 * The snapshot permissions (the job's, and `dr snapshot`'s in the operator policy): describe the
 * databases and snapshots, snapshot the app's databases, copy, tag and prune only the snapshots
 * this tool names, with RDS using the databases' keys on the caller's behalf (`keyUse`: false
 * where the policy already lets RDS use them, as the controller's statements do).
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html
 */
export function snapshotStatements(config: DrConfig, stack: Stack, keyUse = true): iam.PolicyStatement[] {
  const regions = [config.primary, config.secondary];
  const dbArns = regions.map((r) => `arn:${stack.partition}:rds:${r.region}:${stack.account}:db:${r.dbInstanceIdentifier}`);
  // The job names its snapshots <app>-daily-<date>, and `dr snapshot create` <app>-manual-<time>:
  // the grant stops at those prefixes, clear of RDS's own final snapshots.
  const snapshotArns = regions.flatMap((r) =>
    ['daily', 'manual'].map((kind) => `arn:${stack.partition}:rds:${r.region}:${stack.account}:snapshot:${config.app}-${kind}-*`),
  );
  const statements = [
    new iam.PolicyStatement({
      sid: 'ReadDatabasesAndSnapshots',
      actions: ['rds:DescribeDBInstances', 'rds:DescribeDBSnapshots'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'SnapshotTheDatabases',
      actions: ['rds:CreateDBSnapshot', 'rds:AddTagsToResource'],
      resources: [...dbArns, ...snapshotArns],
    }),
    new iam.PolicyStatement({
      sid: 'CopyAndPruneOurSnapshots',
      actions: ['rds:CopyDBSnapshot', 'rds:DeleteDBSnapshot', 'rds:AddTagsToResource'],
      resources: snapshotArns,
    }),
  ];
  // Copying an encrypted snapshot across regions has RDS use both regions' keys on the caller's behalf.
  const keys = keyUse ? regions.flatMap((r) => (r.dbKmsKeyArn ? [{ region: r.region, arn: r.dbKmsKeyArn }] : [])) : [];
  for (const key of keys) {
    statements.push(
      new iam.PolicyStatement({
        actions: ['kms:CreateGrant', 'kms:DescribeKey'],
        resources: [key.arn],
        conditions: { StringLike: { 'kms:ViaService': regions.map((r) => `rds.${r.region}.amazonaws.com`) } },
      }),
    );
  }
  return statements;
}
