import { RemovalPolicy, Stack, Token, type Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct, type IConstruct } from 'constructs';
import type { IAppUserDatabase } from './database-app-user.js';
import type { DatabaseDrConfig } from './database-config.js';
import { databaseDrConfig, names, sharedRules, tagInstance } from './private/database-shared.js';
import { MYSQL, resolveDatabaseSettings } from './private/database-settings.js';
import { replicaLagMetric } from './private/metrics.js';
import { acknowledge } from './private/nag.js';
import { databaseParameterGroups } from './private/parameter-groups.js';
import { validateProps } from './private/validate.js';

/**
 * A database of the pilot light (the primary, the DR replica, or one you already have), as the
 * constructs that work with it see it: where it is, who may reach it, the key of its storage,
 * and its replica lag.
 */
export interface IPilotLightDatabase extends IConstruct, ec2.IConnectable {
  /** The DB instance identifier (the DR config's `dbInstanceIdentifier`). */
  readonly instanceIdentifier: string;
  /** The instance's region. */
  readonly region: string;
  /** The instance's DNS address, what the app connects to. */
  readonly endpointAddress: string;
  /** The KMS key of the instance's storage, when it is known. */
  readonly key?: kms.IKey;
  /** How far the instance is behind its source as a replica (AWS/RDS `ReplicaLag`, seconds; -1: replication stopped). */
  metricReplicaLag(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/** A database you already have, for {@link PilotLightDatabase.fromDatabaseAttributes}. */
export interface PilotLightDatabaseAttributes {
  /** The DB instance identifier. */
  readonly instanceIdentifier: string;
  /** The instance's DNS address. */
  readonly endpointAddress: string;
  /** The security groups of the instance: `connections` allows traffic to them. */
  readonly securityGroups: readonly ec2.ISecurityGroup[];
  /** The instance's port. @default 3306 (MySQL) */
  readonly port?: number;
  /** The instance's region. @default - the region of the stack the import is made in */
  readonly region?: string;
  /** The KMS key of the instance's storage. @default - unknown */
  readonly key?: kms.IKey;
}

/** {@link PilotLightDatabase.fromDatabaseAttributes}'s answer. */
class ImportedDatabase extends Construct implements IPilotLightDatabase {
  readonly instanceIdentifier: string;
  readonly region: string;
  readonly endpointAddress: string;
  readonly key?: kms.IKey;
  readonly connections: ec2.Connections;

  constructor(scope: Construct, id: string, attrs: PilotLightDatabaseAttributes) {
    super(scope, id);
    this.instanceIdentifier = attrs.instanceIdentifier;
    this.region = attrs.region ?? Stack.of(this).region;
    this.endpointAddress = attrs.endpointAddress;
    this.key = attrs.key;
    this.connections = new ec2.Connections({ securityGroups: [...attrs.securityGroups], defaultPort: ec2.Port.tcp(attrs.port ?? 3306) });
  }

  metricReplicaLag(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return replicaLagMetric(this.instanceIdentifier, props);
  }
}

/** Settings both regions' databases share, so a promoted replica behaves as the primary did. */
export interface DatabaseSharedProps {
  /** The VPC; the instance goes in `vpcSubnets`. */
  readonly vpc: ec2.IVpc;
  /**
   * The database's subnets (`PilotLightNetwork.databaseSubnets`); also the subnet group a replica
   * the failover engine creates here during a failback uses.
   * @default - the isolated subnets (name the group when the VPC has several isolated groups)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * The database's own parameter group (the DR config's `dbParameterGroupName`), used by no
   * other instance: the failover engine fences writes by setting its `read_only`, which reaches
   * every instance that uses the group.
   * @default `<instanceIdentifier>-params`
   */
  readonly parameterGroupName?: string;
  /**
   * The region's group for instances a failback retires (the DR config's
   * `retiredDbParameterGroupName`), with `read_only` = 1.
   * @default `<instanceIdentifier>-retired`
   */
  readonly retiredParameterGroupName?: string;
  /** The DB instance class (both regions', so a promoted replica serves as the primary did). @default db.t3.small */
  readonly instanceType?: ec2.InstanceType;
  /** Automated backup retention; a replica needs backups on to be promotable into a safe primary. @default Duration.days(7) */
  readonly backupRetention?: Duration;
  /** Whether RDS refuses to delete the instance (and CloudFormation with it). @default true */
  readonly deletionProtection?: boolean;
  /** A standby in a second AZ of this region. @default false (the brief's cost choice; a region outage is what the pilot light covers) */
  readonly multiAz?: boolean;
  /**
   * Tags on the instance, also written to the DR config (`drConfig.dbSettings.tags`) so a
   * database a failback recreates carries them. Tags added with `Tags.of()` reach the instance
   * but not the config.
   * @default - none
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/** The settings both clusters of the global database share: the engine and what each cluster is deployed with. */
export interface AuroraClusterSharedProps {
  /** The VPC; the cluster goes in `vpcSubnets`. */
  readonly vpc: ec2.IVpc;
  /** The cluster's subnets. @default - the isolated subnets */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** The cluster identifier (the DR config's `dbClusterIdentifier`). */
  readonly clusterIdentifier: string;
  /** The cluster's one instance (the DR config's `dbInstanceIdentifier`). @default `<clusterIdentifier>-1` */
  readonly instanceIdentifier?: string;
  /** Aurora MySQL version 3 engine version of both clusters, such as `8.0.mysql_aurora.3.08.0`. */
  readonly engineVersion: string;
  /** The global database's identifier. */
  readonly globalClusterIdentifier: string;
  /** The instance class: memory-optimized, db.r5 or later. @default db.r6g.large */
  readonly instanceType?: ec2.InstanceType;
  /** Automated backup retention. @default Duration.days(7) */
  readonly backupRetention?: Duration;
  /** Whether RDS refuses to delete the cluster (and CloudFormation with it). @default true */
  readonly deletionProtection?: boolean;
  /** Tags on the cluster and its instance, also written to the DR config. @default - none */
  readonly tags?: Readonly<Record<string, string>>;
}

/** Props of {@link PilotLightDatabase}. */
export interface PilotLightDatabaseProps extends DatabaseSharedProps {
  /** The instance identifier, explicit because the DR replica and the config name it. */
  readonly instanceIdentifier: string;
  /** The database created in the instance, the one the app works in. @default 'lampdb' (the brief's) */
  readonly databaseName?: string;
  /** The master user (its generated password is in Secrets Manager). @default 'admin' */
  readonly username?: string;
  /** Regions the credentials secret is replicated to (the DR region), so the DR app can read it after a failover. */
  readonly secretReplicaRegions: readonly string[];
  /** The instance's storage, in GiB. @default 20 */
  readonly allocatedStorageGiB?: number;
}

/**
 * The primary MySQL instance of the pilot light: encrypted with its own KMS key, in isolated
 * subnets, reachable only from what `connections` allows, credentials generated in Secrets
 * Manager and replicated to the DR region, automated backups on, logs to CloudWatch; a
 * parameter group of its own, and the region's group for retired instances.
 */
export class PilotLightDatabase extends Construct implements IPilotLightDatabase, IAppUserDatabase {
  /** A database you already have, by its identifier, address and security groups. */
  static fromDatabaseAttributes(scope: Construct, id: string, attrs: PilotLightDatabaseAttributes): IPilotLightDatabase {
    return new ImportedDatabase(scope, id, attrs);
  }

  /** The DB instance. */
  readonly instance: rds.DatabaseInstance;
  /** The key of the instance's storage, retained when the stack is deleted. */
  readonly key: kms.Key;
  /** The named subnet group (a replica a failback recreates here uses it too). */
  readonly subnetGroup: rds.SubnetGroup;
  /** The instance's security group: allow the app tier in with `connections.allowDefaultPortFrom`. */
  readonly connections: ec2.Connections;
  /** The database's own parameter group: the failover engine's write fence. */
  readonly parameterGroup: rds.IParameterGroup;
  /** The region's group for retired instances (`read_only` = 1). */
  readonly retiredParameterGroup: rds.IParameterGroup;
  /** This database's part of the region's entry in the DR config, as deployed. */
  readonly drConfig: DatabaseDrConfig;
  /** The instance identifier. */
  readonly instanceIdentifier: string;
  /** The instance's region (its stack's). */
  readonly region: string;
  /** The instance's DNS address. */
  readonly endpointAddress: string;
  /** The instance's port. */
  readonly endpointPort: string;
  /** Whether IAM database authentication is on (always, as `drConfig.dbSettings` says). */
  readonly iamAuthentication: boolean;
  /** The master credentials (generated, replicated to the DR region). */
  readonly masterSecret?: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: PilotLightDatabaseProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    this.instanceIdentifier = props.instanceIdentifier;
    this.region = region;
    const n = names(props);
    const { settings, instanceType, backupRetention } = resolveDatabaseSettings(props);
    validateProps(this, [
      ...sharedRules(props, n, settings),
      {
        failed: props.secretReplicaRegions.length === 0,
        message: 'secretReplicaRegions must name the DR region, or the DR app cannot read its credentials after a failover',
      },
      {
        failed: !Token.isUnresolved(region) && props.secretReplicaRegions.includes(region),
        message: `secretReplicaRegions must not include this stack's own region ${region}`,
      },
    ]);
    this.key = new kms.Key(this, 'Key', {
      enableKeyRotation: true,
      description: `${props.instanceIdentifier} storage`,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Named, so the DR config can hand it to a replica created here during a failback.
    this.subnetGroup = new rds.SubnetGroup(this, 'Subnets', {
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      subnetGroupName: n.subnets,
      description: `${props.instanceIdentifier} isolated subnets`,
    });
    const groups = databaseParameterGroups(this, props.instanceIdentifier, n);
    this.parameterGroup = groups.own;
    this.retiredParameterGroup = groups.retired;
    this.instance = new rds.DatabaseInstance(this, 'Instance', {
      subnetGroup: this.subnetGroup,
      engine: MYSQL,
      instanceIdentifier: props.instanceIdentifier,
      vpc: props.vpc,
      databaseName: props.databaseName ?? 'lampdb',
      credentials: rds.Credentials.fromGeneratedSecret(props.username ?? 'admin', {
        secretName: `${props.instanceIdentifier}/credentials`,
        replicaRegions: props.secretReplicaRegions.map((r) => ({ region: r })),
      }),
      storageEncryptionKey: this.key,
      allocatedStorage: props.allocatedStorageGiB ?? 20,
      removalPolicy: RemovalPolicy.SNAPSHOT,
      parameterGroup: groups.own,
      publiclyAccessible: false,
      // Everything the DR config's dbSettings describes comes from `settings`, nowhere else.
      instanceType,
      // rds.StorageType's values are the API's names.
      storageType: settings.storageType as rds.StorageType,
      storageEncrypted: settings.storageEncrypted,
      multiAz: settings.multiAz,
      backupRetention,
      deletionProtection: settings.deletionProtection,
      iamAuthentication: settings.iamAuthentication,
      cloudwatchLogsExports: settings.cloudwatchLogsExports,
      copyTagsToSnapshot: settings.copyTagsToSnapshot,
      autoMinorVersionUpgrade: settings.autoMinorVersionUpgrade,
    });
    tagInstance(this.instance, settings.tags);
    this.endpointAddress = this.instance.dbInstanceEndpointAddress;
    this.endpointPort = this.instance.dbInstanceEndpointPort;
    this.iamAuthentication = settings.iamAuthentication;
    this.masterSecret = this.instance.secret;
    this.connections = this.instance.connections;
    this.drConfig = databaseDrConfig(
      props.instanceIdentifier,
      n,
      this.key.keyArn,
      this.connections.securityGroups.map((g) => g.securityGroupId),
      settings,
    );
    acknowledge(
      this.instance,
      ['AwsSolutions-RDS11'],
      "The instance is in isolated subnets and admits only the app tier's security group; a non-default port adds nothing to that.",
    );
    acknowledge(
      this.instance,
      ['AwsSolutions-RDS3'],
      'Regional resilience is the cross-region pilot light; Multi-AZ is the multiAz prop, off by default as in the original brief, for cost.',
    );
    // The generated secret and its attachment both sit under this construct.
    acknowledge(
      this,
      ['AwsSolutions-SMG4'],
      "Rotation must reach whichever region's database is primary after a failover; it is left to the operator (a rotation function per region) rather than half-done here.",
    );
  }

  /**
   * How far the instance is behind its source (AWS/RDS `ReplicaLag`): it has a datapoint only
   * while it is a replica, as it is after a failback recreates it.
   */
  metricReplicaLag(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return replicaLagMetric(this.instanceIdentifier, props);
  }

  /** Lets `grantee` read the database credentials. */
  grantReadCredentials(grantee: iam.IGrantable): iam.Grant {
    const secret = this.instance.secret;
    if (!secret) throw new Error(`${this.node.path}: the instance has no generated secret`);
    return secret.grantRead(grantee);
  }
}
