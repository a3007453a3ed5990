import type { Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { retiredPrefix, type DrConfig, type RegionResources } from '@dr/failover-core';
import { DEFAULT_OPTION_GROUP } from './database-settings.js';
import { acknowledge } from './nag.js';

/**
 * What a failback renames a retired instance to: `<dbInstanceIdentifier>-retired-<run>` (the engine's `retiredPrefix`, then the run's tag).
 */
export function retiredPattern(r: RegionResources): string {
  return `${retiredPrefix(r.dbInstanceIdentifier)}*`;
}

/**
 * The controller's permissions: reads where AWS offers no resource-level permission (Describe*,
 * GetMetricData), and every change scoped to the resources named in the config, in both
 * regions, since a run it finishes or rolls back may act in either.
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html
 */
export function controllerStatements(config: DrConfig, stack: Stack, table: dynamodb.ITable, topic: sns.ITopic): iam.PolicyStatement[] {
  const aurora = config.database.tier === 'aurora-global';
  return [
    // The Aurora tier reads no DB parameter group: its fence is in the cluster parameter group.
    readTheTopology(aurora ? ['rds:DescribeDBInstances'] : ['rds:DescribeDBInstances', 'rds:DescribeDBParameters']),
    new iam.PolicyStatement({
      sid: 'ReadTheAccelerator',
      actions: ['globalaccelerator:DescribeEndpointGroup'],
      resources: [config.primary.endpointGroupArn, config.secondary.endpointGroupArn],
    }),
    ...(aurora ? auroraStatements(config, stack) : rdsStatements(config, stack)),
    ...commonStatements(config, stack, table, topic),
    ...keyStatements(config),
  ];
}

/** The statements both tiers need: scaling, traffic, state and news. */
function commonStatements(config: DrConfig, stack: Stack, table: dynamodb.ITable, topic: sns.ITopic): iam.PolicyStatement[] {
  const regions = [config.primary, config.secondary];
  const asgs = regions.map(
    (r) =>
      `arn:${stack.partition}:autoscaling:${r.region}:${stack.account}:autoScalingGroup:*:autoScalingGroupName/${r.autoScalingGroupName}`,
  );
  return [
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
}

/** The reads without resource-level permissions, with the RDS actions of `rds`. */
function readTheTopology(rds: readonly string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'ReadTheTopology',
    actions: [
      ...rds,
      'autoscaling:DescribeAutoScalingGroups',
      'elasticloadbalancing:DescribeTargetHealth',
      'cloudwatch:GetMetricData',
      'cloudwatch:GetMetricStatistics',
      'cloudwatch:DescribeAlarms',
    ],
    resources: ['*'],
  });
}

/**
 * The Aurora global database tier's database statements: read the global cluster, both clusters
 * and their instances, fail over or switch over to either cluster, fence either cluster through
 * its own cluster parameter group, and keep the snapshot of a failed-over primary's old volume.
 * Resource types per action from the Service Authorization Reference for RDS (the stored copies
 * of its table did not render: UNCONFIRMED there): FailoverGlobalCluster and
 * SwitchoverGlobalCluster on the global cluster and the target cluster; DescribeGlobalClusters on
 * the global cluster; DescribeDBClusters on clusters; the cluster parameter group actions on
 * `cluster-pg`; CopyDBClusterSnapshot on the source and target `cluster-snapshot`s.
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html
 */
function auroraStatements(config: DrConfig, stack: Stack): iam.PolicyStatement[] {
  const regions = [config.primary, config.secondary];
  const tier = config.database;
  if (tier.tier !== 'aurora-global') throw new Error('auroraStatements: the config is not on the aurora-global tier');
  const rds = (r: RegionResources, resource: string) => `arn:${stack.partition}:rds:${r.region}:${stack.account}:${resource}`;
  const cluster = (r: RegionResources) => r.dbClusterIdentifier ?? r.dbInstanceIdentifier;
  const globalCluster = `arn:${stack.partition}:rds::${stack.account}:global-cluster:${tier.globalClusterIdentifier}`;
  const clusters = regions.map((r) => rds(r, `cluster:${cluster(r)}`));
  const clusterGroups = regions.flatMap((r) =>
    r.dbClusterParameterGroupName ? [rds(r, `cluster-pg:${r.dbClusterParameterGroupName}`)] : [],
  );
  const snapshots = regions.flatMap((r) => auroraSnapshotPatterns(cluster(r)).map((pattern) => rds(r, `cluster-snapshot:${pattern}`)));
  return [
    new iam.PolicyStatement({ sid: 'ReadTheGlobalDatabase', actions: ['rds:DescribeGlobalClusters'], resources: [globalCluster] }),
    new iam.PolicyStatement({ sid: 'ReadTheClusters', actions: ['rds:DescribeDBClusters'], resources: clusters }),
    // A failover (AllowDataLoss) or switchover promotes either region's cluster; both are
    // authorized on the global cluster and on the target cluster.
    new iam.PolicyStatement({
      sid: 'FailOverTheGlobalDatabase',
      actions: ['rds:FailoverGlobalCluster', 'rds:SwitchoverGlobalCluster'],
      resources: [globalCluster, ...clusters],
    }),
    // The write fence: read_only set to 1 in a cluster's own group, reset to lift it.
    new iam.PolicyStatement({
      sid: 'FenceEitherCluster',
      actions: ['rds:DescribeDBClusterParameters', 'rds:ModifyDBClusterParameterGroup', 'rds:ResetDBClusterParameterGroup'],
      resources: clusterGroups,
    }),
    // Listing a cluster's snapshots names none of them: it is authorized on every cluster snapshot
    // of the region, as the RDS tier's DescribeDBSnapshots is (a read of this account's two regions).
    new iam.PolicyStatement({
      sid: 'ReadTheClusterSnapshots',
      actions: ['rds:DescribeDBClusterSnapshots'],
      resources: [...clusters, ...regions.map((r) => rds(r, 'cluster-snapshot:*'))],
    }),
    // The copy takes its source's tags (CopyTags); a create that tags needs AddTagsToResource on what
    // it creates (UNCONFIRMED whether copied tags count: granted on the same snapshots, harmless if not).
    new iam.PolicyStatement({
      sid: 'KeepTheLostWrites',
      actions: ['rds:CopyDBClusterSnapshot', 'rds:AddTagsToResource'],
      resources: snapshots,
    }),
  ];
}

/**
 * The cluster snapshots the engine reads and copies for a cluster: the system snapshot Aurora
 * takes of a failed-over primary's old volume (`rds:unplanned-global-failover-<cluster>-<time>`),
 * and the manual copy the engine keeps of it (`lostWritesSnapshotIdentifier`: `<cluster>-lost-writes-<run>`).
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html
 */
export function auroraSnapshotPatterns(clusterIdentifier: string): string[] {
  return [`rds:unplanned-global-failover-${clusterIdentifier}-*`, `${clusterIdentifier}-lost-writes-*`];
}

/** The RDS read replica tier's database statements (as they were before the tier was a choice). */
function rdsStatements(config: DrConfig, stack: Stack): iam.PolicyStatement[] {
  const regions = [config.primary, config.secondary];
  const rds = (r: RegionResources, resource: string) => `arn:${stack.partition}:rds:${r.region}:${stack.account}:${resource}`;
  const optional = (value: string | undefined, make: (v: string) => string) => (value === undefined ? [] : [make(value)]);
  const databases = regions.map((r) => rds(r, `db:${r.dbInstanceIdentifier}`));
  const retiredDatabases = regions.map((r) => rds(r, `db:${retiredPattern(r)}`));
  const ownGroups = regions.map((r) => rds(r, `pg:${r.dbParameterGroupName}`));
  const retiredGroups = regions.flatMap((r) => optional(r.retiredDbParameterGroupName, (name) => rds(r, `pg:${name}`)));
  const subnetGroups = regions.flatMap((r) => optional(r.dbSubnetGroupName, (name) => rds(r, `subgrp:${name}`)));
  const optionGroups = regions.map((r) => rds(r, `og:${DEFAULT_OPTION_GROUP}`));
  return [
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
  ];
}

/** The database keys, used only through RDS (none given: no statement). */
function keyStatements(config: DrConfig): iam.PolicyStatement[] {
  const regions = [config.primary, config.secondary];
  const keys = regions.flatMap((r) => (r.dbKmsKeyArn === undefined ? [] : [r.dbKmsKeyArn]));
  const statements: iam.PolicyStatement[] = [];
  if (keys.length > 0) {
    // An encrypted cross-region replica is created with a key of its region, and an encrypted
    // cluster snapshot is copied with its cluster's key, which RDS uses on the caller's behalf;
    // the caller needs the key's grant and use permissions, only through RDS.
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

/** The cdk-nag findings the controller's role raises by design, each with its reason. */
export function acknowledgeControllerRole(role: iam.Role, config: DrConfig, stack: Stack): void {
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
  if (config.database.tier === 'aurora-global') acknowledgeAuroraWildcards(role, config, stack);
  else
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
}

/** The Aurora tier's snapshot wildcards, acknowledged on `scope` (the controller's role, the operator policy). */
export function acknowledgeAuroraWildcards(scope: IConstruct, config: DrConfig, stack: Stack): void {
  acknowledge(
    scope,
    [config.primary, config.secondary].flatMap((r) =>
      auroraSnapshotPatterns(r.dbClusterIdentifier ?? r.dbInstanceIdentifier).map(
        (pattern) => `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:rds:${r.region}:${stack.account}:cluster-snapshot:${pattern}]`,
      ),
    ),
    "After a global failover Aurora snapshots the old primary's volume as rds:unplanned-global-failover-<cluster>-<time>, and the engine keeps a copy as <cluster>-lost-writes-<run>: both suffixes are chosen at run time, the prefixes pin them to this app's clusters.",
  );
  acknowledge(
    scope,
    [config.primary, config.secondary].map(
      (r) => `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:rds:${r.region}:${stack.account}:cluster-snapshot:*]`,
    ),
    "DescribeDBClusterSnapshots lists a cluster's snapshots without naming one, so it is authorized on the region's cluster snapshots; it only reads.",
  );
}
