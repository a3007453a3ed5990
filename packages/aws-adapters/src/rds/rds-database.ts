import {
  CreateDBInstanceReadReplicaCommand,
  DescribeDBInstancesCommand,
  ModifyDBInstanceCommand,
  PromoteReadReplicaCommand,
  RDSClient,
  RebootDBInstanceCommand,
  type DBInstance,
  type RDSClientConfig,
} from '@aws-sdk/client-rds';
import {
  isOperationRejected,
  isResourceNotFound,
  NotReadyError,
  OperationRejectedError,
  ResourceNotFoundError,
} from '@dr/failover-core/errors';
import type { Database, DbInstanceSummary, DbRef, DbStatus } from '@dr/failover-core/ports';
import { allPages, callAws, DEFAULT_CALL_POLICY, type CallContext, type CallPolicy } from '../aws-call.js';
import { ClientCache, type RegionalClients } from '../clients.js';
import type { CloudWatchMetrics } from '../cloudwatch/cloudwatch-metrics.js';
import {
  GROUP_NOT_FOUND,
  INSTANCE_NOT_FOUND,
  INVALID_INSTANCE_STATE,
  INVALID_REQUEST,
  MISSING,
  roleOf,
  statusOf,
  summaryOf,
  type RdsRegionSettings,
} from './rds-answers.js';
import { RdsParameterGroups } from './parameter-groups.js';
import { replicaRequest } from './replica-request.js';

export type { RdsRegionSettings } from './rds-answers.js';

/** Options of {@link RdsDatabase}. */
export type RdsDatabaseOptions = RegionalClients<RDSClient, RDSClientConfig> & {
  /** Reads replica lag. */
  readonly metrics: CloudWatchMetrics;
  /** Settings of each region, by region name. */
  readonly regions: readonly RdsRegionSettings[];
  readonly policy?: CallPolicy;
};

/**
 * The `Database` port on RDS for MySQL.
 *
 * - Writes are fenced through the database's own parameter group: `read_only` = 1 to fence,
 *   reset to `{TrueIfReplica}` to lift. A dynamic change reaches every instance using the group,
 *   asynchronously, so a fence counts only once the instance reports it `in-sync`.
 * - Promotion is idempotent (`InvalidDBInstanceState` on an instance already promoted is
 *   success); replicas are created cross-region from the source's ARN with every setting of the
 *   destination region, since RDS copies few of them; the SDK presigns the request.
 * - Retiring renames an instance and moves it to the region's read-only retired group, so that
 *   lifting the fence of its old group never makes it writable again (after its reboot).
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/parameter-groups-overview.html (dynamic changes reach every instance of the group; a new association waits for a reboot)
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Promote.html
 */
export class RdsDatabase implements Database {
  private readonly clients: ClientCache<RDSClient, RDSClientConfig>;
  private readonly policy: CallPolicy;

  private readonly groups: RdsParameterGroups;

  constructor(private readonly options: RdsDatabaseOptions) {
    this.clients = new ClientCache(options, (c) => new RDSClient(c));
    this.policy = options.policy ?? DEFAULT_CALL_POLICY;
    this.groups = new RdsParameterGroups((context, region, call) => this.send(context, region, call));
  }

  private settings(region: string): RdsRegionSettings | undefined {
    return this.options.regions.find((r) => r.region === region);
  }

  private ctx(db: DbRef, extra: Partial<CallContext> = {}): CallContext {
    return { region: db.region, resource: `RDS instance ${db.dbInstanceIdentifier}`, notFound: INSTANCE_NOT_FOUND, ...extra };
  }

  /** One RDS call in `region` under the adapters' call policy (deadline, throttling, error mapping). */
  private send<Output>(
    context: CallContext,
    region: string,
    call: (client: RDSClient, options: { abortSignal: AbortSignal }) => Promise<Output>,
  ): Promise<Output> {
    return callAws(context, (abortSignal) => call(this.clients.get(region), { abortSignal }), this.policy);
  }

  private async instance(db: DbRef): Promise<DBInstance | undefined> {
    try {
      const out = await this.send(this.ctx(db), db.region, (c, o) =>
        c.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: db.dbInstanceIdentifier }), o),
      );
      return out.DBInstances?.[0];
    } catch (e) {
      if (isResourceNotFound(e)) return undefined;
      throw e;
    }
  }

  /** Reads the instance, its parameter group and that group's `read_only`, and a replica's lag ({@link statusOf}). */
  async describe(db: DbRef): Promise<DbStatus> {
    const found = await this.instance(db);
    if (!found) return MISSING;
    const role = roleOf(found);
    // An RDS for MySQL instance has one DB parameter group.
    const group = found.DBParameterGroups?.[0];
    const [readOnly, lag] = await Promise.all([
      group?.DBParameterGroupName ? this.groups.readOnly(db.region, group.DBParameterGroupName) : Promise.resolve(undefined),
      role === 'replica' ? this.options.metrics.replicaLag(db.region, db.dbInstanceIdentifier) : Promise.resolve(undefined),
    ]);
    return statusOf(found, readOnly, lag);
  }

  async promoteReplica(db: DbRef, options: { readonly backupRetentionDays?: number | undefined } = {}): Promise<void> {
    try {
      // PromoteReadReplica takes the retention the new primary's backups get (API default 1);
      // a replica had backups off.
      // @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_PromoteReadReplica.html
      await this.send(this.ctx(db, { rejected: INVALID_INSTANCE_STATE }), db.region, (c, o) =>
        c.send(
          new PromoteReadReplicaCommand({
            DBInstanceIdentifier: db.dbInstanceIdentifier,
            BackupRetentionPeriod: options.backupRetentionDays,
          }),
          o,
        ),
      );
    } catch (e) {
      if (!isOperationRejected(e)) throw e;
      // RDS answers InvalidDBInstanceState for an instance already promoted (success for us), for
      // one whose promotion is under way but not yet visible (the waiter race), and for one busy
      // with something else (a backup). Only a gone source proves the promotion; anything else
      // is "not now": retry later, and do not assume our earlier call had no effect.
      const now = await this.instance(db);
      if (!now) throw e;
      if (!now.ReadReplicaSourceDBInstanceIdentifier) return;
      throw new NotReadyError(
        `${db.dbInstanceIdentifier} in ${db.region} is ${now.DBInstanceStatus ?? 'busy'} and cannot be promoted yet`,
        { cause: e },
      );
    }
  }

  /** Creates a read replica with every setting of the target region's config ({@link replicaRequest} says why). */
  async createReplica(target: DbRef, source: DbRef): Promise<void> {
    if (await this.instance(target)) return;
    const input = await replicaRequest(target, source, this.settings(target.region), () => this.instance(source));
    try {
      await this.send(
        {
          region: target.region,
          resource: `RDS replica ${target.dbInstanceIdentifier}`,
          rejected: [
            ...GROUP_NOT_FOUND,
            'DBSubnetGroupNotFoundFault',
            'DBSubnetGroupNotAllowedFault',
            'KMSKeyNotAccessibleFault',
            'StorageQuotaExceededFault',
            'InstanceQuotaExceededFault',
            ...INVALID_REQUEST,
          ],
          // The source is busy (modifying after a promotion, backing up): a later try may work.
          notReady: INVALID_INSTANCE_STATE,
        },
        target.region,
        (c, o) => c.send(new CreateDBInstanceReadReplicaCommand(input), o),
      );
    } catch (e) {
      // Two controllers racing to create the same replica: the second finds it already there.
      if ((e as { name?: string } | undefined)?.name === 'DBInstanceAlreadyExistsFault') return;
      throw e;
    }
  }

  /**
   * One ModifyDBInstance renames the instance and associates the retired group, applied
   * immediately; the group is `pending-reboot` until {@link RdsDatabase.rebootInstance}. A rename
   * keeps the instance's data, snapshots and tags.
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_RenameInstance.html
   */
  async retireInstance(db: DbRef, newIdentifier: string): Promise<void> {
    const retired = this.settings(db.region)?.retiredDbParameterGroupName;
    if (!retired) {
      throw new OperationRejectedError(
        `cannot retire ${db.dbInstanceIdentifier} in ${db.region}: no retiredDbParameterGroupName is configured for ${db.region}; without it, lifting the write fence of its parameter group would make the retired database writable again`,
      );
    }
    const current = await this.instance(db);
    if (!current) {
      const renamed = await this.instance({ ...db, dbInstanceIdentifier: newIdentifier });
      if (!renamed)
        throw new OperationRejectedError(
          `cannot retire ${db.dbInstanceIdentifier} in ${db.region}: neither it nor ${newIdentifier} exists`,
        );
      // Already renamed (our earlier call landed). Had it been renamed some other way, it still
      // goes to the retired group.
      if (renamed.DBParameterGroups?.some((g) => g.DBParameterGroupName === retired)) return;
      await this.modify({ ...db, dbInstanceIdentifier: newIdentifier }, { DBParameterGroupName: retired });
      return;
    }
    // A rename under way is ours: the same call carried the group.
    if (current.DBInstanceStatus === 'renaming') return;
    await this.modify(db, { NewDBInstanceIdentifier: newIdentifier, DBParameterGroupName: retired });
  }

  /** ModifyDBInstance applied immediately; a busy instance (`InvalidDBInstanceState`) is "not yet". */
  private async modify(
    db: DbRef,
    changes: { NewDBInstanceIdentifier?: string; DBParameterGroupName?: string; BackupRetentionPeriod?: number },
  ): Promise<void> {
    await this.send(
      this.ctx(db, {
        rejected: ['DBInstanceAlreadyExistsFault', 'DBInstanceAlreadyExists', ...GROUP_NOT_FOUND, ...INVALID_REQUEST],
        notReady: INVALID_INSTANCE_STATE,
      }),
      db.region,
      (c, o) =>
        c.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: db.dbInstanceIdentifier, ...changes, ApplyImmediately: true }), o),
    );
  }

  /**
   * RebootDBInstance, which applies a `pending-reboot` group association. RDS reboots only an
   * `available` instance: otherwise (`InvalidDBInstanceState`) "not yet".
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_RebootInstance.html
   */
  async rebootInstance(db: DbRef): Promise<void> {
    await this.send(this.ctx(db, { notReady: INVALID_INSTANCE_STATE }), db.region, (c, o) =>
      c.send(new RebootDBInstanceCommand({ DBInstanceIdentifier: db.dbInstanceIdentifier }), o),
    );
  }

  /**
   * Fences writes (ModifyDBParameterGroup `read_only` = 1, immediate: it is dynamic) or lifts the
   * fence (ResetDBParameterGroup of `read_only`, back to `{TrueIfReplica}`) on the region's
   * `dbParameterGroupName`, after checking the instance uses that group: a group change reaches
   * every instance using it, and none that does not. Nothing is sent when the group already has
   * the setting. `InvalidDBParameterGroupState` (the group is busy) is "not yet".
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBParameterGroup.html
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ResetDBParameterGroup.html
   */
  async setWriteFence(db: DbRef, fenced: boolean): Promise<void> {
    const verb = fenced ? 'fence' : 'lift the write fence of';
    const group = this.settings(db.region)?.dbParameterGroupName;
    if (!group)
      throw new OperationRejectedError(
        `cannot ${verb} writes on ${db.dbInstanceIdentifier}: no dbParameterGroupName is configured for ${db.region}`,
      );
    const found = await this.instance(db);
    if (!found) throw new ResourceNotFoundError(`RDS instance ${db.dbInstanceIdentifier}`, db.region);
    const uses = (found.DBParameterGroups ?? []).map((g) => g.DBParameterGroupName ?? '?');
    if (!uses.includes(group)) {
      throw new OperationRejectedError(
        `refusing to ${verb} ${db.dbInstanceIdentifier} in ${db.region} through parameter group ${group}: the instance uses ${uses.join(', ') || 'no parameter group'}, so the change would reach other instances and not this one`,
      );
    }
    const current = await this.groups.readOnly(db.region, group);
    if (fenced ? current === 'on' : current === 'default') return;
    await this.groups.setReadOnly(db.region, group, fenced);
  }

  /**
   * ModifyDBInstance BackupRetentionPeriod, applied immediately; nothing is sent when the instance
   * already has it (RDS answers a request that changes nothing with InvalidParameterCombination).
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBInstance.html
   */
  async setBackupRetention(db: DbRef, days: number): Promise<void> {
    const found = await this.instance(db);
    if (!found) throw new ResourceNotFoundError(`RDS instance ${db.dbInstanceIdentifier}`, db.region);
    if (found.BackupRetentionPeriod === days) return;
    await this.modify(db, { BackupRetentionPeriod: days });
  }

  /** Every instance of the region (DescribeDBInstances, page by page) whose identifier starts with `identifierPrefix`. */
  async listInstances(region: string, identifierPrefix: string): Promise<readonly DbInstanceSummary[]> {
    // DescribeDBInstances filters by exact identifier only: list all and match the prefix here.
    const instances = await allPages(async (token) => {
      const out = await this.send({ region, resource: 'RDS instances' }, region, (c, o) =>
        c.send(new DescribeDBInstancesCommand({ Marker: token }), o),
      );
      return { items: out.DBInstances ?? [], next: out.Marker };
    });
    return instances.filter((i) => i.DBInstanceIdentifier?.startsWith(identifierPrefix)).map((i) => summaryOf(region, i));
  }
}
