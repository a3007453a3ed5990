import type { RegionResources } from '@dr/failover-core';

/*
 * The Aurora model's shapes, shared by its layers (`fake-aurora*.ts`): clusters, their one
 * instance each, cluster parameter groups, the global cluster and cluster snapshots, and the
 * fake's timings for them. Time is counted in describes, as in the RDS model.
 */

const ACCOUNT = '123456789012';

/** A DB cluster's ARN in the fake's account. */
export const clusterArn = (region: string, id: string) => `arn:aws:rds:${region}:${ACCOUNT}:cluster:${id}`;
/** A global cluster's ARN: global, so it names no region. */
export const globalClusterArn = (id: string) => `arn:aws:rds::${ACCOUNT}:global-cluster:${id}`;
/** An Aurora instance's ARN. */
export const auroraInstanceArn = (region: string, id: string) => `arn:aws:rds:${region}:${ACCOUNT}:db:${id}`;

/** `arn:aws:rds:<region>:<account>:cluster:<id>` → its region and identifier. */
export function parseClusterArn(value: string): { region: string; id: string } | undefined {
  const m = /^arn:aws[a-z-]*:rds:([a-z0-9-]+):\d{12}:cluster:(.+)$/.exec(value);
  return m ? { region: m[1]!, id: m[2]! } : undefined;
}

/** A DB cluster parameter group (family `aurora-mysql8.0`), shared by every cluster that uses it. */
export interface FakeClusterParameterGroup {
  readonly region: string;
  readonly name: string;
  /** User-set parameters by name; without `read_only` the group has the engine default. Tests may set values (at once). */
  readonly parameters: Map<string, string>;
}

/** An Aurora DB cluster as the fake keeps it. */
export interface FakeCluster {
  readonly region: string;
  readonly id: string;
  readonly arn: string;
  parameterGroup: string;
  /** Describes left that report the cluster group `applying` on its members after a change. */
  applyingDescribes: number;
  /** `read_only` the cluster runs with (undefined: the engine default). */
  appliedReadOnly: string | undefined;
  backupRetentionPeriod: number;
  deletionProtection: boolean;
  storageEncrypted: boolean;
  kmsKeyId?: string | undefined;
  /** The storage volume: a rejoin after a global failover builds a new one. */
  volume: number;
  createdAt: Date;
}

/** An Aurora DB instance: one per cluster here (the writer in the primary, the reader in the secondary). */
export interface FakeAuroraInstance {
  readonly region: string;
  readonly id: string;
  readonly clusterId: string;
  readonly instanceClass: string;
  readonly parameterGroup: string;
}

/** A member of the global cluster. */
export interface FakeGlobalMember {
  readonly clusterArn: string;
  isWriter: boolean;
  /** `connected`, or `pending-resync` while it is rebuilt on a new volume. */
  synchronizationStatus: 'connected' | 'pending-resync';
  /** After a global failover: the old primary, waiting for its region to come back to rejoin. */
  awaitingRejoin?: boolean;
  /** Describes of the global cluster left before a rejoining member is `connected`. */
  resyncDescribes?: number;
}

/** One state of a failover or switchover, reported by one describe of the global cluster. */
export interface FakeGlobalStep {
  /** The `FailoverState.Status` this describe shows; undefined: none (before it is visible, or after). */
  readonly status?: 'pending' | 'failing-over' | 'switching-over' | undefined;
  readonly effect?: ((global: FakeGlobalCluster) => void) | undefined;
}

/** The Aurora global database as the fake keeps it. */
export interface FakeGlobalCluster {
  readonly id: string;
  readonly arn: string;
  readonly engineVersion: string;
  readonly members: FakeGlobalMember[];
  /** The operation in progress: its steps still to come, front first. */
  operation?: { from: string; to: string; dataLoss: boolean; shown?: FakeGlobalStep['status']; steps: FakeGlobalStep[] } | undefined;
}

/** A DB cluster snapshot. */
export interface FakeClusterSnapshot {
  readonly region: string;
  readonly id: string;
  readonly clusterId: string;
  readonly type: 'automated' | 'manual';
  describesLeft: number;
  readonly createdAt: Date;
  readonly kmsKeyId?: string | undefined;
}

/** The fake's Aurora timings (public knobs of `FakeAws`). */
export interface FakeAuroraKnobs {
  readonly parameterApplyDescribes: number;
  readonly snapshotDescribesUntilAvailable: number;
  /** Describes of the global cluster a failover reports `failing-over` (after one silent and one `pending`). */
  readonly globalFailoverDescribes: number;
  /** Describes of the global cluster a switchover reports `switching-over`. */
  readonly globalSwitchoverDescribes: number;
  /** Describes a recovered old primary reports `pending-resync` while it is rebuilt. */
  readonly rejoinDescribes: number;
  /** The secondary's global lag, in milliseconds, while the writer takes writes. */
  readonly globalLagMs: number;
  readonly outages: ReadonlySet<string>;
}

/** The truth about one Aurora instance and its cluster, for tests. */
export interface FakeAuroraState {
  readonly region: string;
  readonly id: string;
  readonly clusterId: string;
  readonly role: 'primary' | 'replica';
  readonly status: string;
  readonly clusterParameterGroup: string;
  readonly applyStatus: 'applying' | 'in-sync';
  readonly readOnlyEffective: boolean;
  readonly writable: boolean;
  readonly synchronizationStatus?: string | undefined;
}

/** The cluster and instance a config region names on the Aurora tier. */
export function auroraNames(r: RegionResources): { cluster: string; clusterGroup: string } {
  if (!r.dbClusterIdentifier || !r.dbClusterParameterGroupName)
    throw new Error(`FakeAws: ${r.region} needs dbClusterIdentifier and dbClusterParameterGroupName on the aurora-global tier`);
  return { cluster: r.dbClusterIdentifier, clusterGroup: r.dbClusterParameterGroupName };
}
