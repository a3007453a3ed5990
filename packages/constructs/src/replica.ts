import { RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import type { DatabaseDrConfig } from './database-config.js';
import type { DatabaseSharedProps, IPilotLightDatabase } from './database.js';
import { databaseDrConfig, names, sharedRules, tagInstance } from './private/database-shared.js';
import { resolveDatabaseSettings } from './private/database-settings.js';
import { replicaLagMetric } from './private/metrics.js';
import { acknowledge } from './private/nag.js';
import { databaseParameterGroups } from './private/parameter-groups.js';
import { validateProps } from './private/validate.js';

/** Props of {@link PilotLightReplica}. */
export interface PilotLightReplicaProps extends DatabaseSharedProps {
  /** The replica's identifier (the DR config's secondary `dbInstanceIdentifier`). */
  readonly instanceIdentifier: string;
  /** The primary, by region and identifier (it lives in another stack, in another region): the replica's source. */
  readonly source: { readonly region: string; readonly instanceIdentifier: string };
}

/**
 * The pilot light's database: a cross-region read replica of the primary, encrypted with a KMS
 * key of its own region, in isolated subnets, with backups on so it is ready to promote; a
 * parameter group of its own, and the region's group for retired instances.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.XRgn.html
 */
export class PilotLightReplica extends Construct implements IPilotLightDatabase {
  readonly replica: rds.CfnDBInstance;
  readonly key: kms.Key;
  readonly subnetGroup: rds.SubnetGroup;
  readonly securityGroup: ec2.SecurityGroup;
  readonly connections: ec2.Connections;
  /** The replica's own parameter group: the failover engine's write fence. */
  readonly parameterGroup: rds.IParameterGroup;
  /** The region's group for retired instances (`read_only` = 1). */
  readonly retiredParameterGroup: rds.IParameterGroup;
  /** This database's part of the region's entry in the DR config, as deployed. */
  readonly drConfig: DatabaseDrConfig;
  /** The replica's identifier. */
  readonly instanceIdentifier: string;
  /** The replica's region (its stack's). */
  readonly region: string;
  /** The replica's DNS address; it keeps it when promoted. */
  readonly endpointAddress: string;

  constructor(scope: Construct, id: string, props: PilotLightReplicaProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.instanceIdentifier = props.instanceIdentifier;
    this.region = stack.region;
    const n = names(props);
    const { settings } = resolveDatabaseSettings(props);
    validateProps(this, [
      ...sharedRules(props, n, settings),
      {
        failed: !Token.isUnresolved(stack.region) && props.source.region === stack.region,
        message: `source.region must be another region than this stack's ${stack.region}: this is a cross-region replica`,
      },
    ]);
    this.key = new kms.Key(this, 'Key', {
      enableKeyRotation: true,
      description: `${props.instanceIdentifier} storage`,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `${props.instanceIdentifier} (replica)`,
      allowAllOutbound: false,
    });
    this.securityGroup = securityGroup;
    this.connections = new ec2.Connections({ securityGroups: [securityGroup], defaultPort: ec2.Port.tcp(3306) });
    const subnets = new rds.SubnetGroup(this, 'Subnets', {
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      subnetGroupName: n.subnets,
      description: `${props.instanceIdentifier} isolated subnets`,
    });
    this.subnetGroup = subnets;
    const groups = databaseParameterGroups(this, props.instanceIdentifier, n);
    this.parameterGroup = groups.own;
    this.retiredParameterGroup = groups.retired;
    this.replica = new rds.CfnDBInstance(this, 'Replica', {
      dbInstanceIdentifier: props.instanceIdentifier,
      // Cross-region: the source is named by ARN; CloudFormation presigns the request.
      sourceDbInstanceIdentifier: `arn:${stack.partition}:rds:${props.source.region}:${stack.account}:db:${props.source.instanceIdentifier}`,
      sourceRegion: props.source.region,
      // Encryption follows the (encrypted) source; CloudFormation rejects StorageEncrypted
      // beside a source. The key is this region's own.
      kmsKeyId: this.key.keyArn,
      dbSubnetGroupName: subnets.subnetGroupName,
      vpcSecurityGroups: [securityGroup.securityGroupId],
      // A cross-region replica would get the engine's default group otherwise.
      dbParameterGroupName: groups.own.bindToInstance({}).parameterGroupName,
      publiclyAccessible: false,
      // Everything the DR config's dbSettings describes comes from `settings`, nowhere else:
      // RDS gives a new replica backups off, deletion protection off, no IAM authentication
      // and no copied tags unless told, and its pages disagree on the storage type it inherits.
      // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html
      dbInstanceClass: settings.instanceClass,
      storageType: settings.storageType,
      multiAz: settings.multiAz,
      backupRetentionPeriod: settings.backupRetentionDays,
      deletionProtection: settings.deletionProtection,
      enableIamDatabaseAuthentication: settings.iamAuthentication,
      enableCloudwatchLogsExports: settings.cloudwatchLogsExports,
      copyTagsToSnapshot: settings.copyTagsToSnapshot,
      autoMinorVersionUpgrade: settings.autoMinorVersionUpgrade,
    });
    this.replica.applyRemovalPolicy(RemovalPolicy.SNAPSHOT);
    this.endpointAddress = this.replica.attrEndpointAddress;
    tagInstance(this.replica, settings.tags);
    this.drConfig = databaseDrConfig(props.instanceIdentifier, n, this.key.keyArn, [securityGroup.securityGroupId], settings);
    acknowledge(
      this.replica,
      ['AwsSolutions-RDS2'],
      "The replica is encrypted: it inherits encryption from its encrypted source, with this region's KMS key; CloudFormation refuses StorageEncrypted beside a source.",
    );
    acknowledge(this.replica, ['AwsSolutions-RDS11'], "The replica is in isolated subnets and admits only the app tier's security group.");
    acknowledge(
      this.replica,
      ['AwsSolutions-RDS3'],
      'The replica is the pilot light of a cross-region strategy; Multi-AZ (the multiAz prop, off by default) would double its cost for no regional resilience.',
    );
  }

  /** How far the replica is behind the primary (AWS/RDS `ReplicaLag`, seconds; -1: replication stopped). */
  metricReplicaLag(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return replicaLagMetric(this.instanceIdentifier, props);
  }
}
