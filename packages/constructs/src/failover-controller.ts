import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { DrConfig } from '@dr/failover-core';
import { Construct } from 'constructs';
import type { DrConfigParameter } from './dr-config-parameter.js';
import { acknowledge } from './private/nag.js';
import { drFunction, lambdaRoleAndLogs } from './private/lambda-basics.js';
import { validateProps } from './private/validate.js';

/** Props of {@link DrNotifications}. */
export interface DrNotificationsProps {
  /** Names the topic and its key. */
  readonly app: string;
  /** Subscribed to the topic. @default - no subscription */
  readonly notificationEmail?: string;
}

/**
 * Where DR news goes: an SNS topic encrypted with a customer managed key of its own (CloudWatch
 * alarms cannot publish to a topic under the AWS managed key), TLS only, with an optional email
 * subscription. The controller, the `dr` command (through the config's `controller.topicArn`)
 * and the DR alarms all publish to it.
 */
export class DrNotifications extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: DrNotificationsProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', { enableKeyRotation: true, description: `${props.app} DR notifications`, removalPolicy: RemovalPolicy.RETAIN });
    this.key.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new sns.Topic(this, 'Topic', { displayName: `${props.app} DR`, enforceSSL: true, masterKey: this.key });
    if (props.notificationEmail) {
      new sns.Subscription(this, 'Email', { topic: this.topic, protocol: sns.SubscriptionProtocol.EMAIL, endpoint: props.notificationEmail });
    }
  }

  /** Lets `grantee` publish (the topic's key included). */
  grantPublish(grantee: iam.IGrantable): void {
    this.topic.grantPublish(grantee);
    this.key.grant(grantee, 'kms:Decrypt', 'kms:GenerateDataKey*');
  }
}

/** Props of {@link FailoverController}. */
export interface FailoverControllerProps {
  /** The DR config parameter of this region: the controller reads it, and its resources scope the role. */
  readonly configParameter: DrConfigParameter;
  /**
   * The controller's code.
   * @default the `failover-controller` bundle shipped in this package (handler `index.handler`)
   */
  readonly code?: lambda.Code;
  /** @default 'index.handler' */
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
  readonly notifications?: DrNotifications;
  /** @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The failover controller, deployed in the DR region (the one that must be alive when the
 * primary is not): the Lambda on a one-minute schedule, its DynamoDB state table (shared with
 * the `dr` command, so a person and the Lambda hold one lease), an SNS topic for its news, an
 * alarm on its errors, and a role that can change only the resources named in the DR config.
 * It fails over; it never fails back, so its role has no failback permissions.
 */
export class FailoverController extends Construct {
  readonly function: lambda.Function;
  readonly table: dynamodb.Table;
  readonly topic: sns.Topic;
  readonly errorsAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: FailoverControllerProps) {
    super(scope, id);
    const config = props.configParameter.config;
    const stack = Stack.of(this);
    const schedule = props.schedule ?? Duration.minutes(1);
    const timeout = props.timeout ?? Duration.minutes(15);
    validateProps(this, [
      { failed: schedule.toSeconds() < 60, message: `schedule must be at least one minute (EventBridge's granularity); got ${schedule.toHumanString()}` },
      { failed: timeout.toSeconds() < 60 || timeout.toSeconds() > 900, message: `timeout must be between 1 and 15 minutes; got ${timeout.toHumanString()}` },
      { failed: !Token.isUnresolved(stack.region) && stack.region !== config.secondary.region, message: `the controller belongs in the DR region ${config.secondary.region}; this stack is in ${stack.region}` },
    ]);

    this.table = new dynamodb.Table(this, 'State', {
      tableName: config.controller.stateTableName ?? `${config.app}-dr-state`,
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const notifications = props.notifications ?? new DrNotifications(this, 'Notifications', { app: config.app, notificationEmail: props.notificationEmail });
    this.topic = notifications.topic;

    const { role, logGroup } = lambdaRoleAndLogs(this, `Failover controller of ${config.app}`, props.logRetention);
    for (const statement of controllerStatements(config, stack, this.table, this.topic)) role.addToPolicy(statement);
    props.configParameter.grantRead(role);
    notifications.key.grant(role, 'kms:Decrypt', 'kms:GenerateDataKey*');
    acknowledge(
      role,
      ['AwsSolutions-IAM5[Resource::*]'],
      'Only reads: RDS, Auto Scaling, ELB and CloudWatch Describe/GetMetricData/GetMetricStatistics calls have no resource-level permissions. Every change is scoped to a named resource.',
    );
    acknowledge(
      role,
      [`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:autoscaling:${config.secondary.region}:${stack.account}:autoScalingGroup:*:autoScalingGroupName/${config.secondary.autoScalingGroupName}]`],
      'An Auto Scaling group ARN carries a generated id; the group is pinned by name.',
    );
    acknowledge(role, ['AwsSolutions-IAM5[Action::kms:GenerateDataKey*]'], 'Publishing to the encrypted topic needs GenerateDataKey on its one key; the * covers the key-spec variants of the one action.');

    this.function = drFunction(this, {
      bundle: 'failover-controller',
      code: props.code,
      handler: props.handler,
      role,
      logGroup,
      configParameter: props.configParameter,
      memorySize: 512,
      timeout,
      description: `Detects a failure of ${config.primary.region} and fails ${config.app} over to ${config.secondary.region}`,
      environment: {
        DR_STATE_TABLE: this.table.tableName,
        DR_TOPIC_ARN: this.topic.topicArn,
        // Probe for most of the interval between two scheduled runs, so detection is not bound to the schedule.
        DR_PROBE_WINDOW_SECONDS: String(Math.max(5, Math.min(schedule.toSeconds() - 10, timeout.toSeconds() - 30))),
      },
    });
    new events.Rule(this, 'Schedule', {
      description: `Runs the ${config.app} failover controller`,
      schedule: events.Schedule.rate(schedule),
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0 })],
    });

    this.errorsAlarm = this.function
      .metricErrors({ period: Duration.minutes(5), statistic: 'Sum' })
      .createAlarm(this, 'Errors', {
        alarmDescription: `The ${config.app} failover controller is failing: DR is not being watched`,
        threshold: 1,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    this.errorsAlarm.addAlarmAction(new actions.SnsAction(this.topic));
  }
}

/**
 * The controller's permissions: reads where AWS offers no resource-level permission (Describe*,
 * GetMetricData), and every change scoped to the resources named in the config.
 */
function controllerStatements(config: DrConfig, stack: Stack, table: dynamodb.Table, topic: sns.Topic): iam.PolicyStatement[] {
  const { primary, secondary } = config;
  const db = (r: typeof primary) => `arn:${stack.partition}:rds:${r.region}:${stack.account}:db:${r.dbInstanceIdentifier}`;
  const asg = (r: typeof primary) => `arn:${stack.partition}:autoscaling:${r.region}:${stack.account}:autoScalingGroup:*:autoScalingGroupName/${r.autoScalingGroupName}`;
  return [
    new iam.PolicyStatement({
      sid: 'ReadTheTopology',
      actions: ['rds:DescribeDBInstances', 'rds:DescribeDBParameters', 'autoscaling:DescribeAutoScalingGroups', 'elasticloadbalancing:DescribeTargetHealth', 'cloudwatch:GetMetricData', 'cloudwatch:GetMetricStatistics', 'cloudwatch:DescribeAlarms'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({ sid: 'ReadTheAccelerator', actions: ['globalaccelerator:DescribeEndpointGroup'], resources: [primary.endpointGroupArn, secondary.endpointGroupArn] }),
    new iam.PolicyStatement({ sid: 'PromoteTheReplica', actions: ['rds:PromoteReadReplica'], resources: [db(secondary)] }),
    new iam.PolicyStatement({ sid: 'ScaleTheDrRegion', actions: ['autoscaling:UpdateAutoScalingGroup'], resources: [asg(secondary)] }),
    new iam.PolicyStatement({ sid: 'MoveTraffic', actions: ['globalaccelerator:UpdateEndpointGroup'], resources: [primary.endpointGroupArn, secondary.endpointGroupArn] }),
    new iam.PolicyStatement({ sid: 'KeepState', actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], resources: [table.tableArn] }),
    new iam.PolicyStatement({ sid: 'Notify', actions: ['sns:Publish'], resources: [topic.topicArn] }),
  ];
}
