/** A range [min, max] in milliseconds; a draw is uniform within it. */
export type Range = readonly [number, number];

/**
 * How long things take in the simulated AWS. Each default carries its source; override any of
 * them per drill to model another account, instance class or region pair.
 */
export interface LatencyModel {
  /** An ordinary control-plane call that answers. Source: typical SDK round trips within a region. */
  readonly apiCallMs: Range;
  /**
   * How long a call to a region in outage hangs before the adapter gives up (`RegionUnreachable`). Source: our adapters' bounded timeout.
   */
  readonly unreachableTimeoutMs: number;
  /**
   * After PromoteReadReplica returns, the instance still reports `available` for a few seconds
   * (the waiter race), then `modifying`. Source: RDS user guide, "Promoting a read replica";
   * aws-sdk-js issue 1505.
   */
  readonly promoteStillAvailableMs: Range;
  /** From the call until `rebooting`. Source: RDS user guide, "Promoting a read replica". */
  readonly promoteModifyingMs: Range;
  /** From the call until the instance is a writable primary: 4–8 minutes. Source: RDS user guide. */
  readonly promoteWritableMs: Range;
  /** Cross-region replica lag outside bursts: 0.5–3 s. Source: RDS `ReplicaLag` metric. */
  readonly replicaLagMs: Range;
  /** Chance that a 10-second window is a lag burst, and the burst's lag. Source: RDS `ReplicaLag` metric. */
  readonly replicaLagBurstChance: number;
  readonly replicaLagBurstMs: Range;
  /**
   * A dynamic parameter change (`read_only`) reaching one instance of the group: RDS applies it
   * asynchronously to every instance using the group, each showing `ParameterApplyStatus`
   * `applying` until `in-sync`. AWS publishes no duration: UNCONFIRMED, tunable. Source: RDS user
   * guide, "Working with DB parameter groups"; API reference, DBParameterGroupStatus.
   */
  readonly parameterApplyMs: Range;
  /**
   * A reboot (`rebooting` until `available`), which applies a parameter group association that
   * is `pending-reboot`. AWS publishes no number for a Single-AZ reboot: UNCONFIRMED, tunable.
   * Source: RDS user guide, "Rebooting a DB instance"; "Associating a DB parameter group".
   */
  readonly rebootMs: Range;
  /**
   * Turning on automated backups of an instance (`modifying`, then an immediate backup) until the
   * retention shows. UNCONFIRMED, tunable. Source: RDS user guide, "Enabling automated backups".
   */
  readonly backupRetentionMs: Range;
  /**
   * A new replica catching up after it turns `available`: replication starts from the moment
   * the create began, so its lag starts high. Source: RDS user guide, "How Amazon RDS does
   * cross-Region replication".
   */
  readonly replicaCatchUpMs: Range;
  /**
   * How long a client's established connection keeps reaching a region after its endpoint stops
   * taking new connections (weight or dial 0): Global Accelerator moves new connections only, and
   * established ones stay "until the connection is reset by the client or server, or until the
   * client makes a new connection"; the ALB closes idle connections after 60 s by default.
   * Source: Global Accelerator developer guide, "How failover works for unhealthy endpoints";
   * ELB user guide, "Connection idle timeout".
   */
  readonly connectionLingerMs: Range;
  /** A DynamoDB read or conditional write from the controller's region. Source: DynamoDB developer guide (single-digit ms latency). */
  readonly stateStoreMs: Range;
  /** Launch to InService per instance, AMI already in the region. Source: community runbooks. */
  readonly instanceLaunchMs: Range;
  /**
   * ALB target health checks as the constructs set them: every 5 s (the least ELB allows), a
   * target unhealthy after 2 failures in a row and healthy again after 2 passes; a new target
   * needs its first passing check. Source: ELB user guide, "Health checks for Application Load
   * Balancer target groups" (interval 5–300 s, thresholds 2–10).
   */
  readonly albHealthIntervalMs: number;
  readonly albUnhealthyThreshold: number;
  readonly albHealthyThreshold: number;
  /**
   * For an ALB endpoint, Global Accelerator ignores the endpoint group's own health check settings
   * and follows the ALB's target health: the endpoint is healthy while every target group behind
   * it has a healthy target. How long its view takes to follow the ALB's is not published:
   * UNCONFIRMED, tunable. Source: Global Accelerator developer guide, "Endpoint groups for standard
   * accelerators" ("For Network Load Balancer and Application Load Balancer endpoints, configure
   * health check settings on the ELB console") and "Health check options".
   */
  readonly gaFollowsAlbMs: Range;
  /**
   * Route 53 health checkers: `route53Checkers` locations (8 by default), each checking every
   * `route53IntervalMs` (10 s "fast" or 30 s) uncoordinated with the others, each changing its
   * view after `route53FailureThreshold` checks in a row disagree (1–10; the constructs set 2).
   * Route 53 counts the endpoint healthy while more than 18 % of checkers say so. Source: Route 53
   * developer guide, "How Amazon Route 53 determines whether a health check is healthy".
   */
  readonly route53Checkers: number;
  readonly route53IntervalMs: number;
  readonly route53FailureThreshold: number;
  readonly route53HealthyShare: number;
  /**
   * From Route 53's aggregated status changing until its DNS servers answer by it. Not published:
   * UNCONFIRMED, tunable. Source: Route 53 developer guide, "How health checks work in simple
   * Amazon Route 53 configurations" (DNS answers follow the health check's status).
   */
  readonly route53DnsMs: Range;
  /** A DNS query to the VPC resolver (Route 53 Resolver at the VPC's +2 address). Source: Route 53 Resolver docs (in-VPC, milliseconds). */
  readonly dnsQueryMs: Range;
  /** EventBridge schedules fire at 1-minute granularity. Source: EventBridge docs. */
  readonly scheduleIntervalMs: number;
  /** CloudWatch alarm: period and datapoints to alarm. Source: CloudWatch alarm docs (ALB metrics at 60 s). */
  readonly alarmPeriodMs: number;
  readonly alarmEvaluationPeriods: number;
  /**
   * Renaming an RDS instance until the new name is in effect: "The new DNS name for the renamed
   * DB instance becomes effective in about 10 minutes. The renamed DB instance is not available
   * until the new name becomes effective." Source: RDS user guide, "Renaming a DB instance".
   */
  readonly renameMs: Range;
  /** Creating a cross-region read replica until `available`. Source: RDS user guide (depends on size; tens of minutes). */
  readonly createReplicaMs: Range;
  /** S3 CRR: seconds; with Replication Time Control 99.99 % within 15 minutes. Source: S3 docs. */
  readonly s3ReplicationMs: Range;
  /** An HTTP probe that answers. */
  readonly probeMs: Range;
  /**
   * Aurora global database: the secondary's lag behind the primary outside incidents. AWS
   * describes storage-level replication with a typical lag under a second, and the user guide an
   * RPO "typically measured in seconds"; the range is UNCONFIRMED, tunable. Source: Aurora user
   * guide, "Using Amazon Aurora Global Database" (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database.html)
   * and aurora-global-database-disaster-recovery.html ("Planning for business continuity").
   */
  readonly globalLagMs: Range;
  /**
   * `FailoverGlobalCluster` (AllowDataLoss), from the call until the target is the writer:
   * "Typically, the chosen secondary cluster assumes the primary role within a few minutes."
   * AWS publishes no finer figure; "under a minute" is quoted for promoting a detached secondary
   * (Well-Architected Labs, DR workshop). Modelled 1–3 minutes: partly UNCONFIRMED, tunable.
   * Source: https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html
   * ("Recovering an Amazon Aurora global database from an unplanned outage").
   */
  readonly globalFailoverMs: Range;
  /**
   * From the call until `FailoverState` leaves `pending` for `failing-over` / `switching-over`.
   * Not published: UNCONFIRMED, tunable. Source: RDS API reference, FailoverState
   * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverState.html).
   */
  readonly globalPendingMs: Range;
  /**
   * The waiter race: right after FailoverGlobalCluster or SwitchoverGlobalCluster returns,
   * DescribeGlobalClusters may not show the `FailoverState` yet (eventual consistency of the RDS
   * control plane). Not published: UNCONFIRMED, tunable. Source: as for the RDS promotion's race
   * (aws-sdk-js issue 1505); aws-behaviours/rds-and-aurora.md §7.
   */
  readonly globalStateShownMs: Range;
  /**
   * `SwitchoverGlobalCluster` once the target has every write: the old primary is made
   * read-only, the target promoted. AWS: "Your database is unavailable for a short time" and "the
   * larger the lag value, the longer the switchover": the model adds the target's lag at the call
   * to this range. No figure is published: UNCONFIRMED, tunable. Source: RDS API reference,
   * SwitchoverGlobalCluster (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_SwitchoverGlobalCluster.html);
   * aurora-global-database-disaster-recovery.html ("Performing switchovers").
   */
  readonly globalSwitchoverMs: Range;
  /**
   * The global writer endpoint after a change of writer: Aurora re-points its DNS name
   * (RDS-EVENT-0397 "finished changing the DNS name"), and clients cache it for the record's TTL,
   * which AWS recommends keeping at about 5 s. The re-pointing itself is not published:
   * UNCONFIRMED, tunable; the TTL is added to it. Source: Aurora user guide, "Connecting to Amazon
   * Aurora global databases" (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-connecting.html).
   */
  readonly globalWriterDnsMs: Range;
  readonly globalWriterDnsTtlMs: number;
  /**
   * A recovered old primary rebuilt as a secondary on a new volume (`pending-resync` until
   * `connected`): "a few minutes to several hours" by volume size and distance. Modelled for the
   * reference's small volume (tens of GiB): 10–60 minutes, within the documented span;
   * the exact figure is UNCONFIRMED. Source: aurora-global-database-disaster-recovery.html
   * ("Recovering an Amazon Aurora global database from an unplanned outage").
   */
  readonly globalRejoinMs: Range;
  /**
   * Aurora's snapshot of the old volume (`rds:unplanned-global-failover-<cluster>-<time>`), and
   * copying it to a manual snapshot in the same region: not published, UNCONFIRMED, tunable.
   * Source: aurora-global-database-disaster-recovery.html; RDS API reference, CopyDBClusterSnapshot.
   */
  readonly clusterSnapshotMs: Range;
  readonly clusterSnapshotCopyMs: Range;
}

/** The default latency model (see DESIGN.md, "The simulator's default latency model"). */
export const DEFAULT_LATENCY: LatencyModel = {
  apiCallMs: [50, 400],
  unreachableTimeoutMs: 10_000,
  promoteStillAvailableMs: [3_000, 7_000],
  promoteModifyingMs: [60_000, 150_000],
  promoteWritableMs: [240_000, 480_000],
  replicaLagMs: [500, 3_000],
  replicaLagBurstChance: 0.05,
  replicaLagBurstMs: [3_000, 12_000],
  parameterApplyMs: [2_000, 10_000],
  rebootMs: [60_000, 180_000],
  backupRetentionMs: [30_000, 120_000],
  replicaCatchUpMs: [60_000, 300_000],
  connectionLingerMs: [1_000, 60_000],
  stateStoreMs: [4, 20],
  instanceLaunchMs: [90_000, 180_000],
  albHealthIntervalMs: 5_000,
  albUnhealthyThreshold: 2,
  albHealthyThreshold: 2,
  gaFollowsAlbMs: [1_000, 10_000],
  route53Checkers: 8,
  route53IntervalMs: 10_000,
  route53FailureThreshold: 2,
  route53HealthyShare: 0.18,
  route53DnsMs: [1_000, 10_000],
  dnsQueryMs: [1, 5],
  scheduleIntervalMs: 60_000,
  alarmPeriodMs: 60_000,
  alarmEvaluationPeriods: 2,
  renameMs: [480_000, 720_000],
  createReplicaMs: [1_200_000, 2_400_000],
  s3ReplicationMs: [2_000, 15_000],
  probeMs: [20, 150],
  globalLagMs: [100, 1_000],
  globalFailoverMs: [60_000, 180_000],
  globalPendingMs: [2_000, 10_000],
  globalStateShownMs: [0, 5_000],
  globalSwitchoverMs: [30_000, 90_000],
  globalWriterDnsMs: [1_000, 10_000],
  globalWriterDnsTtlMs: 5_000,
  globalRejoinMs: [600_000, 3_600_000],
  clusterSnapshotMs: [60_000, 300_000],
  clusterSnapshotCopyMs: [60_000, 300_000],
};
