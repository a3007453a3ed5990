import {
  activeSteps,
  isTerminal,
  measureRun,
  summarizeRun,
  type DrConfig,
  type Operation,
  type Rehearsal,
  type Runner,
  type RunState,
  type StartRequest,
} from '@dr/failover-core';
import { describeError, isLockHeld, isOperationRejected } from '@dr/failover-core/errors';
import type { AwsFlags } from '../aws-options.js';
import { EXIT, ExitError } from '../errors.js';
import { jsonDocument, type DocumentCommand } from '../json-document.js';
import type { Output } from '../output.js';
import { outcomeColour, utcClock } from '../progress.js';
import { printRunSummary } from '../run-summary.js';
import { refusalText, runBody, timelineRows, type Refusal } from './operate-words.js';

/** Options of `dr failover`, `dr switchover`, `dr failback`, `dr rebuild`. */
export interface OperateFlags extends AwsFlags {
  readonly yes?: boolean;
  readonly dryRun?: boolean;
  readonly force?: boolean;
  readonly json?: boolean;
}

/** One invocation of an operation: what every phase of it (rehearse, confirm, run, report) works with. */
export interface Invocation {
  readonly operation: Operation;
  readonly command: DocumentCommand;
  readonly flags: OperateFlags;
  readonly force: boolean;
  readonly config: DrConfig;
  readonly out: Output;
  readonly request: StartRequest;
  readonly runner: Runner;
  /** Ctrl-C stops after the calls in flight and frees the lease, so running the command again resumes at once. */
  readonly stop: AbortController;
  /** How much of the run's timeline is printed, and the last state the store accepted (what is said if the run stops on an error). */
  readonly progress: { printed: number | undefined; last: RunState | undefined };
}

/** Ends the command on a refusal met before the run began, with its document when asked for JSON. */
export function refuse(inv: Invocation, text: string, problems: Rehearsal['problems'], cause?: unknown): never {
  if (inv.flags.json)
    inv.out.document(
      jsonDocument(
        { command: inv.command, mode: 'live', outcome: 'refused', measures: null, summary: null },
        { ...runBody(undefined, text), operation: inv.operation, problems },
      ),
    );
  throw new ExitError(text, EXIT.failed, cause === undefined ? undefined : { cause });
}

/**
 * Starts (or carries on) the run under the lease and follows it until it ends or stops. Ctrl-C
 * (or SIGTERM) stops after the calls in flight, keeping the run to resume.
 */
export async function runToEnd(inv: Invocation, carried: RunState | undefined): Promise<{ state: RunState; error: unknown }> {
  const { stop, out } = inv;
  const onInterrupt = () => {
    if (stop.signal.aborted) process.exit(EXIT.failed);
    stop.abort();
    process.stderr.write(
      `\n${out.color.yellow('stopping after the calls in flight; the run is kept: run the same command again to resume (Ctrl-C again to quit now)')}\n`,
    );
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  // A carried run's timeline up to now was printed by the run that made it.
  inv.progress.printed = carried?.timeline.length ?? 0;
  out.heading('Run');
  try {
    // Interrupted (or its reader gone) between the prompt and here: nothing is stored yet, so stop before the lease is taken.
    if (stop.signal.aborted) throw new ExitError('interrupted before the run started: nothing was changed', EXIT.failed);
    // The same decision again, under the lease: start, resume or retry, or refuse.
    return { state: (await inv.runner.start(inv.request)).state, error: undefined };
  } catch (e) {
    const last = inv.progress.last;
    if (!last) {
      // Refused before the run began (the record changed since the rehearsal): in the same words.
      const late: Refusal | undefined = isLockHeld(e)
        ? { by: 'lease', message: e.message, problems: [] }
        : isOperationRejected(e)
          ? { by: 'record', message: e.message, problems: [] }
          : undefined;
      if (!late) throw e;
      return refuse(inv, refusalText(inv.operation, late, inv.force), [], e);
    }
    // The run started and then stopped on an error (a state table write refused, the lease lost):
    // what it changed and where it stands are those of the last state the store accepted.
    return { state: last, error: e };
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
  }
}

/** The run's timeline, measures and summary, then how it ended: nothing more when it completed, else an exit error that says what next. */
export function reportRun(inv: Invocation, state: RunState, error: unknown): void {
  const { out, config, operation, flags } = inv;
  const m = measureRun(state);
  const summary = summarizeRun(state);
  const errorText = error === undefined ? null : describeError(error);
  const outcome = isTerminal(state.phase) ? state.phase : 'stopped';
  if (flags.json)
    out.document(
      jsonDocument(
        { command: inv.command, mode: 'live', outcome, measures: m, summary },
        { ...runBody(state, errorText), problems: state.problems },
      ),
    );
  out.heading('Timeline');
  out.table(['step', 'started', 'took'], timelineRows(out, state));
  out.fields([
    ['outcome', outcomeColour(out, state.phase)],
    ['RTO', m.rtoSeconds === null ? '—' : `${m.rtoSeconds} s (objective ${config.objectives.rtoSeconds} s)`],
    ['RPO', m.rpoSeconds === null ? '—' : `${m.rpoSeconds} s (objective ${config.objectives.maxDataLossSeconds} s)`],
    ['run', state.runId],
  ]);
  printRunSummary(out, summary, utcClock);
  if (errorText !== null) {
    throw new ExitError(
      `the ${operation} stopped on an error: ${errorText}. What it changed and the state above are as last recorded (${state.phase}). Next: ${summary.next}`,
      EXIT.failed,
      { cause: error },
    );
  }
  if (state.phase === 'completed') return;
  if (state.phase === 'refused') {
    const message = state.timeline.findLast((e) => e.kind === 'refused')?.message ?? 'refused';
    throw new ExitError(refusalText(operation, { by: 'run', message, problems: state.problems }, inv.force), EXIT.failed);
  }
  if (inv.stop.signal.aborted || !isTerminal(state.phase)) {
    const at = activeSteps(state)[state.stepIndex]?.name ?? 'the start';
    throw new ExitError(
      `stopped at "${at}" with the run kept: run dr ${operation} again to resume from there. Next: ${summary.next}`,
      EXIT.failed,
    );
  }
  const where = state.failure ? ` at ${state.failure.stepId ?? ''}/${state.failure.blockId ?? ''}: ${state.failure.message}` : '';
  throw new ExitError(`${operation} ${state.phase}${where}. Next: ${summary.next}`, EXIT.failed);
}
