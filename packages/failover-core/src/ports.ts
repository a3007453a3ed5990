/* eslint-disable max-lines -- the ports are the engine's one contract, implemented whole by the simulator and by the adapters */
/**
 * Ports: everything the engine needs from the world. The simulator implements each one over a
 * virtual clock; `@dr/aws-adapters` implements each one on AWS SDK v3 clients.
 *
 * Every mutating call is idempotent and takes absolute values, so a resumed run may repeat a
 * call whose result it never saw without changing the outcome.
 */

/** An RDS instance in a region. */
export interface DbRef {
  readonly region: string;
  readonly dbInstanceIdentifier: string;
}

/** An Auto Scaling group and the target group its instances register in. */
export interface AsgRef {
  readonly region: string;
  readonly autoScalingGroupName: string;
  readonly targetGroupArn: string;
}

/** A Global Accelerator endpoint group and the ALB registered in it. */
export interface EndpointGroupRef {
  readonly region: string;
  readonly endpointGroupArn: string;
  readonly loadBalancerArn: string;
}

/** A CloudWatch alarm in a region. */
export interface AlarmRef {
  readonly region: string;
  readonly alarmName: string;
}

/**
 * A DB parameter group's `read_only` setting: `on` (1: writes fenced), `off` (0), or `default`
 * (RDS MySQL's `{TrueIfReplica}`: read-only on a replica, writable on a primary).
 * @see https://docs.aws.amazon.com/awssupport/latest/user/fault-tolerance-checks.html (RDS read replicas open in writable mode)
 */
export type ReadOnlySetting = 'on' | 'off' | 'default';

/** What the engine needs to know of a database instance. */
export interface DbStatus {
  /** False when no instance has this identifier in this region. */
  readonly exists: boolean;
  /** RDS `DBInstanceStatus`, such as `available`, `modifying`, `rebooting`, `creating`, `renaming`. */
  readonly status: string;
  /** `replica` while the instance replicates from a source; `primary` otherwise. */
  readonly role: 'primary' | 'replica';
  /** Identifier (or ARN) of the replication source, for a replica. */
  readonly sourceIdentifier?: string | undefined;
  /**
   * True when the instance accepts writes: a primary, `available`, whose parameter group's
   * `read_only` is off or the replica-aware default, with that setting applied (`in-sync`).
   */
  readonly writable: boolean;
  /** True when writes are fenced: `read_only` is on and applied (`in-sync`). */
  readonly writeFenced: boolean;
  /**
   * The replica's last reported lag behind its source, in seconds. While the source is
   * unreachable this is the lag at the moment replication stopped: the data a promotion loses.
   */
  readonly replicaLagSeconds?: number | undefined;
  /** When the lag was measured (epoch ms); undefined when it is live. */
  readonly replicaLagAt?: number | undefined;
  /** False when the replica reports that replication is not running; undefined when unknown. */
  readonly replicating?: boolean | undefined;
  /**
   * The DB parameter group in effect for the instance and RDS's `ParameterApplyStatus` for it
   * (`in-sync`, `applying`, `pending-reboot`, ...). A change counts only once it is `in-sync`.
   */
  readonly parameterGroup?: { readonly name: string; readonly applyStatus: string } | undefined;
  /** The `read_only` setting of that parameter group. */
  readonly readOnly?: ReadOnlySetting | undefined;
  /** Automated backup retention in days; 0 means backups are off (as on a new read replica). */
  readonly backupRetentionDays?: number | undefined;
  readonly instanceClass?: string | undefined;
  readonly allocatedStorageGiB?: number | undefined;
  readonly deletionProtection?: boolean | undefined;
}

/** One DB instance found in a region, for reports (retired instances and what they cost). */
export interface DbInstanceSummary {
  readonly region: string;
  readonly dbInstanceIdentifier: string;
  readonly status: string;
  readonly role: 'primary' | 'replica';
  readonly instanceClass?: string | undefined;
  readonly allocatedStorageGiB?: number | undefined;
  readonly storageType?: string | undefined;
  readonly multiAz?: boolean | undefined;
  readonly deletionProtection?: boolean | undefined;
  readonly parameterGroupName?: string | undefined;
  /** When the instance was created (epoch ms). */
  readonly createdAt?: number | undefined;
}

/**
 * The `Database` port: RDS. The settings a call needs beyond its references (parameter groups,
 * keys, subnet and security groups, the `dbSettings` a new replica is created with) come from
 * the DR config's entry for the instance's region.
 */
export interface Database {
  /** Status and role of an instance; `exists: false` when it is not there. */
  describe(db: DbRef): Promise<DbStatus>;
  /**
   * Promote a read replica to a standalone primary, turning on automated backups with
   * `backupRetentionDays` when given. Succeeds on an instance already promoted or promoting.
   */
  promoteReplica(db: DbRef, options?: { readonly backupRetentionDays?: number | undefined }): Promise<void>;
  /**
   * Create a cross-region read replica `target` of `source`, with the target region's parameter
   * group, KMS key, subnet and security groups and `dbSettings`. Succeeds if it already exists.
   */
  createReplica(target: DbRef, source: DbRef): Promise<void>;
  /**
   * Retire an instance without losing its data: rename it to `newIdentifier` and move it to the
   * region's `retiredDbParameterGroupName` (`read_only` = 1), which takes effect at its next
   * reboot. Succeeds if it is already renamed.
   */
  retireInstance(db: DbRef, newIdentifier: string): Promise<void>;
  /** Reboot an instance (to apply a parameter group association that is `pending-reboot`). */
  rebootInstance(db: DbRef): Promise<void>;
  /**
   * Fence writes (`read_only` = 1) or lift the fence (`read_only` reset to `{TrueIfReplica}`)
   * through the region's own parameter group (`dbParameterGroupName`). Refuses an instance that
   * does not use that group, since the change would reach other instances or none.
   */
  setWriteFence(db: DbRef, fenced: boolean): Promise<void>;
  /** Set automated backup retention, applied immediately (a new replica has backups off). */
  setBackupRetention(db: DbRef, days: number): Promise<void>;
  /** Instances in a region whose identifier starts with `identifierPrefix`. */
  listInstances(region: string, identifierPrefix: string): Promise<readonly DbInstanceSummary[]>;
}

/** Desired and actual capacity of an Auto Scaling group. */
export interface CapacityStatus {
  readonly min: number;
  readonly desired: number;
  readonly max: number;
  /** Instances in the `InService` lifecycle state. */
  readonly inService: number;
  /** Targets reported `healthy` by the ALB target group. */
  readonly healthyTargets: number;
  /** The launch template (or configuration) instances start from; undefined when the group has none. */
  readonly launchTemplate?: string | undefined;
}

/** Absolute capacity numbers for an Auto Scaling group. */
export interface CapacitySetting {
  readonly min: number;
  readonly desired: number;
  readonly max: number;
}

/** The `Compute` port: Auto Scaling and ELB target health. */
export interface Compute {
  describe(asg: AsgRef): Promise<CapacityStatus>;
  /** Set absolute capacity; repeating the same numbers changes nothing. */
  setCapacity(asg: AsgRef, capacity: CapacitySetting): Promise<void>;
}

/** Routing and health of one endpoint group. */
export interface EndpointGroupStatus {
  /** Share of the listener's traffic this group takes, 0–100. Ignored by Global Accelerator on failover. */
  readonly trafficDialPercent: number;
  /** Weight of the ALB endpoint, 0–255; 0 means it takes no traffic at all, failover included. */
  readonly endpointWeight: number;
  /** Global Accelerator's view of the endpoint's health. */
  readonly healthy: boolean;
}

/** The `Traffic` port: Global Accelerator (its control plane lives in us-west-2). */
export interface Traffic {
  describe(group: EndpointGroupRef): Promise<EndpointGroupStatus>;
  setTrafficDial(group: EndpointGroupRef, percent: number): Promise<void>;
  setEndpointWeight(group: EndpointGroupRef, weight: number): Promise<void>;
}

/** One HTTP health check. */
export interface ProbeTarget {
  readonly url: string;
  readonly timeoutMs: number;
  /** When set, the body must contain this text as well as the status being 2xx. */
  readonly expectBody?: string | undefined;
}

/** The outcome of one health check. */
export interface ProbeResult {
  readonly ok: boolean;
  readonly status?: number | undefined;
  readonly latencyMs: number;
  readonly error?: string | undefined;
}

/** The `Probe` port. Never throws: a failure is a result with `ok: false`. */
export interface Probe {
  check(target: ProbeTarget): Promise<ProbeResult>;
}

/** CloudWatch alarm state. */
export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** The `Alarms` port: CloudWatch alarm state. */
export interface Alarms {
  state(alarm: AlarmRef): Promise<AlarmState>;
}

/**
 * A Route 53 health check and the failover record pair that answers by it. Route 53 answers the
 * PRIMARY record ({@link HEALTH_RECORD_ANSWERS}.healthy) while the check is healthy and the
 * SECONDARY one otherwise, so a DNS query (Route 53's data plane, answered in every region)
 * reads the checkers' aggregated verdict without the us-east-1 control plane.
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-private-hosted-zones.html
 */
export interface HealthCheckRef {
  readonly healthCheckId: string;
  readonly recordName: string;
}

/** The addresses the failover record pair answers (RFC 5737 TEST-NET-1: never routed, only read). */
export const HEALTH_RECORD_ANSWERS = { healthy: '192.0.2.1', unhealthy: '192.0.2.2' } as const;

/** The time-to-live of the failover record pair: how long a resolver may serve a cached verdict. */
export const HEALTH_RECORD_TTL_SECONDS = 5;

/** Route 53's verdict on a health check, as DNS answered it. */
export interface HealthCheckReading {
  readonly healthy: boolean;
  /**
   * How old the evidence may be, at most: how long the answer sat in the resolver's cache, plus
   * one checker interval (the newest checks it reflects).
   */
  readonly ageMs: number;
}

/** The `HealthChecks` port: Route 53 health checks, read through DNS. */
export interface HealthChecks {
  status(ref: HealthCheckRef): Promise<HealthCheckReading>;
}

/** A stored record and the version it was read at. */
export interface Versioned<T> {
  readonly version: number;
  readonly value: T;
}

/** The `StateStore` port: versioned reads and compare-and-set writes (DynamoDB in AWS). */
export interface StateStore {
  read<T>(key: string): Promise<Versioned<T> | undefined>;
  /**
   * Write `value` if the stored version is still `expectedVersion` (0: the key must not exist).
   * @returns the new version.
   * @throws `VersionConflictError` when another writer got there first.
   */
  write<T>(key: string, value: T, expectedVersion: number): Promise<number>;
}

/** The `Clock` port: time comes only from here, so the simulator can make it virtual. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** Something an operator should hear about. */
export interface Notification {
  readonly subject: string;
  readonly message: string;
  readonly severity: 'info' | 'warning' | 'critical';
  readonly runId?: string | undefined;
}

/** The `Notifier` port: SNS in AWS. */
export interface Notifier {
  notify(notification: Notification): Promise<void>;
}

/** Every port, as one set. */
export interface Ports {
  readonly database: Database;
  readonly compute: Compute;
  readonly traffic: Traffic;
  readonly probe: Probe;
  readonly alarms: Alarms;
  readonly healthChecks: HealthChecks;
  readonly stateStore: StateStore;
  readonly clock: Clock;
  readonly notifier: Notifier;
  /** Readiness reads (appended, issue 13). */
  readonly readiness: Readiness;
  /** CloudWatch PutMetricData (appended, issue 13). */
  readonly metrics: Metrics;
  /** Aurora global database operations (appended, issue 17); on the RDS tier no plan calls it. */
  readonly globalDatabase: GlobalDatabase;
}

// ---------------------------------------------------------------------------------------------
// Readiness reads and metrics (issue 13), appended: the reads `evaluateReadiness` makes beyond
// the ports above, and CloudWatch PutMetricData. Every read is a read: none changes anything.
// ---------------------------------------------------------------------------------------------

/** What a launch template launches (its default version): the image and the instance type. */
export interface LaunchTemplateSpec {
  /** The AMI id; undefined when the version names none (an image may then come from elsewhere). */
  readonly imageId?: string | undefined;
  /** The instance type; undefined when the version names none. */
  readonly instanceType?: string | undefined;
}

/** An AMI as its region sees it. */
export interface ImageStatus {
  /** False when DescribeImages returns no image with this id in this region. */
  readonly exists: boolean;
  /** EC2 `ImageState`: `available`, `pending`, `deregistered`, `failed`, ... */
  readonly state?: string | undefined;
}

/**
 * The EC2 quota "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances" (L-1216C47A),
 * in vCPUs, and how many of them run now.
 * @see https://docs.aws.amazon.com/ec2/latest/instancetypes/ec2-instance-quotas.html
 */
export interface VcpuQuota {
  /** The applied quota in the region, in vCPUs. */
  readonly quota: number;
  /**
   * vCPUs of running On-Demand standard instances now: the quota's usage metric (CloudWatch
   * `AWS/Usage` `ResourceCount`). Undefined when the usage could not be read.
   */
  readonly inUse?: number | undefined;
}

/** A DB snapshot made by `@dr/snapshot` (tags `dr:managed-by` = `dr-snapshot`, `dr:app`). */
export interface SnapshotSummary {
  readonly id: string;
  /** When the data was captured (a copy keeps its source's time), epoch ms. */
  readonly createdAt: number;
}

/** The `Readiness` port: the reads of a readiness evaluation that the other ports do not make. */
export interface Readiness {
  /**
   * The default version of a launch template, by name or id (`lt-…`).
   * @throws `ResourceNotFoundError` when the region has no such template.
   */
  launchTemplate(region: string, launchTemplate: string): Promise<LaunchTemplateSpec>;
  /** An AMI in a region (`exists: false` when the region has none with this id). */
  image(region: string, imageId: string): Promise<ImageStatus>;
  /** An instance type's default vCPUs in a region; undefined when the region does not offer it. */
  instanceTypeVcpus(region: string, instanceType: string): Promise<number | undefined>;
  /** The running On-Demand standard instances vCPU quota of a region and its usage now. */
  ec2VcpuQuota(region: string): Promise<VcpuQuota>;
  /** An SSM parameter's value in a region; undefined when the region has no such parameter. */
  configParameter(region: string, name: string): Promise<string | undefined>;
  /** The newest `available` snapshot of `app` made by `@dr/snapshot` in a region, if any. */
  latestSnapshot(region: string, app: string): Promise<SnapshotSummary | undefined>;
  /**
   * The sum of S3 `OperationsFailedReplication` over `[fromMs, toMs)` for the replication rules
   * of `sourceBucket` (every rule's metric, read in the source bucket's region). Undefined when
   * CloudWatch holds no datapoint in the window.
   */
  replicationFailures(region: string, sourceBucket: string, fromMs: number, toMs: number): Promise<number | undefined>;
  /**
   * True when S3 replication metrics of `sourceBucket` are seen in `region` (the destination's):
   * `BytesPendingReplication`, which S3 publishes even when nothing replicates. Tells "no failure
   * published" from "replication metrics are off".
   */
  replicationMetricsSeen(region: string, sourceBucket: string): Promise<boolean>;
}

/** One CloudWatch datapoint to publish. */
export interface MetricDatum {
  readonly name: string;
  readonly value: number;
  readonly unit?: 'Count' | 'Seconds' | 'None' | undefined;
  readonly dimensions: Readonly<Record<string, string>>;
  /** Epoch ms; undefined: now. */
  readonly at?: number | undefined;
}

/** The `Metrics` port: CloudWatch PutMetricData. */
export interface Metrics {
  /** Publishes `data` in one call (up to 1000 datapoints, CloudWatch's limit). */
  publish(region: string, namespace: string, data: readonly MetricDatum[]): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Aurora global database (issue 17), appended. On the `aurora-global` tier the `Database` port
// above answers for the region's Aurora instance and its cluster (role from the global cluster's
// membership, lag from the global lag metric, the write fence in the cluster parameter group);
// this port makes the global cluster's own calls.
// ---------------------------------------------------------------------------------------------

/** An Aurora DB cluster in a region. */
export interface ClusterRef {
  readonly region: string;
  readonly dbClusterIdentifier: string;
}

/** One member cluster of a global database, as `DescribeGlobalClusters` lists it. */
export interface GlobalClusterMember {
  readonly region: string;
  readonly dbClusterIdentifier: string;
  /** True for the primary (writer) cluster. */
  readonly isWriter: boolean;
  /**
   * `connected`, or `pending-resync` while the member is rebuilt (a recovered old primary is
   * re-added on a new storage volume); undefined when AWS does not say.
   */
  readonly synchronizationStatus?: string | undefined;
}

/**
 * A failover or switchover in progress (`GlobalCluster.FailoverState`).
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverState.html
 */
export interface GlobalFailoverState {
  /** `pending`, `failing-over`, `switching-over` or `cancelling`. */
  readonly status: string;
  readonly fromRegion?: string | undefined;
  readonly toRegion?: string | undefined;
  readonly isDataLossAllowed: boolean;
}

/** A global database as one region's API sees it. */
export interface GlobalClusterStatus {
  /** False when the region knows no global cluster of this identifier. */
  readonly exists: boolean;
  /** `GlobalCluster.Status`, such as `available`. */
  readonly status: string;
  readonly members: readonly GlobalClusterMember[];
  /** Undefined when no failover or switchover is in progress. */
  readonly failoverState?: GlobalFailoverState | undefined;
  readonly engineVersion?: string | undefined;
}

/** A DB cluster snapshot. */
export interface ClusterSnapshotSummary {
  readonly id: string;
  /** `creating`, `available`, ... */
  readonly status: string;
  /** Epoch ms. */
  readonly createdAt?: number | undefined;
}

/**
 * What is left of the old volume of a cluster that a global failover took the writer from: the
 * system snapshot Aurora tries to take before it re-adds the cluster on a new volume
 * (`rds:unplanned-global-failover-<cluster>-<time>`, deleted with the cluster's automated
 * backups), and a manual copy of it that is kept.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html
 */
export interface FailoverSnapshotStatus {
  /** The newest system snapshot of the old volume; undefined when Aurora took none. */
  readonly source?: ClusterSnapshotSummary | undefined;
  /** The manual copy asked for; undefined when there is none. */
  readonly copy?: ClusterSnapshotSummary | undefined;
}

/** The `GlobalDatabase` port: Aurora global database calls (RDS `*GlobalCluster*`, cluster snapshots). */
export interface GlobalDatabase {
  /** The global cluster through `region`'s API (any region with a member answers for it). */
  describe(globalClusterIdentifier: string, region: string): Promise<GlobalClusterStatus>;
  /**
   * `FailoverGlobalCluster` with `AllowDataLoss`: make `target` (a secondary cluster) the primary
   * at once, losing what it had not received. Called in the target's region. Succeeds when
   * `target` is already the writer or a failover to it is in progress.
   */
  failover(globalClusterIdentifier: string, target: ClusterRef): Promise<void>;
  /**
   * `SwitchoverGlobalCluster`: make `target` the primary once it has every write (no data loss);
   * the old primary becomes a secondary. Succeeds when `target` is already the writer or a
   * switchover to it is in progress.
   */
  switchover(globalClusterIdentifier: string, target: ClusterRef): Promise<void>;
  /** The system snapshot of `cluster`'s old volume, if any, and the manual copy `copyIdentifier`, if any. */
  failoverSnapshot(cluster: ClusterRef, copyIdentifier: string): Promise<FailoverSnapshotStatus>;
  /**
   * Copy the system snapshot `sourceIdentifier` to the manual snapshot `copyIdentifier` in
   * `cluster`'s region. Succeeds if the copy exists.
   */
  keepSnapshot(cluster: ClusterRef, sourceIdentifier: string, copyIdentifier: string): Promise<void>;
}
