import type { DrConfig, RegionResources } from '@dr/failover-core';
import { awsError } from './errors.js';

/**
 * The RDS part of {@link FakeAws}: DB instances and DB parameter groups of two regions, and the
 * answers to the RDS calls the adapters make, behaving as AWS documents over successive calls.
 * Time in the fake is counted in describes: a status such as `renaming` or a parameter change
 * `applying` lasts a given number of DescribeDBInstances that report the instance.
 *
 * Where AWS is silent, the choice made is marked UNCONFIRMED (see
 * /work/shared/aws-behaviours/rds-and-aurora.md for the catalogue these come from).
 */

/** The engine-default DB parameter group of RDS for MySQL 8.4, present in every region. */
export const DEFAULT_PARAMETER_GROUP = 'default.mysql8.4';

const ACCOUNT = '123456789012';

/** A DB parameter group: a resource of its own, per region, shared by every instance that uses it. */
export interface FakeParameterGroup {
  readonly region: string;
  readonly name: string;
  /** `mysql8.4`. */
  readonly family: string;
  /**
   * An engine default group (`default.*`): AWS refuses to modify it.
   * @see https://github.com/ankane/pghero/issues/66 (AWS: "Cannot modify a default parameter group. (Service: AmazonRDS; Status Code: 400; Error Code: InvalidParameterValue")
   */
  readonly isDefault: boolean;
  /**
   * Parameters set by the user (DescribeDBParameters Source `user`), by name. Without a
   * `read_only` entry the group has the engine default `{TrueIfReplica}`. Tests may set values
   * here to arrange a world; such a change takes effect at once, with no `applying`.
   */
  readonly parameters: Map<string, string>;
}

/** How a fake DB instance was created and what DescribeDBInstances reports of it. */
export interface FakeDbSettings {
  instanceClass: string;
  allocatedStorage: number;
  storageType: string;
  storageEncrypted: boolean;
  kmsKeyId?: string | undefined;
  multiAz: boolean;
  /** 0: automated backups off (as on a new read replica). */
  backupRetentionPeriod: number;
  deletionProtection: boolean;
  iamAuthentication: boolean;
  cloudwatchLogsExports: string[];
  copyTagsToSnapshot: boolean;
  autoMinorVersionUpgrade: boolean;
  publiclyAccessible: boolean;
  subnetGroupName?: string | undefined;
  securityGroupIds: string[];
  tags: Record<string, string>;
}

/** One status an instance reports on a coming describe, and what changes when it is reported. */
export interface FakeDbStep {
  readonly status: string;
  readonly effect?: ((db: FakeDb) => void) | undefined;
}

/** A DB instance as the fake keeps it. Tests may change `sourceArn` (undefined: a primary) or remove one from `FakeAws.dbs`. */
export interface FakeDb {
  region: string;
  id: string;
  arn: string;
  /** The replication source's ARN; undefined for a primary. */
  sourceArn?: string | undefined;
  /** Statuses to report on the next describes, front first; then `available`. */
  upcoming: FakeDbStep[];
  /** The parameter group associated with the instance, as DescribeDBInstances names it. */
  parameterGroup: string;
  /** The group whose values the instance runs with: the previous one while a new association is `pending-reboot`. */
  effectiveParameterGroup: string;
  /** Describes left that report `applying` after a change to the instance's group. */
  applyingDescribes: number;
  /** A change to its group made with ApplyMethod `pending-reboot` waits for a reboot. */
  pendingRebootChange: boolean;
  /** The `read_only` value the instance runs with: `0`, `1`, or undefined for `{TrueIfReplica}`. */
  appliedReadOnly: string | undefined;
  settings: FakeDbSettings;
  createdAt: Date;
  /** Changes requested without ApplyImmediately: they wait for a maintenance window the fake never reaches. */
  deferred: Record<string, unknown>;
}

/** What a test sees of one instance: the truth of the fake's world, not what an adapter infers. */
export interface FakeDbState {
  readonly region: string;
  readonly id: string;
  readonly arn: string;
  readonly role: 'primary' | 'replica';
  readonly sourceArn?: string | undefined;
  /** The status the next describe reports (read without advancing it). */
  readonly status: string;
  readonly parameterGroup: string;
  readonly effectiveParameterGroup: string;
  /** `in-sync`, `applying` or `pending-reboot`. */
  readonly applyStatus: string;
  /** True when the instance runs with `read_only` on (`1`, or `{TrueIfReplica}` on a replica). */
  readonly readOnlyEffective: boolean;
  /** Accepts writes: a primary, `available`, with `read_only` effectively off. */
  readonly writable: boolean;
  readonly settings: Readonly<FakeDbSettings>;
}

/** The fake's timings and failures that the RDS model reads (the public knobs of {@link FakeAws}). */
export interface FakeRdsKnobs {
  readonly parameterApplyDescribes: number;
  readonly renameDescribes: number;
  readonly rebootDescribes: number;
  readonly createReplicaDescribes: number;
  readonly modifyDescribes: number;
  readonly outages: ReadonlySet<string>;
  /** While true, every PromoteReadReplica is refused with InvalidDBInstanceState (see {@link FakeRds.promote}). */
  readonly refusePromotion: boolean;
}

/**
 * Engine defaults that DescribeDBParameters lists with Source `engine-default`. Only `read_only`
 * drives behaviour, and only its value is given; the others (values left out) make listings and
 * paging look like AWS's.
 * @see https://docs.aws.amazon.com/awssupport/latest/user/fault-tolerance-checks.html (read_only default {TrueIfReplica})
 */
const ENGINE_DEFAULTS: readonly { name: string; value?: string; applyType: 'dynamic' | 'static'; dataType: string }[] = [
  { name: 'character_set_server', applyType: 'dynamic', dataType: 'string' },
  { name: 'innodb_buffer_pool_size', applyType: 'static', dataType: 'integer' },
  { name: 'max_connections', applyType: 'dynamic', dataType: 'integer' },
  { name: 'read_only', value: '{TrueIfReplica}', applyType: 'dynamic', dataType: 'boolean' },
  { name: 'time_zone', applyType: 'dynamic', dataType: 'string' },
];

const NOT_AVAILABLE = 'DB instance is not in available state.';

/** `arn:aws:rds:<region>:<account>:db:<id>` → its region and identifier. */
function parseDbArn(value: string): { region: string; id: string } | undefined {
  const m = /^arn:aws[a-z-]*:rds:([a-z0-9-]+):\d{12}:db:(.+)$/.exec(value);
  return m ? { region: m[1]!, id: m[2]! } : undefined;
}

const dbArn = (region: string, id: string) => `arn:aws:rds:${region}:${ACCOUNT}:db:${id}`;

/**
 * One page of a `Marker`/`MaxRecords` listing (RDS's Describe* calls). RDS takes 20–100 records
 * per page (default 100) and answers InvalidParameterValue outside that range.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBInstances.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBSnapshots.html
 */
export function page<T>(items: readonly T[], input: { Marker?: string; MaxRecords?: number }): { items: T[]; marker?: string | undefined } {
  const size = input.MaxRecords ?? 100;
  if (size < 20 || size > 100) throw awsError('InvalidParameterValue', `MaxRecords must be between 20 and 100; got ${size}`);
  const start = Number(input.Marker ?? 0);
  return { items: items.slice(start, start + size), marker: start + size < items.length ? String(start + size) : undefined };
}

/** The settings a region's database was deployed with, from the DR config (`dbSettings`). */
function deployedSettings(r: RegionResources): FakeDbSettings {
  const s = r.dbSettings;
  return {
    instanceClass: s?.instanceClass ?? 'db.t3.small',
    allocatedStorage: 20,
    storageType: s?.storageType ?? 'gp2',
    storageEncrypted: s?.storageEncrypted ?? true,
    kmsKeyId: r.dbKmsKeyArn,
    multiAz: s?.multiAz ?? false,
    backupRetentionPeriod: s?.backupRetentionDays ?? 7,
    deletionProtection: s?.deletionProtection ?? false,
    iamAuthentication: s?.iamAuthentication ?? false,
    cloudwatchLogsExports: [...(s?.cloudwatchLogsExports ?? [])],
    copyTagsToSnapshot: s?.copyTagsToSnapshot ?? true,
    autoMinorVersionUpgrade: s?.autoMinorVersionUpgrade ?? true,
    publiclyAccessible: false,
    subnetGroupName: r.dbSubnetGroupName,
    securityGroupIds: [...(r.dbSecurityGroupIds ?? [])],
    tags: { ...(s?.tags ?? {}) },
  };
}

/** The RDS world of {@link FakeAws}: instances, parameter groups, and the calls that change them. */
export class FakeRds {
  readonly dbs: FakeDb[] = [];
  readonly parameterGroups: FakeParameterGroup[] = [];

  constructor(
    config: DrConfig,
    layout: 'steady' | 'failed-over',
    private readonly knobs: FakeRdsKnobs,
    private readonly count: (kind: string) => void,
  ) {
    const { primary, secondary } = config;
    for (const r of [primary, secondary]) {
      this.addGroup(r.region, DEFAULT_PARAMETER_GROUP, true);
      this.addGroup(r.region, r.dbParameterGroupName);
      // A retired instance must never become writable when the fence of its old group is lifted.
      if (r.retiredDbParameterGroupName) this.addGroup(r.region, r.retiredDbParameterGroupName).parameters.set('read_only', '1');
    }
    const serving = layout === 'steady' ? primary : secondary;
    this.addDb(serving, undefined);
    // steady: the pilot light replicates from the primary. failed-over: the old primary stands
    // alone, as if containment never reached it (unfenced).
    if (layout === 'steady') this.addDb(secondary, dbArn(primary.region, primary.dbInstanceIdentifier));
    else this.addDb(primary, undefined);
  }

  private addGroup(region: string, name: string, isDefault = false): FakeParameterGroup {
    const existing = this.group(region, name);
    if (existing) return existing;
    const group: FakeParameterGroup = { region, name, family: 'mysql8.4', isDefault, parameters: new Map() };
    this.parameterGroups.push(group);
    return group;
  }

  private addDb(r: RegionResources, sourceArn: string | undefined): void {
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
  private newDb(d: {
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
  private readOnlyOf(region: string, name: string): string | undefined {
    return this.group(region, name)?.parameters.get('read_only');
  }

  /** The instance `id` (or ARN) in `region`. */
  find(region: string, idOrArn: string | undefined): FakeDb | undefined {
    if (!idOrArn) return undefined;
    const arn = parseDbArn(idOrArn);
    if (arn) return arn.region === region ? this.dbs.find((d) => d.arn === idOrArn) : undefined;
    return this.dbs.find((d) => d.region === region && d.id === idOrArn);
  }

  private mustFind(region: string, id: string | undefined): FakeDb {
    const db = this.find(region, id);
    if (!db) throw awsError('DBInstanceNotFoundFault', `DBInstance ${id} not found.`, 404);
    return db;
  }

  private mustGroup(region: string, name: string): FakeParameterGroup {
    const group = this.group(region, name);
    // @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBParameterGroup.html (DBParameterGroupNotFound, 404)
    if (!group) throw awsError('DBParameterGroupNotFoundFault', `DBParameterGroup not found: ${name}`, 404);
    return group;
  }

  /** The instances that replicate from `db`. */
  private replicasOf(db: FakeDb): FakeDb[] {
    return this.dbs.filter((d) => d.sourceArn === db.arn);
  }

  private applyStatus(db: FakeDb): string {
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
  private readOnlyEffective(db: FakeDb): boolean {
    const v = db.appliedReadOnly?.toUpperCase();
    if (v === '1' || v === 'ON') return true;
    if (v === '0' || v === 'OFF') return false;
    return db.sourceArn !== undefined;
  }

  private currentStatus(db: FakeDb): string {
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
  private observe(db: FakeDb): Record<string, unknown> {
    const step = db.upcoming.shift();
    step?.effect?.(db);
    const applyStatus = this.applyStatus(db);
    if (db.applyingDescribes > 0 && --db.applyingDescribes === 0)
      db.appliedReadOnly = this.readOnlyOf(db.region, db.effectiveParameterGroup);
    return this.view(db, step?.status ?? 'available', applyStatus);
  }

  /** DescribeDBInstances' shape of an instance. */
  private view(db: FakeDb, status = this.currentStatus(db), applyStatus = this.applyStatus(db)): Record<string, unknown> {
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

  /**
   * DescribeDBInstances: one instance by identifier or ARN, or every instance of the region page
   * by page (Marker, MaxRecords). Each instance reported counts as one describe of it.
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBInstances.html
   */
  describeInstances(input: { DBInstanceIdentifier?: string; Marker?: string; MaxRecords?: number }, region: string): unknown {
    if (input.DBInstanceIdentifier) return { DBInstances: [this.observe(this.mustFind(region, input.DBInstanceIdentifier))] };
    const { items, marker } = page(
      this.dbs.filter((d) => d.region === region),
      input,
    );
    return { DBInstances: items.map((d) => this.observe(d)), Marker: marker };
  }

  /**
   * PromoteReadReplica: the replica still reports `available` for two describes (the waiter
   * race), then `modifying` and `rebooting`, then `available` as a primary with the requested
   * backup retention. A second call, or a call on a primary, is InvalidDBInstanceState.
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Promote.html
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_PromoteReadReplica.html (BackupRetentionPeriod, default 1)
   */
  promote(input: { DBInstanceIdentifier?: string; BackupRetentionPeriod?: number }, region: string): unknown {
    // Every attempt counts, refused or not: a repeated promotion must show up in the tests.
    this.count('promoteReplicaAttempts');
    const db = this.mustFind(region, input.DBInstanceIdentifier);
    if (!db.sourceArn) throw awsError('InvalidDBInstanceStateFault', 'DB Instance is not a read replica.');
    if (db.upcoming.length > 0) throw awsError('InvalidDBInstanceStateFault', NOT_AVAILABLE);
    // RDS refuses to promote a replica it cannot promote now (one `backing-up`, say) with
    // InvalidDBInstanceState, "The DB instance isn't in a valid state"; the replica stays one.
    // @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_PromoteReadReplica.html (Errors: InvalidDBInstanceState, HTTP 400)
    // @see https://docs.aws.amazon.com/sdkfornet/v3/apidocs/items/RDS/MIRDSPromoteReadReplicaPromoteReadReplicaRequest.html ("cannot be promoted ... when it is in the backing-up status")
    if (this.knobs.refusePromotion) throw awsError('InvalidDBInstanceStateFault', NOT_AVAILABLE);
    const retention = input.BackupRetentionPeriod;
    if (retention !== undefined && (retention < 0 || retention > 35))
      throw awsError('InvalidParameterValue', 'BackupRetentionPeriod must be between 0 and 35.');
    this.count('promoteReplica');
    const promote = (d: FakeDb) => {
      d.sourceArn = undefined;
      // API default 1 when not given; whether a replica's own non-zero retention is kept then is
      // UNCONFIRMED: the fake keeps it.
      d.settings.backupRetentionPeriod = retention ?? (d.settings.backupRetentionPeriod || 1);
    };
    db.upcoming.push(
      { status: 'available' },
      { status: 'available' },
      { status: 'modifying' },
      { status: 'modifying' },
      { status: 'rebooting' },
      { status: 'available', effect: promote },
    );
    return { DBInstance: this.view(db) };
  }

  /**
   * CreateDBInstanceReadReplica, called in the replica's region. The source is named by ARN
   * across regions and must have automated backups; a cross-region replica gets the engine's
   * default parameter group unless one is given; backups, deletion protection, IAM auth, log
   * exports and tag copying are off unless asked for.
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.XRgn.html
   */
  createReplica(input: Record<string, unknown>, region: string): unknown {
    const id = String(input.DBInstanceIdentifier ?? '');
    if (this.find(region, id)) throw awsError('DBInstanceAlreadyExistsFault', 'DB instance already exists');
    const sourceRef = String(input.SourceDBInstanceIdentifier ?? '');
    const sourceArn = parseDbArn(sourceRef);
    const src = this.mustFind(sourceArn?.region ?? region, sourceRef);
    const crossRegion = src.region !== region;
    if (src.upcoming.length > 0) throw awsError('InvalidDBInstanceStateFault', NOT_AVAILABLE);
    // AWS answers InvalidDBInstanceState with this message (quoted from AWS in fog-aws's tests).
    // @see https://github.com/fog/fog-aws/blob/master/tests/requests/rds/instance_tests.rb
    if (src.settings.backupRetentionPeriod === 0) {
      throw awsError(
        'InvalidDBInstanceStateFault',
        'Automated backups are not enabled for this database instance. To enable automated backups, use ModifyDBInstance to set the backup retention period to a non-zero value.',
      );
    }
    // The error code of a missing KmsKeyId for an encrypted cross-region replica is UNCONFIRMED.
    if (crossRegion && src.settings.storageEncrypted && !input.KmsKeyId)
      throw awsError('InvalidParameterCombination', 'KmsKeyId is required to create an encrypted cross-region read replica.');
    // "Specifying a parameter group ... isn't supported for MySQL DB instances for same Region
    // read replicas" (error code UNCONFIRMED); a subnet group is refused for them.
    if (!crossRegion && input.DBParameterGroupName)
      throw awsError(
        'InvalidParameterCombination',
        'A DB parameter group cannot be specified for a MySQL read replica in the same Region.',
      );
    if (!crossRegion && input.DBSubnetGroupName)
      throw awsError(
        'DBSubnetGroupNotAllowedFault',
        'DbSubnetGroupName should not be specified for read replicas that are created in the same region as the master',
      );
    const groupName =
      typeof input.DBParameterGroupName === 'string'
        ? input.DBParameterGroupName
        : crossRegion
          ? DEFAULT_PARAMETER_GROUP
          : src.parameterGroup;
    const group = this.mustGroup(region, groupName);
    const bool = (v: unknown, fallback: boolean) => (typeof v === 'boolean' ? v : fallback);
    const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
    const tags = Array.isArray(input.Tags)
      ? Object.fromEntries((input.Tags as { Key: string; Value: string }[]).map((t) => [t.Key, t.Value]))
      : {};
    this.count('createReplica');
    const db = this.newDb({
      region,
      id,
      sourceArn: src.arn,
      upcoming: Array.from({ length: this.knobs.createReplicaDescribes }, () => ({ status: 'creating' })),
      group: group.name,
      settings: {
        // Instance class and minor-version upgrades are inherited; storage type too (the user
        // guide and API text disagree: UNCONFIRMED); encryption follows the source.
        instanceClass: typeof input.DBInstanceClass === 'string' ? input.DBInstanceClass : src.settings.instanceClass,
        allocatedStorage: src.settings.allocatedStorage,
        storageType: typeof input.StorageType === 'string' ? input.StorageType : src.settings.storageType,
        storageEncrypted: src.settings.storageEncrypted,
        kmsKeyId: crossRegion ? (input.KmsKeyId as string | undefined) : src.settings.kmsKeyId,
        multiAz: bool(input.MultiAZ, false),
        backupRetentionPeriod: 0,
        deletionProtection: bool(input.DeletionProtection, false),
        iamAuthentication: bool(input.EnableIAMDatabaseAuthentication, false),
        // Whether a cross-region replica inherits log exports is UNCONFIRMED: none unless asked.
        cloudwatchLogsExports: list(input.EnableCloudwatchLogsExports),
        copyTagsToSnapshot: bool(input.CopyTagsToSnapshot, false),
        autoMinorVersionUpgrade: bool(input.AutoMinorVersionUpgrade, src.settings.autoMinorVersionUpgrade),
        publiclyAccessible: bool(input.PubliclyAccessible, false),
        subnetGroupName: crossRegion ? (input.DBSubnetGroupName as string | undefined) : src.settings.subnetGroupName,
        securityGroupIds: list(input.VpcSecurityGroupIds),
        tags,
      },
      createdAt: new Date(),
    });
    this.dbs.push(db);
    return { DBInstance: this.view(db) };
  }

  /**
   * ModifyDBInstance: rename (`renaming` for some describes, then only the new identifier
   * answers), associate a parameter group (`pending-reboot` until a reboot), backup retention
   * (refused at 0 on a source of replicas; 0 ↔ non-zero is an outage: `modifying`), deletion
   * protection. Without ApplyImmediately, a rename or retention change waits for the maintenance
   * window (never reached here). Nothing to change is InvalidParameterCombination.
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBInstance.html
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_RenameInstance.html
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.html (0 ↔ non-zero causes an outage)
   * @see https://github.com/hashicorp/terraform/issues/12815 ("InvalidParameterCombination: No modifications were requested")
   */
  modifyInstance(input: Record<string, unknown>, region: string): unknown {
    const db = this.mustFind(region, input.DBInstanceIdentifier as string | undefined);
    // @see https://github.com/cloud-custodian/cloud-custodian/issues/178 (AWS: "InvalidDBInstanceState ... Database instance is not in available state.")
    if (db.upcoming.length > 0) throw awsError('InvalidDBInstanceStateFault', NOT_AVAILABLE);
    const immediately = input.ApplyImmediately === true;
    const newId =
      typeof input.NewDBInstanceIdentifier === 'string' && input.NewDBInstanceIdentifier !== db.id
        ? input.NewDBInstanceIdentifier
        : undefined;
    const groupName =
      typeof input.DBParameterGroupName === 'string' && input.DBParameterGroupName !== db.parameterGroup
        ? input.DBParameterGroupName
        : undefined;
    const retention =
      typeof input.BackupRetentionPeriod === 'number' && input.BackupRetentionPeriod !== db.settings.backupRetentionPeriod
        ? input.BackupRetentionPeriod
        : undefined;
    const protection =
      typeof input.DeletionProtection === 'boolean' && input.DeletionProtection !== db.settings.deletionProtection
        ? input.DeletionProtection
        : undefined;
    const modelled = new Set([
      'DBInstanceIdentifier',
      'ApplyImmediately',
      'NewDBInstanceIdentifier',
      'DBParameterGroupName',
      'BackupRetentionPeriod',
      'DeletionProtection',
    ]);
    const others = Object.keys(input).filter((k) => !modelled.has(k) && input[k] !== undefined);
    if (newId === undefined && groupName === undefined && retention === undefined && protection === undefined && others.length === 0) {
      throw awsError('InvalidParameterCombination', 'No modifications were requested');
    }
    // Validate the whole request before changing anything, as AWS does.
    if (newId !== undefined && this.find(region, newId))
      throw awsError('DBInstanceAlreadyExistsFault', `DB instance already exists: ${newId}`);
    if (groupName !== undefined) this.mustGroup(region, groupName);
    if (retention !== undefined) {
      if (retention < 0 || retention > 35) throw awsError('InvalidParameterValue', 'BackupRetentionPeriod must be between 0 and 35.');
      // "Can't be set to 0 if the DB instance is a source to read replicas." (error code UNCONFIRMED)
      if (retention === 0 && this.replicasOf(db).length > 0)
        throw awsError(
          'InvalidParameterCombination',
          'Cannot set backup retention to 0 on a DB instance that is a source of read replicas.',
        );
    }
    this.count('modifyInstance');
    if (protection !== undefined) {
      this.count('setDeletionProtection');
      db.settings.deletionProtection = protection;
    }
    if (groupName !== undefined) {
      this.count('setParameterGroup');
      db.parameterGroup = groupName;
      // Back to the group it runs with: nothing is pending any more.
      if (groupName === db.effectiveParameterGroup) db.pendingRebootChange = false;
    }
    if (retention !== undefined) {
      this.count('setBackupRetention');
      if (!immediately && db.settings.backupRetentionPeriod > 0 && retention > 0) db.settings.backupRetentionPeriod = retention;
      else if (!immediately) db.deferred.BackupRetentionPeriod = retention;
      else {
        const outage = (db.settings.backupRetentionPeriod === 0) !== (retention === 0);
        db.settings.backupRetentionPeriod = retention;
        if (outage) db.upcoming.push(...Array.from({ length: this.knobs.modifyDescribes }, () => ({ status: 'modifying' })));
      }
    }
    if (newId !== undefined) {
      this.count('renameInstance');
      if (groupName !== undefined) this.count('retireInstance');
      if (!immediately) db.deferred.NewDBInstanceIdentifier = newId;
      else {
        // The old name answers `renaming`, then only the new name answers. AWS also reboots the
        // instance after a rename; whether that reboot applies a pending parameter group is
        // UNCONFIRMED, so the fake keeps the association pending until RebootDBInstance.
        const flip = (d: FakeDb) => {
          const oldArn = d.arn;
          d.id = newId;
          d.arn = dbArn(d.region, newId);
          for (const r of this.dbs) if (r.sourceArn === oldArn) r.sourceArn = d.arn;
        };
        const n = Math.max(1, this.knobs.renameDescribes);
        db.upcoming.push(...Array.from({ length: n }, (_, i) => ({ status: 'renaming', effect: i === n - 1 ? flip : undefined })));
      }
    }
    return { DBInstance: this.view(db) };
  }

  /**
   * RebootDBInstance: only from `available`; `rebooting` for some describes, after which a
   * pending parameter group association (or pending-reboot change) is in effect, `in-sync`.
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_RebootInstance.html
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RebootDBInstance.html
   */
  reboot(input: { DBInstanceIdentifier?: string }, region: string): unknown {
    const db = this.mustFind(region, input.DBInstanceIdentifier);
    if (db.upcoming.length > 0) throw awsError('InvalidDBInstanceStateFault', NOT_AVAILABLE);
    this.count('rebootInstance');
    const restart = (d: FakeDb) => {
      d.effectiveParameterGroup = d.parameterGroup;
      d.pendingRebootChange = false;
      d.applyingDescribes = 0;
      d.appliedReadOnly = this.readOnlyOf(d.region, d.parameterGroup);
    };
    const n = Math.max(1, this.knobs.rebootDescribes);
    db.upcoming.push(...Array.from({ length: n }, (_, i) => ({ status: 'rebooting', effect: i === n - 1 ? restart : undefined })));
    return { DBInstance: this.view(db) };
  }

  /** A change to `group`'s values reaches every instance running with it. */
  private propagate(group: FakeParameterGroup, applyMethod: string): void {
    for (const db of this.dbs.filter((d) => d.region === group.region && d.effectiveParameterGroup === group.name)) {
      if (applyMethod === 'pending-reboot') db.pendingRebootChange = true;
      else if (this.knobs.parameterApplyDescribes > 0) db.applyingDescribes = this.knobs.parameterApplyDescribes;
      else db.appliedReadOnly = group.parameters.get('read_only');
    }
  }

  private modifiable(region: string, name: string | undefined): FakeParameterGroup {
    const group = this.mustGroup(region, String(name ?? ''));
    if (group.isDefault) throw awsError('InvalidParameterValue', 'Cannot modify a default parameter group.');
    return group;
  }

  /**
   * ModifyDBParameterGroup: changes the group, and through it every instance running with it
   * (`applying` for some describes, then `in-sync`). Default groups are refused.
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBParameterGroup.html
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/parameter-groups-overview.html (dynamic changes reach every instance of the group; a new association waits for a reboot)
   */
  modifyGroup(
    input: { DBParameterGroupName?: string; Parameters?: { ParameterName?: string; ParameterValue?: string; ApplyMethod?: string }[] },
    region: string,
  ): unknown {
    const group = this.modifiable(region, input.DBParameterGroupName);
    const params = input.Parameters ?? [];
    if (params.length === 0 || params.length > 20)
      throw awsError('InvalidParameterValue', 'Between 1 and 20 parameters can be modified in a single request.');
    this.count('setWriteFence');
    for (const p of params) if (p.ParameterName) group.parameters.set(p.ParameterName, String(p.ParameterValue ?? ''));
    this.propagate(group, params.some((p) => p.ApplyMethod === 'pending-reboot') ? 'pending-reboot' : 'immediate');
    return { DBParameterGroupName: group.name };
  }

  /**
   * ResetDBParameterGroup: named parameters (or all) back to the engine default; `read_only`
   * returns to `{TrueIfReplica}`. Dynamic parameters apply as a modification does.
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ResetDBParameterGroup.html
   */
  resetGroup(
    input: {
      DBParameterGroupName?: string;
      ResetAllParameters?: boolean | string;
      Parameters?: { ParameterName?: string; ApplyMethod?: string }[];
    },
    region: string,
  ): unknown {
    const group = this.modifiable(region, input.DBParameterGroupName);
    const params = input.Parameters ?? [];
    this.count('liftWriteFence');
    if (params.length === 0 || input.ResetAllParameters === true) group.parameters.clear();
    else for (const p of params) if (p.ParameterName) group.parameters.delete(p.ParameterName);
    this.propagate(group, params.some((p) => p.ApplyMethod === 'pending-reboot') ? 'pending-reboot' : 'immediate');
    return { DBParameterGroupName: group.name };
  }

  /**
   * DescribeDBParameters: the user's values (Source `user`), the engine defaults not overridden
   * (`engine-default`), or both; `parameter-name` filter; paged.
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBParameters.html
   */
  describeParameters(
    input: {
      DBParameterGroupName?: string;
      Source?: string;
      Filters?: { Name?: string; Values?: string[] }[];
      Marker?: string;
      MaxRecords?: number;
    },
    region: string,
  ): unknown {
    const group = this.mustGroup(region, String(input.DBParameterGroupName ?? ''));
    const describe = (name: string, value: string | undefined, source: string) => {
      const d = ENGINE_DEFAULTS.find((e) => e.name === name);
      return {
        ParameterName: name,
        ParameterValue: value,
        Source: source,
        ApplyType: d?.applyType ?? 'dynamic',
        DataType: d?.dataType ?? 'string',
        IsModifiable: true,
        ApplyMethod: 'pending-reboot',
      };
    };
    const user = [...group.parameters].map(([name, value]) => describe(name, value, 'user'));
    const defaults = ENGINE_DEFAULTS.filter((d) => !group.parameters.has(d.name)).map((d) => describe(d.name, d.value, 'engine-default'));
    const all =
      input.Source === 'user'
        ? user
        : input.Source === 'engine-default'
          ? defaults
          : input.Source === 'system'
            ? []
            : [...user, ...defaults];
    const names = input.Filters?.find((f) => f.Name === 'parameter-name')?.Values;
    const listed = all
      .filter((p) => !names || names.includes(p.ParameterName))
      .sort((a, b) => a.ParameterName.localeCompare(b.ParameterName));
    const { items, marker } = page(listed, input);
    return { Parameters: items, Marker: marker };
  }
}
