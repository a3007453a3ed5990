/**
 * The data tier: which AWS database carries the data to the DR region. The brief's RDS MySQL
 * cross-region read replica is the default; an Aurora MySQL global database is the other choice,
 * for a failover in minutes instead of the replica's promotion.
 */
import * as v from 'valibot';
import type { ConfigIssue } from '../errors.js';

/** The data tiers a configuration can name. */
export const DATA_TIERS = ['rds-replica', 'aurora-global'] as const;

/** One of {@link DATA_TIERS}. */
export type DataTierName = (typeof DATA_TIERS)[number];

/**
 * An Aurora MySQL version 3 engine version, such as `8.0.mysql_aurora.3.08.0`. Global databases
 * exist for Aurora MySQL 3 from 3.01.0 in most regions (some regions start later); version 2 left
 * standard support on 2024-10-31 and is not offered.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.Aurora_Fea_Regions_DB-eng.Feature.GlobalDatabase.html
 */
export const AURORA_MYSQL_VERSION = /^8\.0\.mysql_aurora\.3\.(\d{2})\.(\d+)$/;

/**
 * The first Aurora MySQL 3 minor version that publishes `AuroraGlobalDBRPOLag` (the lag of user
 * transactions); earlier ones publish only `AuroraGlobalDBReplicationLag`.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-monitoring.html
 */
const RPO_LAG_FROM_MINOR = 4;

/** The CloudWatch metric (`AWS/RDS`, milliseconds, published for secondary clusters) that measures the global lag of `engineVersion`. */
export function globalLagMetricName(engineVersion: string): 'AuroraGlobalDBRPOLag' | 'AuroraGlobalDBReplicationLag' {
  const minor = Number(AURORA_MYSQL_VERSION.exec(engineVersion)?.[1] ?? 0);
  return minor >= RPO_LAG_FROM_MINOR ? 'AuroraGlobalDBRPOLag' : 'AuroraGlobalDBReplicationLag';
}

// Global cluster identifiers follow the DB cluster rules: 1-63 letters, digits or hyphens; first a letter; no trailing or double hyphen.
const IDENTIFIER = /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{0,62}(?<!-)$/;

/** The brief's tier: an RDS for MySQL instance in the primary region and its cross-region read replica. */
export const RdsReplicaTierSchema = v.strictObject({ tier: v.literal('rds-replica') });

/** An Aurora MySQL global database: a primary cluster and one secondary cluster, one per region. */
export const AuroraGlobalTierSchema = v.strictObject({
  tier: v.literal('aurora-global'),
  globalClusterIdentifier: v.pipe(
    v.string('must be a global cluster identifier'),
    v.regex(IDENTIFIER, 'must be a global cluster identifier (a letter, then up to 62 letters, digits or single hyphens)'),
  ),
  engineVersion: v.pipe(
    v.string('must be an Aurora MySQL version such as 8.0.mysql_aurora.3.08.0'),
    v.regex(
      AURORA_MYSQL_VERSION,
      'must be an Aurora MySQL version 3 engine version such as 8.0.mysql_aurora.3.08.0: global databases with managed failover and switchover need Aurora MySQL 3.01.0 or later',
    ),
    v.check(
      (version) => Number(AURORA_MYSQL_VERSION.exec(version)?.[1] ?? 0) >= 1,
      'must be Aurora MySQL 3.01.0 or later: earlier versions have no global database',
    ),
  ),
});

/** Which data tier carries the data, and what that tier needs to be found. */
export const DataTierSchema = v.variant(
  'tier',
  [RdsReplicaTierSchema, AuroraGlobalTierSchema],
  `must name a tier: ${DATA_TIERS.join(' or ')}`,
);

/** The data tier of a validated configuration. */
export type DataTier = v.InferOutput<typeof DataTierSchema>;
/** The Aurora global database tier. */
export type AuroraGlobalTier = v.InferOutput<typeof AuroraGlobalTierSchema>;

/** What the cross-field check of the data tier reads from a configuration. */
interface TierView {
  readonly database: DataTier;
  readonly primary: TierRegionView;
  readonly secondary: TierRegionView;
}

interface TierRegionView {
  readonly dbClusterIdentifier?: string | undefined;
  readonly dbClusterParameterGroupName?: string | undefined;
  readonly dbKmsKeyArn?: string | undefined;
  readonly dbSettings?: { readonly instanceClass?: string | undefined; readonly storageEncrypted?: boolean | undefined } | undefined;
}

/**
 * What an Aurora tier needs of each region, by path: its cluster, its own cluster parameter group
 * (the write fence), a KMS key in that region (a secondary cluster's storage is encrypted with a
 * key of its own region) and a memory-optimized instance class (global databases need one). The
 * cluster fields are refused on the RDS tier, where nothing would read them.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database.configuration.requirements.html
 */
export function dataTierIssues(config: TierView): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const role of ['primary', 'secondary'] as const) {
    const r = config[role];
    if (config.database.tier === 'rds-replica') {
      for (const field of ['dbClusterIdentifier', 'dbClusterParameterGroupName'] as const)
        if (r[field] !== undefined)
          issues.push({
            path: `${role}.${field}`,
            message: 'is for the aurora-global tier: set database.tier to aurora-global, or remove it',
          });
      continue;
    }
    const why = 'is required with database.tier aurora-global';
    if (!r.dbClusterIdentifier)
      issues.push({ path: `${role}.dbClusterIdentifier`, message: `${why}: the Aurora DB cluster of this region` });
    if (!r.dbClusterParameterGroupName)
      issues.push({
        path: `${role}.dbClusterParameterGroupName`,
        message: `${why}: this cluster's own parameter group, where writes are fenced`,
      });
    if ((r.dbSettings?.storageEncrypted ?? true) && !r.dbKmsKeyArn)
      issues.push({ path: `${role}.dbKmsKeyArn`, message: `${why}: the cluster's storage is encrypted with a key of its own region` });
    const instanceClass = r.dbSettings?.instanceClass;
    if (instanceClass !== undefined && !/^db\.(r|x)\d/.test(instanceClass))
      issues.push({
        path: `${role}.dbSettings.instanceClass`,
        message: `must be a memory-optimized class (db.r5 or later, such as db.r6g.large): an Aurora global database does not run on ${instanceClass}`,
      });
  }
  return issues;
}
