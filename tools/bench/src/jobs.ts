import type { DataTierName, DrConfig } from '@dr/failover-core';
import {
  drillOperationFor,
  roundTenths,
  runDrill,
  runLifecycle,
  type DrillChaos,
  type DrillOutcome,
  type Invariants,
  type LifecycleOperation,
  type Scenario,
} from '@dr/failover-core/drill';

/** One unit of work for a worker thread: a single drill, or a whole lifecycle, on one seed. */
export type Job =
  | {
      readonly kind: 'drill';
      readonly scenario: Scenario;
      readonly seed: number;
      readonly chaos?: DrillChaos | undefined;
      readonly outageSeconds?: number | undefined;
      /** The data tier of the reference topology the drill runs on. @default 'rds-replica' */
      readonly tier?: DataTierName | undefined;
      /** The DR region's compute kept running (warm standby), for comparison. @default false */
      readonly warmStandby?: boolean | undefined;
      /** `detection.confirmSeconds` over the reference topology's, for comparison. @default the topology's */
      readonly confirmSeconds?: number | undefined;
    }
  | {
      readonly kind: 'lifecycle';
      readonly scenario: Scenario;
      readonly seed: number;
      readonly sequence?: readonly LifecycleOperation[] | undefined;
      readonly chaos?: DrillChaos | undefined;
      /** @default 'rds-replica' */
      readonly tier?: DataTierName | undefined;
    };

/** What the bench keeps of one run, small enough to post from a worker: figures, not timelines. */
export interface JobResult {
  readonly kind: Job['kind'];
  readonly scenario: Scenario;
  readonly seed: number;
  /** A drill's outcome, or the lifecycle's (`completed` only when every operation did and the invariants held). */
  readonly outcome: DrillOutcome | 'completed' | 'failed';
  readonly invariants: Invariants;
  readonly returnExposureSeconds: number;
  /** Lifecycles only: the pilot light back as deployed after the last operation. */
  readonly pilotLightRestored: boolean | null;
  readonly problems: readonly string[];
  /** Each operation (one for a drill), with its RTO; `scenario` is set on the one the scenario's fault applied to. */
  readonly operations: readonly {
    readonly operation: string;
    readonly outcome: string;
    readonly rtoSeconds: number | null;
    readonly rpoSeconds?: number | null;
    readonly reason: string | null;
    readonly scenario: string | null;
  }[];
  readonly crashes: number;
  readonly invocations: number;
  /** Lifecycles only: the virtual seconds the lifecycle covered. */
  readonly simulatedSeconds: number | null;
  /** Wall milliseconds this job took on its worker. */
  readonly wallMs: number;
  /** Single drills only (null otherwise): the detection figures of the report. */
  readonly detection: {
    readonly detectSeconds: number | null;
    readonly promoted: boolean;
    readonly startedAfterRecovery: boolean;
    readonly impairmentErrorSeconds: number | null;
    /**
     * Where a failover's RTO went: trigger to the commit step (the detector's confirmation and the
     * harmless steps), the AWS promotion (replica promotion or global failover, call to writable),
     * trigger until AWS had all the new region needs (database, healthy targets, GA health).
     */
    readonly toCommitSeconds?: number | null;
    readonly awsPromotionSeconds?: number | null;
    readonly awsReadySeconds?: number | null;
  } | null;
  /** Lifecycles only: snapshots of old volumes a failback or rebuild did not keep (Aurora tier). */
  readonly lostWritesNotKept?: number | null;
}

/** Runs one job in this thread. */
export async function runJob(config: DrConfig, job: Job): Promise<JobResult> {
  const started = performance.now();
  if (job.kind === 'lifecycle') {
    const r = await runLifecycle({ config, scenario: job.scenario, seed: job.seed, sequence: job.sequence, chaos: job.chaos });
    return {
      kind: job.kind,
      scenario: job.scenario,
      seed: job.seed,
      outcome: r.outcome,
      invariants: r.invariants,
      returnExposureSeconds: r.returnExposureSeconds,
      pilotLightRestored: r.pilotLightRestored,
      problems: r.pilotLight.problems,
      operations: r.operations.map((o) => ({
        operation: o.operation,
        outcome: o.outcome,
        rtoSeconds: o.rtoSeconds,
        rpoSeconds: o.rpoSeconds,
        reason: o.reason,
        scenario: o.scenario,
      })),
      crashes: r.controller.crashes,
      invocations: r.controller.invocations,
      simulatedSeconds: r.durationSeconds,
      wallMs: performance.now() - started,
      detection: null,
      lostWritesNotKept: r.pilotLight.problems.filter((p) => p.includes('was not kept as a manual copy')).length,
    };
  }
  const r = await runDrill({
    config:
      job.confirmSeconds === undefined ? config : { ...config, detection: { ...config.detection, confirmSeconds: job.confirmSeconds } },
    operation: drillOperationFor(job.scenario),
    scenario: job.scenario,
    seed: job.seed,
    chaos: job.chaos,
    outageSeconds: job.outageSeconds,
    warmStandby: job.warmStandby,
  });
  const trigger = r.impairment && r.detectSeconds !== null ? r.impairment.actualSeconds + r.detectSeconds : null;
  const commitStart = r.steps.find((s) => s.id === 'commit')?.startSeconds ?? null;
  return {
    kind: job.kind,
    scenario: job.scenario,
    seed: job.seed,
    outcome: r.outcome,
    invariants: r.invariants,
    returnExposureSeconds: r.returnExposureSeconds,
    pilotLightRestored: null,
    problems: [],
    operations: [
      {
        operation: r.operation,
        outcome: r.outcome,
        rtoSeconds: r.rtoSeconds,
        rpoSeconds: r.rpoSeconds,
        reason: r.reason,
        scenario: r.scenario,
      },
    ],
    crashes: r.controller.crashes,
    invocations: r.controller.invocations,
    simulatedSeconds: null,
    wallMs: performance.now() - started,
    detection: {
      detectSeconds: r.detectSeconds,
      promoted: r.promoted,
      startedAfterRecovery: r.startedAfterRecovery,
      impairmentErrorSeconds: r.impairment ? roundTenths(r.impairment.estimatedSeconds - r.impairment.actualSeconds) : null,
      toCommitSeconds: trigger !== null && commitStart !== null ? roundTenths(commitStart - trigger) : null,
      awsPromotionSeconds: r.awsPromotionSeconds,
      awsReadySeconds: r.awsReadySeconds,
    },
    lostWritesNotKept: null,
  };
}
