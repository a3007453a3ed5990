/**
 * What the simulator's `Database` port answers for an Aurora instance (issue17-design.md, "Ports"):
 * its role from the global membership, its lag from the global lag metric, the write fence in its
 * cluster's parameter group. The calls that belong to the RDS tier are refused.
 */
import { OperationRejectedError } from '../errors.js';
import type { DbRef, DbStatus } from '../ports.js';
import type { SimCluster } from './sim-aurora.js';
import type { SimDb } from './sim-db.js';
import type { SimWorld } from './world.js';

/** The cluster of `db` when it is an Aurora instance of the world's global database. */
export const auroraClusterOf = (w: SimWorld, db: SimDb): SimCluster | undefined => w.aurora?.clusterOf(db);

/** DescribeDBInstances / DescribeDBClusters / DescribeGlobalClusters and the global lag metric, as the port reports them. */
export function auroraStatusOf(w: SimWorld, c: SimCluster, t: number): DbStatus {
  const aurora = w.aurora!;
  const writer = aurora.writerAt(t) === c;
  const params = aurora.parameters.at(c, t);
  // The metric is in ms; the port reports seconds, to a tenth (the adapter keeps fractions too): lag is under a second.
  const lagMs = w.lagMsAt(c.instance, t);
  return {
    exists: true,
    status: aurora.statusAt(c, t),
    role: writer || !aurora.isMember(c, t) ? 'primary' : 'replica',
    sourceIdentifier: writer ? undefined : aurora.writerAt(t).id,
    writable: w.writableAt(c.instance, t),
    writeFenced: params.setting === 'on' && params.applyStatus === 'in-sync',
    replicaLagSeconds: lagMs === undefined ? undefined : Math.round(lagMs / 100) / 10,
    replicating: writer ? undefined : aurora.syncStatusAt(c, t) === 'connected' && w.regionUp(aurora.writerAt(t).region, t),
    parameterGroup: { name: params.group, applyStatus: params.applyStatus },
    readOnly: params.setting,
    backupRetentionDays: c.backupDays,
    instanceClass: c.instance.settings.instanceClass,
    deletionProtection: c.instance.settings.deletionProtection ?? false,
  };
}

/** `read_only` 1 or reset in the region's cluster parameter group, which must be the one the cluster uses. */
export function auroraSetWriteFence(w: SimWorld, ref: DbRef, c: SimCluster, fenced: boolean, t: number): void {
  const aurora = w.aurora!;
  const name = w.resources(ref.region).dbClusterParameterGroupName;
  if (name !== c.parameterGroup)
    throw new OperationRejectedError(
      `${c.id} uses the cluster parameter group ${c.parameterGroup}, not ${name ?? '(none configured)'}: fencing it would not reach ${ref.dbInstanceIdentifier}`,
    );
  aurora.parameters.set(aurora.parameters.group(ref.region, name)!, fenced ? 'on' : 'default', t);
}

/** The refusal of an RDS-tier call on an Aurora instance: plans on the Aurora tier never make it. */
export function refuseOnAurora(call: string, ref: DbRef, c: SimCluster): never {
  throw new OperationRejectedError(
    `${call} is not an operation of an Aurora instance: ${ref.dbInstanceIdentifier} belongs to the cluster ${c.id} of a global database (use the GlobalDatabase port)`,
  );
}
