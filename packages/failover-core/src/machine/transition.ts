/**
 * The state machine of a run: `transition(state, event) → { state, commands }`. Pure: it
 * performs nothing and reads no clock (every time comes in on the event); the runner persists
 * the returned state with compare-and-set, then performs the commands through the ports.
 *
 * | phase             | event                               | next phase, and what follows                                           |
 * |-------------------|-------------------------------------|-------------------------------------------------------------------------|
 * | evaluating        | preconditions-evaluated             | refused (a blocking problem) · awaiting-approval · running (step 1)     |
 * | evaluating        | approval-granted                    | (recorded; no approval is asked for later)                              |
 * | awaiting-approval | approval-granted                    | evaluating again (preconditions, and the detector's verdict for a run   |
 * |                   |                                     | it started) · refused if the approval came after it expired             |
 * | awaiting-approval | approval-expired · abort-requested  | refused: nothing was changed                                            |
 * | running           | observed · acted · act-failed ·     | the block advances; a step ends when its required blocks are done       |
 * |                   | observe-failed · timer-fired        | (best-effort ones still going are skipped); after the last: completed   |
 * | running           | a required block fails              | failed, after the point of no return · rolling-back before it           |
 * | running           | abort-requested                     | rolling-back before the point of no return · a note after it            |
 * | rolling-back      | block events of the undo blocks     | one undo step at a time, newest change first; then rolled-back, or      |
 * |                   |                                     | failed if an undo could not be done                                     |
 * | failed            | retry-requested                     | running from the failed block (past the point of no return) ·           |
 * |                   |                                     | rolling-back again over the undos not done                              |
 * | any unfinished    | resumed                             | every unfinished block of the step is observed before anything is done  |
 * | terminal          | anything else                       | unchanged                                                               |
 *
 * The point of no return is the first call of the block marked `commits` (a failover's
 * promotion; a planned handover's lift of the target's fence), or any sign that it took effect.
 *
 * Timeouts and waits:
 * - a block fails when it is not done `timeoutSeconds` after it started, in wall time: a crashed
 *   or handed-over controller's time counts;
 * - before the point of no return, a required block whose region has not answered for the run's
 *   `unreachableSeconds` fails the run at once (rolling it back is cheaper than waiting); a
 *   best-effort block is skipped under the same rule, or at its own (short) timeout;
 * - a mutating call that shows no effect is repeated only after `settleMs` when its effect may
 *   lag (the waiter race of a promotion, a rename, a reboot); one whose effect shows at once
 *   (weights, dials, capacity, a parameter) is repeated at once;
 * - a failed call is retried after a backoff from `backoffMs` doubling to `maxBackoffMs`;
 * - an approval expires `approvalTimeoutSeconds` after it was requested.
 *
 * Events that do not fit the current state (duplicated, delayed, from a stale tick) change
 * nothing, so redelivery is harmless.
 *
 * Reading order: this file routes each event and handles the run-level ones (preconditions,
 * approval, abort, retry, resume); `block-events.ts` answers the events of one block, and
 * `progress.ts` moves the run from step to step, into its rollback and to its end.
 */
import { assertNever } from '../util/assert-never.js';
import { onObserved, awaiting, retryOrFail, onActAnswer } from './block-events.js';
import { RETRY_RESET, startStep, startRollbackWhenQuiet, refuse, startRollback, reobserve } from './progress.js';
import { activeSteps, everyBlock, log, unchanged, undoBlocks, withBlock } from './run-state.js';
import { DEFAULT_ENGINE_SETTINGS, isTerminal, type EngineSettings, type RunEvent, type RunState, type Transition } from './types.js';

export { startRun } from './run-state.js';

/**
 * The state machine (see the table at the top of this file). Pure: performs nothing and reads
 * no clock; every time comes in on the event.
 */
export function transition(state: RunState, event: RunEvent, settings: EngineSettings = DEFAULT_ENGINE_SETTINGS): Transition {
  const t = apply(state, event, settings);
  return t.state === state ? t : { ...t, state: { ...t.state, lastEventAt: event.at } };
}

/** Routes the event to what handles it; a finished run answers only a retry of its failure. */
function apply(state: RunState, event: RunEvent, settings: EngineSettings): Transition {
  if (isTerminal(state.phase) && !(state.phase === 'failed' && event.kind === 'retry-requested')) return unchanged(state);
  switch (event.kind) {
    case 'preconditions-evaluated':
      return onPreconditions(state, event);
    case 'approval-granted':
      return onApproval(state, event);
    case 'approval-expired': {
      if (state.phase !== 'awaiting-approval' || state.approvalExpiresAt === undefined || event.at < state.approvalExpiresAt)
        return unchanged(state);
      return refuse(
        state,
        event.at,
        `no operator approved the ${state.operation} within ${Math.round(state.approvalTimeoutSeconds / 60)} min`,
      );
    }
    case 'observed':
      return onObserved(state, event, settings);
    case 'observe-failed': {
      if (!awaiting(state, event, 'observing')) return unchanged(state);
      return retryOrFail(state, event.blockId, event.at, event.error, event.cause, true, settings);
    }
    case 'acted':
    case 'act-failed':
      return onActAnswer(state, event, settings);
    case 'timer-fired': {
      const current = awaiting(state, event, 'waiting');
      if (!current) return unchanged(state);
      const tick = current.tick + 1;
      return {
        state: withBlock(state, event.blockId, { status: 'observing', tick }),
        commands: [{ kind: 'observe', blockId: event.blockId, tick }],
      };
    }
    case 'abort-requested':
      return onAbort(state, event);
    case 'retry-requested':
      return onRetry(state, event);
    case 'resumed':
      return onResumed(state, event, settings);
    default:
      return assertNever(event, 'event');
  }
}

/** The world as checked before anything changes: refuse, ask an operator, or start the first step. */
function onPreconditions(state: RunState, event: Extract<RunEvent, { kind: 'preconditions-evaluated' }>): Transition {
  if (state.phase !== 'evaluating') return unchanged(state);
  const at = event.at;
  const blocking = event.problems.filter((p) => p.kind !== 'rpo' || !state.force);
  const base: RunState = { ...state, problems: event.problems, rpoSeconds: event.replicaLagSeconds ?? state.rpoSeconds };
  if (blocking.length > 0) return refuse(base, at, blocking.map((p) => p.message).join('; '));
  const risked = event.problems.some((p) => p.kind === 'rpo');
  const passed = log(
    { ...base, rpoRisked: risked },
    {
      at,
      kind: 'preconditions-passed',
      message: risked ? `forced past the RPO guard: ${event.problems.map((p) => p.message).join('; ')}` : undefined,
    },
  );
  if (passed.approvalRequired && passed.approvedBy === undefined) {
    const asked = {
      ...passed,
      phase: 'awaiting-approval' as const,
      approvalRequestedAt: at,
      approvalExpiresAt: at + state.approvalTimeoutSeconds * 1000,
    };
    return {
      state: log(asked, { at, kind: 'approval-requested', message: `expires in ${Math.round(state.approvalTimeoutSeconds / 60)} min` }),
      commands: [{ kind: 'request-approval' }],
    };
  }
  return startStep({ ...passed, phase: 'running' }, 0, at);
}

/** An operator's approval: recorded early, refused when it came after it expired, else the world is checked again. */
function onApproval(state: RunState, event: Extract<RunEvent, { kind: 'approval-granted' }>): Transition {
  const at = event.at;
  if (state.phase === 'evaluating') return unchanged(log({ ...state, approvedBy: event.by }, { at, kind: 'approved', message: event.by }));
  if (state.phase !== 'awaiting-approval') return unchanged(state);
  if (state.approvalExpiresAt !== undefined && at > state.approvalExpiresAt) {
    return refuse(
      state,
      at,
      `the approval by ${event.by} came ${Math.round((at - (state.approvalRequestedAt ?? at)) / 60_000)} min after it was asked for; approvals expire after ${Math.round(state.approvalTimeoutSeconds / 60)} min`,
    );
  }
  // Time has passed since the run was asked for: the world is checked again before anything changes.
  const approved = log({ ...state, approvedBy: event.by, phase: 'evaluating' }, { at, kind: 'approved', message: event.by });
  return { state: approved, commands: [{ kind: 'evaluate-preconditions', confirmImpairment: state.trigger === 'detector' }] };
}

/** An operator's abort: refused before any step, rolled back before the point of no return, noted after it. */
function onAbort(state: RunState, event: Extract<RunEvent, { kind: 'abort-requested' }>): Transition {
  const at = event.at;
  if (state.phase === 'evaluating' || state.phase === 'awaiting-approval') return refuse(state, at, `aborted: ${event.reason}`);
  if (state.phase !== 'running') return unchanged(state);
  if (state.committedAt !== undefined)
    return unchanged(log(state, { at, kind: 'aborted', message: `${event.reason}; past the point of no return the run goes on` }));
  return startRollback(log(state, { at, kind: 'aborted', message: event.reason }), at, `aborted: ${event.reason}`);
}

/** An operator's retry of a failed run: the undos not done again (before the point of no return), else the failed step. */
function onRetry(state: RunState, event: Extract<RunEvent, { kind: 'retry-requested' }>): Transition {
  if (state.phase !== 'failed') return unchanged(state);
  const at = event.at;
  const retried = log(state, { at, kind: 'retried', message: event.by });
  if (state.committedAt === undefined && state.rollback) {
    // Undo again what could not be undone: each undo observes first, so repeating one is harmless.
    let next: RunState = { ...retried, phase: 'rolling-back', failure: state.failure };
    for (const b of undoBlocks(state)) {
      const s = next.blocks[b.id];
      if (s?.status === 'failed') next = withBlock(next, b.id, RETRY_RESET);
    }
    const first = state.rollback.steps.findIndex((s) =>
      s.blocks.some((b) => next.blocks[b.id]?.status !== 'done' && next.blocks[b.id]?.status !== 'skipped'),
    );
    return startStep(next, Math.max(0, first), at);
  }
  const failedId = state.failure?.blockId;
  const index = state.plan.steps.findIndex((s) => s.blocks.some((b) => b.id === failedId));
  if (index < 0) return unchanged(state);
  let next: RunState = { ...retried, phase: 'running', failure: undefined };
  for (const b of state.plan.steps[index]!.blocks) {
    const s = next.blocks[b.id];
    if (s && s.status !== 'done') next = withBlock(next, b.id, RETRY_RESET);
  }
  return startStep(next, index, at);
}

/** A new controller takes the run over: it asks again what was asked, and looks before it does anything. */
function onResumed(state: RunState, event: Extract<RunEvent, { kind: 'resumed' }>, settings: EngineSettings): Transition {
  const at = event.at;
  const resumed = log(state, {
    at,
    kind: 'resumed',
    message: `at ${state.phase}, step ${state.stepIndex + 1} of ${activeSteps(state).length}`,
  });
  if (state.phase === 'evaluating')
    return {
      state: resumed,
      commands: [{ kind: 'evaluate-preconditions', confirmImpairment: state.trigger === 'detector' && state.approvedBy !== undefined }],
    };
  if (state.phase === 'awaiting-approval') {
    if (state.approvalExpiresAt !== undefined && at >= state.approvalExpiresAt)
      return apply(resumed, { kind: 'approval-expired', at }, settings);
    return { state: resumed, commands: [{ kind: 'request-approval' }] };
  }
  if (state.phase === 'rolling-back' && state.stepIndex === -1) {
    // The calls the last controller had in flight answered before its lease ran out, but
    // their outcome is unknown here: undo them as if they landed (each undo observes first).
    let next = resumed;
    for (const b of everyBlock(state)) {
      const s = next.blocks[b.id];
      if (s?.status === 'acting') next = withBlock(next, b.id, { status: 'failed', uncertain: true, tick: s.tick + 1 });
    }
    return startRollbackWhenQuiet(next, at);
  }
  return reobserve(resumed, at);
}
