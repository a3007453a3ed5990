import type { RegionResources } from '@dr/failover-core';
import { awsError } from './errors.js';

/*
 * The RDS model's shapes and rules shared by its layers (`fake-rds*.ts`): what an instance and a
 * group hold, paging, the deployed settings.
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
export const ENGINE_DEFAULTS: readonly { name: string; value?: string; applyType: 'dynamic' | 'static'; dataType: string }[] = [
  { name: 'character_set_server', applyType: 'dynamic', dataType: 'string' },
  { name: 'innodb_buffer_pool_size', applyType: 'static', dataType: 'integer' },
  { name: 'max_connections', applyType: 'dynamic', dataType: 'integer' },
  { name: 'read_only', value: '{TrueIfReplica}', applyType: 'dynamic', dataType: 'boolean' },
  { name: 'time_zone', applyType: 'dynamic', dataType: 'string' },
];

/** RDS's message for a call on an instance that is not `available` (InvalidDBInstanceState). */
export const NOT_AVAILABLE = 'DB instance is not in available state.';

/** `arn:aws:rds:<region>:<account>:db:<id>` → its region and identifier. */
export function parseDbArn(value: string): { region: string; id: string } | undefined {
  const m = /^arn:aws[a-z-]*:rds:([a-z0-9-]+):\d{12}:db:(.+)$/.exec(value);
  return m ? { region: m[1]!, id: m[2]! } : undefined;
}

/** An instance's ARN in the fake's account. */
export const dbArn = (region: string, id: string) => `arn:aws:rds:${region}:${ACCOUNT}:db:${id}`;

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
export function deployedSettings(r: RegionResources): FakeDbSettings {
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
