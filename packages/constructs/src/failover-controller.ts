import { Annotations, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { defaultStateTableName, METRICS_NAMESPACE } from '@dr/failover-core';
import { Construct, type IConstruct } from 'constructs';
import type { IDrConfigParameter } from './dr-config-parameter.js';
import { DrNotifications, type IDrNotifications } from './notifications.js';
import { acknowledgeControllerRole, controllerStatements } from './private/controller-statements.js';
import { drFunction, lambdaRoleAndLogs, powertoolsServiceName, vpcPlacement } from './private/lambda-basics.js';
import { validateProps } from './private/validate.js';

/**
 * A failover controller, as the constructs that work with it see it: its function, the state
 * table it shares with `dr`, the topic of its news, and its metrics.
 */
export interface IFailoverController extends IConstruct {
  /** The controller Lambda. */
  readonly function: lambda.IFunction;
  /** The state table the controller and `dr` share; the readiness checks read its heartbeat. */
  readonly table: dynamodb.ITable;
  /** The topic of the controller's news; readiness alarms notify it. */
  readonly topic: sns.ITopic;
  /** Failed invocations of the controller (AWS/Lambda `Errors`). */
  metricErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** The recovery time (seconds) of each failover the controller completes. */
  metricRto(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/** Props of {@link FailoverController}. */
export interface FailoverControllerProps {
  /** The DR config parameter of this region: the controller reads it, and its resources scope the role. */
  readonly configParameter: IDrConfigParameter;
  /**
   * The controller's code.
   * @default the `failover-controller` bundle shipped in this package (handler `index.handler`)
   */
  readonly code?: lambda.Code;
  /** The handler within `code`. @default 'index.handler' */
  readonly handler?: string;
  /** How often EventBridge invokes the controller. @default Duration.minutes(1) */
  readonly schedule?: Duration;
  /**
   * The Lambda timeout. An invocation probes for about a minute and, when the primary is down,
   * drives the failover until shortly before this deadline; the next invocation resumes it.
   * @default Duration.minutes(15)
   */
  readonly timeout?: Duration;
  /** Subscribed to the controller's topic (failover events, alarms), when the controller makes it. @default - no subscription */
  readonly notificationEmail?: string;
  /** Where the controller's news goes. @default a new {@link DrNotifications} topic */
  readonly notifications?: IDrNotifications;
  /** How long the controller's log group keeps its events. @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /**
   * The function's memory (MB). The controller runs about 56 s of every minute, so this is most
   * of the dark DR region's compute bill. The shipped bundle peaked at 94–110 MB resident through
   * a whole failover, 98 MB in a healthy minute of probing (measured on the harness's fakes, Node
   * 20, x86_64): 192 MB leaves room for Lambda's runtime and a bigger config; 128 MB would not.
   * @default 192
   */
  readonly memorySize?: number;
  /**
   * The health record reader the controller reads the config's `primary.route53HealthCheck`
   * record through (a `HealthCheckRecord`'s `reader.function`): a Lambda in the VPC whose
   * resolver answers the record's private hosted zone, which the controller, outside any VPC,
   * cannot resolve itself. The controller is told it as `DR_HEALTH_RECORD_READER` and may invoke
   * exactly that function.
   * @default - none: the `route53` signal reads `unknown` (unless `vpc` is given)
   */
  readonly healthRecordReader?: lambda.IFunction;
  /**
   * The VPC to run the controller in, resolving the private health record itself.
   * @deprecated Give `healthRecordReader` instead. In a VPC the controller needs a way to the
   * internet (a NAT gateway, about $33 a month in the DR region while it is dark): it probes the
   * primary's public health path and calls AWS APIs in the primary region and Global
   * Accelerator's in us-west-2. Outside any VPC it needs none, and the reader alone sits in the VPC.
   * @default - outside any VPC
   */
  readonly vpc?: ec2.IVpc;
  /**
   * The controller's subnets in `vpc`.
   * @deprecated With `vpc`.
   * @default - the private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
}

/**
 * The failover controller, deployed in the DR region (the one that must be alive when the
 * primary is not): the Lambda on a one-minute schedule, its DynamoDB state table (shared with
 * the `dr` command, so a person and the Lambda hold one lease), an SNS topic for its news, an
 * alarm on its errors, and a role that can change only the resources named in the DR config.
 * It runs outside any VPC (it calls the internet and AWS APIs in three regions, with no NAT
 * gateway to pay for) and reads the Route 53 health record of the primary through the
 * `healthRecordReader` Lambda in the VPC whose resolver answers it.
 *
 * It fails over, contains the old primary (fences its database, scales its group to zero) and
 * lifts the DR database's fence. It never starts a switchover or a failback, but it takes over
 * an operator's run left unfinished (finishing it past its point of no return, rolling it back
 * before), so its role holds every call those make, in either region: promoting, recreating,
 * retiring, rebooting and tagging either database, both databases' parameter groups, both Auto
 * Scaling groups, both endpoint groups, and both database keys through RDS.
 */
export class FailoverController extends Construct implements IFailoverController {
  /** The controller Lambda (outside any VPC unless the deprecated `vpc` is given). */
  readonly function: lambda.Function;
  /** The state table the controller and `dr` share (one lease for both). */
  readonly table: dynamodb.Table;
  /** Where the controller's news goes (and its errors alarm notifies). */
  readonly topic: sns.ITopic;
  /** The notifications the controller publishes to: `props.notifications`, or the ones it made. */
  readonly notifications: IDrNotifications;
  /** Goes off when an invocation fails: DR is then not being watched. */
  readonly errorsAlarm: cloudwatch.Alarm;
  /** The function's log group, retained. */
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: FailoverControllerProps) {
    super(scope, id);
    const config = props.configParameter.config;
    const stack = Stack.of(this);
    const schedule = props.schedule ?? Duration.minutes(1);
    const timeout = props.timeout ?? Duration.minutes(15);
    validateProps(this, [
      {
        failed: schedule.toSeconds() < 60,
        message: `schedule must be at least one minute (EventBridge's granularity); got ${schedule.toHumanString()}`,
      },
      {
        failed: timeout.toSeconds() < 60 || timeout.toSeconds() > 900,
        message: `timeout must be between 1 and 15 minutes; got ${timeout.toHumanString()}`,
      },
      {
        failed:
          props.memorySize !== undefined && (!Number.isInteger(props.memorySize) || props.memorySize < 128 || props.memorySize > 10240),
        message: `memorySize must be a whole number of MB from 128 to 10240 (Lambda's range); got ${props.memorySize}`,
      },
      {
        failed: !Token.isUnresolved(stack.region) && stack.region !== config.secondary.region,
        message: `the controller belongs in the DR region ${config.secondary.region}; this stack is in ${stack.region}`,
      },
    ]);

    this.table = new dynamodb.Table(this, 'State', {
      tableName: config.controller.stateTableName ?? defaultStateTableName(config.app),
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.notifications =
      props.notifications ?? new DrNotifications(this, 'Notifications', { app: config.app, notificationEmail: props.notificationEmail });
    this.topic = this.notifications.topic;

    const { role, logGroup } = this.controllerRole(props, stack);
    this.logGroup = logGroup;

    const placement = props.vpc ? vpcPlacement(this, role, props.vpc, props.vpcSubnets) : undefined;
    const reader = props.healthRecordReader;
    if (reader) {
      // Exactly the reader: not its versions or aliases (CDK's grantInvoke would add `:*`).
      role.addToPolicy(
        new iam.PolicyStatement({ sid: 'ReadTheHealthRecord', actions: ['lambda:InvokeFunction'], resources: [reader.functionArn] }),
      );
    } else if (!placement && config.detection.signals.includes('route53')) {
      Annotations.of(this).addWarningV2(
        '@dr/constructs:controller-outside-vpc',
        'The controller has no healthRecordReader, so it cannot resolve the private route53HealthCheck record from outside the VPC: the route53 signal will read as unknown. Give it the reader of the HealthCheckRecord (healthRecordReader: record.reader.function).',
      );
    }

    this.function = drFunction(this, {
      bundle: 'failover-controller',
      placement,
      code: props.code,
      handler: props.handler,
      role,
      logGroup,
      configParameter: props.configParameter,
      memorySize: props.memorySize ?? 192,
      timeout,
      description: `Detects a failure of ${config.primary.region} and fails ${config.app} over to ${config.secondary.region}`,
      environment: {
        DR_STATE_TABLE: this.table.tableName,
        DR_TOPIC_ARN: this.topic.topicArn,
        // Probe until 4 s before the next scheduled run, so rounds keep their interval across
        // invocations and each saves the detector's state before the next one reads it.
        DR_PROBE_WINDOW_SECONDS: String(Math.max(5, Math.min(schedule.toSeconds() - 4, timeout.toSeconds() - 30))),
        ...(reader ? { DR_HEALTH_RECORD_READER: reader.functionArn } : {}),
      },
    });
    new events.Rule(this, 'Schedule', {
      description: `Runs the ${config.app} failover controller`,
      schedule: events.Schedule.rate(schedule),
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0 })],
    });

    this.errorsAlarm = this.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }).createAlarm(this, 'Errors', {
      alarmDescription: `The ${config.app} failover controller is failing: DR is not being watched`,
      threshold: 1,
      evaluationPeriods: 1,
      // Not breaching: Lambda's Errors has no datapoint when nothing ran (and only counts
      // failures when something did), so silence is not a failure here; a controller that stops
      // running altogether is the readiness heartbeat's alarm.
      // @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.errorsAlarm.addAlarmAction(new actions.SnsAction(this.topic));
  }

  /** The controller's role: its log group, the statements of the config's resources, the config and the topic. */
  private controllerRole(props: FailoverControllerProps, stack: Stack): { role: iam.Role; logGroup: logs.LogGroup } {
    const config = props.configParameter.config;
    const { role, logGroup } = lambdaRoleAndLogs(this, `Failover controller of ${config.app}`, props.logRetention);
    for (const statement of controllerStatements(config, stack, this.table, this.topic)) role.addToPolicy(statement);
    props.configParameter.grantRead(role);
    // sns:Publish is among the statements above (scoped by sid); the key is granted apart.
    this.notifications.key?.grant(role, 'kms:Decrypt', 'kms:GenerateDataKey*');
    acknowledgeControllerRole(role, config, stack);
    return { role, logGroup };
  }

  /**
   * Failed invocations of the controller (AWS/Lambda `Errors`, Sum over 5 minutes unless `props` says otherwise).
   * @see https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
   */
  metricErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum', ...props });
  }

  /**
   * The recovery time of each failover the controller completes, in seconds: the EMF metric
   * `RtoSeconds` its Lambda publishes when it drives a run to `completed` (namespace
   * `METRICS_NAMESPACE`, dimension `service` = `dr-failover-controller`, the Powertools service
   * name this construct gives it). No datapoint but in the minute a failover completes; Maximum
   * over a day unless `props` says otherwise. Compare it with the config's `objectives.rtoSeconds`.
   * @see https://docs.powertools.aws.dev/lambda/typescript/latest/features/metrics/ (the `service` dimension)
   */
  metricRto(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName: 'RtoSeconds',
      dimensionsMap: { service: powertoolsServiceName('failover-controller') },
      period: Duration.days(1),
      statistic: 'Maximum',
      ...props,
    });
  }
}
