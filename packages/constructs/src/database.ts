import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { acknowledge } from './private/nag.js';
import { validateProps } from './private/validate.js';

const DB_IDENTIFIER = /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{0,62}(?<!-)$/;
// MySQL 8.4 LTS: 8.0 left RDS standard support in July 2026. A full version, because
// CloudFormation's template validation accepts only released ones.
const MYSQL = rds.DatabaseInstanceEngine.mysql({ version: rds.MysqlEngineVersion.VER_8_4_10 });

/** Settings both regions' databases share, so a promoted replica behaves as the primary did. */
export interface DatabaseSharedProps {
  /** The VPC; the instance goes in its isolated subnets. */
  readonly vpc: ec2.IVpc;
  /** The parameter group's name, the same in both regions (the DR config's `dbParameterGroupName`). */
  readonly parameterGroupName: string;
  /** @default db.t3.small */
  readonly instanceType?: ec2.InstanceType;
  /** Automated backup retention; a replica needs backups on to be promotable into a safe primary. @default Duration.days(7) */
  readonly backupRetention?: Duration;
  /** @default true */
  readonly deletionProtection?: boolean;
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
  /** A second copy in another AZ of this region. @default false (the brief's cost choice; a region outage is what the pilot light covers) */
  readonly multiAz?: boolean;
  /** @default 20 */
  readonly allocatedStorageGiB?: number;
}

function parameterGroup(scope: Construct, name: string): rds.ParameterGroup {
  // read_only is deliberately not declared: the failover engine fences writes by setting it,
  // and a redeploy must not undo that.
  return new rds.ParameterGroup(scope, 'Parameters', {
    engine: MYSQL,
    name,
    description: 'Pilot-light DR: identical in both regions',
    parameters: { require_secure_transport: '1', binlog_format: 'ROW' },
  });
}

/**
 * The primary MySQL instance of the pilot light: encrypted with its own KMS key, in isolated
 * subnets, reachable only from what `connections` allows, credentials generated in Secrets
 * Manager and replicated to the DR region, automated backups on, logs to CloudWatch.
 */
export class PilotLightDatabase extends Construct implements ec2.IConnectable {
  readonly instance: rds.DatabaseInstance;
  readonly key: kms.Key;
  readonly subnetGroup: rds.SubnetGroup;
  readonly connections: ec2.Connections;

  constructor(scope: Construct, id: string, props: PilotLightDatabaseProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    validateProps(this, [
      { failed: !DB_IDENTIFIER.test(props.instanceIdentifier), message: `instanceIdentifier must be an RDS identifier (a letter, then letters, digits or single hyphens); got ${JSON.stringify(props.instanceIdentifier)}` },
      { failed: props.secretReplicaRegions.length === 0, message: 'secretReplicaRegions must name the DR region, or the DR app cannot read its credentials after a failover' },
      { failed: !Token.isUnresolved(region) && props.secretReplicaRegions.includes(region), message: `secretReplicaRegions must not include this stack's own region ${region}` },
      { failed: (props.backupRetention ?? Duration.days(7)).toDays() < 1, message: 'backupRetention must be at least one day: a source without backups cannot have read replicas' },
    ]);
    this.key = new kms.Key(this, 'Key', { enableKeyRotation: true, description: `${props.instanceIdentifier} storage`, removalPolicy: RemovalPolicy.RETAIN });
    // Named, so the DR config can hand it to a replica created here during a failback.
    this.subnetGroup = new rds.SubnetGroup(this, 'Subnets', {
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      subnetGroupName: `${props.instanceIdentifier}-subnets`,
      description: `${props.instanceIdentifier} isolated subnets`,
    });
    this.instance = new rds.DatabaseInstance(this, 'Instance', {
      subnetGroup: this.subnetGroup,
      engine: MYSQL,
      instanceIdentifier: props.instanceIdentifier,
      instanceType: props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.BURSTABLE3, ec2.InstanceSize.SMALL),
      vpc: props.vpc,
      databaseName: props.databaseName ?? 'lampdb',
      credentials: rds.Credentials.fromGeneratedSecret(props.username ?? 'admin', {
        secretName: `${props.instanceIdentifier}/credentials`,
        replicaRegions: props.secretReplicaRegions.map((r) => ({ region: r })),
      }),
      storageEncrypted: true,
      storageEncryptionKey: this.key,
      allocatedStorage: props.allocatedStorageGiB ?? 20,
      multiAz: props.multiAz ?? false,
      backupRetention: props.backupRetention ?? Duration.days(7),
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy: RemovalPolicy.SNAPSHOT,
      parameterGroup: parameterGroup(this, props.parameterGroupName),
      cloudwatchLogsExports: ['error', 'slowquery'],
      iamAuthentication: true,
      autoMinorVersionUpgrade: true,
      publiclyAccessible: false,
    });
    this.connections = this.instance.connections;
    acknowledge(this.instance, ['AwsSolutions-RDS11'], 'The instance is in isolated subnets and admits only the app tier\'s security group; a non-default port adds nothing to that.');
    acknowledge(this.instance, ['AwsSolutions-RDS3'], 'Regional resilience is the cross-region pilot light; Multi-AZ is the multiAz prop, off by default as in the original brief, for cost.');
    // The generated secret and its attachment both sit under this construct.
    acknowledge(this, ['AwsSolutions-SMG4'], 'Rotation must reach whichever region\'s database is primary after a failover; it is left to the operator (a rotation function per region) rather than half-done here.');
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
 * key of its own region, in isolated subnets, with backups on so it is ready to promote.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.XRgn.html
 */
export class PilotLightReplica extends Construct implements ec2.IConnectable {
  readonly replica: rds.CfnDBInstance;
  readonly key: kms.Key;
  readonly subnetGroup: rds.SubnetGroup;
  readonly securityGroup: ec2.SecurityGroup;
  readonly connections: ec2.Connections;

  constructor(scope: Construct, id: string, props: PilotLightReplicaProps) {
    super(scope, id);
    const stack = Stack.of(this);
    validateProps(this, [
      { failed: !DB_IDENTIFIER.test(props.instanceIdentifier), message: `instanceIdentifier must be an RDS identifier; got ${JSON.stringify(props.instanceIdentifier)}` },
      { failed: !Token.isUnresolved(stack.region) && props.source.region === stack.region, message: `source.region must be another region than this stack's ${stack.region}: this is a cross-region replica` },
    ]);
    this.key = new kms.Key(this, 'Key', { enableKeyRotation: true, description: `${props.instanceIdentifier} storage`, removalPolicy: RemovalPolicy.RETAIN });
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', { vpc: props.vpc, description: `${props.instanceIdentifier} (replica)`, allowAllOutbound: false });
    this.securityGroup = securityGroup;
    this.connections = new ec2.Connections({ securityGroups: [securityGroup], defaultPort: ec2.Port.tcp(3306) });
    const subnets = new rds.SubnetGroup(this, 'Subnets', {
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      subnetGroupName: `${props.instanceIdentifier}-subnets`,
      description: `${props.instanceIdentifier} isolated subnets`,
    });
    this.subnetGroup = subnets;
    const parameters = parameterGroup(this, props.parameterGroupName);
    const bound = parameters.bindToInstance({});
    this.replica = new rds.CfnDBInstance(this, 'Replica', {
      dbInstanceIdentifier: props.instanceIdentifier,
      // Cross-region: the source is named by ARN; CloudFormation presigns the request.
      sourceDbInstanceIdentifier: `arn:${stack.partition}:rds:${props.source.region}:${stack.account}:db:${props.source.instanceIdentifier}`,
      sourceRegion: props.source.region,
      dbInstanceClass: `db.${(props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.BURSTABLE3, ec2.InstanceSize.SMALL)).toString()}`,
      // Encryption follows the (encrypted) source; CloudFormation rejects StorageEncrypted
      // beside a source. The key is this region's own.
      kmsKeyId: this.key.keyArn,
      dbSubnetGroupName: subnets.subnetGroupName,
      vpcSecurityGroups: [securityGroup.securityGroupId],
      dbParameterGroupName: bound.parameterGroupName,
      backupRetentionPeriod: (props.backupRetention ?? Duration.days(7)).toDays(),
      deletionProtection: props.deletionProtection ?? true,
      publiclyAccessible: false,
      enableIamDatabaseAuthentication: true,
      enableCloudwatchLogsExports: ['error', 'slowquery'],
      autoMinorVersionUpgrade: true,
    });
    this.replica.applyRemovalPolicy(RemovalPolicy.SNAPSHOT);
    acknowledge(this.replica, ['AwsSolutions-RDS2'], 'The replica is encrypted: it inherits encryption from its encrypted source, with this region\'s KMS key; CloudFormation refuses StorageEncrypted beside a source.');
    acknowledge(this.replica, ['AwsSolutions-RDS11'], 'The replica is in isolated subnets and admits only the app tier\'s security group.');
    acknowledge(this.replica, ['AwsSolutions-RDS3'], 'The replica is the pilot light of a cross-region strategy; Multi-AZ would double its cost for no regional resilience.');
  }
}
