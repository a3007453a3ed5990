import { Duration, Tags } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import type { Construct } from 'constructs';
import { globalLagMetricName, isConfigError, parseConfig, RDS_INSTANCE_IDENTIFIER, referenceAuroraConfig } from '@dr/failover-core';
import type { AuroraClusterDrConfig, AuroraDatabaseSettings } from '../database-config.js';
import type { AuroraClusterSharedProps } from '../database.js';
import type { PropRule } from './validate.js';

/** The Aurora MySQL engine of `version` (its major version is 8.0 for every Aurora MySQL 3 version). */
export function auroraMysql(version: string): rds.IClusterEngine {
  return rds.DatabaseClusterEngine.auroraMysql({ version: rds.AuroraMysqlEngineVersion.of(version, '8.0') });
}

/**
 * A memory-optimized class of db.r5 or later (r6g, r6i, r7g, r8g...) or an x2 class: Aurora
 * global databases run on nothing smaller.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database.configuration.requirements.html
 */
const GLOBAL_DATABASE_CLASS = /^db\.(r([5-9]|\d{2,})[a-z0-9-]*|x\d[a-z0-9-]*)\.[a-z0-9]+$/;

/** Whether an Aurora global database runs on `instanceClass` (such as `db.r6g.large`). */
export function isGlobalDatabaseClass(instanceClass: string): boolean {
  return GLOBAL_DATABASE_CLASS.test(instanceClass);
}

/** The names a cluster's instance and groups get from its identifier unless given. */
export function auroraNames(props: Pick<AuroraClusterSharedProps, 'clusterIdentifier' | 'instanceIdentifier'>) {
  const cluster = props.clusterIdentifier.toLowerCase();
  return {
    cluster,
    instance: (props.instanceIdentifier ?? `${cluster}-1`).toLowerCase(),
    clusterParameters: `${cluster}-cluster-params`,
    instanceParameters: `${cluster}-instance-params`,
    subnets: `${cluster}-subnets`,
  };
}

export type AuroraNames = ReturnType<typeof auroraNames>;

/**
 * The problems the DR config's schema finds in an Aurora tier of `engineVersion` and
 * `globalClusterIdentifier` (the one definition of what a global database accepts), each
 * renamed to `prefix` + the field.
 */
export function auroraTierIssues(engineVersion: string, globalClusterIdentifier: string, prefix: string): string[] {
  try {
    parseConfig({ ...referenceAuroraConfig, database: { tier: 'aurora-global', globalClusterIdentifier, engineVersion } });
    return [];
  } catch (e) {
    if (!isConfigError(e)) throw e;
    return e.issues
      .filter((i) => i.path.startsWith('database.'))
      .map(
        (i) =>
          `${prefix}${i.path.slice('database.'.length)} ${i.message}; got ${JSON.stringify(i.path.endsWith('engineVersion') ? engineVersion : globalClusterIdentifier)}`,
      );
  }
}

/** What both cluster constructs check of their props, each naming the prop. */
export function auroraRules(props: AuroraClusterSharedProps, n: AuroraNames, settings: AuroraDatabaseSettings): PropRule[] {
  const issues = auroraTierIssues(props.engineVersion, props.globalClusterIdentifier, '');
  return [
    ...issues.map((message) => ({ failed: true, message })),
    {
      failed: !RDS_INSTANCE_IDENTIFIER.test(props.clusterIdentifier),
      message: `clusterIdentifier must be a DB cluster identifier (a letter, then letters, digits or single hyphens); got ${JSON.stringify(props.clusterIdentifier)}`,
    },
    {
      failed: !RDS_INSTANCE_IDENTIFIER.test(n.instance),
      message: `instanceIdentifier must be an RDS identifier (a letter, then letters, digits or single hyphens); got ${JSON.stringify(props.instanceIdentifier)}`,
    },
    {
      failed: !isGlobalDatabaseClass(settings.instanceClass),
      message: `instanceType must be memory-optimized, db.r5 or later (such as r6g.large): an Aurora global database does not run on ${settings.instanceClass}`,
    },
    {
      failed: settings.backupRetentionDays < 1 || settings.backupRetentionDays > 35,
      message: `backupRetention must be 1 to 35 days (Aurora's range); got ${settings.backupRetentionDays}`,
    },
  ];
}

/** The one place a cluster's settings are decided: the cluster is configured from them and the DR config states them. */
export function resolveAuroraSettings(props: AuroraClusterSharedProps): {
  settings: AuroraDatabaseSettings;
  instanceType: ec2.InstanceType;
} {
  const instanceType = props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.LARGE);
  return {
    instanceType,
    settings: {
      instanceClass: `db.${instanceType.toString()}`,
      storageEncrypted: true,
      backupRetentionDays: (props.backupRetention ?? Duration.days(7)).toDays(),
      deletionProtection: props.deletionProtection ?? true,
      iamAuthentication: true,
      cloudwatchLogsExports: ['error', 'slowquery'],
      copyTagsToSnapshot: true,
      // Both clusters of a global database must run the same engine version for a switchover or
      // failover; a minor upgrade is made on the global database as a whole, not per cluster in
      // each one's maintenance window.
      // https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-upgrade.html
      autoMinorVersionUpgrade: false,
      tags: { ...props.tags },
    },
  };
}

/** A cluster's two parameter groups: its own cluster group (the write fence) and its instance's group. */
export interface AuroraParameterGroups {
  readonly cluster: rds.IParameterGroup;
  readonly instance: rds.IParameterGroup;
}

/**
 * The cluster's own DB cluster parameter group and its instance's DB parameter group, made in
 * `scope` as `ClusterParameters` and `InstanceParameters`.
 *
 * In Aurora MySQL version 3 `read_only` is a cluster-level parameter: the failover engine fences
 * a cluster's writes by setting it to 1 in the cluster's own group and lifts the fence by
 * resetting it. It is not declared here, so a redeploy never undoes a fence; one group per
 * cluster, so fencing one region's cluster never reaches the other's. TLS is required
 * (`require_secure_transport`, cluster-level in Aurora MySQL 3). No binary log: the global
 * database replicates at the storage layer.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Reference.ParameterGroups.html
 *   (cluster-level parameters; that `read_only` is among them in version 3 is what the failover
 *   engine relies on: UNCONFIRMED in the stored copies, whose table did not render)
 */
export function auroraParameterGroups(scope: Construct, engine: rds.IClusterEngine, n: AuroraNames): AuroraParameterGroups {
  const cluster = new rds.ParameterGroup(scope, 'ClusterParameters', {
    engine,
    name: n.clusterParameters,
    description: `Pilot-light DR: cluster ${n.cluster} only; read_only is the failover engine's write fence`,
    parameters: { require_secure_transport: 'ON' },
  });
  const instance = new rds.ParameterGroup(scope, 'InstanceParameters', {
    engine,
    name: n.instanceParameters,
    description: `Pilot-light DR: instance ${n.instance} of cluster ${n.cluster}`,
  });
  return { cluster, instance };
}

/** A cluster's own subnet group, in the VPC's isolated subnets unless told otherwise. */
export function auroraSubnetGroup(
  scope: Construct,
  props: Pick<AuroraClusterSharedProps, 'vpc' | 'vpcSubnets'>,
  n: AuroraNames,
): rds.SubnetGroup {
  return new rds.SubnetGroup(scope, 'Subnets', {
    vpc: props.vpc,
    vpcSubnets: props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    subnetGroupName: n.subnets,
    description: `${n.cluster} isolated subnets`,
  });
}

/** What the DR config says of a cluster. */
export function auroraDrConfig(
  n: AuroraNames,
  keyArn: string,
  securityGroupIds: string[],
  settings: AuroraDatabaseSettings,
): AuroraClusterDrConfig {
  return {
    dbClusterIdentifier: n.cluster,
    dbClusterParameterGroupName: n.clusterParameters,
    dbInstanceIdentifier: n.instance,
    dbParameterGroupName: n.instanceParameters,
    dbKmsKeyArn: keyArn,
    dbSubnetGroupName: n.subnets,
    dbSecurityGroupIds: securityGroupIds,
    dbSettings: settings,
  };
}

/** Tags the cluster and its instance (not what sits under them) with `tags`. */
export function tagCluster(scope: Construct, tags: Readonly<Record<string, string>>): void {
  for (const [key, value] of Object.entries(tags))
    Tags.of(scope).add(key, value, { includeResourceTypes: ['AWS::RDS::DBCluster', 'AWS::RDS::DBInstance'] });
}

/**
 * The global lag of a secondary cluster (AWS/RDS, milliseconds, dimension DBClusterIdentifier):
 * `AuroraGlobalDBRPOLag` from Aurora MySQL 3.04, `AuroraGlobalDBReplicationLag` before. Only
 * secondary clusters publish it, in their own region. Maximum per minute unless `props` says otherwise.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-monitoring.html
 */
export function globalLagMetric(clusterIdentifier: string, engineVersion: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/RDS',
    metricName: globalLagMetricName(engineVersion),
    dimensionsMap: { DBClusterIdentifier: clusterIdentifier },
    period: Duration.minutes(1),
    statistic: 'Maximum',
    ...props,
  });
}
