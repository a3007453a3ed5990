import type { RegionRole } from '../config/schema.js';
import type { CapacityStatus, DbStatus, EndpointGroupStatus, Notification, ProbeResult } from '../ports.js';
import type { Operation, Plan } from '../plan/types.js';

/** Version of the persisted {@link RunState} shape; bumped only with a reader for the old one. */
export const RUN_STATE_SCHEMA_VERSION = 1;

/** Where a run is as a whole. */
export type RunPhase = 'evaluating' | 'awaiting-approval' | 'running' | 'completed' | 'failed' | 'refused';

/** Phases after which nothing more happens. */
export const TERMINAL_PHASES: readonly RunPhase[] = ['completed', 'failed', 'refused'];

/** Where one block is. `acting` means the intent to act is recorded and the call may be in flight. */
export type BlockStatus = 'pending' | 'observing' | 'acting' | 'waiting' | 'done' | 'failed';

/** A block's progress, persisted. Times are epoch milliseconds. */
export interface BlockState {
  readonly status: BlockStatus;
  /** Incremented with every command issued for the block; events carrying an older tick are stale and ignored. */
  readonly tick: number;
  /** Mutating calls issued for this block (at most one unless a call failed or never took effect). */
  readonly attempts: number;
  /** Consecutive failed calls (observe or act), for backoff. */
  readonly failures: number;
  readonly startedAt?: number | undefined;
  /**
   * Start of the block's timeout clock: its start, moved later by the time a run spent with no
   * live controller (a crash, a handover between Lambda invocations), which is not AWS's to pay.
   */
  readonly watchSince?: number | undefined;
  readonly endedAt?: number | undefined;
  /** When the mutating call was last decided on (written before the call: a write-ahead intent). */
  readonly intentAt?: number | undefined;
  /** When the mutating call last returned success. */
  readonly actedAt?: number | undefined;
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
    | 'resumed'
    | 'completed'
    | 'failed';
  readonly stepId?: string | undefined;
  readonly blockId?: string | undefined;
  readonly message?: string | undefined;
}

/** A precondition that did not hold. `rpo` problems can be overridden with `force`; the rest cannot. */
export interface PreconditionProblem {
  readonly kind: 'rpo' | 'precondition';
  readonly message: string;
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
  readonly stepIndex: number;
  readonly blocks: Readonly<Record<string, BlockState>>;
  /** The operator asked to proceed even when the RPO guard refuses. */
  readonly force: boolean;
  readonly approvalRequired: boolean;
  readonly approvedBy?: string | undefined;
  readonly maxDataLossSeconds: number;
  /** When the run was asked for. */
  readonly triggeredAt: number;
  /** When the impairment began, if known (the detector's first failed round). */
  readonly impairedAt?: number | undefined;
  /** Replica lag when the promotion was decided: the data this run may lose. */
  readonly rpoSeconds?: number | undefined;
  /** True when a forced run went ahead past the RPO guard. */
  readonly rpoRisked: boolean;
  /** Who started the run; absent in runs stored before it was recorded, which count as an operator's. */
  readonly trigger?: RunTrigger | undefined;
  readonly problems: readonly PreconditionProblem[];
  readonly failure?: { readonly blockId?: string | undefined; readonly stepId?: string | undefined; readonly message: string } | undefined;
  readonly timeline: readonly TimelineEntry[];
  /** Time of the last event applied: on resume, what is missing until now was lost to a dead controller. */
  readonly lastEventAt?: number | undefined;
}

/** What a port showed about a block's resource. */
export type Observation =
  | { readonly kind: 'database'; readonly status: DbStatus }
  | { readonly kind: 'rename'; readonly current: DbStatus; readonly renamed: DbStatus }
  | { readonly kind: 'capacity'; readonly status: CapacityStatus }
  | { readonly kind: 'endpoint-group'; readonly status: EndpointGroupStatus }
  | { readonly kind: 'serving'; readonly group: EndpointGroupStatus; readonly probe: ProbeResult };

/** Inputs to the state machine: results from ports and timers, and operator decisions. */
export type RunEvent =
  | { readonly kind: 'preconditions-evaluated'; readonly at: number; readonly problems: readonly PreconditionProblem[]; readonly replicaLagSeconds?: number | undefined }
  | { readonly kind: 'approval-granted'; readonly at: number; readonly by: string }
  | { readonly kind: 'observed'; readonly at: number; readonly blockId: string; readonly tick: number; readonly observation: Observation }
  | { readonly kind: 'observe-failed'; readonly at: number; readonly blockId: string; readonly tick: number; readonly error: string }
  | { readonly kind: 'acted'; readonly at: number; readonly blockId: string; readonly tick: number }
  | {
      readonly kind: 'act-failed';
      readonly at: number;
      readonly blockId: string;
      readonly tick: number;
      readonly error: string;
      readonly retryable: boolean;
      /**
       * Whether the call may have taken effect anyway: `no` when AWS refused it (throttled,
       * rejected), `unknown` when it timed out, so it may have landed.
       */
      readonly landed: 'no' | 'unknown';
    }
  | { readonly kind: 'timer-fired'; readonly at: number; readonly blockId: string; readonly tick: number }
  | { readonly kind: 'resumed'; readonly at: number };

/** What the runner must do next. */
export type Command =
  | { readonly kind: 'evaluate-preconditions' }
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

/** What {@link startRun} needs. */
export interface StartRunInput {
  readonly runId: string;
  readonly plan: Plan;
  readonly at: number;
  readonly maxDataLossSeconds: number;
  readonly force?: boolean;
  readonly approvalRequired?: boolean;
  readonly impairedAt?: number | undefined;
  /** Who started the run: the detector (a controller acting unattended) or an operator. @default 'operator' */
  readonly trigger?: RunTrigger;
}

/**
 * Who started a run. A controller resumes only runs the detector started: an operator's run,
 * even interrupted, stays theirs to resume.
 */
export type RunTrigger = 'detector' | 'operator';
