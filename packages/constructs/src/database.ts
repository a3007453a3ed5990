import { Duration, RemovalPolicy, Stack, Tags, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import type { DatabaseDrConfig, DatabaseSettings } from './database-config.js';
import { DB_IDENTIFIER, MYSQL, PARAMETER_GROUP_NAME, resolveDatabaseSettings } from './private/database-settings.js';
import { acknowledge } from './private/nag.js';
import { databaseParameterGroups } from './private/parameter-groups.js';
import { validateProps, type PropRule } from './private/validate.js';

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
  /** @default db.t3.small */
  readonly instanceType?: ec2.InstanceType;
  /** Automated backup retention; a replica needs backups on to be promotable into a safe primary. @default Duration.days(7) */
  readonly backupRetention?: Duration;
  /** @default true */
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

/** Props of {@link PilotLightDatabase}. */
export interface PilotLightDatabaseProps extends DatabaseSharedProps {
  /** The instance identifier, explicit because the DR replica and the config name it. */
  readonly instanceIdentifier: string;
  /** @default 'lampdb' (the brief's) */
  readonly databaseName?: string;
  /** @default 'admin' */
  readonly username?: string;
  /** Regions the credentials secret is replicated to (the DR region), so the DR app can read it after a failover. */
  readonly secretReplicaRegions: readonly string[];
  /** @default 20 */
  readonly allocatedStorageGiB?: number;
}

/** The names of a database's groups and subnet group, from its identifier unless given. */
function names(props: DatabaseSharedProps & { readonly instanceIdentifier: string }) {
  return {
    // RDS stores these names in lower case.
    own: (props.parameterGroupName ?? `${props.instanceIdentifier}-params`).toLowerCase(),
    retired: (props.retiredParameterGroupName ?? `${props.instanceIdentifier}-retired`).toLowerCase(),
    subnets: `${props.instanceIdentifier}-subnets`.toLowerCase(),
  };
}

type Names = ReturnType<typeof names>;

/** The rules both database constructs check, on their props and what was resolved from them. */
function sharedRules(
  props: DatabaseSharedProps & { readonly instanceIdentifier: string },
  n: Names,
  settings: DatabaseSettings,
): PropRule[] {
  return [
    {
      failed: !DB_IDENTIFIER.test(props.instanceIdentifier),
      message: `instanceIdentifier must be an RDS identifier (a letter, then letters, digits or single hyphens); got ${JSON.stringify(props.instanceIdentifier)}`,
    },
    {
      failed: props.parameterGroupName !== undefined && !PARAMETER_GROUP_NAME.test(props.parameterGroupName),
      message: `parameterGroupName must be a DB parameter group name (a letter, then letters, digits or single hyphens); got ${JSON.stringify(props.parameterGroupName)}`,
    },
    {
      failed: props.retiredParameterGroupName !== undefined && !PARAMETER_GROUP_NAME.test(props.retiredParameterGroupName),
      message: `retiredParameterGroupName must be a DB parameter group name; got ${JSON.stringify(props.retiredParameterGroupName)}`,
    },
    {
      failed: n.own === n.retired,
      message: `retiredParameterGroupName must differ from parameterGroupName (${n.own}): lifting the database's write fence must never reach a retired instance`,
    },
    {
      failed: settings.backupRetentionDays < 1,
      message: 'backupRetention must be at least one day: a source without backups cannot have read replicas',
    },
  ];
}

/** What the DR config says of a database: its names, its region's key, where it sits, and how it is deployed. */
function databaseDrConfig(
  instanceIdentifier: string,
  n: Names,
  keyArn: string,
  securityGroupIds: string[],
  settings: DatabaseSettings,
): DatabaseDrConfig {
  return {
    dbInstanceIdentifier: instanceIdentifier,
    dbParameterGroupName: n.own,
    retiredDbParameterGroupName: n.retired,
    dbKmsKeyArn: keyArn,
    dbSubnetGroupName: n.subnets,
    dbSecurityGroupIds: securityGroupIds,
    dbSettings: settings,
  };
}

/** Tags `instance` (only the DB instance, not what sits under it) with `tags`. */
function tagInstance(instance: Construct, tags: Readonly<Record<string, string>>): void {
  for (const [key, value] of Object.entries(tags)) Tags.of(instance).add(key, value, { includeResourceTypes: ['AWS::RDS::DBInstance'] });
}

/**
 * The primary MySQL instance of the pilot light: encrypted with its own KMS key, in isolated
 * subnets, reachable only from what `connections` allows, credentials generated in Secrets
 * Manager and replicated to the DR region, automated backups on, logs to CloudWatch; a
 * parameter group of its own, and the region's group for retired instances.
 */
export class PilotLightDatabase extends Construct implements ec2.IConnectable {
  readonly instance: rds.DatabaseInstance;
  readonly key: kms.Key;
  readonly subnetGroup: rds.SubnetGroup;
  readonly connections: ec2.Connections;
  /** The database's own parameter group: the failover engine's write fence. */
  readonly parameterGroup: rds.IParameterGroup;
  /** The region's group for retired instances (`read_only` = 1). */
  readonly retiredParameterGroup: rds.IParameterGroup;
  /** This database's part of the region's entry in the DR config, as deployed. */
  readonly drConfig: DatabaseDrConfig;

  constructor(scope: Construct, id: string, props: PilotLightDatabaseProps) {
    super(scope, id);
    const region = Stack.of(this).region;
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

  /** Lets `grantee` read the database credentials. */
  grantReadCredentials(grantee: iam.IGrantable): iam.Grant {
    const secret = this.instance.secret;
    if (!secret) throw new Error(`${this.node.path}: the instance has no generated secret`);
    return secret.grantRead(grantee);
  }
}

/** Props of {@link PilotLightReplica}. */
export interface PilotLightReplicaProps extends DatabaseSharedProps {
  /** The replica's identifier (the DR config's secondary `dbInstanceIdentifier`). */
  readonly instanceIdentifier: string;
  /** The primary, by region and identifier (it lives in another stack, in another region). */
  readonly source: { readonly region: string; readonly instanceIdentifier: string };
}

/**
 * The pilot light's database: a cross-region read replica of the primary, encrypted with a KMS
 * key of its own region, in isolated subnets, with backups on so it is ready to promote; a
 * parameter group of its own, and the region's group for retired instances.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.XRgn.html
 */
export class PilotLightReplica extends Construct implements ec2.IConnectable {
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

  constructor(scope: Construct, id: string, props: PilotLightReplicaProps) {
    super(scope, id);
    const stack = Stack.of(this);
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
}
