import type { DrConfig } from '../config/schema.js';
import { measureRun } from '../machine/measures.js';
import { summarizeRun, type RunSummary } from '../machine/summary.js';
import type { RunState } from '../machine/types.js';
import type { Operation } from '../plan/types.js';
import type { SimWorld } from '../sim/world.js';
import { secs } from '../util/tenths.js';
import type { Audit, Invariants } from './audit.js';
import type { Scenario } from './scenarios.js';

/** How a drill's run ended: `rolled-back` when it failed before its point of no return and undid its changes. */
export type DrillOutcome = 'completed' | 'failed' | 'refused' | 'rolled-back' | 'not-triggered';

/** How a run ended, as a drill reports it: `not-triggered` when no run started. */
export function drillOutcome(run: RunState | undefined): DrillOutcome {
  if (!run) return 'not-triggered';
  return run.phase === 'completed' || run.phase === 'refused' || run.phase === 'rolled-back' ? run.phase : 'failed';
}

/** One plan step in a report. Seconds are since the drill began. */
export interface StepReport {
  readonly id: string;
  readonly name: string;
  readonly startSeconds: number | null;
  readonly endSeconds: number | null;
  readonly outcome: 'completed' | 'failed' | 'in-progress' | 'not-started';
}

/** One segment of the critical path: the block that decided when its step ended. */
export interface CriticalSegment {
  readonly stepId: string;
  readonly blockId: string;
  readonly description: string;
  readonly seconds: number;
}

/**
 * A drill's result. The fields of the `dr drill --json` interface are stable; others may be
 * added. Durations are seconds; `null` where a figure does not apply (no detection in a planned
 * operation, no RTO when the run did not complete).
 */
export interface DrillReport {
  readonly operation: Operation;
  readonly scenario: Scenario;
  readonly seed: number;
  readonly outcome: DrillOutcome;
  /** Impairment start to the failover's trigger. */
  readonly detectSeconds: number | null;
  /** Whether AWS accepted a replica promotion during the drill: the failover went past its point of no return. */
  readonly promoted: boolean;
  /** Whether a failover run started more than one detection interval after the impairment had ended (it acted on a stale signal). */
  readonly startedAfterRecovery: boolean;
  /**
   * When the impairment began (seconds since the drill began), and when the detector estimated it
   * did, with the window it gave: null without a detector's run.
   */
  readonly impairment: { readonly actualSeconds: number; readonly estimatedSeconds: number } | null;
  /**
   * Time without service: from the impairment's start (failover) or from fencing the old region
   * (switchover, failback) until the new region is verified serving.
   */
  readonly rtoSeconds: number | null;
  /** The run's whole duration, trigger to completion (a failback's includes rebuilding the pilot light). */
  readonly durationSeconds: number | null;
  /** Replica lag when the promotion was decided: writes that may be lost. */
  readonly rpoSeconds: number | null;
  /** S3 cross-region replication lag when the region failed: objects that may not have reached the DR bucket. */
  readonly bucketRpoSeconds: number | null;
  readonly objectives: { readonly rtoSeconds: number; readonly maxDataLossSeconds: number; readonly met: boolean };
  readonly steps: readonly StepReport[];
  /** Mutating calls AWS accepted, by kind. */
  readonly actions: Readonly<Record<string, number>>;
  /** Calls that failed (throttled, rejected, timed out), by kind. */
  readonly failedCalls: Readonly<Record<string, number>>;
  readonly criticalPath: readonly CriticalSegment[];
  /** How long AWS took to make the promoted replica writable (call to writable), in seconds. */
  readonly awsPromotionSeconds: number | null;
  /**
   * From the run's trigger until AWS had all the new region needs to serve: the database
   * writable, the desired healthy targets, and Global Accelerator seeing the endpoint healthy.
   * No orchestration can finish sooner; RTO − detect − this is the engine's own overhead.
   */
  readonly awsReadySeconds: number | null;
  /** The longest single block on the critical path, in seconds. */
  readonly longestOperationSeconds: number | null;
  /** True when a forced run went past the RPO guard; `rpoSeconds` is the window risked. */
  readonly rpoRisked: boolean;
  readonly reason: string | null;
  readonly failure: { readonly stepId: string | null; readonly blockId: string | null; readonly message: string } | null;
  readonly fromRegion: string;
  readonly toRegion: string;
  /** Seconds during which users reached a region whose database took no writes, over both regions (always 0 unless the engine is wrong). */
  readonly unsafeTrafficSeconds: number;
  /** The invariants, measured on the simulated world from the start of the drill until it settled after the run. */
  readonly invariants: Invariants;
  /** See {@link Audit.returnExposureSeconds}. */
  readonly returnExposureSeconds: number;
  /** What the run changed, the state it left, and the next command (null when no run started). */
  readonly summary: RunSummary | null;
  /** The region serving traffic at the end, according to the state table. */
  readonly activeRegion: string;
  readonly controller: { readonly invocations: number; readonly crashes: number; readonly stateWrites: number };
  readonly runId: string | null;
}

/** What {@link buildReport} needs. */
export interface ReportInput {
  readonly config: DrConfig;
  readonly operation: Operation;
  readonly scenario: Scenario;
  readonly seed: number;
  readonly t0: number;
  readonly impairedAt: number | undefined;
  /** True when the scenario really impaired the serving region (a lossy probe path does not). */
  readonly regionImpaired: boolean;
  /** When the impairment ended, if it did. */
  readonly recoveredAt?: number | undefined;
  readonly run: RunState | undefined;
  readonly world: SimWorld;
  readonly audit: Audit;
  readonly activeRegion: string;
  readonly controller: DrillReport['controller'];
  readonly promoted: boolean;
  readonly startedAfterRecovery: boolean;
}

/** Seconds of `entry` kind for a step, since t0. */
function stepTimes(run: RunState, stepId: string, t0: number): { start: number | null; end: number | null } {
  const started = run.timeline.find((e) => e.kind === 'step-started' && e.stepId === stepId);
  const ended = run.timeline.find((e) => e.kind === 'step-ended' && e.stepId === stepId);
  return { start: started ? secs(started.at - t0) : null, end: ended ? secs(ended.at - t0) : null };
}

/**
 * The critical path of a run: for each finished step, the block that ended last. Best-effort
 * blocks (containing the old region) never hold a step back, so they are not on it.
 */
export function criticalPath(run: RunState): CriticalSegment[] {
  const path: CriticalSegment[] = [];
  for (const step of run.plan.steps) {
    let last: CriticalSegment | undefined;
    let lastEnd = -Infinity;
    for (const b of step.blocks.filter((x) => !x.bestEffort)) {
      const s = run.blocks[b.id];
      if (s?.endedAt === undefined || s.startedAt === undefined) continue;
      if (s.endedAt > lastEnd) {
        lastEnd = s.endedAt;
        last = { stepId: step.id, blockId: b.id, description: b.description, seconds: secs(s.endedAt - s.startedAt) };
      }
    }
    if (last) path.push(last);
  }
  return path;
}

/**
 * Call to writable of the promotion into `region`: a replica's, or on the Aurora tier the last
 * failover or switchover to it that completed.
 */
function promotionSeconds(world: SimWorld, region: string): number | null {
  const aurora = world.aurora;
  if (aurora) {
    const op = aurora.operations.filter((o) => o.to.region === region && aurora.end(o).completed).at(-1);
    return op ? secs(aurora.end(op).at - op.requestedAt) : null;
  }
  const promoted = world.rds.dbs.find((d) => d.region === region && d.promotion);
  return promoted?.promotion ? secs(promoted.promotion.writableAt - promoted.promotion.requestedAt) : null;
}

/** Seconds from `from` to the first moment (to 0.1 s) the region could serve at full capacity, or null if not even by `until`. */
function readySeconds(world: SimWorld, region: DrConfig['primary'], from: number, until: number): number | null {
  const ready = (t: number) => {
    const db = world.findDb(region.region, region.dbInstanceIdentifier, t);
    return (
      db !== undefined &&
      world.writableAt(db, t) &&
      world.healthyTargetsAt(region.region, t) >= region.capacity.desired &&
      world.gaHealthy(region.region, t)
    );
  };
  for (let t = from; t < until; t += 100) if (ready(t)) return secs(t - from);
  return ready(until) ? secs(until - from) : null;
}

/** Builds the report of a drill from its final run state and the simulated world. */
export function buildReport(input: ReportInput): DrillReport {
  const { config, run, t0, world } = input;
  const outcome = drillOutcome(run);
  const completedAt = run?.timeline.find((e) => e.kind === 'completed')?.at;
  // The drill knows when it injected the fault: the outage starts there, not at the detector's estimate.
  const measures = run ? measureRun(run, { impairedAt: input.impairedAt ?? run.triggeredAt }) : undefined;
  const rtoSeconds = measures?.rtoSeconds ?? null;
  const durationSeconds = measures?.durationSeconds ?? null;
  const detectSeconds = run && input.impairedAt !== undefined ? secs(run.triggeredAt - input.impairedAt) : null;
  const rpoSeconds = measures?.rpoSeconds ?? null;
  const objectives = config.objectives;
  // Holding back is right only when the serving region was not in fact impaired (or no longer
  // was: a refusal because it recovered), and failing over a healthy region is never right.
  const spurious = input.operation === 'failover' && !input.regionImpaired && outcome !== 'not-triggered' && outcome !== 'refused';
  // So is holding back from an impairment that ended by itself: not starting, or undoing a run
  // whose confirmation saw the primary recover before the point of no return.
  const recovered = input.recoveredAt !== undefined && input.recoveredAt <= (run?.timeline.at(-1)?.at ?? Number.POSITIVE_INFINITY);
  const heldBackRightly =
    !input.startedAfterRecovery &&
    recovered &&
    ((outcome === 'refused' && run?.problems.some((p) => p.kind === 'recovered') === true) ||
      (outcome === 'rolled-back' && run?.failure?.blockId === 'confirm-impairment') ||
      (outcome === 'not-triggered' && !input.promoted));
  const met =
    (outcome === 'not-triggered' && !input.regionImpaired) ||
    heldBackRightly ||
    (!spurious &&
      outcome === 'completed' &&
      rtoSeconds !== null &&
      rtoSeconds <= objectives.rtoSeconds &&
      (rpoSeconds ?? 0) <= objectives.maxDataLossSeconds);

  const steps: StepReport[] = (run?.plan.steps ?? []).map((step) => {
    const { start, end } = run ? stepTimes(run, step.id, t0) : { start: null, end: null };
    const failed = run?.failure?.stepId === step.id;
    return {
      id: step.id,
      name: step.name,
      startSeconds: start,
      endSeconds: failed && run?.failure ? secs((run.timeline.at(-1)?.at ?? t0) - t0) : end,
      outcome: failed ? 'failed' : end !== null ? 'completed' : start !== null ? 'in-progress' : 'not-started',
    };
  });
  const path = run ? criticalPath(run) : [];
  const toRegion = config[run?.to ?? 'secondary'].region;
  const refusal = run?.phase === 'refused' ? run.timeline.find((e) => e.kind === 'refused')?.message : undefined;

  return {
    operation: input.operation,
    scenario: input.scenario,
    seed: input.seed,
    outcome,
    detectSeconds,
    promoted: input.promoted,
    startedAfterRecovery: input.startedAfterRecovery,
    impairment:
      run?.impairedAt !== undefined && input.impairedAt !== undefined && run.trigger === 'detector'
        ? { actualSeconds: secs(input.impairedAt - t0), estimatedSeconds: secs(run.impairedAt - t0) }
        : null,
    rtoSeconds,
    durationSeconds,
    rpoSeconds,
    bucketRpoSeconds: input.impairedAt !== undefined && run ? secs(world.bucketLagMsAt(input.impairedAt)) : null,
    objectives: { rtoSeconds: objectives.rtoSeconds, maxDataLossSeconds: objectives.maxDataLossSeconds, met },
    steps,
    actions: { ...world.actions },
    failedCalls: { ...world.failedCalls },
    criticalPath: path,
    awsPromotionSeconds: promotionSeconds(world, toRegion),
    awsReadySeconds: run && completedAt !== undefined ? readySeconds(world, config[run.to], run.triggeredAt, completedAt) : null,
    longestOperationSeconds: path.length ? Math.max(...path.map((p) => p.seconds)) : null,
    rpoRisked: run?.rpoRisked ?? false,
    reason:
      refusal ?? run?.failure?.message ?? (spurious ? 'failed over although the serving region was healthy (a spurious failover)' : null),
    failure: run?.failure
      ? { stepId: run.failure.stepId ?? null, blockId: run.failure.blockId ?? null, message: run.failure.message }
      : null,
    fromRegion: config[run?.from ?? 'primary'].region,
    toRegion,
    unsafeTrafficSeconds: input.audit.invariants.unsafeTrafficSeconds,
    invariants: input.audit.invariants,
    returnExposureSeconds: input.audit.returnExposureSeconds,
    summary: run ? summarizeRun(run) : null,
    activeRegion: input.activeRegion,
    controller: input.controller,
    runId: run?.runId ?? null,
  };
}
