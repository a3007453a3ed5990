/**
 * What RDS answers, read into the port's terms: the error codes the adapter maps, `read_only` as
 * a parameter group lists it, an instance's status and its summary. Pure: no call is made here.
 */
import type { DBInstance } from '@aws-sdk/client-rds';
import type { RegionResources } from '@dr/failover-core';
import type { DbInstanceSummary, DbStatus, ReadOnlySetting } from '@dr/failover-core/ports';
import type { CloudWatchMetrics } from '../cloudwatch/cloudwatch-metrics.js';

/**
 * Per-region settings the RDS adapter needs beyond a `DbRef`: the DR config's region entries.
 * Every field but `region` is optional here, and a call that needs a missing one refuses and
 * names it.
 */
export type RdsRegionSettings = Pick<RegionResources, 'region'> &
  Partial<
    Pick<
      RegionResources,
      'dbParameterGroupName' | 'retiredDbParameterGroupName' | 'dbKmsKeyArn' | 'dbSubnetGroupName' | 'dbSecurityGroupIds' | 'dbSettings'
    >
  >;

/** What `describe` answers for an instance RDS does not know. */
export const MISSING: DbStatus = { exists: false, status: 'not-found', role: 'primary', writable: false, writeFenced: false };
/** The error codes RDS answers with, by what they mean to the adapter. */
export const INSTANCE_NOT_FOUND = ['DBInstanceNotFoundFault', 'DBInstanceNotFound'];
export const GROUP_NOT_FOUND = ['DBParameterGroupNotFoundFault', 'DBParameterGroupNotFound'];
export const INVALID_INSTANCE_STATE = ['InvalidDBInstanceStateFault', 'InvalidDBInstanceState'];
export const INVALID_GROUP_STATE = ['InvalidDBParameterGroupStateFault', 'InvalidDBParameterGroupState'];
/** The Aurora errors, as the SDK names them (each API page lists them without `Fault`). */
export const CLUSTER_NOT_FOUND = ['DBClusterNotFoundFault', 'DBClusterNotFound'];
export const GLOBAL_CLUSTER_NOT_FOUND = ['GlobalClusterNotFoundFault', 'GlobalClusterNotFound'];
export const INVALID_GLOBAL_STATE = [
  'InvalidGlobalClusterStateFault',
  'InvalidGlobalClusterState',
  'InvalidDBClusterStateFault',
  'InvalidDBClusterState',
];
export const CLUSTER_SNAPSHOT_NOT_FOUND = ['DBClusterSnapshotNotFoundFault', 'DBClusterSnapshotNotFound'];
/** Errors of a request AWS will never accept as sent (a default group, a bad combination). */
export const INVALID_REQUEST = ['InvalidParameterValue', 'InvalidParameterCombination'];

/**
 * A parameter group's `read_only` as DescribeDBParameters (Source `user`) shows it. Absent or
 * `{TrueIfReplica}`: the engine default, read-only on a replica and writable on a primary.
 * Anything else unknown: undefined, which counts neither as fenced nor as writable.
 * @see https://docs.aws.amazon.com/awssupport/latest/user/fault-tolerance-checks.html
 */
export function readOnlySetting(value: string | undefined): ReadOnlySetting | undefined {
  if (value === undefined || value === '{TrueIfReplica}') return 'default';
  const v = value.trim().toUpperCase();
  if (v === '1' || v === 'ON') return 'on';
  if (v === '0' || v === 'OFF') return 'off';
  return undefined;
}

/** A replica names its source; a primary does not. */
export const roleOf = (i: DBInstance): 'primary' | 'replica' => (i.ReadReplicaSourceDBInstanceIdentifier ? 'replica' : 'primary');

/** The replica lag CloudWatch reported, if the instance is a replica. */
export type ReplicaLagReading = Awaited<ReturnType<CloudWatchMetrics['replicaLag']>>;

/**
 * The port's status of an instance from DescribeDBInstances, its group's `read_only` and its lag.
 * `parameterGroup` is the group DescribeDBInstances names with its `ParameterApplyStatus`: with
 * `pending-reboot` the instance still runs with its previous group's values, so nothing is
 * counted as applied.
 */
export function statusOf(found: DBInstance, readOnly: ReadOnlySetting | undefined, lag: ReplicaLagReading | undefined): DbStatus {
  const role = roleOf(found);
  // An RDS for MySQL instance has one DB parameter group.
  const group = found.DBParameterGroups?.[0];
  // A change to a group applies asynchronously (`applying`, then `in-sync`); a new association
  // waits for a reboot (`pending-reboot`). Only `in-sync` says the instance runs with the value.
  // @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBParameterGroupStatus.html
  const inSync = group?.ParameterApplyStatus === 'in-sync';
  const status = found.DBInstanceStatus ?? 'unknown';
  return {
    exists: true,
    status,
    role,
    sourceIdentifier: found.ReadReplicaSourceDBInstanceIdentifier,
    writable: role === 'primary' && status === 'available' && (readOnly === 'off' || readOnly === 'default') && inSync,
    writeFenced: readOnly === 'on' && inSync,
    replicaLagSeconds: lag?.seconds,
    replicaLagAt: lag?.at,
    replicating: lag?.replicating,
    parameterGroup: group?.DBParameterGroupName
      ? { name: group.DBParameterGroupName, applyStatus: group.ParameterApplyStatus ?? 'unknown' }
      : undefined,
    readOnly,
    backupRetentionDays: found.BackupRetentionPeriod,
    instanceClass: found.DBInstanceClass,
    allocatedStorageGiB: found.AllocatedStorage,
    deletionProtection: found.DeletionProtection,
  };
}

/** One instance as `listInstances` reports it. */
export function summaryOf(region: string, i: DBInstance): DbInstanceSummary {
  return {
    region,
    dbInstanceIdentifier: i.DBInstanceIdentifier ?? '',
    status: i.DBInstanceStatus ?? 'unknown',
    role: roleOf(i),
    instanceClass: i.DBInstanceClass,
    allocatedStorageGiB: i.AllocatedStorage,
    storageType: i.StorageType,
    multiAz: i.MultiAZ,
    deletionProtection: i.DeletionProtection,
    parameterGroupName: i.DBParameterGroups?.[0]?.DBParameterGroupName,
    createdAt: i.InstanceCreateTime?.getTime(),
  };
}
