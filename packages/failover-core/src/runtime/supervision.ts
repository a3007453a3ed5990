/**
 * What the controller's invocation is given and what it returns (`supervise`), the heartbeat it
 * leaves, and the state store keys an application's controller keeps its records under.
 */
import type { DrConfig } from '../config/schema.js';
import type { DetectorState, ImpairmentEstimate, DetectorRound } from '../detector/detector.js';
import type { RunState } from '../machine/types.js';
import type { RunnerOptions } from './runner-options.js';
import type { ContainmentOutcome } from './contain-pending.js';

/** What one controller invocation did. */
export type SupervisionAction =
  /** Probed (or contained); no failover needed, or the primary is no longer the active region. */
  | 'watched'
  /** Started a failover. */
  | 'started'
  /** Resumed an unfinished run. */
  | 'resumed'
  /** Another controller holds the lease. */
  | 'busy'
  /** An operator's unfinished run: theirs until the hold ends (the controller reminds every 15 minutes). */
  | 'held'
  /** The hold on an operator's run ended: the controller finished it (past its point of no return) or rolled it back. */
  | 'took-over'
  /** The detector's run waits for an operator's approval (`dr failover`); a reminder goes out every 15 minutes. */
  | 'awaiting-approval'
  /** A run's approval expired: it was refused, changing nothing. */
  | 'expired'
  /**
   * The primary fails while its database reports maintenance (a reboot, an upgrade): reported,
   * not failed over, until the impairment outlasts `detection.maintenanceSeconds`.
   */
  | 'maintenance'
  /** The invocation's scheduled event was older than one schedule interval (a late or retried delivery): ignored. */
  | 'stale-tick';

/** The result of {@link supervise}. */
export interface SupervisionResult {
  readonly action: SupervisionAction;
  readonly detector: DetectorState;
  readonly run?: RunState | undefined;
  readonly rounds: number;
  /** The last containment attempt of this invocation, if one was pending. */
  readonly containment?: ContainmentOutcome | undefined;
  /** For `held`: since when the operator's run has not moved, and when the hold ends and the controller takes it over (epoch ms). */
  readonly hold?: { readonly idleSince: number; readonly endsAt: number } | undefined;
  /** While the detector sees the primary failing: when the impairment began, as it estimates it. */
  readonly impairment?: ImpairmentEstimate | undefined;
}

/** Options for {@link supervise}. */
export interface SuperviseOptions extends Omit<RunnerOptions, 'stateKey'> {
  readonly config: DrConfig;
  /** Stop probing at this epoch-ms time (for a Lambda: its deadline less a margin). */
  readonly probeUntil: number;
  /** Called after every detector round. */
  readonly onRound?: (round: DetectorRound, state: DetectorState) => void;
  /** Builds run ids; must be unique per run. */
  readonly runId: () => string;
  /**
   * Start the failover past the RPO guard. The Lambda never sets this; it models an operator's
   * forced failover in a drill.
   */
  readonly force?: boolean;
  /**
   * When the schedule fired this invocation (the EventBridge event's `time`, epoch ms). An
   * invocation that starts more than {@link STALE_TICK_MS} after it is a late or retried delivery
   * (Lambda retries an asynchronous event for up to 6 hours) and does nothing.
   */
  readonly scheduledAt?: number | undefined;
}

/**
 * How late a scheduled invocation may start and still act: one schedule interval. A later one
 * is a delivery that was throttled and retried; newer invocations have already done its work.
 * Source: Lambda developer guide, "Asynchronous invocation" (retries for up to 6 hours).
 */
export const STALE_TICK_MS = 60_000;

/** The state store keys of an application. */
export const stateKeys = (app: string) => ({
  control: `app#${app}#control`,
  detector: `app#${app}#detector`,
  reminder: `app#${app}#reminder`,
  /** The controller's last invocation that finished: `ControllerHeartbeat`. */
  heartbeat: `app#${app}#heartbeat`,
  /** The last readiness evaluation: `ReadinessReport`. */
  readiness: `app#${app}#readiness`,
});

/** What the controller writes at the end of every invocation that finished (the readiness check "controller's last good run" reads it). */
export interface ControllerHeartbeat {
  /** Epoch ms the invocation finished. */
  readonly at: number;
  readonly action: SupervisionAction;
  /** The detector's verdict then, and whether it is armed. */
  readonly verdict: DetectorState['verdict'];
  readonly armed: boolean;
}
