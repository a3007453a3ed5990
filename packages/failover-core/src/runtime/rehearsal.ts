import type { DrError } from '../errors.js';
import { findBlock, stepOf } from '../machine/run-state.js';
import type { Command, PreconditionProblem, RunState } from '../machine/types.js';
import type { StartDecision, StartRefusalReason } from './decide-start.js';

/** A change the real run would make: one mutating block. */
export interface PlannedChange {
  readonly blockId: string;
  readonly stepId: string | undefined;
  readonly description: string;
}

/**
 * The command a rehearsal stopped before: the real run's first one that changes something
 * (`act`: the blocks it would call for together; `notify`; `request-approval`), a `wait` (it
 * would look again later), or `end` (nothing left to do or read).
 */
export type RehearsalStop =
  | { readonly kind: 'act'; readonly changes: readonly PlannedChange[] }
  | { readonly kind: 'notify'; readonly subject: string }
  | { readonly kind: 'request-approval' }
  | { readonly kind: 'wait'; readonly blockIds: readonly string[] }
  | { readonly kind: 'end' };

/** Why a rehearsal says the real run would refuse, in the words the real run uses. */
export interface RehearsedRefusal {
  /**
   * A refusal on the record ({@link StartRefusalReason}), or `run-refused`: the run itself refused (a precondition, the RPO guard, an
   * expired approval).
   */
  readonly reason: StartRefusalReason | 'run-refused';
  readonly message: string;
  /** The error the real run throws, for a refusal on the record; none for one the run records as `refused`. */
  readonly error?: DrError | undefined;
}

/** What `Runner.rehearse` found the real run would do now. */
export interface Rehearsal {
  /** `start` when the real run would start, resume or retry (see `decision`); `refuse` when it would refuse. */
  readonly verdict: 'start' | 'refuse';
  /** The decision on the record: a fresh start, the stored run resumed or retried, or a refusal. */
  readonly decision: StartDecision;
  readonly refusal?: RehearsedRefusal | undefined;
  /** True when the preconditions were evaluated (a fresh start, or a stored run still evaluating). */
  readonly evaluated: boolean;
  /** What the preconditions found: `rpo` problems do not refuse a forced run. */
  readonly problems: readonly PreconditionProblem[];
  /** The target replica's lag, when it was read. */
  readonly replicaLagSeconds?: number | undefined;
  /** The run as the real one would stand right before its first change (never written anywhere); none when refused on the record. */
  readonly state?: RunState | undefined;
  /** What the rehearsal stopped before; none when refused on the record. */
  readonly stoppedBefore?: RehearsalStop | undefined;
  /**
   * The first changes the real run would make (the blocks of {@link stoppedBefore} when it acts); empty when it would change nothing first.
   */
  readonly firstMutation: readonly PlannedChange[];
}

/** The message of the run's refusal: its last `refused` timeline entry. */
const refusedMessage = (run: RunState): string => run.timeline.findLast((e) => e.kind === 'refused')?.message ?? `${run.operation} refused`;

function stopOf(run: RunState, withheld: readonly Command[]): RehearsalStop {
  const acts = withheld.filter((c) => c.kind === 'act');
  if (acts.length > 0) {
    return {
      kind: 'act',
      changes: acts.map((c) => ({
        blockId: c.blockId,
        stepId: stepOf(run, c.blockId)?.id,
        description: findBlock(run, c.blockId)?.description ?? c.blockId,
      })),
    };
  }
  const approval = withheld.find((c) => c.kind === 'request-approval');
  if (approval) return { kind: 'request-approval' };
  const notice = withheld.find((c) => c.kind === 'notify');
  if (notice) return { kind: 'notify', subject: notice.notification.subject };
  const waits = withheld.filter((c) => c.kind === 'wait');
  if (waits.length > 0) return { kind: 'wait', blockIds: waits.map((c) => c.blockId) };
  return { kind: 'end' };
}

/**
 * Puts a rehearsal's findings together. Pure: `state` is where the rehearsal stopped (none when
 * the record refused), `withheld` the commands it did not perform, `evaluated` what the
 * preconditions found if they were evaluated.
 */
export function rehearsalOf(
  decision: StartDecision,
  state: RunState | undefined,
  withheld: readonly Command[],
  evaluated: { readonly problems: readonly PreconditionProblem[]; readonly replicaLagSeconds?: number | undefined } | undefined,
): Rehearsal {
  const common = {
    decision,
    evaluated: evaluated !== undefined,
    problems: evaluated?.problems ?? [],
    replicaLagSeconds: evaluated?.replicaLagSeconds,
  };
  if (decision.kind === 'refuse')
    return {
      ...common,
      verdict: 'refuse',
      refusal: { reason: decision.reason, message: decision.error.message, error: decision.error },
      firstMutation: [],
    };
  if (!state) throw new Error(`a rehearsal that decided to ${decision.kind} must have a run state`);
  const stoppedBefore = stopOf(state, withheld);
  const firstMutation = stoppedBefore.kind === 'act' ? stoppedBefore.changes : [];
  if (state.phase === 'refused')
    return {
      ...common,
      verdict: 'refuse',
      refusal: { reason: 'run-refused', message: refusedMessage(state) },
      state,
      stoppedBefore,
      firstMutation,
    };
  return { ...common, verdict: 'start', state, stoppedBefore, firstMutation };
}
