import { awsError } from './errors.js';
import { type FakeCluster, type FakeClusterParameterGroup, type FakeGlobalCluster, type FakeGlobalStep } from './fake-aurora-model.js';
import { FakeAuroraWorld, failoverSnapshotId } from './fake-aurora-state.js';
import { ENGINE_DEFAULTS, page } from './fake-rds-model.js';

export { failoverSnapshotId } from './fake-aurora-state.js';

/** The answer AWS gives a global operation it cannot start now (error codes: API_FailoverGlobalCluster.html; messages UNCONFIRMED). */
const invalidGlobalState = (why: string) => awsError('InvalidGlobalClusterStateFault', why);

/**
 * The Aurora calls of `FakeAws`, as AWS documents them, on the world of `fake-aurora-state.ts`:
 * DescribeDBClusters, DescribeGlobalClusters, FailoverGlobalCluster, SwitchoverGlobalCluster, the
 * cluster parameter group calls, DescribeDBClusterSnapshots and CopyDBClusterSnapshot. Each
 * describe moves what it reports on by one state.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html
 */
export class FakeAurora extends FakeAuroraWorld {
  /** Describes a new cluster snapshot reports `creating`. */
  snapshotDescribes(): number {
    return this.knobs.snapshotDescribesUntilAvailable;
  }

  /** DescribeDBInstances of Aurora instances: one by identifier, or the region's, paged. */
  describeInstances(input: { DBInstanceIdentifier?: string; Marker?: string; MaxRecords?: number }, region: string): unknown {
    if (input.DBInstanceIdentifier) {
      const i = this.instance(region, input.DBInstanceIdentifier);
      if (!i) throw awsError('DBInstanceNotFoundFault', `DBInstance ${input.DBInstanceIdentifier} not found.`, 404);
      return { DBInstances: [this.instanceView(i)] };
    }
    const { items, marker } = page(
      this.instances.filter((i) => i.region === region),
      input,
    );
    return { DBInstances: items.map((i) => this.instanceView(i)), Marker: marker };
  }

  /**
   * DescribeDBClusters: a cluster change to its group is `applying` on its members for some
   * describes, then `in-sync` (DBClusterMembers[].DBClusterParameterGroupStatus).
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBClusters.html
   */
  describeClusters(input: { DBClusterIdentifier?: string; Marker?: string; MaxRecords?: number }, region: string): unknown {
    const observe = (c: FakeCluster) => {
      const applyStatus = this.applyStatus(c);
      if (c.applyingDescribes > 0 && --c.applyingDescribes === 0)
        c.appliedReadOnly = this.clusterGroup(c.region, c.parameterGroup)?.parameters.get('read_only');
      return this.clusterView(c, applyStatus);
    };
    if (input.DBClusterIdentifier) return { DBClusters: [observe(this.mustCluster(region, input.DBClusterIdentifier))] };
    const { items, marker } = page(
      this.clusters.filter((c) => c.region === region),
      input,
    );
    return { DBClusters: items.map(observe), Marker: marker };
  }

  /**
   * DescribeGlobalClusters, answered by any region that answers (a global cluster is global):
   * each describe moves a failover or switchover on by one state, and a recovered old primary's
   * rejoin.
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeGlobalClusters.html
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverState.html
   */
  describeGlobalClusters(input: { GlobalClusterIdentifier?: string }): unknown {
    const g = this.global;
    if (input.GlobalClusterIdentifier && g?.id !== input.GlobalClusterIdentifier)
      throw awsError('GlobalClusterNotFoundFault', `GlobalCluster ${input.GlobalClusterIdentifier} not found.`, 404);
    if (!g) return { GlobalClusters: [] };
    this.advance(g);
    return { GlobalClusters: [this.globalView(g)] };
  }

  private advance(g: FakeGlobalCluster): void {
    const op = g.operation;
    if (op) {
      const step = op.steps.shift();
      op.shown = step?.status;
      step?.effect?.(g);
      if (op.steps.length === 0) g.operation = undefined;
    }
    for (const m of g.members) this.rejoin(m);
  }

  /**
   * A recovered old primary rejoins: once its region answers, Aurora snapshots its old volume
   * (`rds:unplanned-global-failover-...`, a system snapshot kept with the automated backups),
   * builds a new volume (`pending-resync`), then reports it `connected`.
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html
   */
  private rejoin(m: FakeGlobalCluster['members'][number]): void {
    const c = this.clusters.find((x) => x.arn === m.clusterArn);
    if (!c || this.knobs.outages.has(c.region)) return;
    if (m.awaitingRejoin) {
      m.awaitingRejoin = false;
      const at = new Date();
      this.clusterSnapshots.push({
        region: c.region,
        id: failoverSnapshotId(c.id, at),
        clusterId: c.id,
        // Whether DescribeDBClusterSnapshots lists it as `automated` is UNCONFIRMED.
        type: 'automated',
        describesLeft: this.knobs.snapshotDescribesUntilAvailable,
        createdAt: at,
        kmsKeyId: c.kmsKeyId,
      });
      c.volume++;
      m.resyncDescribes = this.knobs.rejoinDescribes;
      return;
    }
    if (m.synchronizationStatus === 'pending-resync' && m.resyncDescribes !== undefined && --m.resyncDescribes <= 0) {
      m.synchronizationStatus = 'connected';
      m.resyncDescribes = undefined;
    }
  }

  private globalView(g: FakeGlobalCluster): Record<string, unknown> {
    const op = g.operation;
    const writer = g.members.find((m) => m.isWriter);
    return {
      GlobalClusterIdentifier: g.id,
      GlobalClusterArn: g.arn,
      // GlobalCluster.Status values are not enumerated by AWS: `available` as its examples show.
      Status: 'available',
      Engine: 'aurora-mysql',
      EngineVersion: g.engineVersion,
      StorageEncrypted: true,
      GlobalClusterMembers: g.members.map((m) => ({
        DBClusterArn: m.clusterArn,
        IsWriter: m.isWriter,
        Readers: m.isWriter ? g.members.filter((x) => x !== writer).map((x) => x.clusterArn) : [],
        SynchronizationStatus: m.synchronizationStatus,
      })),
      FailoverState: op?.shown
        ? { Status: op.shown, FromDbClusterArn: op.from, ToDbClusterArn: op.to, IsDataLossAllowed: op.dataLoss }
        : undefined,
    };
  }

  /**
   * FailoverGlobalCluster. With AllowDataLoss: a failover, which needs only the target's region
   * (it is called there while the primary's is out); without it, a switchover. Refused: an
   * operation under way, a target that is not a secondary member, or is being rebuilt, or has no
   * instance (a headless secondary: "you must add a DB instance"; that error code is UNCONFIRMED).
   * The describe right after the call does not show it yet; then `pending`, `failing-over`, and
   * the writer moves. The old primary is re-added (`pending-resync`) once its region answers.
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverGlobalCluster.html
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-attach.console.headless.html
   */
  failover(
    input: { GlobalClusterIdentifier?: string; TargetDbClusterIdentifier?: string; AllowDataLoss?: boolean; Switchover?: boolean },
    region: string,
  ): unknown {
    if (input.AllowDataLoss && input.Switchover)
      throw awsError('InvalidParameterCombination', 'AllowDataLoss and Switchover cannot be specified together.');
    if (!input.AllowDataLoss) return this.switchover(input, region);
    const { g, target } = this.checkTarget(input, region);
    this.count('failoverGlobalCluster');
    const from = g.members.find((m) => m.isWriter)!;
    const flip = () => {
      target.isWriter = true;
      target.synchronizationStatus = 'connected';
      from.isWriter = false;
      from.synchronizationStatus = 'pending-resync';
      from.awaitingRejoin = true;
    };
    this.start(g, from.clusterArn, target.clusterArn, true, 'failing-over', this.knobs.globalFailoverDescribes, flip);
    return { GlobalCluster: this.globalView(g) };
  }

  /**
   * SwitchoverGlobalCluster: only on a healthy global database (every member's region answers,
   * every member `connected`); the old primary becomes a connected secondary. No data loss.
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_SwitchoverGlobalCluster.html
   */
  switchover(input: { GlobalClusterIdentifier?: string; TargetDbClusterIdentifier?: string }, region: string): unknown {
    const { g, target } = this.checkTarget(input, region);
    const unhealthy = g.members.find((m) => m.synchronizationStatus !== 'connected' || this.knobs.outages.has(m.clusterArn.split(':')[3]!));
    if (unhealthy)
      throw invalidGlobalState(`Global cluster ${g.id} is not healthy: ${unhealthy.clusterArn} cannot take part in a switchover.`);
    this.count('switchoverGlobalCluster');
    const from = g.members.find((m) => m.isWriter)!;
    const flip = () => {
      target.isWriter = true;
      from.isWriter = false;
    };
    this.start(g, from.clusterArn, target.clusterArn, false, 'switching-over', this.knobs.globalSwitchoverDescribes, flip);
    return { GlobalCluster: this.globalView(g) };
  }

  private checkTarget(input: { GlobalClusterIdentifier?: string; TargetDbClusterIdentifier?: string }, region: string) {
    const g = this.global;
    if (!g || g.id !== input.GlobalClusterIdentifier)
      throw awsError('GlobalClusterNotFoundFault', `GlobalCluster ${input.GlobalClusterIdentifier} not found.`, 404);
    const cluster = this.mustCluster(region, input.TargetDbClusterIdentifier);
    const target = this.member(cluster);
    if (!target) throw invalidGlobalState(`${cluster.arn} is not a member of global cluster ${g.id}.`);
    if (g.operation) throw invalidGlobalState(`Global cluster ${g.id} has a failover or switchover in progress.`);
    if (target.isWriter) throw invalidGlobalState(`${cluster.arn} is already the primary cluster of ${g.id}.`);
    if (target.synchronizationStatus !== 'connected') throw invalidGlobalState(`${cluster.arn} is ${target.synchronizationStatus}.`);
    if (this.instancesOf(cluster).length === 0)
      throw awsError('InvalidDBClusterStateFault', `DB cluster ${cluster.id} has no DB instance.`);
    return { g, target };
  }

  private start(
    g: FakeGlobalCluster,
    from: string,
    to: string,
    dataLoss: boolean,
    busy: FakeGlobalStep['status'],
    describes: number,
    flip: () => void,
  ): void {
    const steps: FakeGlobalStep[] = [
      {},
      { status: 'pending' },
      ...Array.from({ length: Math.max(1, describes) }, () => ({ status: busy })),
      { effect: flip },
    ];
    g.operation = { from, to, dataLoss, steps };
  }

  /** ModifyDBClusterParameterGroup: reaches every cluster using the group, `applying` for some describes. */
  modifyClusterGroup(
    input: { DBClusterParameterGroupName?: string; Parameters?: { ParameterName?: string; ParameterValue?: string }[] },
    region: string,
  ): unknown {
    const group = this.mustClusterGroup(region, input.DBClusterParameterGroupName);
    const params = input.Parameters ?? [];
    if (params.length === 0 || params.length > 20)
      throw awsError('InvalidParameterValue', 'Between 1 and 20 parameters can be modified in a single request.');
    this.count('setWriteFence');
    for (const p of params) if (p.ParameterName) group.parameters.set(p.ParameterName, String(p.ParameterValue ?? ''));
    this.propagate(group);
    return { DBClusterParameterGroupName: group.name };
  }

  /**
   * ResetDBClusterParameterGroup: named parameters (or all) back to the engine default.
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ResetDBClusterParameterGroup.html
   */
  resetClusterGroup(
    input: { DBClusterParameterGroupName?: string; ResetAllParameters?: boolean; Parameters?: { ParameterName?: string }[] },
    region: string,
  ): unknown {
    const group = this.mustClusterGroup(region, input.DBClusterParameterGroupName);
    const params = input.Parameters ?? [];
    this.count('liftWriteFence');
    if (params.length === 0 || input.ResetAllParameters === true) group.parameters.clear();
    else for (const p of params) if (p.ParameterName) group.parameters.delete(p.ParameterName);
    this.propagate(group);
    return { DBClusterParameterGroupName: group.name };
  }

  private propagate(group: FakeClusterParameterGroup): void {
    for (const c of this.clusters.filter((x) => x.region === group.region && x.parameterGroup === group.name)) {
      if (this.knobs.parameterApplyDescribes > 0) c.applyingDescribes = this.knobs.parameterApplyDescribes;
      else c.appliedReadOnly = group.parameters.get('read_only');
    }
  }

  /**
   * DescribeDBClusterParameters: the user's values (Source `user`), engine defaults, or both; paged.
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBClusterParameters.html
   */
  describeClusterParameters(
    input: { DBClusterParameterGroupName?: string; Source?: string; Marker?: string; MaxRecords?: number },
    region: string,
  ): unknown {
    const group = this.mustClusterGroup(region, input.DBClusterParameterGroupName);
    const user = [...group.parameters].map(([ParameterName, ParameterValue]) => ({
      ParameterName,
      ParameterValue,
      Source: 'user',
      IsModifiable: true,
    }));
    const defaults = ENGINE_DEFAULTS.filter((d) => !group.parameters.has(d.name)).map((d) => ({
      ParameterName: d.name,
      ParameterValue: d.value,
      Source: 'engine-default',
      IsModifiable: true,
    }));
    const all = input.Source === 'user' ? user : input.Source === 'engine-default' ? defaults : [...user, ...defaults];
    const { items, marker } = page(
      all.sort((a, b) => a.ParameterName.localeCompare(b.ParameterName)),
      input,
    );
    return { Parameters: items, Marker: marker };
  }
}
