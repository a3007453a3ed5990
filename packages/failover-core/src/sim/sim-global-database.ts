/**
 * The simulator's `GlobalDatabase` port over the world's Aurora global database (`SimAurora`), with
 * the errors RDS answers: `GlobalClusterNotFoundFault` (also on the RDS tier, where the world has
 * none), `DBClusterNotFoundFault`, `InvalidGlobalClusterStateFault`, `InvalidDBClusterStateFault`.
 * FailoverGlobalCluster is called in the target's region and works while the primary's region is
 * out; SwitchoverGlobalCluster needs every member healthy. Both are idempotent, as the port says.
 * Sources: RDS API reference, FailoverGlobalCluster and SwitchoverGlobalCluster
 * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverGlobalCluster.html,
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_SwitchoverGlobalCluster.html).
 */
import { NotReadyError, OperationRejectedError, ResourceNotFoundError } from '../errors.js';
import type { ClusterRef, ClusterSnapshotSummary, FailoverSnapshotStatus, GlobalClusterStatus, GlobalDatabase } from '../ports.js';
import type { SimMutatingCall } from './sim-database.js';
import type { GlobalOperation, SimAurora, SimCluster } from './sim-aurora.js';
import type { SimWorld } from './world.js';

const NONE: GlobalClusterStatus = { exists: false, status: 'not-found', members: [] };

/** The world's global database named `id`, or RDS's GlobalClusterNotFoundFault. */
function globalNamed(w: SimWorld, id: string, region: string): SimAurora {
  if (!w.aurora || w.aurora.globalClusterIdentifier !== id) throw new ResourceNotFoundError(`global cluster ${id}`, region);
  return w.aurora;
}

/** The member cluster `ref` names, or RDS's DBClusterNotFoundFault. */
function memberNamed(aurora: SimAurora, ref: ClusterRef, t: number): SimCluster {
  const c = aurora.cluster(ref.region, ref.dbClusterIdentifier);
  if (!c) throw new ResourceNotFoundError(`DB cluster ${ref.dbClusterIdentifier}`, ref.region);
  if (!aurora.isMember(c, t))
    throw new OperationRejectedError(`InvalidDBClusterStateFault: ${c.id} is not a member of ${aurora.globalClusterIdentifier}`);
  return c;
}

/** DescribeGlobalClusters through `region`'s API at `t`. */
function describeGlobal(w: SimWorld, id: string, t: number): GlobalClusterStatus {
  const aurora = w.aurora;
  if (!aurora || aurora.globalClusterIdentifier !== id) return NONE;
  const writer = aurora.writerAt(t);
  const state = aurora.failoverStateAt(t);
  return {
    exists: true,
    // AWS does not enumerate GlobalCluster.Status; 'available' is the value its docs show.
    status: 'available',
    members: aurora.clusters
      .filter((c) => aurora.isMember(c, t))
      .map((c) => ({
        region: c.region,
        dbClusterIdentifier: c.id,
        isWriter: c === writer,
        synchronizationStatus: aurora.syncStatusAt(c, t),
      })),
    failoverState: state && {
      status: state.status,
      fromRegion: state.from.region,
      toRegion: state.to.region,
      isDataLossAllowed: state.isDataLossAllowed,
    },
    engineVersion: aurora.engineVersion,
  };
}

/** Checks shared by both calls; true when the call is already done or under way (idempotent success). */
function alreadyUnderWay(aurora: SimAurora, kind: GlobalOperation['kind'], c: SimCluster, t: number): boolean {
  const op = aurora.inProgress(t);
  if (op && op.to === c && op.kind === kind) return true;
  if (op)
    throw new OperationRejectedError(
      `InvalidGlobalClusterStateFault: a ${op.kind} of ${aurora.globalClusterIdentifier} to ${op.to.id} is in progress`,
    );
  if (aurora.writerAt(t) === c) return true;
  const status = aurora.statusAt(c, t);
  if (status !== 'available') throw new NotReadyError(`InvalidDBClusterStateFault: the instance of ${c.id} is ${status}`);
  return false;
}

/** Records an accepted operation, its moments drawn now. */
function start(w: SimWorld, aurora: SimAurora, kind: GlobalOperation['kind'], to: SimCluster, t: number): void {
  const n = aurora.operations.length;
  const lat = w.latency;
  const from = aurora.writerAt(t);
  const activeAt = t + w.draw(`global-pending:${n}`, lat.globalPendingMs);
  const duration =
    kind === 'failover'
      ? w.draw(`global-failover:${n}`, lat.globalFailoverMs)
      : activeAt - t + (w.lagMsAt(to.instance, t) ?? 0) + w.draw(`global-switchover:${n}`, lat.globalSwitchoverMs);
  aurora.operations.push({
    kind,
    from,
    to,
    requestedAt: t,
    shownAt: t + w.draw(`global-shown:${n}`, lat.globalStateShownMs),
    activeAt,
    plannedEndAt: Math.max(activeAt + 1_000, t + duration),
    failsByFault:
      (kind === 'failover' ? w.faults.auroraFailoverFailsOnce === true : w.faults.auroraSwitchoverCancelledOnce === true) &&
      !aurora.operations.some((op) => op.kind === kind && op.failsByFault),
    dnsMs: w.draw(`global-dns:${n}`, lat.globalWriterDnsMs) + w.draw(`global-ttl:${n}`, [0, lat.globalWriterDnsTtlMs]),
    snapshotMs: w.draw(`global-snapshot:${n}`, lat.clusterSnapshotMs),
    rejoinMs: w.draw(`global-rejoin:${n}`, lat.globalRejoinMs),
  });
}

/** FailoverGlobalCluster with AllowDataLoss, landing at `t`. */
function failover(w: SimWorld, id: string, target: ClusterRef, t: number): void {
  const aurora = globalNamed(w, id, target.region);
  const c = memberNamed(aurora, target, t);
  if (w.faults.promotionFails)
    throw new OperationRejectedError(`InvalidDBClusterStateFault: ${c.id} cannot be promoted (the failover was refused)`);
  if (alreadyUnderWay(aurora, 'failover', c, t)) return;
  start(w, aurora, 'failover', c, t);
}

/** SwitchoverGlobalCluster, landing at `t`: every member must answer, and the target must be synchronized. */
function switchover(w: SimWorld, id: string, target: ClusterRef, t: number): void {
  const aurora = globalNamed(w, id, target.region);
  const c = memberNamed(aurora, target, t);
  if (alreadyUnderWay(aurora, 'switchover', c, t)) return;
  const writer = aurora.writerAt(t);
  if (!w.regionUp(writer.region, t))
    throw new OperationRejectedError(
      `InvalidGlobalClusterStateFault: ${writer.id} in ${writer.region} does not answer; a switchover needs every member healthy (fail over instead)`,
    );
  if (aurora.syncStatusAt(c, t) !== 'connected')
    throw new NotReadyError(`InvalidDBClusterStateFault: ${c.id} is ${aurora.syncStatusAt(c, t)}`);
  start(w, aurora, 'switchover', c, t);
}

/** The newest system snapshot of `cluster`'s old volumes and the manual copy `copyId`, at `t`. */
function failoverSnapshot(w: SimWorld, cluster: ClusterRef, copyId: string, t: number): FailoverSnapshotStatus {
  const c = w.aurora?.cluster(cluster.region, cluster.dbClusterIdentifier);
  if (!c) return {};
  const system = w.aurora!.systemSnapshots(c, t).at(-1);
  const copy = w.aurora!.copies.find((s) => s.region === cluster.region && s.id === copyId && s.at <= t);
  const summary = (id: string, createdAt: number, availableAt: number): ClusterSnapshotSummary => ({
    id,
    status: t < availableAt ? 'creating' : 'available',
    createdAt,
  });
  return {
    source: system && summary(system.id, system.createdAt, system.availableAt),
    copy: copy && summary(copy.id, copy.at, copy.availableAt),
  };
}

/** CopyDBClusterSnapshot of a system snapshot of `cluster` to the manual `copyId`, landing at `t`. */
function keepSnapshot(w: SimWorld, cluster: ClusterRef, sourceId: string, copyId: string, t: number): void {
  const aurora = w.aurora;
  if (aurora?.copies.some((s) => s.region === cluster.region && s.id === copyId)) return;
  const c = aurora?.cluster(cluster.region, cluster.dbClusterIdentifier);
  const source = c && aurora!.systemSnapshots(c, t).find((s) => s.id === sourceId);
  if (!source) throw new ResourceNotFoundError(`DB cluster snapshot ${sourceId}`, cluster.region);
  if (t < source.availableAt) throw new NotReadyError(`InvalidDBClusterSnapshotStateFault: ${sourceId} is creating`);
  aurora!.copies.push({
    region: cluster.region,
    id: copyId,
    sourceId,
    at: t,
    availableAt: t + w.draw(`snapshot-copy:${copyId}`, w.latency.clusterSnapshotCopyMs),
  });
}

/** The `GlobalDatabase` port over the world; every call goes through `call`. */
export function makeSimGlobalDatabase(w: SimWorld, call: SimMutatingCall): GlobalDatabase {
  return {
    describe: (id, region) => call(region, 'describeGlobalCluster', (t) => describeGlobal(w, id, t)),
    failover: (id, target) => call(target.region, 'failoverGlobalCluster', (t) => failover(w, id, target, t), true),
    switchover: (id, target) => call(target.region, 'switchoverGlobalCluster', (t) => switchover(w, id, target, t), true),
    failoverSnapshot: (cluster, copyId) => call(cluster.region, 'describeClusterSnapshots', (t) => failoverSnapshot(w, cluster, copyId, t)),
    keepSnapshot: (cluster, source, copyId) =>
      call(cluster.region, 'copyClusterSnapshot', (t) => keepSnapshot(w, cluster, source, copyId, t), true),
  };
}
