/**
 * What readiness says differs by data tier: the standby database is a cross-region read replica
 * on the RDS tier and the reader of the secondary cluster of a global database on the Aurora
 * tier, measured by a different lag metric and fenced in a different parameter group.
 */
import { globalLagMetricName } from '../config/data-tier.js';
import type { DrConfig, RegionResources } from '../config/schema.js';
import { fenceGroup } from '../plan/blocks.js';
import type { DbStatus } from '../ports.js';
import type { ReadinessCheckResult } from './report.js';

/** The words of one tier's readiness details. */
export interface TierWords {
  /** What the standby instance is, after "is". */
  readonly replica: string;
  /** The CloudWatch metric its lag is read from. */
  readonly lagMetric: string;
  /** What the lag metric is published for. */
  readonly lagOf: string;
  /** The parameter group its write fence is set in. */
  readonly fenceGroup: string;
  /** The `read_only` a lifted fence rests at. */
  readonly restingReadOnly: string;
}

/** The words for `standby` on `config`'s tier. */
export function tierWords(config: DrConfig, standby: RegionResources): TierWords {
  if (config.database.tier === 'aurora-global')
    return {
      replica: `the reader of ${standby.dbClusterIdentifier}, a secondary cluster of ${config.database.globalClusterIdentifier}`,
      lagMetric: globalLagMetricName(config.database.engineVersion),
      lagOf: `cluster ${standby.dbClusterIdentifier}`,
      fenceGroup: fenceGroup(standby),
      restingReadOnly: 'at its default (a secondary cluster is read-only regardless)',
    };
  return {
    replica: 'a replica',
    lagMetric: 'ReplicaLag',
    lagOf: standby.dbInstanceIdentifier,
    fenceGroup: fenceGroup(standby),
    restingReadOnly: '{TrueIfReplica}',
  };
}

/**
 * `snapshot-age` on the Aurora tier: the daily snapshot job copies RDS instance snapshots and is
 * not deployed for a global database, whose secondary cluster holds the data in the standby
 * region already; what a restore there needs is the secondary cluster's own continuous backups
 * (point-in-time recovery within the retention period).
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Managing.Backups.html
 */
export function continuousBackups(c: {
  readonly standby: RegionResources;
  readonly region: string;
  readonly replica: () => Promise<DbStatus>;
}): Promise<Omit<ReadinessCheckResult, 'id'>> {
  return c.replica().then((db) => {
    const cluster = c.standby.dbClusterIdentifier;
    if (!db.exists) return { status: 'fail', detail: `no DB instance ${c.standby.dbInstanceIdentifier} in ${c.region}` };
    const days = db.backupRetentionDays;
    if (days === undefined) return { status: 'unknown', detail: `the backup retention of ${cluster} in ${c.region} could not be read` };
    return days > 0
      ? {
          status: 'pass',
          detail: `${cluster} in ${c.region} keeps ${days} days of continuous backups (Aurora; no daily snapshot job on this tier)`,
          value: days,
        }
      : { status: 'fail', detail: `${cluster} in ${c.region} keeps no backups`, value: 0 };
  });
}
