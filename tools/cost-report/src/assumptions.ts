/**
 * The usage the templates do not declare, stated once so every figure that rests on one says so.
 * None is measured: replace a value with a measured one (CloudWatch, Cost Explorer) when there is one.
 */

/** Usage assumptions of the report. */
export interface Assumptions {
  /**
   * LCUs an ALB uses on average while its region serves (1 LCU = 25 new connections/s, 3,000 active connections/min, 1 GB/h or 1,000 rule
   * evaluations/s).
   */
  readonly albLcuServing: number;
  /** LCUs while its region is dark: nothing but health checks reach it, and those are not client traffic. */
  readonly albLcuDark: number;
  /** Billed seconds per invocation, by the function's `POWERTOOLS_SERVICE_NAME`, when no env var says how long it runs. */
  readonly lambdaSecondsByService: Readonly<Record<string, number>>;
  /** Billed seconds per invocation of any other scheduled function. */
  readonly lambdaSecondsDefault: number;
  /** Log bytes one invocation writes (START/END/REPORT lines, structured logs, the EMF blob). */
  readonly lambdaLogBytesPerInvocation: number;
  /** Custom metrics a function publishes through EMF each invocation, by `POWERTOOLS_SERVICE_NAME` (apps/lambdas/src). */
  readonly emfMetricsByService: Readonly<Record<string, number>>;
  /** DynamoDB reads and writes per invocation of a function whose environment names the table. */
  readonly dynamoReadsPerInvocation: number;
  readonly dynamoWritesPerInvocation: number;
  /** GB a table holds (a few state records). */
  readonly dynamoTableGb: number;
  /** GB of VPC flow logs a month while the VPC's region is dark, and while it serves. */
  readonly flowLogGbDark: number;
  readonly flowLogGbServing: number;
  /** Yearly rotations of a rotating KMS key that are billed: the figure from the third year on. */
  readonly kmsRotationsBilled: number;
  /**
   * Calls a probing function (one with `DR_PROBE_WINDOW_SECONDS`) makes per second of its window
   * to a function its environment names (the health record reader): one per detection round,
   * every 10 s by default.
   */
  readonly calleeCallsPerProbeSecond: number;
  /** Billed seconds of one such call (a DNS query in the VPC). */
  readonly calleeSeconds: number;
  /** GB an Aurora cluster volume holds (the RDS tier allocates 20 GiB: the same data, so the tiers compare). */
  readonly auroraStorageGb: number;
  /** Million I/O requests a month of the serving cluster (a small LAMP app's reads that miss the buffer cache, and its writes). */
  readonly auroraIoMillionsServing: number;
  /** Million write I/Os a month the primary replicates to each secondary region of the global database. */
  readonly auroraReplicatedWriteIoMillions: number;
  /** GB of backups beyond the free amount (the volume size): 7 days of a slowly changing volume stay within it. */
  readonly auroraBackupBeyondFreeGb: number;
}

/** The assumptions the report uses unless told otherwise. */
export const DEFAULT_ASSUMPTIONS: Assumptions = {
  auroraStorageGb: 20,
  auroraIoMillionsServing: 10,
  auroraReplicatedWriteIoMillions: 2,
  auroraBackupBeyondFreeGb: 0,
  calleeCallsPerProbeSecond: 1 / 10,
  calleeSeconds: 0.05,
  albLcuServing: 1,
  albLcuDark: 0,
  // The readiness checks are a few API reads; the snapshot run waits for a snapshot to start and copies to begin.
  lambdaSecondsByService: { 'dr-readiness': 3, 'dr-snapshot': 30 },
  lambdaSecondsDefault: 1,
  lambdaLogBytesPerInvocation: 2_000,
  // Controller: DetectorRounds and PrimaryHealthy every invocation (failover-controller/report.ts);
  // snapshot: SnapshotCreated, SnapshotsCopied, SnapshotsPruned, CopiesPending (snapshot/handler.ts).
  // The readiness function's metrics go to DR/Readiness by PutMetricData and are counted from the alarms on them.
  emfMetricsByService: { 'dr-failover-controller': 2, 'dr-snapshot': 4, 'dr-readiness': 0 },
  dynamoReadsPerInvocation: 2,
  dynamoWritesPerInvocation: 1,
  dynamoTableGb: 0.001,
  flowLogGbDark: 0.1,
  flowLogGbServing: 2,
  kmsRotationsBilled: 2,
};
