import { OperationRejectedError, type LockHeldError } from '../errors.js';
import { isTerminal, type RunState } from '../machine/types.js';
import type { Operation, Plan } from '../plan/types.js';
import { CLOCK_SKEW_MS, leaseHeldByAnother, type ControlRecord } from './lease.js';

/** True for a failed run that may go on: past its point of no return, or with a rollback to finish. */
export const retryable = (run: RunState): boolean =>
  run.phase === 'failed' && (run.committedAt !== undefined || run.rollback !== undefined);

/** Why a request to start a run is refused before anything is evaluated. */
export type StartRefusalReason =
  /** Another controller holds the lease. */
  | 'lease-held'
  /** A run of another operation is unfinished: it must be resumed first. */
  | 'other-run-unfinished'
  /** A run of another operation failed before its point of no return and left changes it could not undo. */
  | 'rollback-unfinished'
  /** The record says traffic is served from a region other than the one the plan leaves. */
  | 'served-elsewhere';

/**
 * What a request to start a run meets in the control record: a fresh start, the stored run
 * carried on (resumed when unfinished, retried when it failed and may go on), or a refusal with
 * the error the real run throws.
 */
export type StartDecision =
  | { readonly kind: 'start' }
  | { readonly kind: 'resume'; readonly run: RunState }
  | { readonly kind: 'retry'; readonly run: RunState }
  | { readonly kind: 'refuse'; readonly reason: StartRefusalReason; readonly error: LockHeldError | OperationRejectedError };

/** What {@link decideStart} needs besides the record and the request. */
export interface StartContext {
  /** The state store key of the control record (named in a lease refusal). */
  readonly stateKey: string;
  /** The controller asking: its own lease never refuses it. */
  readonly owner: string;
  /** Epoch ms, by the asking controller's clock. */
  readonly now: number;
  /** @default CLOCK_SKEW_MS */
  readonly skewMs?: number | undefined;
}

/** A refusal with the error the caller throws. */
const refuse = (reason: StartRefusalReason, message: string): Extract<StartDecision, { kind: 'refuse' }> => ({
  kind: 'refuse',
  reason,
  error: new OperationRejectedError(message),
});

/** The one wording of "another run is unfinished": what it holds back, and the command that resumes it. */
const unfinishedMessage = (existing: RunState, what: string): string =>
  `an unfinished ${existing.operation} (${existing.runId}) must finish before ${what} can start: run dr ${existing.operation} to resume it`;

/** The one wording of "a rollback is unfinished", and the command that finishes it. */
const rollbackUnfinishedMessage = (existing: RunState): string =>
  `the last ${existing.operation} (${existing.runId}) left changes it could not undo: run dr ${existing.operation} to finish its rollback first`;

/**
 * The one decision on a request to run `operation` with `plan`, given the control record as it
 * stands (undefined: nothing stored yet). `Runner.start` decides with it under the lease and
 * `Runner.rehearse` without, so a dry run refuses exactly when, and with the words, the real
 * run would. Pure.
 *
 * In order: another controller's lease refuses; an unfinished run is resumed if it is of the
 * same operation, else refuses; a failed run that may go on is retried if it is of the same
 * operation, else refuses when it left a rollback unfinished; a plan that leaves a region that
 * does not serve refuses; anything else starts anew.
 */
export function decideStart(
  record: ControlRecord | undefined,
  request: { readonly operation: Operation; readonly plan: Pick<Plan, 'from'> },
  context: StartContext,
): StartDecision {
  const held = leaseHeldByAnother(context.stateKey, record, context.owner, context.now, context.skewMs ?? CLOCK_SKEW_MS);
  if (held) return { kind: 'refuse', reason: 'lease-held', error: held };
  const existing = record?.run;
  const { operation } = request;
  if (existing && !isTerminal(existing.phase)) {
    if (existing.operation === operation) return { kind: 'resume', run: existing };
    return refuse('other-run-unfinished', unfinishedMessage(existing, `a ${operation}`));
  }
  if (existing && retryable(existing)) {
    if (existing.operation === operation) return { kind: 'retry', run: existing };
    if (existing.committedAt === undefined) return refuse('rollback-unfinished', rollbackUnfinishedMessage(existing));
  }
  const active = record?.active ?? 'primary';
  if (active !== request.plan.from) {
    return refuse(
      'served-elsewhere',
      `traffic is served from the ${active} region already; a ${operation} from the ${request.plan.from} region has nothing to do (see dr status)`,
    );
  }
  return { kind: 'start' };
}

/** What {@link decideDrillStart} decides: a live drill starts, or is refused with the error to throw. */
export type DrillStartDecision = { readonly kind: 'start' } | Extract<StartDecision, { kind: 'refuse' }>;

/**
 * Whether a live drill (a fault injected in the primary region, the controller left to fail over)
 * may start on the control record as it stands. Pure. It refuses by the rules of
 * {@link decideStart}, in its words, with one difference: an unfinished run of any operation
 * refuses, a failover's too, because the controller would carry that run on instead of starting
 * the failover the drill measures; so does a rollback left unfinished. It refuses as well unless
 * the primary region serves: the drill takes the primary out of service. The drill takes no
 * lease, so no lease refuses it (the controller's does not hold it back).
 */
export function decideDrillStart(record: ControlRecord | undefined): DrillStartDecision {
  const existing = record?.run;
  if (existing && !isTerminal(existing.phase)) return refuse('other-run-unfinished', unfinishedMessage(existing, 'a drill'));
  if (existing && retryable(existing) && existing.committedAt === undefined)
    return refuse('rollback-unfinished', rollbackUnfinishedMessage(existing));
  const active = record?.active ?? 'primary';
  if (active !== 'primary') {
    return refuse(
      'served-elsewhere',
      `traffic is served from the ${active} region already; a drill takes the primary region out of service: run dr failback before a drill`,
    );
  }
  return { kind: 'start' };
}
