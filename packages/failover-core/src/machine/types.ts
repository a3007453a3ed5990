import type { RegionRole } from '../config/schema.js';
import type { FailureCause } from '../errors.js';
import type {
  CapacitySetting,
  CapacityStatus,
  DbStatus,
  EndpointGroupStatus,
  FailoverSnapshotStatus,
  GlobalClusterStatus,
  Notification,
  ProbeResult,
  ReadOnlySetting,
} from '../ports.js';
import type { Operation, Plan, PlanStep } from '../plan/types.js';

/** Version of the persisted {@link RunState} shape; bumped only with a reader for the old one. */
export const RUN_STATE_SCHEMA_VERSION = 2;

/** Where a run is as a whole. */
export type RunPhase =
  | 'evaluating'
  | 'awaiting-approval'
  | 'running'
  /** Undoing, in reverse order, what the run changed before its point of no return. */
  | 'rolling-back'
  | 'completed'
  /** Failed after its point of no return (the target region is the truth now), or a rollback could not undo everything. */
  | 'failed'
  /** Stopped before changing anything: a precondition, the RPO guard, an expired approval, a recovered primary. */
  | 'refused'
  /** Failed or aborted before its point of no return, and everything it changed is restored. */
  | 'rolled-back';

/** Phases after which nothing more happens unless an operator retries (a `failed` run). */
export const TERMINAL_PHASES: readonly RunPhase[] = ['completed', 'failed', 'refused', 'rolled-back'];

/** True when a run has finished (it may still be retried if `failed`). */
export const isTerminal = (phase: RunPhase): boolean => TERMINAL_PHASES.includes(phase);

/**
 * Where one block is. `acting` means the intent to act is recorded and the call may be in
 * flight; `skipped` is a best-effort block given up on (what it was for is left to the controller).
 */
export type BlockStatus = 'pending' | 'observing' | 'acting' | 'waiting' | 'done' | 'failed' | 'skipped';

/** What a mutating block saw before its first call: what a rollback restores. */
export type Prior =
  | { readonly kind: 'weight'; readonly weight: number }
  | { readonly kind: 'dial'; readonly percent: number }
  | { readonly kind: 'capacity'; readonly capacity: CapacitySetting }
  | { readonly kind: 'read-only'; readonly setting: ReadOnlySetting };

/** A block's progress, persisted. Times are epoch milliseconds. */
export interface BlockState {
  readonly status: BlockStatus;
  /** Incremented with every command issued for the block; events carrying an older tick are stale and ignored. */
  readonly tick: number;
  /** Mutating calls issued for this block (at most one unless a call failed or never took effect). */
  readonly attempts: number;
  /** Consecutive failed calls (observe or act), for backoff. */
  readonly failures: number;
  /** When the block started: its timeout counts from here, in wall time, crashes included. */
  readonly startedAt?: number | undefined;
  readonly endedAt?: number | undefined;
  /** When the mutating call was last decided on (written before the call: a write-ahead intent). */
  readonly intentAt?: number | undefined;
  /** When the mutating call last returned success. */
  readonly actedAt?: number | undefined;
  /** A call was sent whose outcome is unknown (it timed out): it may have taken effect. */
  readonly uncertain?: boolean | undefined;
  /** The value before the block's first call, for a rollback. */
  readonly before?: Prior | undefined;
  /** Start of the current run of failures because the block's region did not answer. */
  readonly unreachableSince?: number | undefined;
  /** What the last observation showed, for people. */
  readonly detail?: string | undefined;
  readonly error?: string | undefined;
}

/** One entry of a run's timeline. */
export interface TimelineEntry {
  readonly at: number;
  readonly kind:
    | 'run-started'
    | 'preconditions-passed'
    | 'refused'
    | 'approval-requested'
    | 'approved'
    | 'step-started'
    | 'step-ended'
    | 'block-started'
    | 'block-acted'
    | 'block-ended'
    | 'block-failed'
    | 'block-skipped'
    | 'committed'
    | 'rollback-started'
    | 'rolled-back'
    | 'aborted'
    | 'retried'
    | 'resumed'
    | 'completed'
    | 'failed';
  readonly stepId?: string | undefined;
  readonly blockId?: string | undefined;
  readonly message?: string | undefined;
}

/**
 * A reason not to start (or, after an approval, not to go on). `rpo` problems can be overridden
 * with `force`; the rest cannot. `recovered`: the impairment that triggered the run is over.
 */
export interface PreconditionProblem {
  readonly kind: 'rpo' | 'precondition' | 'recovered';
  readonly message: string;
}

/** The undo steps of a rollback, built when the run fails or is aborted before its point of no return. */
export interface Rollback {
  readonly at: number;
  readonly reason: string;
  readonly steps: readonly PlanStep[];
}

/** Everything about one run, persisted after every transition as plain JSON. */
export interface RunState {
  readonly schemaVersion: typeof RUN_STATE_SCHEMA_VERSION;
  readonly runId: string;
  readonly operation: Operation;
  readonly from: RegionRole;
  readonly to: RegionRole;
  readonly phase: RunPhase;
  readonly plan: Plan;
  /** Index into the plan's steps (running) or the rollback's steps (rolling back). */
  readonly stepIndex: number;
  readonly blocks: Readonly<Record<string, BlockState>>;
  /** The operator asked to proceed even when the RPO guard refuses. */
  readonly force: boolean;
  readonly approvalRequired: boolean;
  readonly approvedBy?: string | undefined;
  readonly approvalRequestedAt?: number | undefined;
  /** An approval given after this moment is refused: the run must start anew. */
  readonly approvalExpiresAt?: number | undefined;
  /** How long an approval stays valid once requested. */
  readonly approvalTimeoutSeconds: number;
  readonly maxDataLossSeconds: number;
  /** Before the point of no return, a block whose region does not answer this long fails the run. */
  readonly unreachableSeconds: number;
  /** When the run was asked for. */
  readonly triggeredAt: number;
  /** When the impairment began, if known (the detector's first failed round). */
  readonly impairedAt?: number | undefined;
  /** Replica lag when the promotion was decided: the data this run may lose. */
  readonly rpoSeconds?: number | undefined;
  /** True when a forced run went ahead past the RPO guard. */
  readonly rpoRisked: boolean;
  /** Who started the run. */
  readonly trigger: RunTrigger;
  readonly problems: readonly PreconditionProblem[];
  /** When the run passed its point of no return: from here it never rolls back, and the target is the active region. */
  readonly committedAt?: number | undefined;
  readonly rollback?: Rollback | undefined;
  readonly failure?: { readonly blockId?: string | undefined; readonly stepId?: string | undefined; readonly message: string } | undefined;
  readonly timeline: readonly TimelineEntry[];
  /** Time of the last event applied. */
  readonly lastEventAt?: number | undefined;
}

/** What a port showed about a block's resource. */
export type Observation =
  | { readonly kind: 'database'; readonly status: DbStatus }
  | { readonly kind: 'rename'; readonly current: DbStatus; readonly renamed: DbStatus }
  | { readonly kind: 'capacity'; readonly status: CapacityStatus }
  | { readonly kind: 'endpoint-group'; readonly status: EndpointGroupStatus }
  | { readonly kind: 'serving'; readonly group: EndpointGroupStatus; readonly probe: ProbeResult }
  /**
   * One round of the detector's signals, judged by the runtime (the detector's rule): whether it
   * fails (a quorum of counted downs), whether it sees the primary healthy (a fresh independent
   * up, nothing counted down), and the readings for people.
   */
  | { readonly kind: 'signals'; readonly at: number; readonly fails: boolean; readonly seesHealthy: boolean; readonly readings: string }
  /** An Aurora global database as the target's region sees it, and the instance of the cluster the block is about. */
  | { readonly kind: 'global-cluster'; readonly global: GlobalClusterStatus; readonly db: DbStatus }
  | { readonly kind: 'failover-snapshot'; readonly status: FailoverSnapshotStatus };

export type { FailureCause } from '../errors.js';

/** Inputs to the state machine: results from ports and timers, and operator or controller decisions. */
export type RunEvent =
  | {
      readonly kind: 'preconditions-evaluated';
      readonly at: number;
      readonly problems: readonly PreconditionProblem[];
      readonly replicaLagSeconds?: number | undefined;
    }
  | { readonly kind: 'approval-granted'; readonly at: number; readonly by: string }
  /** The controller saw the approval's time run out. */
  | { readonly kind: 'approval-expired'; readonly at: number }
  | { readonly kind: 'observed'; readonly at: number; readonly blockId: string; readonly tick: number; readonly observation: Observation }
  | {
      readonly kind: 'observe-failed';
      readonly at: number;
      readonly blockId: string;
      readonly tick: number;
      readonly error: string;
      readonly cause: FailureCause;
    }
  | { readonly kind: 'acted'; readonly at: number; readonly blockId: string; readonly tick: number }
  | {
      readonly kind: 'act-failed';
      readonly at: number;
      readonly blockId: string;
      readonly tick: number;
      readonly error: string;
      readonly cause: FailureCause;
      readonly retryable: boolean;
      /**
       * Whether the call may have taken effect anyway: `no` when AWS refused it (throttled,
       * rejected), `unknown` when it timed out, so it may have landed.
       */
      readonly landed: 'no' | 'unknown';
    }
  | { readonly kind: 'timer-fired'; readonly at: number; readonly blockId: string; readonly tick: number }
  | { readonly kind: 'resumed'; readonly at: number }
  /** Stop the run: before its point of no return it is rolled back; after, this only adds a note. */
  | { readonly kind: 'abort-requested'; readonly at: number; readonly reason: string }
  /** An operator asks a `failed` run to go on: past its point of no return from the failed block, else the rollback's unfinished undos. */
  | { readonly kind: 'retry-requested'; readonly at: number; readonly by: string };

/** What the runner must do next. */
export type Command =
  /** `confirmImpairment`: also re-read the detector's signals, and refuse if the primary no longer looks impaired. */
  | { readonly kind: 'evaluate-preconditions'; readonly confirmImpairment: boolean }
  | { readonly kind: 'request-approval' }
  | { readonly kind: 'observe'; readonly blockId: string; readonly tick: number }
  | { readonly kind: 'act'; readonly blockId: string; readonly tick: number }
  | { readonly kind: 'wait'; readonly blockId: string; readonly tick: number; readonly ms: number }
  | { readonly kind: 'notify'; readonly notification: Notification };

/** The result of one transition. */
export interface Transition {
  readonly state: RunState;
  readonly commands: readonly Command[];
}

/** Engine timings; defaults suit AWS and the simulator alike. */
export interface EngineSettings {
  /** Time between observations of a block that is in progress. */
  readonly pollMs: number;
  /**
   * How long a mutating call may show no effect before it is issued again. Covers RDS showing
   * `available` for seconds after PromoteReadReplica returns (the waiter race).
   */
  readonly settleMs: number;
  /**
   * First backoff after a failed call; doubles per failure up to `maxBackoffMs`. Retryable
   * failures (throttling, an unreachable region) are retried until the block's timeout, which
   * alone bounds how long a block may take.
   */
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
}

/** Defaults for {@link EngineSettings}. */
export const DEFAULT_ENGINE_SETTINGS: EngineSettings = {
  pollMs: 2_000,
  settleMs: 60_000,
  backoffMs: 1_000,
  maxBackoffMs: 15_000,
};

/** The engine's settings for a config: the defaults, polling as often as its `timeouts.pollSeconds` says. */
export function engineSettingsOf(config: { readonly timeouts: { readonly pollSeconds: number } }): EngineSettings {
  return { ...DEFAULT_ENGINE_SETTINGS, pollMs: Math.round(config.timeouts.pollSeconds * 1000) };
}

/** What {@link startRun} needs. */
export interface StartRunInput {
  readonly runId: string;
  readonly plan: Plan;
  readonly at: number;
  readonly maxDataLossSeconds: number;
  readonly force?: boolean;
  readonly approvalRequired?: boolean;
  /** @default 1800 */
  readonly approvalTimeoutSeconds?: number;
  /** @default 60 */
  readonly unreachableSeconds?: number;
  readonly impairedAt?: number | undefined;
  /** Who started the run: the detector (a controller acting unattended) or an operator. @default 'operator' */
  readonly trigger?: RunTrigger;
}

/**
 * Who started a run. A controller resumes only runs the detector started: an operator's run,
 * even interrupted, stays theirs until the controller's hold on it ends.
 */
export type RunTrigger = 'detector' | 'operator';
