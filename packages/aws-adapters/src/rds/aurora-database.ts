import {
  DescribeDBClusterParametersCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeGlobalClustersCommand,
  ModifyDBClusterParameterGroupCommand,
  RDSClient,
  ResetDBClusterParameterGroupCommand,
  type DBCluster,
  type DBInstance,
  type GlobalClusterMember,
  type RDSClientConfig,
} from '@aws-sdk/client-rds';
import { globalLagMetricName, type RegionResources } from '@dr/failover-core';
import { isResourceNotFound, OperationRejectedError, ResourceNotFoundError } from '@dr/failover-core/errors';
import type { Database, DbInstanceSummary, DbRef, DbStatus, ReadOnlySetting } from '@dr/failover-core/ports';
import { allPages, callAws, DEFAULT_CALL_POLICY, type CallContext, type CallPolicy } from '../aws-call.js';
import { ClientCache, type RegionalClients } from '../clients.js';
import type { CloudWatchMetrics } from '../cloudwatch/cloudwatch-metrics.js';
import {
  CLUSTER_NOT_FOUND,
  GLOBAL_CLUSTER_NOT_FOUND,
  GROUP_NOT_FOUND,
  INSTANCE_NOT_FOUND,
  INVALID_GROUP_STATE,
  INVALID_REQUEST,
  MISSING,
  readOnlySetting,
  summaryOf,
} from './rds-answers.js';

/** What the Aurora adapter needs of each region: the DR config's region entry. */
export type AuroraRegionSettings = Pick<RegionResources, 'region'> & Partial<Pick<RegionResources, 'dbClusterParameterGroupName'>>;

/** Options of {@link AuroraDatabase}. */
export type AuroraDatabaseOptions = RegionalClients<RDSClient, RDSClientConfig> & {
  /** Reads the global lag. */
  readonly metrics: CloudWatchMetrics;
  readonly regions: readonly AuroraRegionSettings[];
  /** The global database (`database.globalClusterIdentifier`). */
  readonly globalClusterIdentifier: string;
  /** Its engine version, which decides the lag metric ({@link globalLagMetricName}). */
  readonly engineVersion: string;
  readonly policy?: CallPolicy;
};

/**
 * The `Database` port on the Aurora tier: the region's Aurora instance, answered for with its
 * cluster. Its role is its cluster's membership of the global database (the writer: `primary`;
 * a secondary: `replica`; a cluster in no global database: `primary`), its write fence is
 * `read_only` in the region's own DB cluster parameter group (a dynamic parameter: applied on
 * each member instance, `applying` then `in-sync`), and a secondary's lag is the global lag
 * metric. The RDS replica's calls (promote, create a replica, retire, reboot, backup retention)
 * have no place on this tier: plans do not contain them, and each refuses.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBClusterMember.html (DBClusterParameterGroupStatus)
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_WorkingWithParamGroups.html
 */
export class AuroraDatabase implements Database {
  private readonly clients: ClientCache<RDSClient, RDSClientConfig>;
  private readonly policy: CallPolicy;

  constructor(private readonly options: AuroraDatabaseOptions) {
    this.clients = new ClientCache(options, (c) => new RDSClient(c));
    this.policy = options.policy ?? DEFAULT_CALL_POLICY;
  }

  private send<Output>(
    context: CallContext,
    call: (client: RDSClient, options: { abortSignal: AbortSignal }) => Promise<Output>,
  ): Promise<Output> {
    return callAws(context, (abortSignal) => call(this.clients.get(context.region), { abortSignal }), this.policy);
  }

  private async instance(db: DbRef): Promise<DBInstance | undefined> {
    try {
      const context = { region: db.region, resource: `Aurora instance ${db.dbInstanceIdentifier}`, notFound: INSTANCE_NOT_FOUND };
      const out = await this.send(context, (c, o) =>
        c.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: db.dbInstanceIdentifier }), o),
      );
      return out.DBInstances?.[0];
    } catch (e) {
      if (isResourceNotFound(e)) return undefined;
      throw e;
    }
  }

  /** The cluster of an instance; an instance in no cluster is not on this tier. */
  private async clusterOf(db: DbRef, found: DBInstance): Promise<DBCluster> {
    const id = found.DBClusterIdentifier;
    if (!id)
      throw new OperationRejectedError(
        `${db.dbInstanceIdentifier} in ${db.region} belongs to no DB cluster: database.tier aurora-global needs the region's Aurora instance`,
      );
    const context = { region: db.region, resource: `Aurora cluster ${id}`, notFound: CLUSTER_NOT_FOUND };
    const out = await this.send(context, (c, o) => c.send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }), o));
    const cluster = out.DBClusters?.[0];
    if (!cluster) throw new ResourceNotFoundError(`Aurora cluster ${id}`, db.region);
    return cluster;
  }

  /** The cluster's entry in the global database as `region` sees it; undefined when it is in none. */
  private async membership(region: string, cluster: DBCluster): Promise<{ member?: GlobalClusterMember; writer?: GlobalClusterMember }> {
    const id = this.options.globalClusterIdentifier;
    try {
      const context = { region, resource: `global database ${id}`, notFound: GLOBAL_CLUSTER_NOT_FOUND };
      const out = await this.send(context, (c, o) => c.send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: id }), o));
      const members = out.GlobalClusters?.[0]?.GlobalClusterMembers ?? [];
      return { member: members.find((m) => m.DBClusterArn === cluster.DBClusterArn), writer: members.find((m) => m.IsWriter) };
    } catch (e) {
      if (isResourceNotFound(e)) return {};
      throw e;
    }
  }

  /** `read_only` of a DB cluster parameter group, through every page of its user-set parameters. */
  private async readOnly(region: string, group: string): Promise<ReadOnlySetting | undefined> {
    const params = await allPages(async (token) => {
      const context = { region, resource: `DB cluster parameter group ${group}`, notFound: GROUP_NOT_FOUND };
      const out = await this.send(context, (c, o) =>
        c.send(new DescribeDBClusterParametersCommand({ DBClusterParameterGroupName: group, Source: 'user', Marker: token }), o),
      );
      return { items: out.Parameters ?? [], next: out.Marker };
    });
    return readOnlySetting(params.find((p) => p.ParameterName === 'read_only')?.ParameterValue);
  }

  /** The instance with its cluster, the cluster's membership and group, and a secondary's global lag. */
  async describe(db: DbRef): Promise<DbStatus> {
    const found = await this.instance(db);
    if (!found) return MISSING;
    const cluster = await this.clusterOf(db, found);
    const group = cluster.DBClusterParameterGroup;
    const [{ member, writer }, readOnly] = await Promise.all([
      this.membership(db.region, cluster),
      group ? this.readOnly(db.region, group) : Promise.resolve(undefined),
    ]);
    // A global secondary has no writer instance (IsClusterWriter false on every member); a writer
    // cluster, or one standing alone, has one. The membership says which, and when it could not be
    // found (a wrong global cluster identifier, a cluster removed) the cluster's own members do:
    // a secondary is never reported a primary, nor an instance that is not the cluster's writer writable.
    // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBClusterMember.html
    const own = cluster.DBClusterMembers?.find((m) => m.DBInstanceIdentifier === db.dbInstanceIdentifier);
    const role = member ? (member.IsWriter ? 'primary' : 'replica') : own?.IsClusterWriter ? 'primary' : 'replica';
    const lag =
      role === 'replica' && cluster.DBClusterIdentifier
        ? await this.options.metrics.globalLag(db.region, cluster.DBClusterIdentifier, globalLagMetricName(this.options.engineVersion))
        : undefined;
    // The cluster group's apply status is reported per member instance.
    const applyStatus = own?.DBClusterParameterGroupStatus;
    const inSync = applyStatus === 'in-sync';
    const status = cluster.Status !== undefined && cluster.Status !== 'available' ? cluster.Status : (found.DBInstanceStatus ?? 'unknown');
    return {
      exists: true,
      status,
      role,
      sourceIdentifier: role === 'replica' ? writer?.DBClusterArn : undefined,
      writable:
        role === 'primary' &&
        own?.IsClusterWriter === true &&
        status === 'available' &&
        (readOnly === 'off' || readOnly === 'default') &&
        inSync,
      writeFenced: readOnly === 'on' && inSync,
      replicaLagSeconds: lag?.seconds,
      replicaLagAt: lag?.at,
      replicating: role === 'replica' ? member?.SynchronizationStatus === 'connected' : undefined,
      parameterGroup: group ? { name: group, applyStatus: applyStatus ?? 'unknown' } : undefined,
      readOnly,
      backupRetentionDays: cluster.BackupRetentionPeriod,
      instanceClass: found.DBInstanceClass,
      deletionProtection: cluster.DeletionProtection,
    };
  }

  /**
   * Fences writes (ModifyDBClusterParameterGroup `read_only` = 1, immediate) or lifts the fence
   * (ResetDBClusterParameterGroup of `read_only`) on the region's `dbClusterParameterGroupName`,
   * after checking the instance's cluster uses that group. Nothing is sent when the group
   * already has the setting; a busy group is "not yet".
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBClusterParameterGroup.html
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ResetDBClusterParameterGroup.html
   */
  async setWriteFence(db: DbRef, fenced: boolean): Promise<void> {
    const verb = fenced ? 'fence' : 'lift the write fence of';
    const group = this.options.regions.find((r) => r.region === db.region)?.dbClusterParameterGroupName;
    if (!group)
      throw new OperationRejectedError(
        `cannot ${verb} writes on ${db.dbInstanceIdentifier}: no dbClusterParameterGroupName is configured for ${db.region}`,
      );
    const found = await this.instance(db);
    if (!found) throw new ResourceNotFoundError(`Aurora instance ${db.dbInstanceIdentifier}`, db.region);
    const cluster = await this.clusterOf(db, found);
    if (cluster.DBClusterParameterGroup !== group)
      throw new OperationRejectedError(
        `refusing to ${verb} ${db.dbInstanceIdentifier} in ${db.region} through cluster parameter group ${group}: its cluster ${cluster.DBClusterIdentifier} uses ${cluster.DBClusterParameterGroup ?? 'no cluster parameter group'}, so the change would reach other clusters and not this one`,
      );
    const current = await this.readOnly(db.region, group);
    if (fenced ? current === 'on' : current === 'default') return;
    const context = {
      region: db.region,
      resource: `DB cluster parameter group ${group}`,
      notFound: GROUP_NOT_FOUND,
      rejected: INVALID_REQUEST,
      notReady: INVALID_GROUP_STATE,
    };
    const parameter = { ParameterName: 'read_only', ApplyMethod: 'immediate' as const };
    await this.send(context, (c, o) =>
      fenced
        ? c.send(
            new ModifyDBClusterParameterGroupCommand({
              DBClusterParameterGroupName: group,
              Parameters: [{ ...parameter, ParameterValue: '1' }],
            }),
            o,
          )
        : c.send(new ResetDBClusterParameterGroupCommand({ DBClusterParameterGroupName: group, Parameters: [parameter] }), o),
    );
  }

  /** Every instance of the region (Aurora's included) whose identifier starts with `identifierPrefix`. */
  async listInstances(region: string, identifierPrefix: string): Promise<readonly DbInstanceSummary[]> {
    const instances = await allPages(async (token) => {
      const out = await this.send({ region, resource: 'RDS instances' }, (c, o) =>
        c.send(new DescribeDBInstancesCommand({ Marker: token }), o),
      );
      return { items: out.DBInstances ?? [], next: out.Marker };
    });
    return instances.filter((i) => i.DBInstanceIdentifier?.startsWith(identifierPrefix)).map((i) => summaryOf(region, i));
  }

  promoteReplica(db: DbRef): Promise<void> {
    return this.notOnThisTier('promoteReplica', db, 'a global failover (FailoverGlobalCluster) promotes the secondary cluster');
  }

  createReplica(db: DbRef): Promise<void> {
    return this.notOnThisTier('createReplica', db, 'Aurora re-adds a recovered old primary to the global database itself');
  }

  retireInstance(db: DbRef): Promise<void> {
    return this.notOnThisTier('retireInstance', db, 'an old primary stays in the global database as a secondary');
  }

  rebootInstance(db: DbRef): Promise<void> {
    return this.notOnThisTier('rebootInstance', db, 'the cluster parameter group fence is dynamic and needs no reboot');
  }

  setBackupRetention(db: DbRef): Promise<void> {
    return this.notOnThisTier('setBackupRetention', db, 'an Aurora cluster always keeps backups, as its stack sets them');
  }

  private async notOnThisTier(call: string, db: DbRef, why: string): Promise<never> {
    throw new OperationRejectedError(
      `${call} of ${db.dbInstanceIdentifier} in ${db.region}: not a call of database.tier aurora-global (${why})`,
    );
  }
}
