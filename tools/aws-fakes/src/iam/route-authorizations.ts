/* eslint-disable max-lines -- one table of each faked route's permissions, read whole against the Service Authorization Reference */
import { createHash } from 'node:crypto';
import type { ContextValue } from './policy-evaluator.js';

/**
 * What AWS authorizes each call the fakes answer with: the IAM action(s), the resource ARN(s)
 * and the request context, from the Service Authorization Reference of each service. A call
 * authorized on several resources (RDS CreateDBInstanceReadReplica: the new instance, its
 * source, the groups it names) needs every one of them allowed.
 *
 * One entry per route, keyed `<signing name>:<Action>` as the fakes route them (CloudWatch
 * signs as `monitoring` but its IAM prefix is `cloudwatch`). A service added to the fakes adds
 * its entries here; a call without an entry is refused while IAM is enforced, naming the gap.
 */

/** One IAM authorization a call needs. */
export interface RequiredPermission {
  /** `service:Action` as IAM names it. */
  readonly action: string;
  /** The resource ARN, or `*` where the action has no resource-level permissions. */
  readonly resource: string;
  /** Condition keys of this authorization besides the global ones the caller's request carries. */
  readonly context?: Readonly<Record<string, ContextValue>>;
  /** The region the authorization happens in, when not the call's (KMS keys used by RDS in a key's own region). */
  readonly region?: string;
}

/** What an authorization spec sees of one call. */
export interface CallFacts {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the SDK's input, per command
  readonly input: any;
  readonly region: string;
  readonly account: string;
  /** The KMS key of an encrypted SNS topic, by topic ARN (SNS uses it with the publisher's permissions). */
  readonly topicKey: (topicArn: string) => string | undefined;
}

/** How one route is authorized. */
export type RouteAuthorization = (call: CallFacts) => readonly RequiredPermission[];

const PARTITION = 'aws';
const arnIn = (service: string, region: string, account: string, resource: string) =>
  `arn:${PARTITION}:${service}:${region}:${account}:${resource}`;
const isArn = (s: string) => s.startsWith('arn:');

/**
 * The fake id in an Auto Scaling group's ARN
 * (`arn:aws:autoscaling:<region>:<account>:autoScalingGroup:<uuid>:autoScalingGroupName/<name>`):
 * AWS generates the uuid; the fake derives it from the region and name, so it is stable.
 */
export function autoScalingGroupArn(region: string, account: string, name: string): string {
  const h = createHash('sha256').update(`${region}/${name}`).digest('hex');
  const uuid = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
  return arnIn('autoscaling', region, account, `autoScalingGroup:${uuid}:autoScalingGroupName/${name}`);
}

/** A DB instance by identifier (or by ARN, as a cross-region source is named). */
const dbArn = (c: CallFacts, id: string) => (isArn(id) ? id : arnIn('rds', c.region, c.account, `db:${id}`));
const rdsArn = (c: CallFacts, type: string, name: string) => (isArn(name) ? name : arnIn('rds', c.region, c.account, `${type}:${name}`));
const regionOfArn = (arn: string) => arn.split(':')[3] ?? '';

/**
 * RDS has the caller's KMS permissions used on a key it encrypts with (CreateGrant and
 * DescribeKey, through RDS in the key's region).
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.Keys.html#Overview.Encryption.Keys.Authorizing
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
 */
function rdsKeyUse(c: CallFacts, keyId: string | undefined): RequiredPermission[] {
  if (!keyId) return [];
  const key = isArn(keyId) ? keyId : arnIn('kms', c.region, c.account, `key/${keyId}`);
  const region = regionOfArn(key);
  const context = { 'kms:ViaService': `rds.${region}.amazonaws.com`, 'kms:CallerAccount': c.account };
  return ['kms:CreateGrant', 'kms:DescribeKey'].map((action) => ({ action, resource: key, context, region }));
}

/**
 * A create call that tags what it creates also needs AddTagsToResource on the new resource.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/security_iam_id-based-policy-examples-create-and-tag.html
 */
const tagsOnCreate = (input: { Tags?: unknown[] }, resource: string): RequiredPermission[] =>
  (input.Tags ?? []).length > 0 ? [{ action: 'rds:AddTagsToResource', resource }] : [];

const optional = (value: string | undefined, make: (v: string) => RequiredPermission): RequiredPermission[] => (value ? [make(value)] : []);

/**
 * Amazon RDS.
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html
 */
const RDS: Record<string, RouteAuthorization> = {
  // Without an identifier the call lists the region: its resource is every instance.
  'rds:DescribeDBInstances': (c) => [
    {
      action: 'rds:DescribeDBInstances',
      resource: c.input.DBInstanceIdentifier ? dbArn(c, c.input.DBInstanceIdentifier) : rdsArn(c, 'db', '*'),
    },
  ],
  'rds:DescribeDBParameters': (c) => [{ action: 'rds:DescribeDBParameters', resource: rdsArn(c, 'pg', c.input.DBParameterGroupName) }],
  'rds:DescribeDBSnapshots': (c) => [
    { action: 'rds:DescribeDBSnapshots', resource: rdsArn(c, 'snapshot', c.input.DBSnapshotIdentifier ?? '*') },
  ],
  'rds:PromoteReadReplica': (c) => [{ action: 'rds:PromoteReadReplica', resource: dbArn(c, c.input.DBInstanceIdentifier) }],
  'rds:RebootDBInstance': (c) => [{ action: 'rds:RebootDBInstance', resource: dbArn(c, c.input.DBInstanceIdentifier) }],
  'rds:ModifyDBParameterGroup': (c) => [{ action: 'rds:ModifyDBParameterGroup', resource: rdsArn(c, 'pg', c.input.DBParameterGroupName) }],
  'rds:ResetDBParameterGroup': (c) => [{ action: 'rds:ResetDBParameterGroup', resource: rdsArn(c, 'pg', c.input.DBParameterGroupName) }],
  // Authorized on the instance and on each group the request names.
  'rds:ModifyDBInstance': (c) => [
    { action: 'rds:ModifyDBInstance', resource: dbArn(c, c.input.DBInstanceIdentifier) },
    ...optional(c.input.DBParameterGroupName, (name) => ({ action: 'rds:ModifyDBInstance', resource: rdsArn(c, 'pg', name) })),
    ...optional(c.input.OptionGroupName, (name) => ({ action: 'rds:ModifyDBInstance', resource: rdsArn(c, 'og', name) })),
  ],
  // Authorized on the new replica and on its source ("specify both the source instance and the
  // replica"), and on the groups the request names; a cross-region replica of an encrypted
  // source is created with a key of its region, which RDS uses with the caller's permissions.
  // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.XRgn.html
  'rds:CreateDBInstanceReadReplica': (c) => {
    const replica = dbArn(c, c.input.DBInstanceIdentifier);
    return [
      { action: 'rds:CreateDBInstanceReadReplica', resource: replica },
      {
        action: 'rds:CreateDBInstanceReadReplica',
        resource: dbArn(c, c.input.SourceDBInstanceIdentifier),
        region: isArn(c.input.SourceDBInstanceIdentifier) ? regionOfArn(c.input.SourceDBInstanceIdentifier) : c.region,
      },
      ...optional(c.input.DBParameterGroupName, (name) => ({ action: 'rds:CreateDBInstanceReadReplica', resource: rdsArn(c, 'pg', name) })),
      ...optional(c.input.DBSubnetGroupName, (name) => ({
        action: 'rds:CreateDBInstanceReadReplica',
        resource: rdsArn(c, 'subgrp', name),
      })),
      ...optional(c.input.OptionGroupName, (name) => ({ action: 'rds:CreateDBInstanceReadReplica', resource: rdsArn(c, 'og', name) })),
      ...tagsOnCreate(c.input, replica),
      ...rdsKeyUse(c, c.input.KmsKeyId),
    ];
  },
  'rds:CreateDBSnapshot': (c) => {
    const snapshot = rdsArn(c, 'snapshot', c.input.DBSnapshotIdentifier);
    return [
      { action: 'rds:CreateDBSnapshot', resource: dbArn(c, c.input.DBInstanceIdentifier) },
      { action: 'rds:CreateDBSnapshot', resource: snapshot },
      ...tagsOnCreate(c.input, snapshot),
    ];
  },
  // A cross-region copy is called in the target region with the source's ARN; the SDK presigns
  // the source region's half with the caller's credentials.
  'rds:CopyDBSnapshot': (c) => {
    const target = rdsArn(c, 'snapshot', c.input.TargetDBSnapshotIdentifier);
    const source: string = c.input.SourceDBSnapshotIdentifier;
    return [
      { action: 'rds:CopyDBSnapshot', resource: target },
      { action: 'rds:CopyDBSnapshot', resource: rdsArn(c, 'snapshot', source), region: isArn(source) ? regionOfArn(source) : c.region },
      ...tagsOnCreate(c.input, target),
      ...rdsKeyUse(c, c.input.KmsKeyId),
    ];
  },
  'rds:DeleteDBSnapshot': (c) => [{ action: 'rds:DeleteDBSnapshot', resource: rdsArn(c, 'snapshot', c.input.DBSnapshotIdentifier) }],
  'rds:AddTagsToResource': (c) => [{ action: 'rds:AddTagsToResource', resource: c.input.ResourceName }],
};

/**
 * Auto Scaling: Describe* has no resource-level permissions; a group is changed by its ARN.
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2autoscaling.html
 */
const AUTO_SCALING: Record<string, RouteAuthorization> = {
  'autoscaling:DescribeAutoScalingGroups': () => [{ action: 'autoscaling:DescribeAutoScalingGroups', resource: '*' }],
  'autoscaling:UpdateAutoScalingGroup': (c) => [
    { action: 'autoscaling:UpdateAutoScalingGroup', resource: autoScalingGroupArn(c.region, c.account, c.input.AutoScalingGroupName) },
  ],
};

/**
 * Elastic Load Balancing v2: Describe* has no resource-level permissions.
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awselasticloadbalancingv2.html
 */
const ELB: Record<string, RouteAuthorization> = {
  'elasticloadbalancing:DescribeTargetHealth': () => [{ action: 'elasticloadbalancing:DescribeTargetHealth', resource: '*' }],
};

/**
 * CloudWatch (signing name `monitoring`, IAM prefix `cloudwatch`): metric reads and
 * PutMetricData have no resource-level permissions (PutMetricData takes the
 * `cloudwatch:namespace` key); DescribeAlarms is authorized on the alarms it names.
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html
 */
const CLOUDWATCH: Record<string, RouteAuthorization> = {
  'monitoring:GetMetricData': () => [{ action: 'cloudwatch:GetMetricData', resource: '*' }],
  'monitoring:GetMetricStatistics': () => [{ action: 'cloudwatch:GetMetricStatistics', resource: '*' }],
  'monitoring:ListMetrics': () => [{ action: 'cloudwatch:ListMetrics', resource: '*' }],
  'monitoring:PutMetricData': (c) => [
    { action: 'cloudwatch:PutMetricData', resource: '*', context: { 'cloudwatch:namespace': c.input.Namespace } },
  ],
  'monitoring:DescribeAlarms': (c) => {
    const names: string[] = c.input.AlarmNames ?? [];
    const alarms = names.length > 0 ? names : ['*'];
    return alarms.map((name) => ({
      action: 'cloudwatch:DescribeAlarms',
      resource: arnIn('cloudwatch', c.region, c.account, `alarm:${name}`),
    }));
  },
};

/**
 * Global Accelerator: endpoint groups by ARN (the API is served from us-west-2).
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsglobalaccelerator.html
 */
const GLOBAL_ACCELERATOR: Record<string, RouteAuthorization> = {
  'globalaccelerator:DescribeEndpointGroup': (c) => [
    { action: 'globalaccelerator:DescribeEndpointGroup', resource: c.input.EndpointGroupArn },
  ],
  'globalaccelerator:UpdateEndpointGroup': (c) => [{ action: 'globalaccelerator:UpdateEndpointGroup', resource: c.input.EndpointGroupArn }],
  'globalaccelerator:DeleteEndpointGroup': (c) => [{ action: 'globalaccelerator:DeleteEndpointGroup', resource: c.input.EndpointGroupArn }],
  // Creating and listing endpoint groups are authorized on the listener.
  'globalaccelerator:CreateEndpointGroup': (c) => [{ action: 'globalaccelerator:CreateEndpointGroup', resource: c.input.ListenerArn }],
  'globalaccelerator:ListEndpointGroups': (c) => [{ action: 'globalaccelerator:ListEndpointGroups', resource: c.input.ListenerArn }],
};

/**
 * CloudFormation reads of a stack, by its ARN (a stack id), or by name with any id.
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudformation.html
 */
const stackArn = (c: CallFacts, nameOrId: string) =>
  isArn(nameOrId) ? nameOrId : arnIn('cloudformation', c.region, c.account, `stack/${nameOrId}/*`);
const CLOUDFORMATION: Record<string, RouteAuthorization> = {
  'cloudformation:DescribeStacks': (c) => [
    { action: 'cloudformation:DescribeStacks', resource: c.input.StackName ? stackArn(c, c.input.StackName) : '*' },
  ],
  'cloudformation:ListStackResources': (c) => [{ action: 'cloudformation:ListStackResources', resource: stackArn(c, c.input.StackName) }],
};

/**
 * Secrets Manager: a secret by ARN (which carries a random six-character suffix), or by name.
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecretsmanager.html
 */
const SECRETS_MANAGER: Record<string, RouteAuthorization> = {
  'secretsmanager:GetSecretValue': (c) => [
    {
      action: 'secretsmanager:GetSecretValue',
      resource: isArn(c.input.SecretId) ? c.input.SecretId : arnIn('secretsmanager', c.region, c.account, `secret:${c.input.SecretId}`),
    },
  ],
};

/**
 * SNS Publish, and for a topic encrypted with a customer managed key the publisher's own
 * GenerateDataKey and Decrypt on that key, which SNS uses on its behalf.
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsns.html
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#sns-what-permissions-for-sse
 */
const SNS: Record<string, RouteAuthorization> = {
  'sns:Publish': (c) => {
    const topic: string = c.input.TopicArn;
    const key = c.topicKey(topic);
    const region = regionOfArn(topic);
    const keyUse: RequiredPermission[] = key
      ? ['kms:GenerateDataKey', 'kms:Decrypt'].map((action) => ({
          action,
          resource: key,
          region: regionOfArn(key),
          context: { 'kms:ViaService': `sns.${region}.amazonaws.com`, 'kms:CallerAccount': c.account },
        }))
      : [];
    return [{ action: 'sns:Publish', resource: topic }, ...keyUse];
  },
};

/**
 * SSM: a parameter's ARN drops the name's leading slash.
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssystemsmanager.html
 */
const SSM: Record<string, RouteAuthorization> = {
  'ssm:GetParameter': (c) => [
    { action: 'ssm:GetParameter', resource: arnIn('ssm', c.region, c.account, `parameter/${String(c.input.Name).replace(/^\//, '')}`) },
  ],
};

/**
 * EC2 reads (no resource-level permissions) and Service Quotas (a quota's ARN is
 * `arn:aws:servicequotas:<region>:<account>:<service code>/<quota code>`).
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_servicequotas.html
 */
const EC2_AND_QUOTAS: Record<string, RouteAuthorization> = {
  'ec2:DescribeImages': () => [{ action: 'ec2:DescribeImages', resource: '*' }],
  'ec2:DescribeLaunchTemplateVersions': () => [{ action: 'ec2:DescribeLaunchTemplateVersions', resource: '*' }],
  'ec2:DescribeInstanceTypes': () => [{ action: 'ec2:DescribeInstanceTypes', resource: '*' }],
  'servicequotas:GetServiceQuota': (c) => [
    {
      action: 'servicequotas:GetServiceQuota',
      resource: arnIn('servicequotas', c.region, c.account, `${c.input.ServiceCode}/${c.input.QuotaCode}`),
    },
  ],
};

/**
 * DynamoDB item and table calls, on the table's ARN (what the authorizing proxy in front of
 * dynalite enforces).
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html
 */
const DYNAMODB: Record<string, RouteAuthorization> = Object.fromEntries(
  ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan', 'DescribeTable', 'ConditionCheckItem'].map((action) => [
    `dynamodb:${action}`,
    (c: CallFacts) => [{ action: `dynamodb:${action}`, resource: arnIn('dynamodb', c.region, c.account, `table/${c.input.TableName}`) }],
  ]),
);

/**
 * Lambda Invoke: `lambda:InvokeFunction` on the function named (a name, a partial ARN
 * `<account>:function:<name>`, or an ARN; a qualified ARN is authorized as given).
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awslambda.html
 */
const LAMBDA: Record<string, RouteAuthorization> = {
  'lambda:Invoke': (c) => {
    const name = String(c.input.FunctionName);
    const parts = name.split(':');
    const resource = isArn(name)
      ? name
      : parts[1] === 'function'
        ? arnIn('lambda', c.region, parts[0] ?? c.account, parts.slice(1).join(':'))
        : arnIn('lambda', c.region, c.account, `function:${name}`);
    return [{ action: 'lambda:InvokeFunction', resource }];
  },
};

/**
 * Amazon RDS for Aurora: a cluster by identifier or ARN; the global cluster's ARN names no region;
 * cluster snapshots and cluster parameter groups by name. A global failover or switchover is
 * authorized on the global cluster and on the target cluster (in the target's region).
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html (FailoverGlobalCluster, SwitchoverGlobalCluster: cluster*, global-cluster*; DescribeGlobalClusters: global-cluster*; DescribeDBClusters: cluster*; the cluster parameter group calls: cluster-pg*; DescribeDBClusterSnapshots and CopyDBClusterSnapshot: cluster-snapshot*)
 */
const clusterArn = (c: CallFacts, id: string) => rdsArn(c, 'cluster', id);
const globalClusterArn = (c: CallFacts, id: string | undefined) => `arn:${PARTITION}:rds::${c.account}:global-cluster:${id ?? '*'}`;
const onTargetCluster = (action: string) => (c: CallFacts) => {
  const target: string = c.input.TargetDbClusterIdentifier;
  return [
    { action, resource: globalClusterArn(c, c.input.GlobalClusterIdentifier) },
    { action, resource: clusterArn(c, target), region: isArn(target) ? regionOfArn(target) : c.region },
  ];
};
const AURORA: Record<string, RouteAuthorization> = {
  'rds:DescribeDBClusters': (c) => [{ action: 'rds:DescribeDBClusters', resource: clusterArn(c, c.input.DBClusterIdentifier ?? '*') }],
  'rds:DescribeGlobalClusters': (c) => [
    { action: 'rds:DescribeGlobalClusters', resource: globalClusterArn(c, c.input.GlobalClusterIdentifier) },
  ],
  'rds:FailoverGlobalCluster': onTargetCluster('rds:FailoverGlobalCluster'),
  'rds:SwitchoverGlobalCluster': onTargetCluster('rds:SwitchoverGlobalCluster'),
  'rds:ModifyDBClusterParameterGroup': (c) => [
    { action: 'rds:ModifyDBClusterParameterGroup', resource: rdsArn(c, 'cluster-pg', c.input.DBClusterParameterGroupName) },
  ],
  'rds:ResetDBClusterParameterGroup': (c) => [
    { action: 'rds:ResetDBClusterParameterGroup', resource: rdsArn(c, 'cluster-pg', c.input.DBClusterParameterGroupName) },
  ],
  'rds:DescribeDBClusterParameters': (c) => [
    { action: 'rds:DescribeDBClusterParameters', resource: rdsArn(c, 'cluster-pg', c.input.DBClusterParameterGroupName) },
  ],
  // Listing a cluster's snapshots names no snapshot: every one of the region's.
  'rds:DescribeDBClusterSnapshots': (c) => [
    { action: 'rds:DescribeDBClusterSnapshots', resource: rdsArn(c, 'cluster-snapshot', c.input.DBClusterSnapshotIdentifier ?? '*') },
  ],
  'rds:CopyDBClusterSnapshot': (c) => {
    const target = rdsArn(c, 'cluster-snapshot', c.input.TargetDBClusterSnapshotIdentifier);
    const source: string = c.input.SourceDBClusterSnapshotIdentifier;
    return [
      { action: 'rds:CopyDBClusterSnapshot', resource: target },
      {
        action: 'rds:CopyDBClusterSnapshot',
        resource: rdsArn(c, 'cluster-snapshot', source),
        region: isArn(source) ? regionOfArn(source) : c.region,
      },
      ...tagsOnCreate(c.input, target),
      ...rdsKeyUse(c, c.input.KmsKeyId),
    ];
  },
};

/** Every route's authorization, by `<signing name>:<Action>`. */
export const ROUTE_AUTHORIZATIONS: Readonly<Record<string, RouteAuthorization>> = {
  ...RDS,
  ...AURORA,
  ...AUTO_SCALING,
  ...ELB,
  ...CLOUDWATCH,
  ...GLOBAL_ACCELERATOR,
  ...CLOUDFORMATION,
  ...SECRETS_MANAGER,
  ...SNS,
  ...SSM,
  ...EC2_AND_QUOTAS,
  ...DYNAMODB,
  ...LAMBDA,
};
