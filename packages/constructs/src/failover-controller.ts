import { Annotations, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { allowAutoScalingToPublishWith } from './app-tier.js';
import { retiredPrefix, type DrConfig, type RegionResources } from '@dr/failover-core';
import { Construct } from 'constructs';
import type { DrConfigParameter } from './dr-config-parameter.js';
import { DEFAULT_OPTION_GROUP } from './private/database-settings.js';
import { acknowledge } from './private/nag.js';
import { drFunction, lambdaRoleAndLogs, vpcPlacement } from './private/lambda-basics.js';
import { allSubscriptions, notificationRules, subscribeAll } from './private/notification-subscriptions.js';
import { validateProps } from './private/validate.js';

/**
 * One more subscriber of the DR topics, besides `notificationEmail`: any SNS protocol but plain
 * HTTP and Firehose. The endpoint must accept deliveries from each region's topic (an SQS queue
 * or Lambda function lets both topics in through its resource policy).
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html
 */
export interface NotificationSubscription {
  /** `email`, `email-json`, `https`, `sms`, `sqs` or `lambda`. */
  readonly protocol: sns.SubscriptionProtocol;
  /** The address, URL, phone number (E.164) or ARN the protocol expects. */
  readonly endpoint: string;
}

/** Props of {@link DrNotifications}. */
export interface DrNotificationsProps {
  /** Names the topic and its key. */
  readonly app: string;
  /** Subscribed to the topic (an email address, checked at synth). @default - no email subscription */
  readonly notificationEmail?: string;
  /** Further subscribers of the topic (each checked at synth). @default - none */
  readonly notificationSubscriptions?: readonly NotificationSubscription[];
}

/**
 * Where DR news goes, one per region: an SNS topic encrypted with a customer managed key of its
 * own (CloudWatch alarms cannot publish to a topic under the AWS managed key), TLS only, with
 * optional subscriptions. In the DR region the controller, the `dr` command (through the
 * config's `controller.topicArn`) and the DR alarms publish to it; in the primary region, the
 * primary's alarms: each region's alarms reach a person through that region alone, so an outage
 * of the other region cannot silence them.
 */
export class DrNotifications extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: DrNotificationsProps) {
    super(scope, id);
    validateProps(this, notificationRules(props.notificationEmail, props.notificationSubscriptions));
    this.key = new kms.Key(this, 'Key', {
      enableKeyRotation: true,
      description: `${props.app} DR notifications`,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.key.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new sns.Topic(this, 'Topic', { displayName: `${props.app} DR`, enforceSSL: true, masterKey: this.key });
    subscribeAll(this, this.topic, allSubscriptions(props.notificationEmail, props.notificationSubscriptions));
  }

  /**
   * Lets Auto Scaling publish groups' launch, terminate and error notifications here (give the
   * topic to `AppTier` as its `notificationTopic`): one topic, and one key, per region.
   */
  allowAutoScalingNotifications(): void {
    allowAutoScalingToPublishWith(this.key);
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
      tableName: config.controller.stateTableName ?? `${config.app}-dr-state`,
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const notifications =
      props.notifications ?? new DrNotifications(this, 'Notifications', { app: config.app, notificationEmail: props.notificationEmail });
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
      [config.primary, config.secondary].map(
        (r) =>
          `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:autoscaling:${r.region}:${stack.account}:autoScalingGroup:*:autoScalingGroupName/${r.autoScalingGroupName}]`,
      ),
      'An Auto Scaling group ARN carries a generated id; each group is pinned by name.',
    );
    acknowledge(
      role,
      [config.primary, config.secondary].map(
        (r) => `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:rds:${r.region}:${stack.account}:db:${retiredPattern(r)}]`,
      ),
      "A failback retires an old database by renaming it <id>-retired-<run>, then moves it to the retired parameter group, reboots and tags it; the suffix is chosen at run time, and the prefix pins it to the instances retired from that database's place.",
    );
    acknowledge(
      role,
      ['AwsSolutions-IAM5[Action::kms:GenerateDataKey*]'],
      'Publishing to the encrypted topic needs GenerateDataKey on its one key; the * covers the key-spec variants of the one action.',
    );

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

    this.errorsAlarm = this.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }).createAlarm(this, 'Errors', {
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
}

/**
 * What a failback renames a retired instance to: `<dbInstanceIdentifier>-retired-<run>` (the engine's `retiredPrefix`, then the run's tag).
 */
function retiredPattern(r: RegionResources): string {
  return `${retiredPrefix(r.dbInstanceIdentifier)}*`;
}

/**
 * The controller's permissions: reads where AWS offers no resource-level permission (Describe*,
 * GetMetricData), and every change scoped to the resources named in the config, in both
 * regions, since a run it finishes or rolls back may act in either.
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html
 */
export function controllerStatements(config: DrConfig, stack: Stack, table: dynamodb.ITable, topic: sns.ITopic): iam.PolicyStatement[] {
  const regions = [config.primary, config.secondary];
  const rds = (r: RegionResources, resource: string) => `arn:${stack.partition}:rds:${r.region}:${stack.account}:${resource}`;
  const optional = (value: string | undefined, make: (v: string) => string) => (value === undefined ? [] : [make(value)]);
  const databases = regions.map((r) => rds(r, `db:${r.dbInstanceIdentifier}`));
  const retiredDatabases = regions.map((r) => rds(r, `db:${retiredPattern(r)}`));
  const ownGroups = regions.map((r) => rds(r, `pg:${r.dbParameterGroupName}`));
  const retiredGroups = regions.flatMap((r) => optional(r.retiredDbParameterGroupName, (name) => rds(r, `pg:${name}`)));
  const subnetGroups = regions.flatMap((r) => optional(r.dbSubnetGroupName, (name) => rds(r, `subgrp:${name}`)));
  const optionGroups = regions.map((r) => rds(r, `og:${DEFAULT_OPTION_GROUP}`));
  const asgs = regions.map(
    (r) =>
      `arn:${stack.partition}:autoscaling:${r.region}:${stack.account}:autoScalingGroup:*:autoScalingGroupName/${r.autoScalingGroupName}`,
  );
  const keys = regions.flatMap((r) => optional(r.dbKmsKeyArn, (arn) => arn));
  const statements = [
    new iam.PolicyStatement({
      sid: 'ReadTheTopology',
      actions: [
        'rds:DescribeDBInstances',
        'rds:DescribeDBParameters',
        'autoscaling:DescribeAutoScalingGroups',
        'elasticloadbalancing:DescribeTargetHealth',
        'cloudwatch:GetMetricData',
        'cloudwatch:GetMetricStatistics',
        'cloudwatch:DescribeAlarms',
      ],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'ReadTheAccelerator',
      actions: ['globalaccelerator:DescribeEndpointGroup'],
      resources: [config.primary.endpointGroupArn, config.secondary.endpointGroupArn],
    }),
    // A failover promotes the DR database; a failback promotes the home region's new replica
    // (turning its backups on in the same call).
    new iam.PolicyStatement({ sid: 'PromoteEitherDatabase', actions: ['rds:PromoteReadReplica'], resources: databases }),
    // The write fence: read_only set to 1 in a database's own group (containing the old
    // primary), reset to {TrueIfReplica} to lift it (the promoted database).
    new iam.PolicyStatement({
      sid: 'FenceEitherDatabase',
      actions: ['rds:ModifyDBParameterGroup', 'rds:ResetDBParameterGroup'],
      resources: ownGroups,
    }),
    // A failback recreates each database as a cross-region replica of the other. RDS authorizes
    // the call on the new instance and on its source ("specify both the source instance and
    // the replica"), and on the groups it names: its own parameter group, its subnet group, and
    // the option group it gets (the engine's default).
    // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.XRgn.html#ReadRepl.XRgn.Policy
    new iam.PolicyStatement({
      sid: 'RecreateEitherReplica',
      actions: ['rds:CreateDBInstanceReadReplica'],
      resources: [...databases, ...ownGroups, ...subnetGroups, ...optionGroups],
    }),
    // Retiring renames an instance to <id>-retired-<run> and moves it to the retired group; a
    // new replica gets its backups turned on. ModifyDBInstance is authorized on the instance
    // and on the parameter group it is given.
    new iam.PolicyStatement({
      sid: 'RetireAndConfigureDatabases',
      actions: ['rds:ModifyDBInstance'],
      resources: [...databases, ...retiredDatabases, ...ownGroups, ...retiredGroups],
    }),
    // A newly associated parameter group applies at the next reboot; retired instances and new
    // replicas are tagged (a tagged create needs AddTagsToResource too).
    new iam.PolicyStatement({
      sid: 'RebootAndTagDatabases',
      actions: ['rds:RebootDBInstance', 'rds:AddTagsToResource'],
      resources: [...databases, ...retiredDatabases],
    }),
    // Scaling the serving region up, the old one (or the pilot light) down to zero.
    new iam.PolicyStatement({ sid: 'ScaleEitherRegion', actions: ['autoscaling:UpdateAutoScalingGroup'], resources: asgs }),
    new iam.PolicyStatement({
      sid: 'MoveTraffic',
      actions: ['globalaccelerator:UpdateEndpointGroup'],
      resources: [config.primary.endpointGroupArn, config.secondary.endpointGroupArn],
    }),
    new iam.PolicyStatement({ sid: 'KeepState', actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], resources: [table.tableArn] }),
    new iam.PolicyStatement({ sid: 'Notify', actions: ['sns:Publish'], resources: [topic.topicArn] }),
  ];
  if (keys.length > 0) {
    // An encrypted cross-region replica is created with a key of its region, which RDS uses on
    // the caller's behalf; the caller needs the key's grant and use permissions, only through RDS.
    // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.Keys.html#Overview.Encryption.Keys.Authorizing
    statements.push(
      new iam.PolicyStatement({
        sid: 'UseTheDatabaseKeysThroughRds',
        actions: ['kms:CreateGrant', 'kms:DescribeKey', 'kms:Decrypt', 'kms:GenerateDataKey'],
        resources: keys,
        conditions: { StringEquals: { 'kms:ViaService': regions.map((r) => `rds.${r.region}.amazonaws.com`) } },
      }),
    );
  }
  return statements;
}
