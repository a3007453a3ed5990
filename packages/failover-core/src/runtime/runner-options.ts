/**
 * What a `Runner` is given and what it gives back: its options (ports, config, lease
 * timing, hooks for progress, approval, crashes and stopping), a request to start a run, and the
 * outcome of driving one. Kept apart from the runner so a reader meets the shapes before the
 * machinery.
 */
import type { DrConfig } from '../config/schema.js';
import type { EngineSettings, RunEvent, RunState, RunTrigger } from '../machine/types.js';
import type { Operation, Plan } from '../plan/types.js';
import type { Ports } from '../ports.js';

/** Everything a runner needs. */
export interface RunnerOptions {
  readonly ports: Ports;
  /** The DR config the run's plan was built from (the detector's signals are read from it when an approved run re-checks). */
  readonly config: DrConfig;
  /** Identifies this controller in the lease, such as a Lambda request id or `cli:alice@host`. */
  readonly owner: string;
  /** The state store key of the application's control record. */
  readonly stateKey: string;
  /** How long a lease lasts without renewal; every persisted transition renews it. @default 60000 */
  readonly leaseMs?: number;
  /**
   * A mutating call is made only while the lease has at least this long left (as measured after
   * the write that renewed it): the longest a call may take to land, so none lands after the
   * lease could pass to another controller. @default 15000 (the adapters' call deadline is 10 s)
   */
  readonly actMarginMs?: number;
  /** The clock-skew bound between controllers. @default CLOCK_SKEW_MS */
  readonly clockSkewMs?: number;
  /** @default the defaults, polling every `config.timeouts.pollSeconds` ({@link engineSettingsOf}) */
  readonly settings?: EngineSettings;
  /** Called after each persisted transition (progress reporting), with the lease epoch it was written under. */
  readonly onTransition?: (state: RunState, event: RunEvent | undefined, epoch: number) => void;
  /** Asked when the run needs approval; returns who approved, or undefined to leave it waiting. */
  readonly approve?: (state: RunState) => Promise<string | undefined>;
  /**
   * Called before each event is applied, with its index; throwing here stops the runner as a crash
   * would (the simulator uses it to crash a controller between any two steps).
   */
  readonly beforeEvent?: (index: number, event: RunEvent) => void;
  /**
   * Epoch ms after which the runner stops taking new events, releases its lease and returns the
   * unfinished state for the next controller to resume (a Lambda nearing its timeout).
   */
  readonly deadline?: number;
  /**
   * An abort signal (any object with `aborted`); aborting it stops the runner as reaching the
   * deadline does: no new events, the lease released, the unfinished state returned for a
   * resume (an operator's Ctrl-C).
   */
  readonly signal?: { readonly aborted: boolean };
}

/** A request to start a run. */
export interface StartRequest {
  readonly runId: string;
  readonly operation: Operation;
  readonly plan: Plan;
  readonly maxDataLossSeconds: number;
  readonly force?: boolean;
  readonly approvalRequired?: boolean;
  readonly impairedAt?: number | undefined;
  /** @default 'operator' */
  readonly trigger?: RunTrigger;
}

/** Result of driving a run as far as it can go now. */
export interface RunOutcome {
  readonly state: RunState;
  /** The lease epoch this controller acted under. */
  readonly epoch: number;
  /** True when this call started the run; false when it resumed or retried one. */
  readonly started: boolean;
}
