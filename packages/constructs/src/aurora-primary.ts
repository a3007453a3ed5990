import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { IAppUserDatabase } from './database-app-user.js';
import type { AuroraClusterDrConfig } from './database-config.js';
import type { AuroraClusterSharedProps } from './database.js';
import {
  auroraDrConfig,
  auroraMysql,
  auroraNames,
  auroraParameterGroups,
  auroraSubnetGroup,
  auroraRules,
  resolveAuroraSettings,
  tagCluster,
} from './private/aurora-shared.js';
import { acknowledge } from './private/nag.js';
import { validateProps } from './private/validate.js';

/** Props of {@link PilotLightAuroraPrimary}. */
export interface PilotLightAuroraPrimaryProps extends AuroraClusterSharedProps {
  /** The database created in the cluster, the one the app works in. @default 'lampdb' */
  readonly databaseName?: string;
  /** The master user (its generated password is in Secrets Manager). @default 'admin' */
  readonly username?: string;
  /** Regions the credentials secret is replicated to (the DR region), so the DR side can read it after a failover. */
  readonly secretReplicaRegions: readonly string[];
}

/**
 * The primary side of the Aurora global database tier: an Aurora MySQL cluster with one writer,
 * encrypted with a KMS key of its own, in isolated subnets, credentials generated in Secrets
 * Manager and replicated to the DR region, IAM authentication and log exports on; its own cluster
 * parameter group (the write fence) and instance parameter group; and the global database
 * (`AWS::RDS::GlobalCluster`) made from it, which the DR cluster joins.
 *
 * `rds.DatabaseCluster` rather than a bare `CfnDBCluster`: it generates and attaches the master
 * secret and the security group as `PilotLightDatabase` does for the RDS tier. The global
 * cluster is a `CfnGlobalCluster` whose source is this cluster (aws-cdk-lib has no L2 for it): the
 * global database takes the engine, version and encryption of its source, and the DR cluster
 * (a `CfnDBCluster`, since a secondary has no master user) joins it by identifier.
 *
 * Nothing here can delete data: deletion protection on the cluster and the global cluster, a
 * final snapshot if CloudFormation removes the cluster, the global cluster and key retained.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-creating.html
 */
export class PilotLightAuroraPrimary extends Construct implements IAppUserDatabase {
  /** The primary cluster (one writer). */
  readonly cluster: rds.DatabaseCluster;
  /** The global database, made from this cluster. */
  readonly globalCluster: rds.CfnGlobalCluster;
  /** The key of the cluster's storage, retained when the stack is deleted. */
  readonly key: kms.Key;
  /** The cluster's own cluster parameter group: the failover engine's write fence. */
  readonly clusterParameterGroup: rds.IParameterGroup;
  /** The writer's parameter group. */
  readonly instanceParameterGroup: rds.IParameterGroup;
  /** The cluster's security group: allow the app tier in with `connections.allowDefaultPortFrom`. */
  readonly connections: ec2.Connections;
  /** This cluster's part of the region's entry in the DR config. */
  readonly drConfig: AuroraClusterDrConfig;
  /** The cluster's writer endpoint, what the app connects to. */
  readonly endpointAddress: string;
  /** The cluster's port. */
  readonly endpointPort: string;
  /** Always true: the app user signs in with IAM tokens. */
  readonly iamAuthentication: boolean;
  /** The master credentials. */
  readonly masterSecret?: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: PilotLightAuroraPrimaryProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    const n = auroraNames(props);
    const { settings, instanceType } = resolveAuroraSettings(props);
    validateProps(this, [
      ...auroraRules(props, n, settings),
      {
        failed: props.secretReplicaRegions.length === 0,
        message: 'secretReplicaRegions must name the DR region, or the DR side cannot read the credentials after a failover',
      },
      {
        failed: !Token.isUnresolved(region) && props.secretReplicaRegions.includes(region),
        message: `secretReplicaRegions must not include this stack's own region ${region}`,
      },
    ]);
    const engine = auroraMysql(props.engineVersion);
    this.key = new kms.Key(this, 'Key', {
      enableKeyRotation: true,
      description: `${n.cluster} storage`,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const subnetGroup = auroraSubnetGroup(this, props, n);
    const groups = auroraParameterGroups(this, engine, n);
    this.clusterParameterGroup = groups.cluster;
    this.instanceParameterGroup = groups.instance;
    this.cluster = new rds.DatabaseCluster(this, 'Cluster', {
      engine,
      clusterIdentifier: n.cluster,
      vpc: props.vpc,
      subnetGroup,
      defaultDatabaseName: props.databaseName ?? 'lampdb',
      credentials: rds.Credentials.fromGeneratedSecret(props.username ?? 'admin', {
        secretName: `${n.cluster}/credentials`,
        replicaRegions: props.secretReplicaRegions.map((r) => ({ region: r })),
      }),
      storageEncrypted: settings.storageEncrypted,
      storageEncryptionKey: this.key,
      parameterGroup: groups.cluster,
      writer: rds.ClusterInstance.provisioned('Writer', {
        instanceIdentifier: n.instance,
        instanceType,
        parameterGroup: groups.instance,
        publiclyAccessible: false,
        autoMinorVersionUpgrade: settings.autoMinorVersionUpgrade,
      }),
      backup: { retention: Duration.days(settings.backupRetentionDays) },
      deletionProtection: settings.deletionProtection,
      iamAuthentication: settings.iamAuthentication,
      cloudwatchLogsExports: settings.cloudwatchLogsExports,
      copyTagsToSnapshot: settings.copyTagsToSnapshot,
      removalPolicy: RemovalPolicy.SNAPSHOT,
    });
    // The secret holds the only way in besides IAM: kept if the stack is deleted.
    this.cluster.secret?.applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.globalCluster = new rds.CfnGlobalCluster(this, 'GlobalCluster', {
      globalClusterIdentifier: props.globalClusterIdentifier,
      // The API names the source by ARN; engine, version and encryption come from it.
      // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateGlobalCluster.html
      sourceDbClusterIdentifier: this.cluster.clusterArn,
      deletionProtection: settings.deletionProtection,
    });
    this.globalCluster.applyRemovalPolicy(RemovalPolicy.RETAIN);
    tagCluster(this.cluster, settings.tags);
    this.connections = this.cluster.connections;
    this.endpointAddress = this.cluster.clusterEndpoint.hostname;
    this.endpointPort = Token.asString(this.cluster.clusterEndpoint.port);
    this.iamAuthentication = settings.iamAuthentication;
    this.masterSecret = this.cluster.secret;
    this.drConfig = auroraDrConfig(
      n,
      this.key.keyArn,
      this.connections.securityGroups.map((g) => g.securityGroupId),
      settings,
    );
    acknowledgePrimaryFindings(this);
  }

  /** Lets `grantee` read the master credentials. */
  grantReadCredentials(grantee: iam.IGrantable): iam.Grant {
    const secret = this.cluster.secret;
    if (!secret) throw new Error(`${this.node.path}: the cluster has no generated secret`);
    return secret.grantRead(grantee);
  }
}

/** The cdk-nag findings the primary cluster raises by design, each with its reason. */
function acknowledgePrimaryFindings(primary: PilotLightAuroraPrimary): void {
  acknowledge(
    primary.cluster,
    ['AwsSolutions-RDS11'],
    "The cluster is in isolated subnets and admits only the app tier's security group; a non-default port adds nothing to that.",
  );
  acknowledge(
    primary.cluster,
    ['AwsSolutions-RDS14'],
    'Backtrack is not supported on an Aurora global database; point-in-time recovery (automated backups) covers mistakes instead.',
  );
  acknowledge(
    primary,
    ['AwsSolutions-SMG4'],
    "Rotation must reach whichever region's cluster is primary after a failover; it is left to the operator rather than half-done here.",
  );
}
