import {
  CopyDBClusterSnapshotCommand,
  DescribeDBClustersCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  RDSClient,
  SwitchoverGlobalClusterCommand,
  type DBClusterSnapshot,
  type GlobalCluster,
  type RDSClientConfig,
} from '@aws-sdk/client-rds';
import { isOperationRejected, isResourceNotFound, NotReadyError, OperationRejectedError } from '@dr/failover-core/errors';
import type {
  ClusterRef,
  ClusterSnapshotSummary,
  FailoverSnapshotStatus,
  GlobalClusterStatus,
  GlobalDatabase,
} from '@dr/failover-core/ports';
import { allPages, callAws, DEFAULT_CALL_POLICY, type CallContext, type CallPolicy } from '../aws-call.js';
import { ClientCache, type RegionalClients } from '../clients.js';
import { CLUSTER_NOT_FOUND, CLUSTER_SNAPSHOT_NOT_FOUND, GLOBAL_CLUSTER_NOT_FOUND, INVALID_GLOBAL_STATE } from './rds-answers.js';

/** Options of {@link AuroraGlobalDatabase}. */
export type AuroraGlobalDatabaseOptions = RegionalClients<RDSClient, RDSClientConfig> & { readonly policy?: CallPolicy };

/** `arn:aws:rds:<region>:<account>:cluster:<id>` → its region and identifier. */
export function parseClusterArn(arn: string | undefined): ClusterRef | undefined {
  const m = /^arn:aws[a-z-]*:rds:([a-z0-9-]+):\d{12}:cluster:(.+)$/.exec(arn ?? '');
  return m ? { region: m[1]!, dbClusterIdentifier: m[2]! } : undefined;
}

/** The prefix of the system snapshot Aurora takes of an old primary's volume before re-adding it. */
export const failoverSnapshotPrefix = (dbClusterIdentifier: string) => `rds:unplanned-global-failover-${dbClusterIdentifier}-`;

/** What `describe` answers for a global cluster `region` does not know. */
const NO_GLOBAL_CLUSTER: GlobalClusterStatus = { exists: false, status: 'not-found', members: [] };

/** The port's view of a global cluster, members named by region and identifier (parsed from `DBClusterArn`). */
function statusOf(g: GlobalCluster): GlobalClusterStatus {
  const f = g.FailoverState;
  return {
    exists: true,
    status: g.Status ?? 'unknown',
    members: (g.GlobalClusterMembers ?? []).flatMap((m) => {
      const ref = parseClusterArn(m.DBClusterArn);
      return ref ? [{ ...ref, isWriter: m.IsWriter ?? false, synchronizationStatus: m.SynchronizationStatus }] : [];
    }),
    // FailoverState is empty unless an operation is pending or in progress.
    // @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverState.html
    failoverState: f?.Status
      ? {
          status: f.Status,
          fromRegion: parseClusterArn(f.FromDbClusterArn)?.region,
          toRegion: parseClusterArn(f.ToDbClusterArn)?.region,
          isDataLossAllowed: f.IsDataLossAllowed ?? false,
        }
      : undefined,
    engineVersion: g.EngineVersion,
  };
}

const snapshotOf = (s: DBClusterSnapshot): ClusterSnapshotSummary => ({
  id: s.DBClusterSnapshotIdentifier ?? '',
  status: s.Status ?? 'unknown',
  createdAt: s.SnapshotCreateTime?.getTime(),
});

/**
 * The `GlobalDatabase` port on RDS: DescribeGlobalClusters, FailoverGlobalCluster with
 * AllowDataLoss (called in the target's region, the one that answers in a regional outage),
 * SwitchoverGlobalCluster (called in the primary's region), the system snapshot of an old
 * primary's volume and its copy. Both operations are idempotent: a target already the writer,
 * or an operation to it under way, is success; AWS's refusal of an operation it cannot start now
 * is "not yet" once a fresh describe shows that ours did not land.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html (failover: run in the secondary's Region; switchover: in the primary's)
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverGlobalCluster.html (TargetDbClusterIdentifier: the ARN, so Aurora finds the cluster in its Region)
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_SwitchoverGlobalCluster.html
 */
export class AuroraGlobalDatabase implements GlobalDatabase {
  private readonly clients: ClientCache<RDSClient, RDSClientConfig>;
  private readonly policy: CallPolicy;

  constructor(options: AuroraGlobalDatabaseOptions = {}) {
    this.clients = new ClientCache(options, (c) => new RDSClient(c));
    this.policy = options.policy ?? DEFAULT_CALL_POLICY;
  }

  private send<Output>(
    context: CallContext,
    call: (client: RDSClient, options: { abortSignal: AbortSignal }) => Promise<Output>,
  ): Promise<Output> {
    return callAws(context, (abortSignal) => call(this.clients.get(context.region), { abortSignal }), this.policy);
  }

  async describe(globalClusterIdentifier: string, region: string): Promise<GlobalClusterStatus> {
    try {
      const context = { region, resource: `global database ${globalClusterIdentifier}`, notFound: GLOBAL_CLUSTER_NOT_FOUND };
      const out = await this.send(context, (c, o) =>
        c.send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: globalClusterIdentifier }), o),
      );
      const found = out.GlobalClusters?.find((g) => g.GlobalClusterIdentifier === globalClusterIdentifier);
      return found ? statusOf(found) : NO_GLOBAL_CLUSTER;
    } catch (e) {
      if (isResourceNotFound(e)) return NO_GLOBAL_CLUSTER;
      throw e;
    }
  }

  async failover(globalClusterIdentifier: string, target: ClusterRef): Promise<void> {
    await this.handOver(globalClusterIdentifier, target, true);
  }

  async switchover(globalClusterIdentifier: string, target: ClusterRef): Promise<void> {
    await this.handOver(globalClusterIdentifier, target, false);
  }

  /** Done (writer, or under way to the target), or the ARN of a target that can take the operation. */
  private async readiness(
    globalClusterIdentifier: string,
    target: ClusterRef,
    what: string,
  ): Promise<{ done: true } | { done: false; writerRegion?: string | undefined }> {
    const state = await this.describe(globalClusterIdentifier, target.region);
    if (!state.exists)
      throw new OperationRejectedError(`cannot ${what}: ${target.region} knows no global database ${globalClusterIdentifier}`);
    const member = state.members.find((m) => m.region === target.region && m.dbClusterIdentifier === target.dbClusterIdentifier);
    if (!member)
      throw new OperationRejectedError(
        `cannot ${what}: ${target.dbClusterIdentifier} in ${target.region} is not a member of ${globalClusterIdentifier}`,
      );
    const f = state.failoverState;
    if (f && f.toRegion === target.region) return { done: true };
    if (member.isWriter && !f) return { done: true };
    if (f) throw new NotReadyError(`cannot ${what} yet: ${globalClusterIdentifier} is ${f.status}${f.toRegion ? ` to ${f.toRegion}` : ''}`);
    return { done: false, writerRegion: state.members.find((m) => m.isWriter)?.region };
  }

  private async handOver(globalClusterIdentifier: string, target: ClusterRef, allowDataLoss: boolean): Promise<void> {
    const what = `${allowDataLoss ? 'fail over' : 'switch over'} ${globalClusterIdentifier} to ${target.dbClusterIdentifier} in ${target.region}`;
    const ready = await this.readiness(globalClusterIdentifier, target, what);
    if (ready.done) return;
    const arn = await this.targetArn(target, what);
    // Failover works from the target's region while the primary's is out; a switchover needs both, and is issued in the primary's.
    const region = allowDataLoss ? target.region : (ready.writerRegion ?? target.region);
    const context = {
      region,
      resource: `global database ${globalClusterIdentifier}`,
      notFound: [...GLOBAL_CLUSTER_NOT_FOUND, ...CLUSTER_NOT_FOUND],
      rejected: INVALID_GLOBAL_STATE,
    };
    try {
      await this.send(context, (c, o) =>
        allowDataLoss
          ? c.send(
              new FailoverGlobalClusterCommand({
                GlobalClusterIdentifier: globalClusterIdentifier,
                TargetDbClusterIdentifier: arn,
                AllowDataLoss: true,
              }),
              o,
            )
          : c.send(
              new SwitchoverGlobalClusterCommand({ GlobalClusterIdentifier: globalClusterIdentifier, TargetDbClusterIdentifier: arn }),
              o,
            ),
      );
    } catch (e) {
      if (!isOperationRejected(e)) throw e;
      // Refused: our own earlier call may have landed (its answer lost, or not shown yet by the
      // describe before it); only a fresh describe tells that from a state that will pass.
      const now = await this.readiness(globalClusterIdentifier, target, what);
      if (now.done) return;
      throw new NotReadyError(`cannot ${what} now: ${(e as Error).message}`, { cause: e });
    }
  }

  /** The target's ARN (DescribeDBClusters); a cluster with no instance cannot take the writer. */
  private async targetArn(target: ClusterRef, what: string): Promise<string> {
    const context = { region: target.region, resource: `Aurora cluster ${target.dbClusterIdentifier}`, notFound: CLUSTER_NOT_FOUND };
    const out = await this.send(context, (c, o) =>
      c.send(new DescribeDBClustersCommand({ DBClusterIdentifier: target.dbClusterIdentifier }), o),
    );
    const cluster = out.DBClusters?.[0];
    // "Before you can perform a switchover or failover to a headless secondary Aurora DB cluster, you must add a DB instance to it."
    // @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-attach.console.headless.html
    if ((cluster?.DBClusterMembers ?? []).length === 0)
      throw new OperationRejectedError(`cannot ${what}: ${target.dbClusterIdentifier} has no DB instance (headless); add one first`);
    return cluster!.DBClusterArn!;
  }

  /**
   * DescribeDBClusterSnapshots of the cluster (automated and manual, the default when no
   * SnapshotType is given), every page: the newest `rds:unplanned-global-failover-<cluster>-...`
   * (matched by name: whether AWS lists it as `automated` is UNCONFIRMED) and the copy.
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBClusterSnapshots.html
   */
  async failoverSnapshot(cluster: ClusterRef, copyIdentifier: string): Promise<FailoverSnapshotStatus> {
    const context = {
      region: cluster.region,
      resource: `snapshots of Aurora cluster ${cluster.dbClusterIdentifier}`,
      notFound: CLUSTER_NOT_FOUND,
    };
    const snapshots = await allPages(async (token) => {
      const out = await this.send(context, (c, o) =>
        c.send(new DescribeDBClusterSnapshotsCommand({ DBClusterIdentifier: cluster.dbClusterIdentifier, Marker: token }), o),
      );
      return { items: out.DBClusterSnapshots ?? [], next: out.Marker };
    });
    const prefix = failoverSnapshotPrefix(cluster.dbClusterIdentifier);
    const source = snapshots
      .filter((s) => s.DBClusterSnapshotIdentifier?.startsWith(prefix))
      .sort((a, b) => (b.SnapshotCreateTime?.getTime() ?? 0) - (a.SnapshotCreateTime?.getTime() ?? 0))[0];
    // Identifiers are stored in lower case.
    const copy = snapshots.find((s) => s.DBClusterSnapshotIdentifier === copyIdentifier.toLowerCase());
    return { source: source && snapshotOf(source), copy: copy && snapshotOf(copy) };
  }

  /**
   * CopyDBClusterSnapshot in the cluster's region, tags copied; an existing copy is success; a
   * source still `creating` is "not yet".
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CopyDBClusterSnapshot.html
   */
  async keepSnapshot(cluster: ClusterRef, sourceIdentifier: string, copyIdentifier: string): Promise<void> {
    const context = {
      region: cluster.region,
      resource: `DB cluster snapshot ${sourceIdentifier}`,
      notFound: CLUSTER_SNAPSHOT_NOT_FOUND,
      notReady: ['InvalidDBClusterSnapshotStateFault', 'InvalidDBClusterSnapshotState'],
      rejected: ['SnapshotQuotaExceeded', 'SnapshotQuotaExceededFault', 'KMSKeyNotAccessibleFault'],
    };
    try {
      await this.send(context, (c, o) =>
        c.send(
          new CopyDBClusterSnapshotCommand({
            SourceDBClusterSnapshotIdentifier: sourceIdentifier,
            TargetDBClusterSnapshotIdentifier: copyIdentifier,
            CopyTags: true,
          }),
          o,
        ),
      );
    } catch (e) {
      if (
        ['DBClusterSnapshotAlreadyExistsFault', 'DBClusterSnapshotAlreadyExists'].includes((e as { name?: string } | undefined)?.name ?? '')
      )
        return;
      throw e;
    }
  }
}

/**
 * The `GlobalDatabase` of the RDS tier, which has no global database: every call refuses, naming
 * the setting that would give one.
 */
export class NoGlobalDatabase implements GlobalDatabase {
  private refuse(call: string): Promise<never> {
    return Promise.reject(
      new OperationRejectedError(
        `globalDatabase.${call}: database.tier is rds-replica, which has no global database (set database.tier aurora-global)`,
      ),
    );
  }
  describe(): Promise<GlobalClusterStatus> {
    return this.refuse('describe');
  }
  failover(): Promise<void> {
    return this.refuse('failover');
  }
  switchover(): Promise<void> {
    return this.refuse('switchover');
  }
  failoverSnapshot(): Promise<FailoverSnapshotStatus> {
    return this.refuse('failoverSnapshot');
  }
  keepSnapshot(): Promise<void> {
    return this.refuse('keepSnapshot');
  }
}
