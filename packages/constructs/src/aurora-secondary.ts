import { RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import type { AuroraClusterDrConfig } from './database-config.js';
import type { AuroraClusterSharedProps } from './database.js';
import {
  auroraDrConfig,
  auroraMysql,
  auroraNames,
  auroraParameterGroups,
  auroraSubnetGroup,
  auroraRules,
  globalLagMetric,
  resolveAuroraSettings,
  tagCluster,
} from './private/aurora-shared.js';
import { acknowledge } from './private/nag.js';
import { validateProps } from './private/validate.js';

/** Props of {@link PilotLightAuroraSecondary}. */
export interface PilotLightAuroraSecondaryProps extends AuroraClusterSharedProps {
  /**
   * The KMS key of the cluster's storage: a key of this stack's region, since a secondary cluster
   * is encrypted with a key of its own region.
   * @default - a new key in this region, retained when the stack is deleted
   */
  readonly key?: kms.IKey;
}

/**
 * The pilot light of the Aurora global database tier: a secondary cluster of the global database
 * in the DR region with ONE reader, encrypted with a key of its region, in isolated subnets; its
 * own cluster parameter group (the write fence once it is promoted) and instance parameter group.
 *
 * One reader, not a headless cluster: Aurora refuses a failover or switchover to a secondary
 * without an instance, and the time to add one is not published, so a headless secondary's RTO
 * could not be stated (see the README, "Data tier").
 *
 * A `CfnDBCluster`: a secondary cluster has no master user of its own (it shares the primary's
 * data, the users included), which `rds.DatabaseCluster` always renders. Deletion protection on,
 * the cluster and its key retained if CloudFormation removes them: nothing here deletes data.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-attaching.html
 */
export class PilotLightAuroraSecondary extends Construct {
  /** The secondary cluster. */
  readonly cluster: rds.CfnDBCluster;
  /** Its one reader (the writer once the cluster is promoted). */
  readonly instance: rds.CfnDBInstance;
  /** The key of the cluster's storage. */
  readonly key: kms.IKey;
  /** The cluster's security group. */
  readonly securityGroup: ec2.SecurityGroup;
  /** Allow the app tier in with `connections.allowDefaultPortFrom`. */
  readonly connections: ec2.Connections;
  /** The cluster's own cluster parameter group: the failover engine's write fence. */
  readonly clusterParameterGroup: rds.IParameterGroup;
  /** The instance's parameter group. */
  readonly instanceParameterGroup: rds.IParameterGroup;
  /** This cluster's part of the region's entry in the DR config. */
  readonly drConfig: AuroraClusterDrConfig;
  /**
   * The cluster (writer) endpoint: inactive while the cluster is a secondary, the writer once it
   * is promoted, so the DR app needs no change after a failover.
   */
  readonly endpointAddress: string;
  private readonly engineVersion: string;

  constructor(scope: Construct, id: string, props: PilotLightAuroraSecondaryProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    const n = auroraNames(props);
    const { settings } = resolveAuroraSettings(props);
    const keyRegion = props.key?.env.region;
    validateProps(this, [
      ...auroraRules(props, n, settings),
      {
        failed: keyRegion !== undefined && !Token.isUnresolved(keyRegion) && !Token.isUnresolved(region) && keyRegion !== region,
        message: `key must be a KMS key of this cluster's region ${region} (a secondary cluster is encrypted with a key of its own region); got one of ${keyRegion}`,
      },
    ]);
    this.engineVersion = props.engineVersion;
    const engine = auroraMysql(props.engineVersion);
    this.key =
      props.key ??
      new kms.Key(this, 'Key', { enableKeyRotation: true, description: `${n.cluster} storage`, removalPolicy: RemovalPolicy.RETAIN });
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `${n.cluster} (global database secondary)`,
      allowAllOutbound: false,
    });
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: ec2.Port.tcp(3306) });
    const subnets = auroraSubnetGroup(this, props, n);
    const groups = auroraParameterGroups(this, engine, n);
    this.clusterParameterGroup = groups.cluster;
    this.instanceParameterGroup = groups.instance;
    this.cluster = new rds.CfnDBCluster(this, 'Cluster', {
      dbClusterIdentifier: n.cluster,
      // Joining by identifier: the global cluster exists once the primary's stack is deployed.
      globalClusterIdentifier: props.globalClusterIdentifier,
      engine: 'aurora-mysql',
      engineVersion: props.engineVersion,
      storageEncrypted: settings.storageEncrypted,
      kmsKeyId: this.key.keyArn,
      dbSubnetGroupName: subnets.subnetGroupName,
      vpcSecurityGroupIds: [this.securityGroup.securityGroupId],
      dbClusterParameterGroupName: groups.cluster.bindToCluster({}).parameterGroupName,
      backupRetentionPeriod: settings.backupRetentionDays,
      deletionProtection: settings.deletionProtection,
      enableIamDatabaseAuthentication: settings.iamAuthentication,
      enableCloudwatchLogsExports: settings.cloudwatchLogsExports,
      copyTagsToSnapshot: settings.copyTagsToSnapshot,
    });
    this.cluster.applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.instance = new rds.CfnDBInstance(this, 'Instance', {
      dbInstanceIdentifier: n.instance,
      dbClusterIdentifier: this.cluster.ref,
      engine: 'aurora-mysql',
      dbInstanceClass: settings.instanceClass,
      dbParameterGroupName: groups.instance.bindToInstance({}).parameterGroupName,
      dbSubnetGroupName: subnets.subnetGroupName,
      publiclyAccessible: false,
      autoMinorVersionUpgrade: settings.autoMinorVersionUpgrade,
    });
    tagCluster(this, settings.tags);
    this.endpointAddress = this.cluster.attrEndpointAddress;
    this.drConfig = auroraDrConfig(n, this.key.keyArn, [this.securityGroup.securityGroupId], settings);
    acknowledge(this.cluster, ['AwsSolutions-RDS11'], "The cluster is in isolated subnets and admits only the app tier's security group.");
    acknowledge(
      this.cluster,
      ['AwsSolutions-RDS14'],
      'Backtrack is not supported on an Aurora global database; point-in-time recovery (automated backups) covers mistakes instead.',
    );
  }

  /**
   * The global lag of this secondary cluster (AWS/RDS `AuroraGlobalDBRPOLag` from Aurora MySQL
   * 3.04, `AuroraGlobalDBReplicationLag` before; milliseconds). Published only while the cluster
   * is a secondary, in its region.
   */
  metricGlobalLag(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return globalLagMetric(this.drConfig.dbClusterIdentifier, this.engineVersion, props);
  }
}
