import type { Duration } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { DataTierName } from '@dr/failover-core';

/** Tunables of the Aurora global database tier, for {@link DataTier.auroraGlobal}. */
export interface AuroraGlobalTierOptions {
  /**
   * The Aurora MySQL version 3 engine version of both clusters, such as `8.0.mysql_aurora.3.08.0`
   * (3.01.0 or later: the versions with a global database and managed failover). It also decides
   * the global lag metric: `AuroraGlobalDBRPOLag` from 3.04, `AuroraGlobalDBReplicationLag` before.
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.Aurora_Fea_Regions_DB-eng.Feature.GlobalDatabase.html
   */
  readonly engineVersion: string;
  /** The global database's identifier (the DR config's `database.globalClusterIdentifier`). @default `<app>-global` */
  readonly globalClusterIdentifier?: string;
  /**
   * The class of each cluster's one instance: memory-optimized, db.r5 or later, as a global
   * database requires (the DR cluster's reader must carry the primary's load after a failover).
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database.configuration.requirements.html
   * @default db.r6g.large
   */
  readonly instanceType?: ec2.InstanceType;
  /** Automated backup retention of both clusters. @default Duration.days(7) */
  readonly backupRetention?: Duration;
  /**
   * The KMS key of the DR cluster's storage: a key of the DR region (a secondary cluster is
   * encrypted with a key of its own region).
   * @default - a new key in the DR region, retained when the stack is deleted
   */
  readonly secondaryKey?: kms.IKey;
}

/**
 * Which AWS database carries the data to the DR region: the brief's RDS for MySQL read replica
 * (the default), or an Aurora MySQL global database (a failover in minutes, storage-level
 * replication, at a higher idle cost: see the README's cost table).
 */
export abstract class DataTier {
  /** The brief's tier: an RDS for MySQL instance in the primary region and its cross-region read replica. */
  static rdsReplica(): DataTier {
    return new RdsReplicaTier();
  }

  /** An Aurora MySQL global database: a primary cluster with one writer, a DR cluster with one reader. */
  static auroraGlobal(options: AuroraGlobalTierOptions): DataTier {
    return new AuroraGlobalTier(options);
  }

  /** The tier's name, as the DR config's `database.tier` names it. */
  abstract readonly name: DataTierName;
  /** The Aurora tier's options; undefined on the RDS tier. */
  abstract readonly aurora?: AuroraGlobalTierOptions;
}

class RdsReplicaTier extends DataTier {
  readonly name = 'rds-replica' as const;
  readonly aurora = undefined;
}

class AuroraGlobalTier extends DataTier {
  readonly name = 'aurora-global' as const;
  constructor(readonly aurora: AuroraGlobalTierOptions) {
    super();
  }
}
