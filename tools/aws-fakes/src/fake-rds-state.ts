import type { DrConfig, RegionResources } from '@dr/failover-core';
import { awsError } from './errors.js';
import {
  DEFAULT_PARAMETER_GROUP,
  dbArn,
  deployedSettings,
  parseDbArn,
  type FakeDb,
  type FakeDbSettings,
  type FakeDbState,
  type FakeDbStep,
  type FakeParameterGroup,
  type FakeRdsKnobs,
} from './fake-rds-model.js';

/**
 * The state of the RDS world of {@link FakeAws}: instances and parameter groups of two regions, what
 * each instance reports (its status counted down in describes) and the truth about it. The calls
 * that change it are the layers above (`fake-rds-parameter-groups.ts`, `fake-rds.ts`).
 */
export class FakeRdsState {
  readonly dbs: FakeDb[] = [];
  readonly parameterGroups: FakeParameterGroup[] = [];

  constructor(
    config: DrConfig,
    layout: 'steady' | 'failed-over',
    protected readonly knobs: FakeRdsKnobs,
    protected readonly count: (kind: string) => void,
  ) {
    const { primary, secondary } = config;
    for (const r of [primary, secondary]) {
      this.addGroup(r.region, DEFAULT_PARAMETER_GROUP, true);
      this.addGroup(r.region, r.dbParameterGroupName);
      // A retired instance must never become writable when the fence of its old group is lifted.
      if (r.retiredDbParameterGroupName) this.addGroup(r.region, r.retiredDbParameterGroupName).parameters.set('read_only', '1');
    }
    // On the Aurora tier the instances belong to clusters (`fake-aurora.ts`).
    if (config.database.tier === 'aurora-global') return;
    const serving = layout === 'steady' ? primary : secondary;
    this.addDb(serving, undefined);
    // steady: the pilot light replicates from the primary. failed-over: the old primary stands
    // alone, as if containment never reached it (unfenced).
    if (layout === 'steady') this.addDb(secondary, dbArn(primary.region, primary.dbInstanceIdentifier));
    else this.addDb(primary, undefined);
  }

  protected addGroup(region: string, name: string, isDefault = false): FakeParameterGroup {
    const existing = this.group(region, name);
    if (existing) return existing;
    const group: FakeParameterGroup = { region, name, family: 'mysql8.4', isDefault, parameters: new Map() };
    this.parameterGroups.push(group);
    return group;
  }

  protected addDb(r: RegionResources, sourceArn: string | undefined): void {
    this.dbs.push(
      this.newDb({
        region: r.region,
        id: r.dbInstanceIdentifier,
        sourceArn,
        group: r.dbParameterGroupName,
        settings: deployedSettings(r),
        createdAt: new Date(Date.UTC(2026, 0, 1)),
      }),
    );
  }

  /** An instance running with `group` as it is now (nothing applying or pending), answering `upcoming` first. */
  protected newDb(d: {
    region: string;
    id: string;
    sourceArn: string | undefined;
    group: string;
    settings: FakeDbSettings;
    createdAt: Date;
    upcoming?: FakeDbStep[];
  }): FakeDb {
    return {
      region: d.region,
      id: d.id,
      arn: dbArn(d.region, d.id),
      sourceArn: d.sourceArn,
      upcoming: d.upcoming ?? [],
      parameterGroup: d.group,
      effectiveParameterGroup: d.group,
      applyingDescribes: 0,
      pendingRebootChange: false,
      appliedReadOnly: this.readOnlyOf(d.region, d.group),
      settings: d.settings,
      createdAt: d.createdAt,
      deferred: {},
    };
  }

  /** The parameter group `name` in `region`. */
  group(region: string, name: string): FakeParameterGroup | undefined {
    return this.parameterGroups.find((g) => g.region === region && g.name === name);
  }

  /** The `read_only` value the group `name` in `region` holds now (undefined: the engine default). */
  protected readOnlyOf(region: string, name: string): string | undefined {
    return this.group(region, name)?.parameters.get('read_only');
  }

  /** The instance `id` (or ARN) in `region`. */
  find(region: string, idOrArn: string | undefined): FakeDb | undefined {
    if (!idOrArn) return undefined;
    const arn = parseDbArn(idOrArn);
    if (arn) return arn.region === region ? this.dbs.find((d) => d.arn === idOrArn) : undefined;
    return this.dbs.find((d) => d.region === region && d.id === idOrArn);
  }

  protected mustFind(region: string, id: string | undefined): FakeDb {
    const db = this.find(region, id);
    if (!db) throw awsError('DBInstanceNotFoundFault', `DBInstance ${id} not found.`, 404);
    return db;
  }

  protected mustGroup(region: string, name: string): FakeParameterGroup {
    const group = this.group(region, name);
    // @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBParameterGroup.html (DBParameterGroupNotFound, 404)
    if (!group) throw awsError('DBParameterGroupNotFoundFault', `DBParameterGroup not found: ${name}`, 404);
    return group;
  }

  /** The instances that replicate from `db`. */
  protected replicasOf(db: FakeDb): FakeDb[] {
    return this.dbs.filter((d) => d.sourceArn === db.arn);
  }

  protected applyStatus(db: FakeDb): string {
    // Associating a new group, or a change made with ApplyMethod pending-reboot, applies nothing
    // until the instance reboots; a dynamic change applies asynchronously to every instance of
    // the group: `applying`, then `in-sync`.
    // @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBParameterGroupStatus.html
    if (db.parameterGroup !== db.effectiveParameterGroup || db.pendingRebootChange) return 'pending-reboot';
    return db.applyingDescribes > 0 ? 'applying' : 'in-sync';
  }

  /**
   * `read_only` as the instance runs with it: `{TrueIfReplica}` is on for a replica and off for
   * a primary, so a promoted replica becomes writable with no parameter change.
   * @see https://docs.aws.amazon.com/awssupport/latest/user/fault-tolerance-checks.html
   */
  protected readOnlyEffective(db: FakeDb): boolean {
    const v = db.appliedReadOnly?.toUpperCase();
    if (v === '1' || v === 'ON') return true;
    if (v === '0' || v === 'OFF') return false;
    return db.sourceArn !== undefined;
  }

  protected currentStatus(db: FakeDb): string {
    return db.upcoming[0]?.status ?? 'available';
  }

  /** The truth about one instance, for tests. */
  state(region: string, id: string): FakeDbState | undefined {
    const db = this.find(region, id);
    if (!db) return undefined;
    const status = this.currentStatus(db);
    const readOnlyEffective = this.readOnlyEffective(db);
    return {
      region: db.region,
      id: db.id,
      arn: db.arn,
      role: db.sourceArn ? 'replica' : 'primary',
      sourceArn: db.sourceArn,
      status,
      parameterGroup: db.parameterGroup,
      effectiveParameterGroup: db.effectiveParameterGroup,
      applyStatus: this.applyStatus(db),
      readOnlyEffective,
      writable: !db.sourceArn && status === 'available' && !readOnlyEffective,
      settings: db.settings,
    };
  }

  /** Identifiers of the instances in `region` that accept writes now. */
  writable(region: string): string[] {
    return this.dbs.filter((d) => d.region === region && this.state(d.region, d.id)?.writable).map((d) => d.id);
  }

  /**
   * The replica's CloudWatch ReplicaLag: it catches up once its source's group has `read_only`
   * set to 1 (the fake models no writes arriving while that change is `applying`).
   */
  replicaLag(region: string, id: string | undefined, lagSeconds: number): number {
    const replica = this.find(region, id);
    const source = replica?.sourceArn ? this.dbs.find((d) => d.arn === replica.sourceArn) : undefined;
    if (!replica || !source)
      return this.dbs.some((d) => this.readOnlyOf(d.region, d.effectiveParameterGroup) === '1' && !d.sourceArn) ? 0 : lagSeconds;
    return this.readOnlyOf(source.region, source.effectiveParameterGroup) === '1' ? 0 : lagSeconds;
  }

  /** Reports the instance as one describe does: the next status takes effect, an `applying` change counts down. */
  protected observe(db: FakeDb): Record<string, unknown> {
    const step = db.upcoming.shift();
    step?.effect?.(db);
    const applyStatus = this.applyStatus(db);
    if (db.applyingDescribes > 0 && --db.applyingDescribes === 0)
      db.appliedReadOnly = this.readOnlyOf(db.region, db.effectiveParameterGroup);
    return this.view(db, step?.status ?? 'available', applyStatus);
  }

  /** DescribeDBInstances' shape of an instance. */
  protected view(db: FakeDb, status = this.currentStatus(db), applyStatus = this.applyStatus(db)): Record<string, unknown> {
    const s = db.settings;
    const source = db.sourceArn ? parseDbArn(db.sourceArn) : undefined;
    return {
      DBInstanceIdentifier: db.id,
      DBInstanceArn: db.arn,
      DBInstanceStatus: status,
      Engine: 'mysql',
      EngineVersion: '8.4.5',
      DBInstanceClass: s.instanceClass,
      AllocatedStorage: s.allocatedStorage,
      StorageType: s.storageType,
      StorageEncrypted: s.storageEncrypted,
      KmsKeyId: s.kmsKeyId,
      MultiAZ: s.multiAz,
      BackupRetentionPeriod: s.backupRetentionPeriod,
      DeletionProtection: s.deletionProtection,
      IAMDatabaseAuthenticationEnabled: s.iamAuthentication,
      EnabledCloudwatchLogsExports: s.cloudwatchLogsExports.length > 0 ? s.cloudwatchLogsExports : undefined,
      CopyTagsToSnapshot: s.copyTagsToSnapshot,
      AutoMinorVersionUpgrade: s.autoMinorVersionUpgrade,
      PubliclyAccessible: s.publiclyAccessible,
      InstanceCreateTime: db.createdAt,
      DBParameterGroups: [{ DBParameterGroupName: db.parameterGroup, ParameterApplyStatus: applyStatus }],
      DBSubnetGroup: s.subnetGroupName ? { DBSubnetGroupName: s.subnetGroupName } : undefined,
      VpcSecurityGroups: s.securityGroupIds.map((id) => ({ VpcSecurityGroupId: id, Status: 'active' })),
      ReadReplicaSourceDBInstanceIdentifier: db.sourceArn,
      // Cross-region replicas are named by ARN, same-region ones by identifier.
      ReadReplicaDBInstanceIdentifiers: this.replicasOf(db).map((r) => (r.region === db.region ? r.id : r.arn)),
      // @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBInstanceStatusInfo.html
      StatusInfos: source
        ? [
            this.knobs.outages.has(source.region)
              ? { StatusType: 'read replication', Normal: false, Status: 'error', Message: 'Replication has stopped.' }
              : { StatusType: 'read replication', Normal: true, Status: 'replicating' },
          ]
        : undefined,
      TagList: Object.entries(s.tags).map(([Key, Value]) => ({ Key, Value })),
    };
  }
}
