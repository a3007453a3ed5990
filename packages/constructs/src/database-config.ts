import type { DrConfigInput } from '@dr/failover-core';

/** The DR config schema's `dbSettings`, every field given. */
type SchemaDbSettings = Required<NonNullable<DrConfigInput['primary']['dbSettings']>>;

/**
 * How a database is deployed, field for field the DR config's `dbSettings`. A failback recreates
 * databases from it (the replica in the home region, then the pilot light), and RDS gives a new
 * read replica backups off, deletion protection off, no IAM authentication and no log exports
 * unless told, so it must say exactly what the constructs deploy.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html
 */
export interface DatabaseSettings {
  /** The RDS instance class, such as `db.t3.small`. */
  readonly instanceClass: string;
  /** The storage type; explicit, because RDS's pages disagree on what a new replica inherits. */
  readonly storageType: SchemaDbSettings['storageType'];
  /** Storage encrypted with the region's own KMS key. */
  readonly storageEncrypted: boolean;
  /** A standby in a second availability zone. */
  readonly multiAz: boolean;
  /** Automated backup retention in days (at least one: a source without backups cannot have replicas). */
  readonly backupRetentionDays: number;
  /** Whether the instance refuses deletion. */
  readonly deletionProtection: boolean;
  /** IAM database authentication. */
  readonly iamAuthentication: boolean;
  /** Log types exported to CloudWatch Logs. */
  readonly cloudwatchLogsExports: string[];
  /** Whether snapshots carry the instance's tags. */
  readonly copyTagsToSnapshot: boolean;
  /** Whether minor engine upgrades are applied in the maintenance window. */
  readonly autoMinorVersionUpgrade: boolean;
  /** The instance's tags. */
  readonly tags: Record<string, string>;
}

// The schema and this interface must name the same fields: a field the schema gains fails the
// typecheck here until the constructs deploy it and write it.
type Missing = Exclude<keyof SchemaDbSettings, keyof DatabaseSettings>;
type Extra = Exclude<keyof DatabaseSettings, keyof SchemaDbSettings>;
const sameFields: [Missing | Extra] extends [never] ? true : { missing: Missing; extra: Extra } = true;
void sameFields;

/**
 * One database's part of a region's entry in the DR config, as its construct deployed it: spread
 * it into the region's entry (`PilotLight` does). The engine fences the database through its own
 * parameter group, moves instances it retires to the retired group, and recreates databases with
 * the key, subnet group, security groups and settings named here.
 */
export interface DatabaseDrConfig {
  /** The instance identifier. */
  readonly dbInstanceIdentifier: string;
  /** The database's own parameter group, used by no other instance (`read_only` not declared). */
  readonly dbParameterGroupName: string;
  /** The region's group for retired instances (`read_only` = 1). */
  readonly retiredDbParameterGroupName: string;
  /** The region's KMS key for the database's storage (and a replica created here). */
  readonly dbKmsKeyArn: string;
  /** The subnet group of the database (and of a replica created here). */
  readonly dbSubnetGroupName: string;
  /** The security groups of the database (and of a replica created here). */
  readonly dbSecurityGroupIds: string[];
  /** How the database is deployed. */
  readonly dbSettings: DatabaseSettings;
}

/**
 * How an Aurora cluster of the global database tier is deployed: {@link DatabaseSettings}
 * without the storage type (Aurora storage is the cluster volume) and Multi-AZ (each cluster has
 * one instance; the other region's cluster is the standby).
 */
export type AuroraDatabaseSettings = Omit<DatabaseSettings, 'storageType' | 'multiAz'>;

/**
 * One Aurora cluster's part of a region's entry in the DR config (tier `aurora-global`): the
 * cluster, its own cluster parameter group (the write fence), its one instance and that
 * instance's parameter group, the region's key and how the cluster is deployed.
 */
export interface AuroraClusterDrConfig {
  /** The region's DB cluster. */
  readonly dbClusterIdentifier: string;
  /** The cluster's own DB cluster parameter group: the engine fences writes with its `read_only`. */
  readonly dbClusterParameterGroupName: string;
  /** The cluster's one instance (the writer of the primary cluster, the reader of the DR cluster). */
  readonly dbInstanceIdentifier: string;
  /** The instance's own DB parameter group. */
  readonly dbParameterGroupName: string;
  /** The region's KMS key of the cluster's storage. */
  readonly dbKmsKeyArn: string;
  /** The cluster's subnet group. */
  readonly dbSubnetGroupName: string;
  /** The cluster's security groups. */
  readonly dbSecurityGroupIds: string[];
  /** How the cluster is deployed. */
  readonly dbSettings: AuroraDatabaseSettings;
}
