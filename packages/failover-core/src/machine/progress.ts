/**
 * How a run moves through its steps, and how it ends: starting a step observes each of its
 * blocks; a step ends when its required blocks are done; after the last step the run completes.
 * A block that cannot be done is skipped (best effort), fails the run (past the point of no
 * return) or starts the rollback, which runs its undo steps through the same functions.
 * Pure, like the rest of the machine: each function returns the next state and its commands.
 */
import type { PlanBlock } from '../plan/types.js';
import { measureRun } from './measures.js';
import { rollbackSteps } from './rollback.js';
import { undoBlocks, log, activeSteps, withBlock, unchanged, stepOf, planBlocks, freshBlock } from './run-state.js';
import { summarizeRun } from './summary.js';
import type { BlockState, RunState, Command, Transition } from './types.js';

/** Starts step `stepIndex` of the active steps (the plan, or the undo steps): every unfinished block is observed first. */
export function startStep(state: RunState, stepIndex: number, at: number): Transition {
  const step = activeSteps(state)[stepIndex];
  if (!step) return finish({ ...state, stepIndex }, at);
  let next = log({ ...state, stepIndex }, { at, kind: 'step-started', stepId: step.id, message: step.name });
  const commands: Command[] = [];
  for (const b of step.blocks) {
    const current = next.blocks[b.id];
    if (current?.status === 'done' || current?.status === 'skipped') continue;
    const tick = (current?.tick ?? 0) + 1;
    next = withBlock(next, b.id, { status: 'observing', tick, startedAt: current?.startedAt ?? at });
    next = log(next, { at, kind: 'block-started', stepId: step.id, blockId: b.id, message: b.description });
    commands.push({ kind: 'observe', blockId: b.id, tick });
  }
  if (commands.length === 0) return advanceIfStepDone(next, at);
  return { state: next, commands };
}

/**
 * Ends the step when its required blocks are done (in a rollback: done or failed); best-effort
 * blocks still going are skipped then, unless the step has nothing else to wait for.
 */
export function advanceIfStepDone(state: RunState, at: number): Transition {
  const step = activeSteps(state)[state.stepIndex];
  if (!step) return unchanged(state);
  const rollingBack = state.phase === 'rolling-back';
  const required = step.blocks.filter((b) => !b.bestEffort);
  const ready =
    required.length > 0
      ? required.every((b) => (rollingBack ? settled(state.blocks[b.id]) : state.blocks[b.id]?.status === 'done'))
      : step.blocks.every((b) => settled(state.blocks[b.id]));
  if (!ready) return unchanged(state);
  let next = state;
  for (const b of step.blocks) {
    const s = next.blocks[b.id];
    if (settled(s)) continue;
    // The step no longer waits; a tick past any call in flight makes its answer stale.
    next = withBlock(next, b.id, { status: 'skipped', tick: (s?.tick ?? 0) + 1, endedAt: at });
    next = log(next, {
      at,
      kind: 'block-skipped',
      stepId: step.id,
      blockId: b.id,
      message: 'not done when the step was: left to the controller',
    });
  }
  next = log(next, { at, kind: 'step-ended', stepId: step.id });
  return startStep(next, state.stepIndex + 1, at);
}

/** Re-observes every unfinished block of the current step; a call that may be in flight gets a fresh settle time. */
export function reobserve(state: RunState, at: number): Transition {
  const step = activeSteps(state)[state.stepIndex];
  if (!step) return advanceIfStepDone(state, at);
  let next = state;
  const commands: Command[] = [];
  for (const b of step.blocks) {
    const current = next.blocks[b.id];
    if (!current || settled(current)) continue;
    const tick = current.tick + 1;
    const intentAt = current.intentAt === undefined ? undefined : at;
    next = withBlock(next, b.id, { status: 'observing', tick, intentAt, startedAt: current.startedAt ?? at });
    commands.push({ kind: 'observe', blockId: b.id, tick });
  }
  if (commands.length === 0) return advanceIfStepDone(next, at);
  return { state: next, commands };
}

function finish(state: RunState, at: number): Transition {
  if (state.phase === 'rolling-back') {
    const undos = undoBlocks(state);
    const failed = undos.filter((b) => state.blocks[b.id]?.status === 'failed');
    const phase = failed.length > 0 ? 'failed' : 'rolled-back';
    const message =
      failed.length > 0
        ? `rollback incomplete: ${failed.map((b) => b.id).join(', ')} could not be done`
        : `rolled back: ${state.rollback?.reason ?? ''}`;
    const next = log(
      { ...state, phase, stepIndex: state.rollback?.steps.length ?? 0 },
      { at, kind: phase === 'failed' ? 'failed' : 'rolled-back', message },
    );
    const summary = summarizeRun(next);
    return {
      state: next,
      commands: [
        notify(
          next,
          `${state.operation} ${phase === 'failed' ? 'failed; rollback incomplete' : 'rolled back'}`,
          `${summary.now} Next: ${summary.next}`,
          phase === 'failed' ? 'critical' : 'warning',
        ),
      ],
    };
  }
  const completed = log({ ...state, phase: 'completed', stepIndex: state.plan.steps.length }, { at, kind: 'completed' });
  return { state: completed, commands: [notify(completed, `${state.operation} completed`, completionMessage(completed), 'info')] };
}

/** What the completion notice says: where traffic is now, and the run's RTO and RPO. */
function completionMessage(run: RunState): string {
  const summary = summarizeRun(run);
  if (run.operation === 'rebuild') return `${summary.now} (run ${run.runId}). Next: ${summary.next}`;
  const { rtoSeconds, rpoSeconds, durationSeconds } = measureRun(run);
  const parts = [`${run.plan.toRegion} now serves traffic (${run.operation} from ${run.plan.fromRegion}, run ${run.runId}).`];
  if (rtoSeconds !== null) parts.push(`RTO ${rtoSeconds} s.`);
  if (durationSeconds !== null) parts.push(`The run took ${durationSeconds} s.`);
  if (rpoSeconds !== null)
    parts.push(`RPO ${rpoSeconds} s (replica lag at promotion)${run.rpoRisked ? ', past the objective: forced' : ''}.`);
  parts.push(summary.now, `Next: ${summary.next}`);
  return parts.join(' ');
}

/** A block that cannot be done: skip it (best effort), keep rolling back (an undo), fail the run or roll it back. */
export function blockFailed(state: RunState, block: PlanBlock, at: number, message: string): Transition {
  const stepId = stepOf(state, block.id)?.id;
  if (block.bestEffort) {
    let next = withBlock(state, block.id, {
      status: 'skipped',
      endedAt: at,
      error: message,
      tick: (state.blocks[block.id]?.tick ?? 0) + 1,
    });
    next = log(next, { at, kind: 'block-skipped', stepId, blockId: block.id, message: `${message}: left to the controller` });
    return advanceIfStepDone(next, at);
  }
  let next = withBlock(state, block.id, { status: 'failed', endedAt: at, error: message });
  next = log(next, { at, kind: 'block-failed', stepId, blockId: block.id, message });
  if (state.phase === 'rolling-back') return advanceIfStepDone(next, at);
  if (state.committedAt !== undefined) return failRun(next, at, block.id, message);
  return startRollback(next, at, `${block.id} failed before the point of no return: ${message}`, { blockId: block.id, stepId, message });
}

function failRun(state: RunState, at: number, blockId: string | undefined, message: string): Transition {
  const stepId = blockId ? stepOf(state, blockId)?.id : undefined;
  const next = log({ ...state, phase: 'failed', failure: { blockId, stepId, message } }, { at, kind: 'failed', stepId, blockId, message });
  const summary = summarizeRun(next);
  const where = blockId ? ` at step ${stepId}, block ${blockId}` : '';
  return {
    state: next,
    commands: [notify(next, `${state.operation} failed${where}`, `${message}. ${summary.now} Next: ${summary.next}`, 'critical')],
  };
}

/** Starts undoing what the run changed; calls still in flight are waited for first, so their effect is undone too. */
export function startRollback(state: RunState, at: number, reason: string, failure?: RunState['failure']): Transition {
  let next: RunState = { ...state, failure: failure ?? state.failure };
  // Blocks observing or waiting stop here; their pending answers become stale.
  for (const b of planBlocks(state)) {
    const s = next.blocks[b.id];
    if (s && (s.status === 'observing' || s.status === 'waiting')) next = withBlock(next, b.id, { status: 'pending', tick: s.tick + 1 });
  }
  const steps = rollbackSteps(next);
  for (const step of steps) for (const b of step.blocks) next = { ...next, blocks: { ...next.blocks, [b.id]: freshBlock() } };
  next = log(
    { ...next, phase: 'rolling-back', stepIndex: -1, rollback: { at, reason, steps } },
    { at, kind: 'rollback-started', message: `${reason}; undoing ${steps.length} change(s)` },
  );
  const t = startRollbackWhenQuiet(next, at);
  return {
    state: t.state,
    commands: [
      notify(next, `${state.operation} is rolling back`, `${reason}. Undoing what the run changed, newest first.`, 'critical'),
      ...t.commands,
    ],
  };
}

/** Starts the first undo step once no call of the plan is in flight. */
export function startRollbackWhenQuiet(state: RunState, at: number): Transition {
  if (state.phase !== 'rolling-back' || state.stepIndex !== -1) return unchanged(state);
  const inFlight = planBlocks(state).some((b) => state.blocks[b.id]?.status === 'acting');
  return inFlight ? unchanged(state) : startStep(state, 0, at);
}

/** Ends a run that changed nothing: a blocking precondition, an approval that expired or came too late, an abort before any step. */
export function refuse(state: RunState, at: number, message: string): Transition {
  const next = log({ ...state, phase: 'refused' }, { at, kind: 'refused', message });
  const summary = summarizeRun(next);
  return {
    state: next,
    commands: [notify(next, `${state.operation} refused`, `${message}. ${summary.now} Next: ${summary.next}`, 'critical')],
  };
}

const notify = (state: RunState, subject: string, message: string, severity: 'info' | 'warning' | 'critical'): Command => ({
  kind: 'notify',
  notification: { subject, message, severity, runId: state.runId },
});

/** Whether a block has ended, one way or another: nothing more will be done for it in this phase. */
export const settled = (b: BlockState | undefined) => b?.status === 'done' || b?.status === 'skipped' || b?.status === 'failed';

/**
 * What a retried block forgets: its failures, its error, and when it started and ended, so its
 * time is measured from the retry. Its tick, attempts and intent stay.
 */
export const RETRY_RESET: Partial<BlockState> = {
  status: 'pending',
  failures: 0,
  startedAt: undefined,
  endedAt: undefined,
  error: undefined,
  unreachableSince: undefined,
};
