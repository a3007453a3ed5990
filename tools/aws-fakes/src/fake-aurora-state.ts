import { auroraTier, globalLagMetricName, type DrConfig } from '@dr/failover-core';
import { awsError } from './errors.js';
import {
  auroraInstanceArn,
  auroraNames,
  clusterArn,
  globalClusterArn,
  parseClusterArn,
  type FakeAuroraKnobs,
  type FakeAuroraState,
  type FakeCluster,
  type FakeClusterParameterGroup,
  type FakeClusterSnapshot,
  type FakeGlobalCluster,
  type FakeGlobalMember,
  type FakeAuroraInstance,
} from './fake-aurora-model.js';

/** `rds:unplanned-global-failover-<cluster>-<time>`: the system snapshot of an old primary's volume (time format UNCONFIRMED). */
export const failoverSnapshotId = (cluster: string, at: Date) =>
  `rds:unplanned-global-failover-${cluster}-${at.toISOString().slice(0, 16).replace(/[T:]/g, '-')}`;

/**
 * The state of the Aurora world of `FakeAws`, seeded from an `aurora-global` config: one cluster
 * per region with its one instance and its own cluster parameter group, both members of the
 * global cluster; what each reports and the truth about it. The calls that change it are in
 * `fake-aurora.ts`. Empty on the RDS tier.
 */
export class FakeAuroraWorld {
  readonly clusters: FakeCluster[] = [];
  /** Instances; a test may remove one to make its cluster headless. */
  readonly instances: FakeAuroraInstance[] = [];
  readonly clusterParameterGroups: FakeClusterParameterGroup[] = [];
  readonly clusterSnapshots: FakeClusterSnapshot[] = [];
  readonly global: FakeGlobalCluster | undefined;

  constructor(
    config: DrConfig,
    layout: 'steady' | 'failed-over',
    protected readonly knobs: FakeAuroraKnobs,
    protected readonly count: (kind: string) => void,
  ) {
    const tier = auroraTier(config);
    if (!tier) return;
    const serving = layout === 'steady' ? config.primary : config.secondary;
    const members: FakeGlobalMember[] = [];
    for (const r of [config.primary, config.secondary]) {
      const { cluster, clusterGroup } = auroraNames(r);
      if (!this.clusterGroup(r.region, clusterGroup))
        this.clusterParameterGroups.push({ region: r.region, name: clusterGroup, parameters: new Map() });
      const s = r.dbSettings;
      this.clusters.push({
        region: r.region,
        id: cluster,
        arn: clusterArn(r.region, cluster),
        parameterGroup: clusterGroup,
        applyingDescribes: 0,
        appliedReadOnly: undefined,
        backupRetentionPeriod: s?.backupRetentionDays ?? 7,
        deletionProtection: s?.deletionProtection ?? false,
        storageEncrypted: s?.storageEncrypted ?? true,
        kmsKeyId: r.dbKmsKeyArn,
        volume: 1,
        createdAt: new Date(Date.UTC(2026, 0, 1)),
      });
      this.instances.push({
        region: r.region,
        id: r.dbInstanceIdentifier,
        clusterId: cluster,
        instanceClass: s?.instanceClass ?? 'db.r6g.large',
        parameterGroup: r.dbParameterGroupName,
      });
      members.push({ clusterArn: clusterArn(r.region, cluster), isWriter: r === serving, synchronizationStatus: 'connected' });
    }
    this.global = {
      id: tier.globalClusterIdentifier,
      arn: globalClusterArn(tier.globalClusterIdentifier),
      engineVersion: tier.engineVersion,
      members,
    };
    // failed-over: a global failover made the DR cluster the writer, and the old primary has
    // since rejoined as a secondary, leaving the system snapshot of its old volume.
    if (layout === 'failed-over') {
      const old = auroraNames(config.primary).cluster;
      const at = new Date(Date.UTC(2026, 0, 2));
      this.clusterSnapshots.push({
        region: config.primary.region,
        id: failoverSnapshotId(old, at),
        clusterId: old,
        type: 'automated',
        describesLeft: 0,
        createdAt: at,
      });
    }
  }

  /** The cluster parameter group `name` in `region`. */
  clusterGroup(region: string, name: string): FakeClusterParameterGroup | undefined {
    return this.clusterParameterGroups.find((g) => g.region === region && g.name === name);
  }

  protected mustClusterGroup(region: string, name: string | undefined): FakeClusterParameterGroup {
    const group = this.clusterGroup(region, String(name ?? ''));
    // @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBClusterParameterGroup.html (DBParameterGroupNotFound, 404)
    if (!group) throw awsError('DBParameterGroupNotFoundFault', `DBClusterParameterGroup not found: ${name}`, 404);
    return group;
  }

  /** The cluster named by identifier in `region`, or by ARN (in its own region). */
  cluster(region: string, idOrArn: string | undefined): FakeCluster | undefined {
    if (!idOrArn) return undefined;
    const arn = parseClusterArn(idOrArn);
    return arn ? this.clusters.find((c) => c.arn === idOrArn) : this.clusters.find((c) => c.region === region && c.id === idOrArn);
  }

  protected mustCluster(region: string, idOrArn: string | undefined): FakeCluster {
    const found = this.cluster(region, idOrArn);
    // @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBClusters.html (DBClusterNotFoundFault, 404)
    if (!found) throw awsError('DBClusterNotFoundFault', `DBCluster ${idOrArn} not found.`, 404);
    return found;
  }

  instance(region: string, id: string | undefined): FakeAuroraInstance | undefined {
    return this.instances.find((i) => i.region === region && i.id === id);
  }

  protected instancesOf(c: FakeCluster): FakeAuroraInstance[] {
    return this.instances.filter((i) => i.region === c.region && i.clusterId === c.id);
  }

  protected member(c: FakeCluster): FakeGlobalMember | undefined {
    return this.global?.members.find((m) => m.clusterArn === c.arn);
  }

  /** A standalone cluster writes; a member writes when it is the global writer. */
  protected isWriter(c: FakeCluster): boolean {
    return this.member(c)?.isWriter ?? true;
  }

  protected applyStatus(c: FakeCluster): 'applying' | 'in-sync' {
    return c.applyingDescribes > 0 ? 'applying' : 'in-sync';
  }

  /** A secondary is read-only whatever its group says; a writer follows its applied `read_only`. */
  protected readOnlyEffective(c: FakeCluster): boolean {
    const v = c.appliedReadOnly?.toUpperCase();
    return !this.isWriter(c) || v === '1' || v === 'ON';
  }

  /**
   * DescribeDBClusters' status of a cluster: `failing-over` for the target of a global failover
   * while it is under way (a DB cluster status AWS lists); during a switchover both clusters
   * report `modifying` (UNCONFIRMED: AWS does not say which status they show).
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/accessing-monitoring.html (DB cluster status values)
   */
  protected clusterStatus(c: FakeCluster): string {
    const op = this.global?.operation;
    if (!op?.shown || (op.from !== c.arn && op.to !== c.arn)) return 'available';
    return op.dataLoss ? (op.to === c.arn ? 'failing-over' : 'available') : 'modifying';
  }

  /** The truth about the Aurora instance `id` in `region` and its cluster. */
  state(region: string, id: string): FakeAuroraState | undefined {
    const i = this.instance(region, id);
    const c = i && this.cluster(region, i.clusterId);
    if (!i || !c) return undefined;
    const writer = this.isWriter(c);
    const readOnlyEffective = this.readOnlyEffective(c);
    const status = this.clusterStatus(c);
    return {
      region,
      id,
      clusterId: c.id,
      role: writer ? 'primary' : 'replica',
      status,
      clusterParameterGroup: c.parameterGroup,
      applyStatus: this.applyStatus(c),
      readOnlyEffective,
      // The old writer takes no writes once an operation is under way: a switchover makes it
      // read-only first, a failover fences it (best effort on AWS; always here).
      writable: writer && status === 'available' && !readOnlyEffective && !this.global?.operation,
      synchronizationStatus: this.member(c)?.synchronizationStatus,
    };
  }

  /** Identifiers of the Aurora instances in `region` that accept writes now. */
  writable(region: string): string[] {
    return this.instances.filter((i) => i.region === region && this.state(region, i.id)?.writable).map((i) => i.id);
  }

  /**
   * The global lag of the cluster `clusterId` in `region`, in ms, as CloudWatch `AWS/RDS`
   * `metricName` reports it: published only for a connected secondary (none for the writer), 0
   * once the writer's group has `read_only` = 1 applied (no writes arrive). `AuroraGlobalDBRPOLag`
   * only on the versions that publish it.
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-monitoring.html
   */
  globalLagMs(region: string, clusterId: string | undefined, metricName: string): number | undefined {
    const g = this.global;
    const c = this.cluster(region, clusterId);
    if (!g || !c) return undefined;
    const published = metricName === 'AuroraGlobalDBReplicationLag' || metricName === globalLagMetricName(g.engineVersion);
    const m = this.member(c);
    if (!published || !m || m.isWriter || m.synchronizationStatus !== 'connected') return undefined;
    const writer = this.clusters.find((w) => this.member(w)?.isWriter);
    return writer?.appliedReadOnly === '1' ? 0 : this.knobs.globalLagMs;
  }

  /** DescribeDBInstances' shape of an Aurora instance. */
  protected instanceView(i: FakeAuroraInstance): Record<string, unknown> {
    const c = this.cluster(i.region, i.clusterId);
    return {
      DBInstanceIdentifier: i.id,
      DBInstanceArn: auroraInstanceArn(i.region, i.id),
      // The instance of a cluster being rebuilt: its status is UNCONFIRMED (the fake says available).
      DBInstanceStatus: 'available',
      Engine: 'aurora-mysql',
      EngineVersion: this.global?.engineVersion,
      DBInstanceClass: i.instanceClass,
      DBClusterIdentifier: i.clusterId,
      StorageEncrypted: c?.storageEncrypted,
      KmsKeyId: c?.kmsKeyId,
      BackupRetentionPeriod: c?.backupRetentionPeriod,
      DeletionProtection: c?.deletionProtection,
      InstanceCreateTime: c?.createdAt,
      DBParameterGroups: [{ DBParameterGroupName: i.parameterGroup, ParameterApplyStatus: 'in-sync' }],
    };
  }

  /** DescribeDBClusters' shape of a cluster; `applyStatus` as this describe reports it. */
  protected clusterView(c: FakeCluster, applyStatus: string): Record<string, unknown> {
    const writer = this.isWriter(c);
    return {
      DBClusterIdentifier: c.id,
      DBClusterArn: c.arn,
      Status: this.clusterStatus(c),
      Engine: 'aurora-mysql',
      EngineVersion: this.global?.engineVersion,
      DBClusterParameterGroup: c.parameterGroup,
      BackupRetentionPeriod: c.backupRetentionPeriod,
      DeletionProtection: c.deletionProtection,
      StorageEncrypted: c.storageEncrypted,
      KmsKeyId: c.kmsKeyId,
      ClusterCreateTime: c.createdAt,
      // @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBClusterMember.html
      DBClusterMembers: this.instancesOf(c).map((i) => ({
        DBInstanceIdentifier: i.id,
        IsClusterWriter: writer,
        DBClusterParameterGroupStatus: applyStatus,
        PromotionTier: 1,
      })),
    };
  }
}
